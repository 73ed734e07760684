import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from linli.cases import services
from linli.cases.models import Case, Escalation, Notification, Status
from linli.core import clock

MIN = dt.timedelta(minutes=1)


def test_unaccepted_case_escalates_once_and_notifies_assignee_and_superiors(open_case, world, frozen):
    # given a case dispatched to the grid worker and not accepted in 10 minutes
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    clock.advance(11 * MIN)
    # when the sweep runs twice
    first = services.sla_sweep()
    second = services.sla_sweep()
    # then it escalated once, to the community, with a fresh clock, and both were told
    assert (first.escalated, second.escalated) == (1, 0)
    case.refresh_from_db()
    assert case.level == "community"
    assert case.arrive_by == frozen + 21 * MIN
    assert Escalation.objects.get(case=case).reason == "arrive"
    told = set(Notification.objects.filter(text__contains="提级").values_list("user__username", flat=True))
    assert {"grid1", "community1"} <= told


def test_not_due_yet_is_not_escalated(open_case, frozen):
    open_case()
    clock.advance(9 * MIN)
    assert services.sla_sweep().escalated == 0


def test_accepted_but_unsolved_escalates_for_solving(open_case, world, frozen):
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_accept(actor=worker, case=case)
    clock.advance(31 * MIN)
    assert services.sla_sweep().escalated == 1
    assert Escalation.objects.get(case=case).reason == "solve"


def test_escalation_chain_reaches_the_district_and_stops(open_case, world, frozen):
    # given a case nobody takes
    case = open_case()
    levels = []
    # when the clock passes every level's deadline in turn
    for _ in range(5):
        clock.advance(11 * MIN)
        services.sla_sweep()
        case.refresh_from_db()
        levels.append(case.level)
    # then it climbed compound → community → street → district, and stays there
    assert levels == ["community", "street", "district", "district", "district"]
    assert list(Escalation.objects.filter(case=case).values_list("to_level", flat=True)) == [
        "community", "street", "district"]
    # and the street officer is told when it reaches the street
    assert Notification.objects.filter(user=world.user("street_officer"), text__contains="街道").exists()


def test_worklist_for_a_level_shows_the_escalated_case(open_case, world, frozen):
    from linli.cases.selectors import case_list_visible_to

    case = open_case()
    clock.advance(11 * MIN)
    services.sla_sweep()
    rows = case_list_visible_to(actor=world.user("community_secretary"), filters={"level": "community"})
    assert list(rows) == [Case.objects.get(pk=case.pk)]
    assert list(case_list_visible_to(actor=world.user("community_secretary"), filters={"level": "compound"})) == []


def test_reopened_case_can_escalate_again_at_the_same_level(open_case, world, frozen):
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    clock.advance(11 * MIN)
    services.sla_sweep()  # compound → community (round 0)
    case.refresh_from_db()
    services.case_accept(actor=worker, case=case)
    services.case_solve(actor=worker, case=case, note="已处理")
    services.case_confirm(actor=world.user("resident"), case=case, rating="unsatisfied")
    clock.advance(11 * MIN)
    # the reopened round breaches at the community level: a new breach, escalated once
    assert services.sla_sweep().escalated == 1
    case.refresh_from_db()
    assert case.level == "street"


def test_solved_cases_close_automatically_after_the_period(open_case, world, frozen, settings):
    settings.LINLI_CASE_AUTOCLOSE_HOURS = 72
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_solve(actor=worker, case=case, note="已处理")
    clock.advance(dt.timedelta(hours=71))
    assert services.sla_sweep().closed == 0
    clock.advance(dt.timedelta(hours=2))
    result = services.sla_sweep()
    assert (result.closed, services.sla_sweep().closed) == (1, 0)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.events.filter(kind="closed").exists()


def test_command_replays_as_of_now_and_prints_counts(open_case, frozen):
    # given a case filed at 09:00
    open_case()
    out = io.StringIO()
    # when an operator replays the sweep as of 09:30 (+08:00)
    call_command("sla-sweep", "--now", "2025-03-03T09:30:00+08:00", stdout=out)
    again = io.StringIO()
    call_command("sla-sweep", "--now", "2025-03-03T09:30:00+08:00", stdout=again)
    # then it escalated one case the first time and none the second
    assert "escalated 1 closed 0" in out.getvalue()
    assert "escalated 0 closed 0" in again.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_never_escalate_twice():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from linli.cases.tests.conftest import START
    from linli.testing import build_world

    # given 60 breached cases
    world = build_world()
    clock.freeze(START)
    resident = world.user("resident")
    for n in range(60):
        services.case_open(actor=resident, intake=services.Intake(
            category="sanitation", description=f"第 {n} 件", compound=world.compound1.pk))
    clock.advance(11 * MIN)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            results.append(services.sla_sweep(batch_size=7).escalated)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when two sweeps run at the same moment
    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then together they escalated each case exactly once
    assert errors == []
    assert sum(results) == 60
    assert Escalation.objects.count() == 60
    assert Case.objects.filter(level="community").count() == 60
    assert services.sla_sweep().escalated == 0
