import datetime as dt

import pytest

from linli.accounts.models import Role
from linli.core import clock
from linli.orgs.tests.factories import (
    PartyOrgFactory,
    PropertyCompanyFactory,
    PropertyServiceFactory,
    SelfOrgFactory,
)
from linli.people.models import CareTag, Resident
from linli.people.tests.factories import ResidentFactory, make_id_number
from linli.testing import PERSONAS, make_user

TEMPLATES = {
    "resident": "accounts/home_resident.html",
    "grid_worker": "accounts/home_worker.html",
    "branch_secretary": "accounts/home_worker.html",
    "property_staff": "accounts/home_worker.html",
    "community_secretary": "accounts/home_officer.html",
    "street_officer": "accounts/home_officer.html",
    "district_officer": "accounts/home_officer.html",
    "outsider": "accounts/home_officer.html",
    "admin": "accounts/home_officer.html",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_their_home_and_nothing_is_written(world, client_for, counts, persona):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get("/")
    # then
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert TEMPLATES[persona] in [t.name for t in response.templates]
    assert counts() == before


def test_resident_sees_household_with_masked_phones_and_compound_public_info(world, client_for):
    # given
    clock.freeze(dt.datetime(2025, 6, 15, 9, 0))
    spouse = ResidentFactory(household=world.household1, name="王淑芬", relation=Resident.Relation.SPOUSE,
                             phone="13912345678", id_number=make_id_number(420, born="19580302"))
    PartyOrgFactory(community=world.community1, name="康宁小区党支部", compounds=[world.compound1])
    SelfOrgFactory(compound=world.compound1, name="康宁小区业主委员会", term_start=dt.date(2024, 1, 1))
    SelfOrgFactory(compound=world.compound1, name="旧业委会", term_start=dt.date(2019, 1, 1),
                   term_end=dt.date(2023, 12, 31))
    red = PropertyCompanyFactory(name="红星物业", has_party_org=True)
    PropertyServiceFactory(compound=world.compound1, company=red, start=dt.date(2024, 1, 1))
    client = client_for("resident")
    # when
    response = client.get("/")
    # then
    html = response.content.decode()
    assert "张秀英" in html and "王淑芬" in html and "配偶" in html
    assert "139****5678" in html and "13912345678" not in html
    assert world.resident.phone not in html
    assert "康宁小区党支部" in html and "康宁小区业主委员会" in html and "红星物业" in html
    assert "旧业委会" not in html
    assert "李建国" not in html  # the neighbour is in another household
    assert spouse.id_number not in html


def test_resident_with_an_empty_compound_is_told_so(world, client_for):
    # when
    response = client_for("resident").get("/")
    # then
    html = response.content.decode()
    assert "暂未登记覆盖本小区的党组织" in html
    assert "本小区目前没有物业服务" in html


def test_worker_home_counts_residents_elderly_and_care_tags_in_their_grid(world, client_for):
    # given: grid1 holds compound1 with two residents born 1950 (elderly) and one young one
    clock.freeze(dt.datetime(2025, 6, 15, 9, 0))
    alone = CareTag.objects.create(code="alone", name="独居老人")
    CareTag.objects.create(code="disabled", name="残疾人")
    world.resident.care_tags.add(alone)
    ResidentFactory(household=world.household1, name="张小明", relation=Resident.Relation.CHILD,
                    id_number=make_id_number(421, born="20100101"))
    # when
    response = client_for("grid_worker").get("/")
    # then
    ctx = response.context
    assert [row["grid"] for row in ctx["grids"]] == [world.grid1]
    assert [(r["compound"], r["residents"], r["elderly"]) for r in ctx["compounds"]] == [(world.compound1, 3, 2)]
    assert ctx["totals"] == {"residents": 3, "elderly": 2}
    assert {t["code"]: t["count"] for t in ctx["care_tags"]} == {"alone": 1, "disabled": 0}
    assert "网格员" in ctx["roles"]


def test_property_staff_sees_only_their_compound(world, client_for):
    # when
    response = client_for("property_staff").get("/")
    # then
    assert [r["compound"] for r in response.context["compounds"]] == [world.compound2]
    assert response.context["totals"] == {"residents": 0, "elderly": 0}


def test_officer_home_shows_indicators_of_their_area(world, client_for):
    # given
    PartyOrgFactory(community=world.community1, compounds=[world.compound1, world.compound2])
    # when
    response = client_for("street_officer").get("/")
    # then
    ind = response.context["indicators"]
    assert ind.compounds == 3
    assert ind.party_coverage.display == "66.7%"
    assert "/dashboard/indicators/" in response.content.decode()


def test_logged_in_user_without_a_role_gets_an_explanation(world, client):
    # given
    user = make_user("nobody")
    client.force_login(user)
    # when
    response = client.get("/")
    # then
    assert "accounts/home_guest.html" in [t.name for t in response.templates]
    assert "尚未关联居民身份或工作岗位" in response.content.decode()


def test_worker_who_also_lives_somewhere_counts_only_the_work_area(world, client):
    # given: a grid worker of grid4 who lives in compound1
    user = make_user("gw4", Role.GRID_WORKER, world.grid4)
    world.neighbour.user = user
    world.neighbour.save()
    client.force_login(user)
    # when
    response = client.get("/")
    # then
    assert [r["compound"] for r in response.context["compounds"]] == [world.compound4]
    assert response.context["totals"]["residents"] == 1
