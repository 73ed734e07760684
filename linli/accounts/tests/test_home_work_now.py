"""Each role's home starts with what to do now: a worker's pending cases by deadline, a resident's open
cases and ballots, an officer's overdue cases; none of it from outside the person's sight."""

import datetime as dt

import pytest

from linli.cases import services
from linli.cases.models import Case
from linli.core import clock

pytestmark = pytest.mark.django_db


def _file(world, compound, text, minutes_ago=0):
    """The resident files in their own compound; elsewhere the outsider (who works there) takes a call."""
    with clock.frozen(clock.now() - dt.timedelta(minutes=minutes_ago)):
        if compound == world.compound1:
            intake = services.Intake(category="sanitation", description=text, compound=compound.pk)
            return services.case_open(actor=world.user("resident"), intake=intake)
        intake = services.Intake(category="sanitation", description=text, compound=compound.pk, channel="hotline",
                                 contact_name="王女士", contact_phone="13900000000")
        return services.case_open(actor=world.user("outsider"), intake=intake)


def test_worker_home_lists_pending_cases_by_deadline_and_nothing_from_elsewhere(world, client_for):
    # given a late case and a fresh one in the worker's grid, and one in another street
    late = _file(world, world.compound1, "楼道堆物已一小时", minutes_ago=60)
    fresh = _file(world, world.compound1, "路灯不亮")
    elsewhere = _file(world, world.compound4, "外街道的诉求")
    # when the grid worker opens the home page
    html = client_for("grid_worker").get("/").content.decode()
    # then "my work" comes first, the late case above the fresh one, with countdowns
    work = html[html.index('id="work-now"'):]
    assert work.index(f"/cases/{late.pk}/") < work.index(f"/cases/{fresh.pk}/")
    assert "已超时" in work and "剩余" in work
    assert f"/cases/{elsewhere.pk}/" not in html
    assert html.index('id="work-now"') < html.index("我的网格</h2>")


def test_resident_home_shows_own_open_cases_and_a_button_to_file_one(world, client_for):
    # given the resident's open case and a neighbour's case in another compound
    mine = _file(world, world.compound1, "我家楼道灯坏了")
    other = _file(world, world.compound4, "别人的诉求")
    # when the resident opens the home page
    html = client_for("resident").get("/").content.decode()
    # then their own open case is there, the other is not, and filing is one tap
    assert f"/cases/{mine.pk}/" in html
    assert f"/cases/{other.pk}/" not in html
    assert 'href="/cases/new/"' in html and "我要反映问题" in html


def test_officer_home_starts_with_overdue_cases_in_the_area(world, client_for):
    # given an overdue case in street1 and one in street2
    late = _file(world, world.compound1, "一小时没人管", minutes_ago=60)
    outside = _file(world, world.compound4, "另一条街道超时", minutes_ago=60)
    assert Case.objects.get(pk=late.pk).overdue()
    # when the street officer of street1 opens the home page
    html = client_for("street_officer").get("/").content.decode()
    # then the overdue case of the area is listed and the other street's is not
    section = html[html.index('id="overdue-now"'):]
    assert f"/cases/{late.pk}/" in section
    assert f"/cases/{outside.pk}/" not in html
