"""Figures of grid work per worker and month, and their sums per node.

A whole month is read from the rollups (`gridwork.rollups.WorkMonth`, one row per worker and month,
refreshed from the triggers' marks before every read), so a district's month costs a row per worker
whatever the number of records. A part of a month (a worker's day) is counted from the records
(`count_live`, also what the tests compare the rollups with).

Visiting share 走访占比 = minutes of visits ÷ minutes between check-in and check-out in the month,
against seed 001's rule that community workers spend at least half their working time visiting.
Punctuality = days whose first check-in was by LINLI_CHECKIN_BY ÷ days with a check-in; missed days =
working days (Monday to Friday, holidays not known) before today without a check-in.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from linli.gridwork import rollups
from linli.gridwork.models import CheckIn, Finding, Patrol, Visit, WorkMonth
from linli.people.models import GridWorker

VISIT_SHARE_RULE = 0.5


@dataclass
class Month:
    worker_id: int | None = None
    name: str = ""
    check_in_days: int = 0
    on_time_days: int = 0
    working_minutes: int = 0
    patrols: int = 0
    findings: int = 0
    cases: int = 0
    visits: int = 0
    visit_minutes: int = 0
    missed_days: int = 0  # working days (Monday to Friday) before today without a check-in
    workers: int = 1
    below_rule: list = field(default_factory=list)

    @property
    def visit_share(self) -> float | None:
        return self.visit_minutes / self.working_minutes if self.working_minutes else None

    @property
    def meets_rule(self) -> bool | None:
        share = self.visit_share
        return None if share is None else share >= VISIT_SHARE_RULE

    @property
    def punctuality(self) -> float | None:
        return self.on_time_days / self.check_in_days if self.check_in_days else None

    def as_dict(self) -> dict:
        return {"worker_id": self.worker_id, "name": self.name, "check_in_days": self.check_in_days,
                "on_time_days": self.on_time_days, "punctuality": self.punctuality,
                "working_minutes": self.working_minutes, "patrols": self.patrols, "findings": self.findings,
                "findings_to_cases": self.cases, "visits": self.visits, "visit_minutes": self.visit_minutes,
                "visit_share": self.visit_share, "meets_visit_rule": self.meets_rule, "missed_days": self.missed_days}


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time()), tz),
            timezone.make_aware(dt.datetime.combine(end, dt.time()), tz))


def per_worker(workers, month: dt.date, *, until: dt.datetime | None = None, since: dt.datetime | None = None) -> list[Month]:
    """One Month per worker (in the order given); `since`/`until` narrow it (a day's figures)."""
    if since is not None or until is not None:
        return count_live(workers, month, until=until, since=since)
    return _from_rollups([(w.pk, w.name) for w in workers], month, [w.pk for w in workers])


def _from_rollups(workers: list[tuple[int, str]], month: dt.date, ids) -> list[Month]:
    """Months of these (id, name) workers from the rollups; `ids` the same ids (a list or a subquery)."""
    month = month.replace(day=1)
    rows = {pk: Month(worker_id=pk, name=name) for pk, name in workers}
    working = _working_mask(month)
    rollups.refresh()
    for worker_id, *values in WorkMonth.objects.filter(month=month, worker_id__in=ids).values_list(
            "worker_id", *rollups.MEASURES):
        if worker_id not in rows:
            continue
        counted = dict(zip(rollups.MEASURES, values, strict=True))
        row = rows[worker_id]
        row.check_in_days = counted["check_in_mask"].bit_count()
        row.on_time_days = counted["on_time_mask"].bit_count()
        for attr in ("working_minutes", "patrols", "findings", "cases", "visits", "visit_minutes"):
            setattr(row, attr, counted[attr])
        row.missed_days = (working & ~counted["check_in_mask"]).bit_count()
    for row in rows.values():
        if not row.check_in_days:
            row.missed_days = working.bit_count()
    return list(rows.values())


def team_month(workers, month: dt.date) -> tuple[list[Month], Month, list[Month]]:
    """A node's month from the rollups: (each worker's, the total, each grid's) for a queryset of workers,
    in a constant number of queries and without loading the workers' records (a district has thousands)."""
    listed = list(workers.order_by("name", "id").values_list("pk", "name"))
    ids = workers.order_by().values("pk")
    months = _from_rollups(listed, month, ids)
    through = GridWorker.grids.through.objects.filter(gridworker_id__in=ids)
    grids: dict = defaultdict(list)
    names = {}
    by_id = {m.worker_id: m for m in months}
    for worker_id, grid_id, name in through.values_list("gridworker_id", "grid_id", "grid__name"):
        grids[grid_id].append(by_id[worker_id])
        names[grid_id] = name
    return months, total(months), [total(grids[pk], names[pk]) for pk in sorted(grids, key=lambda k: names[k])]


def node_total(workers, month: dt.date, name: str = "合计") -> Month:
    """The node's month (`total` of its workers') summed by the database from the rollups, in three queries
    after the refresh: a district's thousands of workers never reach Python. `workers` is a queryset."""
    month = month.replace(day=1)
    working = _working_mask(month)
    rollups.refresh()
    ids = workers.order_by().values("pk")
    rows = WorkMonth.objects.filter(month=month, worker_id__in=ids)
    sums = ("working_minutes", "patrols", "findings", "cases", "visits", "visit_minutes")
    out = Month(name=name, workers=workers.order_by().count())
    if connection.vendor == "postgresql":
        def bits(expression: str):
            return Sum(RawSQL(f"bit_count(({expression})::bit(64))", [working] if "%s" in expression else []))

        got = rows.aggregate(check_in_days=bits("check_in_mask"), on_time_days=bits("on_time_mask"),
                             missed_days=bits("%s::bigint & ~check_in_mask"), counted=Count("pk"),
                             **{f: Sum(f) for f in sums})
    else:
        got = dict.fromkeys(("check_in_days", "on_time_days", "missed_days", "counted", *sums), 0)
        for check_in, on_time, *values in rows.values_list("check_in_mask", "on_time_mask", *sums):
            got["check_in_days"] += check_in.bit_count()
            got["on_time_days"] += on_time.bit_count()
            got["missed_days"] += (working & ~check_in).bit_count()
            got["counted"] += 1
            for f, v in zip(sums, values, strict=True):
                got[f] += v
    for attr in ("check_in_days", "on_time_days", "missed_days", *sums):
        setattr(out, attr, int(got[attr] or 0))
    out.missed_days += (out.workers - got["counted"]) * working.bit_count()
    below = rows.filter(working_minutes__gt=0, visit_minutes__lt=F("working_minutes") * VISIT_SHARE_RULE)
    out.below_rule = list(GridWorker.objects.filter(pk__in=below.values("worker_id")).order_by("name", "id")
                          .values_list("name", flat=True))
    return out


def totals_by_group(pairs, month: dt.date) -> dict[int, Month]:
    """The month's counters summed per group, for a values queryset of distinct (`grp`, `worker`) pairs
    (such as a node's children and the workers serving their grids): a worker of two groups counts in
    both, once in each. One query after the refresh, whatever the groups, workers or records; the day
    counts (check-ins, punctuality, missed days) are left at zero."""
    month = month.replace(day=1)
    rollups.refresh()
    sql, params = pairs.query.sql_with_params()
    sums = ("working_minutes", "patrols", "findings", "cases", "visits", "visit_minutes")
    query = (f"SELECT p.grp, COUNT(DISTINCT p.worker), {', '.join(f'COALESCE(SUM(w.{s}), 0)' for s in sums)} "
             f"FROM ({sql}) p LEFT JOIN {WorkMonth._meta.db_table} w ON w.worker_id = p.worker AND w.month = %s "
             "GROUP BY p.grp")
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, month])
        for grp, workers, *values in cursor.fetchall():
            out[grp] = Month(name="", workers=workers, **{s: int(v) for s, v in zip(sums, values, strict=True)})
    return out


def _working_mask(month: dt.date) -> int:
    """Bit d−1 set for each working day d of the month before today (see `_working_days`)."""
    start, end = month_bounds(month)
    mask = 0
    for day in _working_days(start, end):
        mask |= 1 << (day.day - 1)
    return mask


def count_live(workers, month: dt.date, *, until: dt.datetime | None = None, since: dt.datetime | None = None) -> list[Month]:
    """`per_worker` counted from the records (a part of a month, and the reference for the rollups)."""
    workers = list(workers)
    start, end = month_bounds(month)
    start, end = max(start, since) if since else start, min(end, until) if until else end
    ids = [w.pk for w in workers]
    rows = {w.pk: Month(worker_id=w.pk, name=w.name) for w in workers}
    first_of_day: dict[tuple, bool] = {}
    check_ins = CheckIn.objects.filter(worker_id__in=ids, checked_in_at__gte=start, checked_in_at__lt=end)
    for worker_id, at, out, on_time in check_ins.order_by("checked_in_at").values_list(
            "worker_id", "checked_in_at", "checked_out_at", "on_time"):
        first_of_day.setdefault((worker_id, timezone.localdate(at)), on_time)
        if out is not None:
            rows[worker_id].working_minutes += int((out - at).total_seconds() // 60)
    for (worker_id, _day), on_time in first_of_day.items():
        rows[worker_id].check_in_days += 1
        rows[worker_id].on_time_days += int(on_time)
    for day in _working_days(start, end):
        for pk in ids:
            rows[pk].missed_days += int((pk, day) not in first_of_day)
    patrols = Patrol.objects.filter(worker_id__in=ids, started_at__gte=start, started_at__lt=end)
    for row in patrols.values("worker_id").annotate(n=Count("pk")).order_by():
        rows[row["worker_id"]].patrols = row["n"]
    findings = Finding.objects.filter(patrol__worker_id__in=ids, at__gte=start, at__lt=end)
    for row in findings.values("patrol__worker_id").annotate(
            n=Count("pk"), cases=Count("pk", filter=Q(case__isnull=False))).order_by():
        rows[row["patrol__worker_id"]].findings = row["n"]
        rows[row["patrol__worker_id"]].cases = row["cases"]
    visits = Visit.objects.filter(worker_id__in=ids, visited_at__gte=start, visited_at__lt=end)
    for row in visits.values("worker_id").annotate(n=Count("pk"), minutes=Sum("minutes")).order_by():
        rows[row["worker_id"]].visits = row["n"]
        rows[row["worker_id"]].visit_minutes = row["minutes"] or 0
    return [rows[pk] for pk in ids]


def _working_days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """Monday to Friday from start up to yesterday (today is not missed yet), before end."""
    from linli.core import clock

    day = timezone.localdate(start)
    last = min(clock.today(), timezone.localdate(end))
    days = []
    while day < last:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def total(months: list[Month], name: str = "合计") -> Month:
    """The node's month: the sums of its workers', and who of them is below the 50 % rule."""
    out = Month(name=name, workers=len(months))
    for m in months:
        for attr in ("check_in_days", "on_time_days", "working_minutes", "patrols", "findings", "cases", "visits",
                     "visit_minutes", "missed_days"):
            setattr(out, attr, getattr(out, attr) + getattr(m, attr))
        if m.meets_rule is False:
            out.below_rule.append(m.name)
    return out


def by_grid(workers, months: list[Month]) -> list[Month]:
    """Sums per grid (a worker of two grids counts in both)."""
    grouped: dict = defaultdict(list)
    names = {}
    by_id = {m.worker_id: m for m in months}
    for worker in workers:
        for grid in worker.grids.all():
            grouped[grid.pk].append(by_id[worker.pk])
            names[grid.pk] = grid.name
    return [total(grouped[pk], names[pk]) for pk in sorted(grouped, key=lambda k: names[k])]
