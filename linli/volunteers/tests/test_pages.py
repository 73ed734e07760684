"""The staff's and the member's forms on the pages: a team, a member, an activity, hours confirmed,
a dual registration; refusals come back as a Chinese message and write nothing."""

import datetime as dt

import pytest
from django.test import Client

from linli.people.models import PartyMember
from linli.volunteers import services
from linli.volunteers.models import Activity, Attendance, DualRegistration, Member, Team
from linli.volunteers.tests.helpers import NOW, PLACE, at, start, volunteer

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_community_office_sets_up_a_team_a_member_an_activity_and_confirms_hours(world, counts):
    start(world)
    office = _client(world.user("community_secretary"))
    assert office.get("/volunteers/teams/new/").status_code == 200
    made = office.post("/volunteers/teams/new/", {"name": "康宁志愿V站", "kind": "v_station",
                                                  "community": world.community1.pk, "purpose": "助老"})
    team = Team.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/volunteers/teams/{team.pk}/"
    # a resident without a login cannot join: the page says why and nothing is written
    before = counts()
    page = office.post(f"/volunteers/teams/{team.pk}/", {"resident": world.far_resident.pk}, follow=True)
    assert page.status_code == 200 and Member.objects.count() == 0 and counts() == before
    user = volunteer(world)
    office.post(f"/volunteers/teams/{team.pk}/", {"resident": world.neighbour.pk})
    assert Member.objects.get().user == user
    starts = NOW.replace(hour=9)
    form = {"title": "清理楼道杂物", "place": "3号楼", "latitude": str(PLACE[0]), "longitude": str(PLACE[1]),
            "radius": 300, "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": 3}
    made = office.post(f"/volunteers/teams/{team.pk}/activities/new/", form)
    act = Activity.objects.get()
    assert made["Location"] == f"/volunteers/activities/{act.pk}/"
    services.sign_up(actor=user, activity=act)
    attendance = Attendance.objects.get()
    at(12, 0)
    before = counts()
    page = office.post(f"/volunteers/attendances/{attendance.pk}/hours/", {"hours": "3"}, follow=True)
    assert "不能超过活动本身的 2.0 小时" in page.content.decode() and counts() == before
    office.post(f"/volunteers/attendances/{attendance.pk}/hours/", {"hours": "2"})
    attendance.refresh_from_db()
    assert attendance.status == "out" and attendance.hours == 2
    listed = office.get(f"/volunteers/activities/{act.pk}/").content.decode()
    assert "已记入时间银行" in listed
    assert "康宁志愿V站" in office.get("/volunteers/teams/").content.decode()


def test_an_in_service_member_reports_to_the_community_on_the_page(world, counts):
    start(world)
    user = volunteer(world)
    client = _client(user)
    assert client.get("/volunteers/register/").status_code == 403
    PartyMember.objects.create(resident=world.neighbour, category="in_service", employer="市税务局机关党支部")
    assert "向居住地社区报到" in client.get("/volunteers/").content.decode()
    client.post("/volunteers/register/", {"community": world.community1.pk, "employer": "市税务局机关党支部"})
    assert DualRegistration.objects.get().community == world.community1
    before = counts()
    page = client.post("/volunteers/register/", {"community": world.community2.pk, "employer": "x"}, follow=True)
    assert "同一时间只能向一个社区报到" in page.content.decode() and counts() == before
    assert "已向康宁社区报到" in client.get("/volunteers/").content.decode()
