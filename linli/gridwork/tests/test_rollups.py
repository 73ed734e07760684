"""The monthly rollups give the same figures as counting the records, through every kind of write."""

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from linli.cases.tests.test_figures import make as make_case
from linli.core import clock
from linli.gridwork import figures, rollups
from linli.gridwork.models import CheckIn, Finding, Patrol, Visit, WorkMonth
from linli.gridwork.tests.conftest import NOW
from linli.people.models import GridWorker
from linli.people.tests.factories import GridWorkerFactory

FIELDS = ("worker_id", "check_in_days", "on_time_days", "working_minutes", "patrols", "findings", "cases", "visits",
          "visit_minutes", "missed_days")


def _values(months):
    return [tuple(getattr(m, f) for f in FIELDS) for m in months]


def _random_month(world, workers, rng, n=120):
    """Check-ins, patrols with findings (some filed as cases) and visits over November and early December."""
    base = timezone.make_aware(dt.datetime(2026, 10, 30, 6, 0))
    case = [make_case(world.compound1) for _ in range(3)]
    grids = [world.grid1, world.grid4]
    for _ in range(n):
        worker = rng.choice(workers)
        at = base + dt.timedelta(days=rng.randrange(0, 37), minutes=rng.randrange(0, 1000))
        kind = rng.random()
        if kind < 0.4:
            CheckIn.objects.create(worker=worker, grid=rng.choice(grids), checked_in_at=at, on_time=rng.random() < 0.6,
                                   checked_out_at=at + dt.timedelta(minutes=rng.randrange(30, 600))
                                   if rng.random() < 0.8 else at)
        elif kind < 0.7:
            patrol = Patrol.objects.create(worker=worker, grid=rng.choice(grids), started_at=at)
            for k in range(rng.randrange(0, 3)):
                Finding.objects.create(patrol=patrol, text="井盖松动", at=at + dt.timedelta(minutes=k),
                                       case=case.pop() if case and rng.random() < 0.5 else None)
        else:
            Visit.objects.create(worker=worker, household=world.household1, grid=world.grid1, visited_at=at,
                                 minutes=rng.randrange(10, 90), purpose="care")


def _same_totals(workers, month):
    """A node's total read in the database and the team's rows equal the total counted from the records."""
    counted = figures.total(figures.count_live(workers, month))
    for some in (workers, workers[:2]):
        counted = figures.total(figures.count_live(some, month))
        node = figures.node_total(GridWorker.objects.filter(pk__in=[w.pk for w in some]), month)
        _months, team, _grids = figures.team_month(GridWorker.objects.filter(pk__in=[w.pk for w in some]), month)
        assert node.as_dict() == team.as_dict() == counted.as_dict()
        assert node.below_rule == team.below_rule == sorted(counted.below_rule)


def test_rollups_match_counting_the_records_over_random_writes(world):
    clock.freeze(NOW)
    workers = [GridWorkerFactory(name=f"网格员{i}", grids=[world.grid1 if i % 2 else world.grid4]) for i in range(5)]
    rng = random.Random(17)
    _random_month(world, workers, rng)
    for month in (dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)):
        assert _values(figures.per_worker(workers, month)) == _values(figures.count_live(workers, month))
        _same_totals(workers, month)
    assert WorkMonth.objects.filter(month=dt.date(2026, 11, 1)).count() == 5
    # Updates and deletes of every kind move the figures the same way, months apart included.
    CheckIn.objects.filter(pk__in=CheckIn.objects.order_by("id").values("pk")[:5]).update(on_time=True)
    moved = CheckIn.objects.order_by("id").last()
    moved.checked_in_at -= dt.timedelta(days=20)
    moved.save()
    Patrol.objects.filter(pk=Patrol.objects.order_by("id").first().pk).update(worker=workers[0])
    Finding.objects.filter(case__isnull=False).first().delete()
    Finding.objects.filter(case__isnull=True).update(case=None, at=timezone.make_aware(dt.datetime(2026, 11, 15, 9)))
    Visit.objects.filter(pk__in=Visit.objects.order_by("id").values("pk")[:3]).delete()
    Visit.objects.update(minutes=45)
    for patrol in Patrol.objects.filter(findings__isnull=False).distinct()[:1]:
        patrol.findings.all().delete()
        patrol.delete()
    for month in (dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)):
        assert _values(figures.per_worker(workers, month)) == _values(figures.count_live(workers, month))
        assert rollups.drift(month) == []
        _same_totals(workers, month)
    rollups.rebuild()
    assert _values(figures.per_worker(workers, dt.date(2026, 11, 1))) == _values(
        figures.count_live(workers, dt.date(2026, 11, 1)))


def test_every_record_table_has_its_marking_triggers(world):
    """The triggers keep the rollups fresh whatever writes: a check-in written directly is in the figures."""
    clock.freeze(NOW)
    worker = GridWorkerFactory(name="孙网格", grids=[world.grid1])
    month = dt.date(2026, 12, 1)
    CheckIn.objects.create(worker=worker, grid=world.grid1, checked_in_at=NOW - dt.timedelta(days=3), on_time=True,
                           checked_out_at=NOW - dt.timedelta(days=3) + dt.timedelta(hours=8))
    assert figures.per_worker([worker], month)[0].working_minutes == 480
    names = _trigger_names()
    assert {f"workmonth_mark_gridwork_{t}_{e}" for t in ("checkin", "patrol", "finding", "visit")
            for e in ("insert", "update", "delete")} <= names


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}
