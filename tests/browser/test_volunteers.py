"""Volunteers on a phone: a member signs up for an activity, checks in and out on the spot (the
phone's own position), and finds the hours in their points statement (the time bank)."""

import datetime as dt
from decimal import Decimal

import pytest

from linli.core import clock
from linli.points.tests.factories import VolunteerRuleFactory
from linli.volunteers import services
from linli.volunteers.models import Attendance
from linli.volunteers.tests.helpers import PLACE, join, team, volunteer
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_volunteer_signs_up_checks_in_and_out_and_sees_the_hours_in_the_statement(world, live_server, phone):
    # given a team of community1 with its time-bank rule and an activity starting in 20 minutes
    VolunteerRuleFactory(community=world.community1, cap=200, period="month")
    the_team = team(world)
    user = volunteer(world)
    join(world, the_team, resident=world.neighbour)
    starts = clock.now() + dt.timedelta(minutes=20)
    services.activity_create(actor=world.user("community_secretary"), team=the_team, title="清理楼道杂物",
                             place="康宁小区3号楼", latitude=PLACE[0], longitude=PLACE[1], starts_at=starts,
                             ends_at=starts + dt.timedelta(hours=2), capacity=5)
    # the phone stands some 50 metres from the place
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation({"latitude": float(PLACE[0] + Decimal("0.0004")), "longitude": float(PLACE[1]),
                                   "accuracy": 15})

    # when the volunteer opens 我的活动 from the navigation and signs up
    login(phone, live_server, user.username)
    phone.goto(f"{live_server.url}/volunteers/")
    assert "清理楼道杂物" in phone.inner_text("main")
    phone.click("main button[type=submit]:has-text('报名')")
    phone.wait_for_load_state("networkidle")
    assert "已报名" in phone.inner_text("main")
    assert _fits(phone)

    # when they check in on the spot
    with phone.expect_navigation():
        phone.click("main button[type=submit]:has-text('现场签到')")
    phone.wait_for_load_state("networkidle")
    assert "签到成功" in phone.inner_text("main")
    attendance = Attendance.objects.get(user=user)
    assert attendance.status == "in" and attendance.in_accuracy == 15 and attendance.in_distance < 80

    # and check out when the activity is over
    clock.advance(dt.timedelta(hours=2, minutes=25))
    with phone.expect_navigation():
        phone.click("main button[type=submit]:has-text('签退')")
    phone.wait_for_load_state("networkidle")
    main = phone.inner_text("main")
    # then the page shows the two hours of the activity, booked into the time bank
    assert "本次服务 2.0 小时" in main and "已记入时间银行" in main
    assert "2.0" in phone.inner_text("#my-hours")

    # and their points statement lists the 20 points of the volunteer service
    phone.click("#my-hours a")
    phone.wait_for_load_state("networkidle")
    statement = phone.inner_text("main")
    assert "志愿服务" in statement and "20" in statement
    assert _fits(phone)
