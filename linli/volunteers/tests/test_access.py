"""Who sees and does what, across every persona and the volunteers' own logins, pages and API alike;
nothing written on refusal; every list leaves out what the actor must not see."""

import pytest
from django.test import Client

from linli.testing import PERSONAS
from linli.volunteers import selectors, services
from linli.volunteers.models import Attendance, Team
from linli.volunteers.tests.helpers import NEAR, activity, at, join, partner_login, start, team, volunteer

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _far_team(world):
    return services.team_create(actor=world.user("outsider"), community=world.community3, kind="interest",
                                name="南内环书画小组")


SEES_TEAM = {"resident": False, "grid_worker": True, "community_secretary": True, "branch_secretary": True,
             "property_staff": True, "street_officer": True, "district_officer": True, "outsider": False,
             "admin": True}


def test_teams_and_activities_are_listed_to_the_area_and_to_members_only(world):
    start(world)
    mine, far = team(world), _far_team(world)
    act = activity(world, mine)
    for persona in PERSONAS[1:]:
        actor = world.user(persona)
        teams = set(selectors.team_list_visible_to(actor=actor))
        assert (mine in teams) == SEES_TEAM[persona], persona
        assert far not in teams or persona in ("outsider", "district_officer", "admin"), persona
        assert (act in set(selectors.activity_list_visible_to(actor=actor))) == SEES_TEAM[persona], persona
    # a member sees their team and its activities, not the other community's
    user = volunteer(world)
    join(world, mine, resident=world.neighbour)
    assert set(selectors.team_list_visible_to(actor=user)) == {mine}
    assert set(selectors.activity_list_visible_to(actor=user)) == {act}


def test_attendances_are_seen_by_the_member_and_the_area_not_by_other_members(world):
    start(world)
    mine = team(world)
    act = activity(world, mine)
    one, two = volunteer(world), volunteer(world, world.resident, "vol2")
    join(world, mine, resident=world.neighbour)
    join(world, mine, resident=world.resident)
    first = services.sign_up(actor=one, activity=act)
    second = services.sign_up(actor=two, activity=act)
    assert set(selectors.attendance_list_visible_to(actor=one)) == {first}
    assert second not in set(selectors.attendance_list_visible_to(actor=one))
    assert {first, second} <= set(selectors.attendance_list_visible_to(actor=world.user("community_secretary")))
    assert not set(selectors.attendance_list_visible_to(actor=world.user("outsider")))
    # and over the API: another member's attendance is out of sight (404), nothing written
    answer = _client(one).post(f"/api/v1/volunteer-attendances/{second.pk}/cancel")
    assert answer.status_code == 404


EXPECTED_TEAM_CREATE = {"anonymous": 401, "resident": 404, "grid_worker": 404, "community_secretary": 201,
                        "branch_secretary": 404, "property_staff": 404, "street_officer": 201,
                        "district_officer": 201, "outsider": 404, "admin": 201}


def test_creating_a_team_over_the_api_across_personas(world, counts):
    for n, persona in enumerate(PERSONAS):
        before = counts()
        answer = _client(world.user(persona)).post("/api/v1/volunteer-teams", {
            "community_id": world.community1.pk, "kind": "v_station", "name": f"康宁志愿V站{n}"},
            content_type="application/json")
        assert answer.status_code == EXPECTED_TEAM_CREATE[persona], (persona, answer.content)
        if answer.status_code != 201:
            assert counts() == before, persona
            assert answer.json().get("code") or persona == "anonymous"


def test_a_member_signs_up_checks_in_and_out_over_the_api(world, counts):
    start(world)
    mine = team(world)
    act = activity(world, mine, capacity=1)
    user = volunteer(world)
    join(world, mine, resident=world.neighbour)
    client = _client(user)
    made = client.post(f"/api/v1/volunteer-activities/{act.pk}/signup")
    assert made.status_code == 201 and made.json()["status"] == "signed"
    # the activity is full for the next member, and nothing is written
    other = volunteer(world, world.resident, "vol2")
    join(world, mine, resident=world.resident)
    before = counts()
    full = _client(other).post(f"/api/v1/volunteer-activities/{act.pk}/signup")
    assert full.status_code == 409 and full.json()["code"] == "activity_full"
    assert counts() == before
    pk = made.json()["id"]
    at(9, 0)
    before = counts()
    far = client.post(f"/api/v1/volunteer-attendances/{pk}/check-in",
                      {"latitude": "37.9", "longitude": "112.56", "accuracy": 15}, content_type="application/json")
    assert far.status_code == 400 and far.json()["code"] == "too_far"
    bad = client.post(f"/api/v1/volunteer-attendances/{pk}/check-in",
                      {"latitude": "x", "longitude": "112.56", "accuracy": 15}, content_type="application/json")
    assert bad.status_code == 422
    assert counts() == before
    ok = client.post(f"/api/v1/volunteer-attendances/{pk}/check-in",
                     {"latitude": str(NEAR[0]), "longitude": str(NEAR[1]), "accuracy": 15},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "in"
    at(11, 0)
    out = client.post(f"/api/v1/volunteer-attendances/{pk}/check-out",
                      {"latitude": str(NEAR[0]), "longitude": str(NEAR[1]), "accuracy": 15},
                      content_type="application/json")
    assert out.status_code == 200 and out.json()["hours"] == "2.0" and out.json()["award_id"]
    assert client.get("/api/v1/volunteer-attendances/hours").json() == {"hours": "2.0", "attendances": 1}


EXPECTED_REPORT = {"anonymous": 401, "resident": 403, "grid_worker": 403, "community_secretary": 200,
                   "branch_secretary": 403, "property_staff": 403, "street_officer": 200, "district_officer": 200,
                   "outsider": 200, "admin": 200}


def test_the_report_is_for_officers_only(world):
    for persona in PERSONAS:
        status = _client(world.user(persona)).get("/api/v1/volunteer-report").status_code
        assert status == EXPECTED_REPORT[persona], persona
        page = _client(world.user(persona)).get("/volunteers/report/").status_code
        assert page == {401: 302}.get(EXPECTED_REPORT[persona], EXPECTED_REPORT[persona]), persona


def test_pages_across_personas(world, counts):
    start(world)
    mine = team(world)
    act = activity(world, mine)
    for persona in PERSONAS:
        client = _client(world.user(persona))
        anonymous = persona == "anonymous"
        assert client.get("/volunteers/").status_code == (302 if anonymous else 200), persona
        assert client.get("/volunteers/teams/").status_code == (302 if anonymous else 200), persona
        expected = 302 if anonymous else (200 if SEES_TEAM[persona] else 404)
        assert client.get(f"/volunteers/teams/{mine.pk}/").status_code == expected, persona
        assert client.get(f"/volunteers/activities/{act.pk}/").status_code == expected, persona
        before = counts()
        answer = client.post(f"/volunteers/activities/{act.pk}/signup/")
        assert answer.status_code == (302 if anonymous or SEES_TEAM[persona] else 404), persona
        assert counts() == before, persona
        answer = client.post(f"/volunteers/teams/{mine.pk}/activities/new/", {})
        ok = persona in ("community_secretary", "street_officer", "district_officer", "admin")
        assert answer.status_code == (302 if anonymous else 200 if ok else 404 if not SEES_TEAM[persona] else 403)
        assert counts() == before, persona


def test_a_partner_login_gets_its_own_tab_and_page(world):
    start(world)
    user = partner_login()
    mine = team(world)
    join(world, mine, user=user)
    activity(world, mine)
    client = _client(user)
    home = client.get("/")
    assert home.status_code == 200 and 'href="/volunteers/"' in home.content.decode()
    page = client.get("/volunteers/").content.decode()
    assert "清理楼道杂物" in page and "没有居民积分账户" in page
    assert client.get("/api/v1/volunteer-teams").json()["count"] == 1
    assert client.get("/api/v1/residents").status_code in (200, 403)
    if client.get("/api/v1/residents").status_code == 200:
        assert client.get("/api/v1/residents").json()["count"] == 0


def test_the_check_in_page_round_trip(world):
    start(world)
    mine = team(world)
    act = activity(world, mine)
    user = volunteer(world)
    join(world, mine, resident=world.neighbour)
    client = _client(user)
    client.post(f"/volunteers/activities/{act.pk}/signup/")
    attendance = Attendance.objects.get(user=user)
    at(9, 0)
    missing = client.post(f"/volunteers/attendances/{attendance.pk}/check-in/", follow=True)
    assert "没有取得您的位置" in missing.content.decode()
    client.post(f"/volunteers/attendances/{attendance.pk}/check-in/",
                {"latitude": str(NEAR[0]), "longitude": str(NEAR[1]), "accuracy": "12"})
    at(10, 30)
    done = client.post(f"/volunteers/attendances/{attendance.pk}/check-out/",
                       {"latitude": str(NEAR[0]), "longitude": str(NEAR[1]), "accuracy": "12"}, follow=True)
    assert "本次服务 1.5 小时" in done.content.decode()
    assert Team.objects.count() == 1


def test_dual_registration_over_the_api_once_only(world, counts):
    from linli.people.models import PartyMember

    start(world)
    user = volunteer(world)
    PartyMember.objects.create(resident=world.neighbour, category="in_service", employer="市税务局机关党支部")
    client = _client(user)
    made = client.post("/api/v1/dual-registrations", {"community_id": world.community1.pk},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["employer"] == "市税务局机关党支部"
    before = counts()
    again = client.post("/api/v1/dual-registrations", {"community_id": world.community2.pk},
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_registered"
    # a resident who is no Party member has no record to register; staff cannot name one out of sight
    assert _client(world.user("resident")).post("/api/v1/dual-registrations", {
        "community_id": world.community1.pk}, content_type="application/json").status_code == 404
    assert _client(world.user("outsider")).post("/api/v1/dual-registrations", {
        "community_id": world.community3.pk, "party_member_id": made.json()["member_id"]},
        content_type="application/json").status_code == 404
    assert counts() == before
    # the member's own list shows it; the outsider's does not
    assert client.get("/api/v1/dual-registrations").json()["count"] == 1
    assert _client(world.user("outsider")).get("/api/v1/dual-registrations").json()["count"] == 0
