"""The new pages and API across every persona and the partner's narrow role: who may, who is
refused (403/404, nothing written), and what each answers."""

import datetime as dt

import pytest
from django.test import Client

from linli.cases import services as case_services
from linli.cases.models import Channel
from linli.core import clock
from linli.stations import services
from linli.stations.models import Need
from linli.stations.tests.helpers import partner_login, station
from linli.testing import PERSONAS

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _project(world):
    return services.project_create(actor=world.user("community_secretary"), community=world.community1,
                                   compound=world.compound1, title="加装楼道扶手", starts_on=clock.today(),
                                   ends_on=clock.today() + dt.timedelta(days=10))


# Who reads a project of community1 (404 for the rest), and who may start it (403 for those who read only).
PROJECT_READ = {"grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
                "admin"}
PROJECT_MANAGE = {"community_secretary", "street_officer", "district_officer", "admin"}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_a_project_page_and_its_api_across_personas(world, persona, counts):
    project = _project(world)
    services.project_owner_add(actor=world.user("community_secretary"), project=project, name="康宁小区党支部")
    client = _client(world.user(persona))
    page = client.get(f"/stations/projects/{project.pk}/")
    api = client.get(f"/api/v1/projects/{project.pk}")
    expected = 200 if persona in PROJECT_READ else 404
    assert (page.status_code, api.status_code) == (expected, expected)
    before = counts()
    answer = client.post(f"/api/v1/projects/{project.pk}/start")
    if persona in PROJECT_MANAGE:
        assert answer.status_code == 200 and answer.json()["status"] == "ongoing"
    else:
        assert answer.status_code in (403, 404) and answer.json()["code"] in ("forbidden", "not_found")
        assert counts() == before


def test_the_project_list_leaves_out_another_communitys_project(world):
    project = _project(world)
    ours = _client(world.user("community_secretary")).get("/api/v1/projects").json()
    theirs = _client(world.user("outsider")).get("/api/v1/projects").json()
    assert project.pk in {p["id"] for p in ours["items"]}
    assert project.pk not in {p["id"] for p in theirs["items"]}
    page = _client(world.user("outsider")).get("/stations/projects/").content.decode()
    assert "加装楼道扶手" not in page


def test_a_project_is_created_from_a_need_on_the_page(world):
    need = services.need_post(actor=world.user("resident"), title="楼道没有扶手")
    client = _client(world.user("community_secretary"))
    form = client.get(f"/stations/projects/new/?need={need.pk}")
    assert form.status_code == 200 and "楼道没有扶手" in form.content.decode()
    answer = client.post("/stations/projects/new/", {
        "title": "加装扶手", "community": world.community1.pk, "starts_on": "2026-01-01", "ends_on": "2026-02-01",
        "need": need.pk})
    assert answer.status_code == 302
    assert need.projects.get().title == "加装扶手"


def test_the_partner_accepts_and_declines_on_the_api_and_another_partner_is_refused(world, counts):
    handler, resource = partner_login(world)
    stranger, _ = partner_login(world, "partner2")
    need = services.need_post(actor=world.user("resident"), title="洗衣机不脱水")
    dispatched = _client(world.user("community_secretary")).post(
        f"/api/v1/needs/{need.pk}/dispatch", {"resource_id": resource.pk}, content_type="application/json")
    assert dispatched.status_code == 200
    before = counts()
    # another partner's login does not even see it; a resident of the area may see it but is refused
    assert _client(stranger).post(f"/api/v1/needs/{need.pk}/accept").status_code == 404
    refused = _client(world.user("resident")).post(f"/api/v1/needs/{need.pk}/accept")
    assert refused.status_code == 403 and refused.json()["code"] == "not_dispatched_to_you"
    assert counts() == before
    mine = _client(handler).get("/api/v1/needs?mine=tasks").json()
    assert [n["id"] for n in mine["items"]] == [need.pk] and mine["items"][0]["orderer"] is None
    page = _client(handler).get(f"/stations/needs/{need.pk}/").content.decode()
    assert "接单" in page and "张秀英" not in page
    assert _client(handler).post(f"/api/v1/needs/{need.pk}/accept").json()["status"] == "accepted"


def test_partner_staff_are_opened_by_the_community_office_only(world, counts):
    from linli.stations.tests.helpers import partner

    unit = partner(world)
    body = {"partner_id": unit.pk, "name": "王师傅", "username": "partner7", "password": "Linli-partner-2026"}
    before = counts()
    for persona in ("resident", "property_staff", "outsider", "grid_worker"):
        answer = _client(world.user(persona)).post("/api/v1/partner-staff", body, content_type="application/json")
        assert answer.status_code in (403, 404), persona
    assert counts() == before
    made = _client(world.user("community_secretary")).post("/api/v1/partner-staff", body,
                                                             content_type="application/json")
    assert made.status_code == 201 and made.json()["username"] == "partner7"
    again = _client(world.user("community_secretary")).post("/api/v1/partner-staff", body,
                                                              content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "username_taken"


def test_errands_and_station_cases_on_the_api_across_personas(world, counts):
    home = station(world)
    item = home.services.get(name="社保卡申领代办")
    body = {"station_id": home.pk, "service_id": item.pk, "resident_id": world.resident.pk, "result": "已代为提交"}
    before = counts()
    for persona in ("resident", "property_staff", "outsider"):
        answer = _client(world.user(persona)).post("/api/v1/errands", body, content_type="application/json")
        assert answer.status_code in (403, 404), persona
    assert counts() == before
    made = _client(world.user("grid_worker")).post("/api/v1/errands", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["service_name"] == "社保卡申领代办"
    case = case_services.case_open(actor=world.user("resident"), intake=case_services.Intake(
        category="sanitation", description="楼道堆满杂物", compound=world.compound1.pk, channel=Channel.ONLINE))
    assigned = _client(world.user("community_secretary")).post(
        f"/api/v1/stations/{home.pk}/cases", {"case_id": case.pk}, content_type="application/json")
    assert assigned.status_code == 201 and assigned.json()["how"] == "assigned"
    figures = _client(world.user("street_officer")).get(f"/api/v1/stations/{home.pk}/figures").json()
    assert figures["cases"][0]["cases"] == 1 and figures["delivered"][0]["errands"] == 1
    assert _client(world.user("outsider")).get(f"/api/v1/stations/{home.pk}/figures").status_code == 404
    # the pages
    for url in (f"/stations/{home.pk}/cases/", f"/stations/{home.pk}/errands/", "/stations/indicators/"):
        assert _client(world.user("community_secretary")).get(url).status_code == 200, url
    assert _client(world.user("outsider")).get(f"/stations/{home.pk}/errands/").status_code == 404
    page = _client(world.user("community_secretary")).get(f"/stations/{home.pk}/cases/").content.decode()
    assert f"#{case.pk}" in page


def test_an_errand_recorded_on_the_page_and_a_bad_one_writes_nothing(world, counts):
    home = station(world)
    item = home.services.first()
    client = _client(world.user("community_secretary"))
    before = counts()
    bad = client.post(f"/stations/{home.pk}/errands/", {"service": item.pk, "resident": world.resident.pk,
                                                        "outcome": "done", "result": ""})
    assert bad.status_code == 200 and counts() == before
    good = client.post(f"/stations/{home.pk}/errands/", {"service": item.pk, "resident": world.resident.pk,
                                                         "outcome": "done", "result": "已代办"})
    assert good.status_code == 302
    assert Need.objects.count() == 0 and home.errands.count() == 1


def test_a_partner_login_is_closed_by_its_community_office_only_and_once(world, counts):
    handler, _ = partner_login(world)
    staff = handler.partner_staff
    before = counts()
    # out of the area: not found; in sight but not the office (the partner themself included): refused
    for persona, status in (("outsider", 404), ("resident", 404), ("grid_worker", 404), ("property_staff", 404)):
        answer = _client(world.user(persona)).post(f"/api/v1/partner-staff/{staff.pk}/close")
        assert answer.status_code == status, persona
    assert _client(handler).post(f"/api/v1/partner-staff/{staff.pk}/close").status_code == 403
    assert _client(world.user("outsider")).post(f"/stations/partners/{staff.pk}/close/").status_code == 404
    assert counts() == before
    handler.refresh_from_db()
    assert handler.is_active
    # the office closes it from the page; the login can no longer sign in, the row says so
    secretary = _client(world.user("community_secretary"))
    answer = secretary.post(f"/stations/partners/{staff.pk}/close/", follow=True)
    assert "已停用王师傅的账号" in answer.content.decode()
    handler.refresh_from_db()
    staff.refresh_from_db()
    assert not handler.is_active and not staff.active
    # and once only: a second close is a conflict with a reason
    again = secretary.post(f"/api/v1/partner-staff/{staff.pk}/close")
    assert again.status_code == 409 and again.json()["code"] == "already_closed"
