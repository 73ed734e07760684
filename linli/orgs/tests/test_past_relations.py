"""A past relation lets an area read history; only a relation valid today lets it change the record.

The former company served compound1 (street1) from 2015 to 2019 and serves compound4 (street2) today;
its manager lives in compound4. Staff of compound1's area read the company and its positions, and
change neither; staff of compound4's area (the outsider, the district) change both.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse

from linli.core import clock
from linli.orgs.models import Position, PropertyCompany
from linli.orgs.tests.factories import PositionFactory, PropertyCompanyFactory, PropertyServiceFactory
from linli.testing import PERSONAS

API = "/api/v1"
# Who sees compound1 (read through the past service) or compound4 (the current one).
READERS = {"grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
           "outsider", "admin"}
# Editors whose area holds a compound the company serves today.
WRITERS = {"district_officer", "outsider", "admin"}


@pytest.fixture
def former(world):
    company = PropertyCompanyFactory(name="金盾物业服务有限公司", credit_code="91140105MA0K000001")
    PropertyServiceFactory(compound=world.compound1, company=company, start=dt.date(2015, 1, 3),
                           end=dt.date(2019, 6, 1))
    PropertyServiceFactory(compound=world.compound4, company=company, start=dt.date(2020, 1, 2))
    manager = PositionFactory(resident=world.far_resident, property_company=company, role="项目经理",
                              start=dt.date(2023, 7, 26))
    return company, manager


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def _write_status(persona, *, anonymous=401):
    if persona == "anonymous":
        return anonymous
    if persona not in READERS:
        return 404
    return 200 if persona in WRITERS else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_past_service_lets_the_area_read_the_company(persona, former, client_for):
    # given
    company, manager = former
    client = client_for(persona)
    # when
    company_read = client.get(f"{API}/property-companies/{company.pk}")
    position_read = client.get(f"{API}/positions/{manager.pk}")
    # then
    expected = 401 if persona == "anonymous" else 200 if persona in READERS else 404
    assert (company_read.status_code, position_read.status_code) == (expected, expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_patching_a_company_needs_a_service_today(persona, former, client_for, counts):
    # given
    company, _ = former
    before = counts()
    # when
    response = _patch(client_for(persona), f"{API}/property-companies/{company.pk}",
                      {"credit_code": "91140105MA0K999999"})
    # then
    expected = _write_status(persona)
    assert response.status_code == expected
    company.refresh_from_db()
    if expected == 200:
        assert company.credit_code == "91140105MA0K999999"
    else:
        assert company.credit_code == "91140105MA0K000001"
        assert counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_patching_a_position_needs_a_current_relation(persona, former, client_for, counts):
    # given: the manager lives in compound4, so compound1's staff reach the position through the company only
    _, manager = former
    before = counts()
    # when
    response = _patch(client_for(persona), f"{API}/positions/{manager.pk}", {"role": "副经理"})
    # then
    expected = _write_status(persona)
    assert response.status_code == expected
    manager.refresh_from_db()
    if expected == 200:
        assert manager.role == "副经理"
    else:
        assert manager.role == "项目经理"
        assert counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_adding_a_position_to_a_former_company_is_refused(persona, former, world, client_for, counts):
    # given: a resident of compound1, in sight of its staff
    company, _ = former
    before = counts()
    # when
    response = client_for(persona).post(f"{API}/positions", json.dumps({
        "resident_id": world.neighbour.pk, "property_company_id": company.pk, "role": "客服", "start": "2025-01-01",
    }), content_type="application/json")
    # then: only the district and the admin both see the neighbour and may change the company
    if persona in {"district_officer", "admin"}:
        assert response.status_code == 201
        return
    assert response.status_code in {401, 400, 403}
    assert not Position.objects.filter(role="客服").exists()
    assert counts() == before
    if persona in {"grid_worker", "community_secretary", "branch_secretary", "street_officer"}:
        assert response.status_code == 400 and "property_company_id" in response.json()["errors"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_company_pages_refuse_changes_through_a_past_service(persona, former, client_for, counts):
    # given
    company, manager = former
    client = client_for(persona)
    before = counts()
    # when
    edit_form = client.get(reverse("orgs:propertycompany_edit", args=[company.pk]))
    edit = client.post(reverse("orgs:propertycompany_edit", args=[company.pk]),
                       {"name": "改名物业", "credit_code": "91140105MA0K999999"})
    add_position = client.get(reverse("orgs:position_create") + f"?property_company={company.pk}")
    end_position = client.post(reverse("orgs:position_end", args=[manager.pk]))
    # then
    if persona == "anonymous":
        assert {edit_form.status_code, edit.status_code, add_position.status_code, end_position.status_code} == {302}
    elif persona in WRITERS:
        assert (edit_form.status_code, add_position.status_code) == (200, 200)
    else:
        expected = _write_status(persona)
        # The new-position page asks for an editor's role before looking the company up.
        add_expected = 403 if persona in {"resident", "property_staff"} else expected
        assert (edit_form.status_code, edit.status_code, add_position.status_code,
                end_position.status_code) == (expected, expected, add_expected, expected)
    if persona not in WRITERS:
        assert counts() == before
        assert PropertyCompany.objects.get(pk=company.pk).name == "金盾物业服务有限公司"
        assert Position.objects.get(pk=manager.pk).end is None


@pytest.mark.parametrize("persona", ["grid_worker", "street_officer", "outsider"])
def test_company_page_offers_changes_only_with_a_service_today(persona, former, client_for):
    # given
    company, _ = former
    # when
    page = client_for(persona).get(reverse("orgs:propertycompany_detail", args=[company.pk]))
    # then
    assert page.status_code == 200
    edit_link = reverse("orgs:propertycompany_edit", args=[company.pk])
    assert (edit_link in page.content.decode()) == (persona in WRITERS)


def test_a_service_ending_today_still_counts_and_one_ended_yesterday_does_not(world, client_for):
    # given: a company serving compound1 until 2025-06-30
    company = PropertyCompanyFactory(name="到期物业")
    PropertyServiceFactory(compound=world.compound1, company=company, start=dt.date(2020, 1, 1),
                           end=dt.date(2025, 6, 30))
    client = client_for("community_secretary")
    url = f"{API}/property-companies/{company.pk}"
    # when / then: on its last day the area may still change it
    clock.freeze(dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC))
    assert _patch(client, url, {"credit_code": "A1"}).status_code == 200
    # and the next day it reads it only
    clock.freeze(dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC))
    assert _patch(client, url, {"credit_code": "A2"}).status_code == 403
    assert client.get(url).status_code == 200
    company.refresh_from_db()
    assert company.credit_code == "A1"


@pytest.mark.parametrize("persona", ["grid_worker", "community_secretary", "branch_secretary", "street_officer"])
def test_company_list_by_a_compound_out_of_sight_answers_as_for_no_compound(persona, former, world, client_for):
    # given: the former company is in sight (its past service in compound1) and serves compound4 today
    client = client_for(persona)
    # when
    out_of_sight = client.get(f"{API}/property-companies", {"compound": world.compound4.pk})
    missing = client.get(f"{API}/property-companies", {"compound": 999999})
    page_out_of_sight = client.get(reverse("orgs:propertycompany_list"), {"compound": world.compound4.pk})
    page_missing = client.get(reverse("orgs:propertycompany_list"), {"compound": 999999})
    # then: nothing says which company serves a compound the actor cannot see
    assert (out_of_sight.status_code, out_of_sight.json()) == (missing.status_code, missing.json())
    assert out_of_sight.json() == {"items": [], "count": 0}
    assert page_out_of_sight.status_code == page_missing.status_code == 200
    assert "金盾物业" not in page_out_of_sight.content.decode()
    # and the compound in sight still finds its history
    in_sight = client.get(f"{API}/property-companies", {"compound": world.compound1.pk}).json()
    assert [row["name"] for row in in_sight["items"]] == ["金盾物业服务有限公司"]
