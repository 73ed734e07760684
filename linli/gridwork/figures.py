"""Figures of grid work per worker and month, and their sums per node.

Read from the month's rows of the workers asked about, with a constant number of queries (one per
kind of record, grouped by worker): a community's month is a few thousand rows. The city-scale
rollups the issue asks for (a district's month in under 100 ms at 10 million rows) are not built yet.

Visiting share 走访占比 = minutes of visits ÷ minutes between check-in and check-out in the month,
against seed 001's rule that community workers spend at least half their working time visiting.
Punctuality = days whose first check-in was by LINLI_CHECKIN_BY ÷ days with a check-in; missed days =
working days (Monday to Friday, holidays not known) before today without a check-in.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from linli.gridwork.models import CheckIn, Finding, Patrol, Visit

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
