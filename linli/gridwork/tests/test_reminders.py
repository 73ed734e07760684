"""Overdue visits and missed check-ins: listed for the worker and their community, notified once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from linli.cases.models import Notification
from linli.core import clock
from linli.gridwork import reminders, selectors, services
from linli.gridwork.models import CheckIn, Reminder
from linli.testing import PERSONAS, table_counts

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(days=31)  # from Monday 7 December to Thursday 7 January: the 30-day plan is overdue


def _notices(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_the_sweep_notifies_each_overdue_visit_and_missed_day_once(world, crew, alone):
    worker, far = crew
    clock.advance(LATER)
    CheckIn.objects.create(worker=worker, grid=world.grid1, checked_in_at=clock.now() - dt.timedelta(days=2),
                           on_time=True)  # Tuesday 5 January
    result = reminders.sweep()
    # The two lone households of grid1 were never visited; of the last week's five working days (31 Dec to
    # 6 Jan) the worker missed four.
    assert result.overdue_visits == 2
    assert Reminder.objects.filter(worker=worker).count() == 4
    assert Reminder.objects.filter(worker=far).count() == 5
    mine, = _notices(world.user("grid_worker"))
    assert "新增 2 户关爱对象走访逾期" in mine and "新增 4 个工作日未报到" in mine and "1月6日" in mine
    secretary, = _notices(world.user("community_secretary"))
    assert "本社区新增 2 户关爱对象走访逾期，新增 4 个工作日未报到" in secretary
    assert _notices(world.user("outsider")) == []
    # A re-run, from the command as from cron, notifies no one again.
    before = table_counts()
    call_command("gridwork-reminders")
    assert table_counts() == before
    # A visit gives household1 a new due day; a month on, only that one is new (the neighbour's is the same).
    services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=30, purpose="care")
    clock.advance(LATER)
    result = reminders.sweep()
    assert result.overdue_visits == 1
    assert Reminder.objects.filter(kind="overdue_visit", household=world.household1).count() == 2
    assert Reminder.objects.filter(kind="overdue_visit", household_id=world.neighbour.household_id).count() == 1


def test_lists_for_the_worker_and_the_community_leave_out_what_is_out_of_sight(world, crew, alone):
    worker, far = crew
    clock.advance(LATER)
    overdue = {p: {o.household_id for o in selectors.overdue_visible_to(actor=world.user(p))}
               for p in ("community_secretary", "street_officer", "district_officer", "outsider", "resident")}
    grid1 = {world.household1.pk, world.neighbour.household_id}
    assert overdue["community_secretary"] == overdue["street_officer"] == overdue["district_officer"] == grid1
    assert overdue["outsider"] == overdue["resident"] == set()
    mine = selectors.overdue_visible_to(actor=world.user("grid_worker"), worker=worker)
    assert {o.household_id for o in mine} == grid1 and all(o.due == dt.date(2027, 1, 6) for o in mine)
    missed = {m["worker_id"] for m in selectors.missed_check_ins_visible_to(actor=world.user("community_secretary"))}
    assert worker.pk in missed and far.pk not in missed  # far works in street2
    assert {m["worker_id"] for m in selectors.missed_check_ins_visible_to(
        actor=world.user("grid_worker"), worker=worker)} == {worker.pk}
    outsider = {m["worker_id"] for m in selectors.missed_check_ins_visible_to(actor=world.user("outsider"))}
    assert worker.pk not in outsider and far.pk in outsider  # the outsider works in far's community
    assert selectors.missed_check_ins_visible_to(actor=world.user("resident")) == []


PAGE = {"anonymous": 302, "resident": 403, "grid_worker": 200, "community_secretary": 200, "branch_secretary": 403,
        "property_staff": 403, "street_officer": 200, "district_officer": 200, "outsider": 200, "admin": 200}
API = {**PAGE, "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_reminders_page_and_api_across_personas(world, crew, alone, client_for, persona):
    clock.advance(LATER)
    client = client_for(persona)
    before = table_counts()
    page = client.get(reverse("gridwork:overdue"))
    assert page.status_code == PAGE[persona]
    visits = client.get("/api/v1/gridwork/overdue-visits")
    missed = client.get("/api/v1/gridwork/missed-check-ins")
    assert visits.status_code == missed.status_code == API[persona]
    assert table_counts() == before
    if persona in ("grid_worker", "community_secretary"):
        assert visits.json()["count"] == 2 and "从未走访" in page.content.decode()
    if persona == "outsider":
        assert visits.json()["count"] == 0
