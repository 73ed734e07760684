"""The daily rollups give the same figures as counting the cases, and stay current through every write path."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection, connections
from django.db.models import F

from linli.cases import figures, rollups, services
from linli.cases.models import Case, CaseDay, CaseDayDirty, Escalation, Status
from linli.cases.tests.conftest import START
from linli.cases.tests.test_figures import MIN, NOW, PERIOD, make
from linli.core import clock

MEASURES = ("cases", "arrive_due", "arrive_on_time", "solve_due", "solve_on_time", "solved", "handling_total",
            "handling_p90", "rated", "satisfied", "escalations", "reopened")


def _values(f: figures.Figures) -> list:
    rows = [f.total, *f.tiers, *f.children]
    return [(r.key, r.label, *(getattr(r, m) for m in MEASURES)) for r in rows]


def _both(monkeypatch, actor, filters):
    """The figures through the rollups, and the same figures counted from the cases."""
    rolled = figures.case_figures(actor=actor, filters=filters)
    with monkeypatch.context() as m:
        m.setattr(figures, "_rollup_nodes", lambda node, scope: None)
        counted = figures.case_figures(actor=actor, filters=filters)
    return _values(rolled), _values(counted)


def _random_cases(world, seed, n=60, longest=1400):
    rng = random.Random(seed)
    compounds = [world.compound1, world.compound2, world.compound3, world.compound4]
    made = []
    for _ in range(n):
        at = START + dt.timedelta(days=rng.randrange(-2, 4), minutes=rng.randrange(0, 1440))
        at = min(at, NOW - MIN)
        tier = rng.choice(["ordinary", "ordinary", "complex", "major"])
        accepted = rng.choice([None, rng.randrange(1, 30)])
        solved = accepted + rng.randrange(1, longest) if accepted is not None and rng.random() < 0.7 else None
        rating = rng.choice(["", "satisfied", "basic", "unsatisfied"]) if solved is not None else ""
        if solved is None:
            status = Status.ACCEPTED if accepted is not None else rng.choice([Status.NEW, Status.DISPATCHED])
        else:
            status = Status.CLOSED if rating else Status.SOLVED
        escalations = rng.sample(["arrive", "solve", "manual"], rng.randrange(0, 3))
        made.append(make(rng.choice(compounds), tier, at, accepted=accepted, solved=solved, rating=rating,
                         reopened=rng.choice([0, 0, 0, 1]), status=status, escalations=escalations))
    return made


VIEWS = [
    ("district_officer", {}),
    ("district_officer", {"tier": "ordinary"}),
    ("street_officer", {}),
    ("community_secretary", {}),
    ("district_officer", {"compound": "compound1"}),
    ("admin", {}),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_counting_the_cases(world, monkeypatch, seed):
    # given random cases in every state over several days, with escalations of every kind
    clock.freeze(NOW)
    _random_cases(world, seed)
    for persona, extra in VIEWS:
        filters = {"since": "2025-02-28", "until": "2025-03-06", **extra}
        if "compound" in filters:
            filters["compound"] = getattr(world, filters["compound"]).pk
        # then every row of the figures is the same, to the minute
        rolled, counted = _both(monkeypatch, world.user(persona), filters)
        assert rolled == counted, (persona, extra)
    assert CaseDay.objects.exists() and not CaseDayDirty.objects.exists()


def test_rollups_follow_every_kind_of_write(world, monkeypatch):
    clock.freeze(NOW)
    made = _random_cases(world, 7, n=30)
    officer = world.user("district_officer")
    figures.case_figures(actor=officer, filters=PERIOD)
    # bulk updates bypassing the models, a deleted escalation, a tier changed, a case deleted, one added
    Case.objects.filter(pk__in=[c.pk for c in made[:10]]).update(solved_at=F("requested_at") + 50 * MIN,
                                                                 status=Status.SOLVED)
    Escalation.objects.filter(case__in=made[10:20]).delete()
    Case.objects.filter(pk=made[20].pk).update(tier="major")
    Case.objects.filter(pk=made[21].pk).update(rating="satisfied", status=Status.CLOSED)
    made[22].delete()
    make(world.compound2, "complex", START, accepted=2, solved=9, rating="basic")
    for persona, extra in VIEWS:
        filters = {**PERIOD, **extra}
        if "compound" in filters:
            filters["compound"] = getattr(world, filters["compound"]).pk
        rolled, counted = _both(monkeypatch, world.user(persona), filters)
        assert rolled == counted, (persona, extra)


def test_live_deadlines_move_with_the_clock_without_any_write(world):
    # a new case is not due yet; past its arrival deadline it is, with nothing written in between
    clock.freeze(START)
    make(world.compound1, at=START)
    officer = world.user("district_officer")
    assert figures.case_figures(actor=officer, filters=PERIOD).total.arrive_due == 0
    clock.freeze(START + 11 * MIN)
    later = figures.case_figures(actor=officer, filters=PERIOD).total
    assert (later.arrive_due, later.arrive_on_time, later.solve_due) == (1, 0, 0)
    clock.freeze(START + 31 * MIN)
    assert figures.case_figures(actor=officer, filters=PERIOD).total.solve_due == 1


def test_services_and_the_sweep_keep_rollups_current(world, open_case, frozen):
    worker, officer = world.user("grid_worker"), world.user("district_officer")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    clock.advance(11 * MIN)
    assert services.sla_sweep().escalated == 1
    # the sweep itself leaves nothing to mark: it refreshed the rollups it changed
    assert not CaseDayDirty.objects.exists()
    row = CaseDay.objects.get(level="district", tier="ordinary")
    assert (row.cases, row.escalations, row.arrive_settled, row.solved) == (1, 1, 1, 0)
    services.case_accept(actor=worker, case=case)
    services.case_solve(actor=worker, case=case, note="好了")
    f = figures.case_figures(actor=officer, filters={"since": "2025-03-03", "until": "2025-03-03"})
    assert (f.total.solved, f.total.handling_total, f.total.escalations) == (1, 11 * MIN, 1)


def test_rebuild_gives_the_rows_refresh_gave(world):
    clock.freeze(NOW)
    _random_cases(world, 11, n=40)
    rollups.refresh()
    fields = ("day", "level", "unit", "parent", "tier", *rollups.COUNTERS, "handling")
    incremental = sorted(CaseDay.objects.values_list(*fields), key=repr)
    days = rollups.rebuild()
    assert days == 5  # 1 to 5 March: filings from two days before START up to NOW
    assert sorted(CaseDay.objects.values_list(*fields), key=repr) == incremental


def test_long_handling_times_are_within_a_quarter_hour(world, monkeypatch):
    # past a day the histogram keeps quarter hours: every other figure stays exact
    clock.freeze(NOW)
    _random_cases(world, 5, longest=6000)
    rolled, counted = _both(monkeypatch, world.user("district_officer"), {"since": "2025-02-28", "until": "2025-03-06"})
    p90 = MEASURES.index("handling_p90") + 2
    for r, c in zip(rolled, counted, strict=True):
        assert r[:p90] + r[p90 + 1:] == c[:p90] + c[p90 + 1:]
        assert (r[p90] is None) == (c[p90] is None)
        if r[p90] is not None:
            assert abs(r[p90] - c[p90]) < dt.timedelta(minutes=15)


@pytest.mark.parametrize("histogram,expected", [
    ({"20": 1, "40": 1, "60": 1, "200": 1}, 158),
    ({"11": 1, "20": 1}, 19.1),
    ({"5": 3}, 5),
    ({"7": 1}, 7),
])
def test_percentile_interpolates_like_percentile_cont(histogram, expected):
    assert rollups.percentile(histogram) == dt.timedelta(minutes=expected)


def test_buckets_coarsen_past_a_day_and_a_week():
    assert rollups.bucket(dt.timedelta(minutes=59, seconds=59)) == 59
    assert rollups.bucket(dt.timedelta(days=2, minutes=14)) == 2 * 1440
    assert rollups.bucket(dt.timedelta(days=9, minutes=59)) == 9 * 1440
    assert rollups.percentile({}) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_and_refreshes_lose_nothing():
    """Writers and refreshers racing on PostgreSQL: the rollups end equal to a rebuild."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is PostgreSQL's")
    from linli.testing import build_world

    world = build_world()
    clock.freeze(NOW)
    compounds = [world.compound1.pk, world.compound2.pk, world.compound3.pk]
    errors = []

    def writer(seed):
        try:
            rng = random.Random(seed)
            for _ in range(15):
                case = make(type(world.compound1).objects.get(pk=rng.choice(compounds)), at=START,
                            accepted=rng.randrange(1, 20), solved=rng.randrange(21, 90))
                Case.objects.filter(pk=case.pk).update(rating="satisfied", status=Status.CLOSED)
        except Exception as e:  # noqa: BLE001  # pragma: no cover - any failure in a thread is reported below
            errors.append(e)
        finally:
            connections.close_all()

    def refresher():
        try:
            for _ in range(10):
                rollups.refresh()
        except Exception as e:  # noqa: BLE001  # pragma: no cover - any failure in a thread is reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
    threads += [threading.Thread(target=refresher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rollups.refresh()
    fields = ("day", "level", "unit", "tier", *rollups.COUNTERS, "handling")
    incremental = sorted(CaseDay.objects.values_list(*fields), key=repr)
    rollups.rebuild()
    assert sorted(CaseDay.objects.values_list(*fields), key=repr) == incremental
    assert CaseDay.objects.get(level="district", tier="ordinary").rated == 45


def test_command_refreshes_and_rebuilds(world):
    from io import StringIO

    from django.core.management import call_command

    clock.freeze(NOW)
    make(world.compound1, accepted=3, solved=9)
    out = StringIO()
    call_command("case-rollups", stdout=out)
    assert "已更新 1 个" in out.getvalue() and CaseDay.objects.filter(level="district").count() == 1
    CaseDay.objects.all().delete()
    call_command("case-rollups", "--rebuild", stdout=out)
    assert "已重建 1 天" in out.getvalue()
    assert CaseDay.objects.get(level="compound").solved == 1


def test_rebuild_of_a_range_touches_only_those_days(world):
    clock.freeze(NOW)
    _random_cases(world, 13, n=30)
    rollups.refresh()
    before = CaseDay.objects.filter(level="district").order_by("day", "tier").values_list("day", "cases")
    before = list(before)
    CaseDay.objects.filter(day=dt.date(2025, 3, 2)).delete()
    CaseDay.objects.filter(day=dt.date(2025, 3, 4)).update(cases=0)
    assert rollups.rebuild(since=dt.date(2025, 3, 2), until=dt.date(2025, 3, 2)) == 1
    after = list(CaseDay.objects.filter(level="district").order_by("day", "tier").values_list("day", "cases"))
    # the 2nd is back; the 4th, outside the range, keeps its (spoilt) rows
    assert [r for r in after if r[0] != dt.date(2025, 3, 4)] == [r for r in before if r[0] != dt.date(2025, 3, 4)]
    assert all(cases == 0 for day, cases in after if day == dt.date(2025, 3, 4))
