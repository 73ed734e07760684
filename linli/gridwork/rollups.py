"""Monthly counts per grid worker, so the figures of a community or a district read one row per worker.

`WorkMonth` holds, per local month and worker, what `figures` sums: the days with a check-in and the
days whose first check-in was on time (bit masks, bit d−1 for day d), the minutes between check-in and
check-out, patrols, findings, findings turned into cases, visits and their minutes. A district's month
is then as many rows as it has workers, whatever the number of check-ins, patrols and visits.

Freshness as for the case and registry rollups: triggers (migration gridwork 0006) mark in `WorkDirty`
the worker and the span of moments every write to check-ins, patrols, findings or visits touched,
whatever wrote it (services, admin, demo, the bench's COPY). `refresh` takes the committed marks under
a PostgreSQL advisory lock and recounts those (month, worker) rows from the records; the figures call
it before reading, so they are exact and current. `rebuild` recounts everything
(`linli gridwork-rollups --rebuild`); `drift` compares the rows with counting the records.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from linli.gridwork.models import CheckIn, Finding, Patrol, Visit, WorkDirty, WorkMonth

DIRTY_CHUNK = 50_000
WORKER_CHUNK = 2_000
# The PostgreSQL advisory lock that serialises refreshes and rebuilds ("lingrd"); cases and people use others.
_LOCK_KEY = 0x6C696E677264
MEASURES = ("check_in_mask", "on_time_mask", "working_minutes", "patrols", "findings", "cases", "visits",
            "visit_minutes")


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def month_of(at: dt.datetime) -> dt.date:
    return timezone.localdate(at).replace(day=1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time()), tz),
            timezone.make_aware(dt.datetime.combine(end, dt.time()), tz))


def _months_between(since: dt.datetime, until: dt.datetime) -> Iterable[dt.date]:
    month, last = month_of(since), month_of(until)
    while month <= last:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


# ---------------------------------------------------------------- counting the records


def count_month(month: dt.date, worker_ids: list[int] | None) -> dict[int, dict]:
    """{worker: {measure: value}} counted from the records of the month, for the given workers or all."""
    start, end = bounds(month)
    rows: dict[int, dict] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))

    def only(qs, field="worker_id"):
        return qs if worker_ids is None else qs.filter(**{f"{field}__in": worker_ids})

    check_ins = only(CheckIn.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end))
    seen: set[tuple[int, int]] = set()
    for worker_id, at, out, on_time in check_ins.order_by("checked_in_at", "id").values_list(
            "worker_id", "checked_in_at", "checked_out_at", "on_time").iterator(chunk_size=20_000):
        row = rows[worker_id]
        day = timezone.localdate(at).day
        if (worker_id, day) not in seen:
            seen.add((worker_id, day))
            row["check_in_mask"] |= 1 << (day - 1)
            if on_time:
                row["on_time_mask"] |= 1 << (day - 1)
        if out is not None:
            row["working_minutes"] += int((out - at).total_seconds() // 60)
    patrols = only(Patrol.objects.filter(started_at__gte=start, started_at__lt=end))
    for worker_id, n in patrols.order_by().values_list("worker_id").annotate(n=Count("pk")):
        rows[worker_id]["patrols"] = n
    findings = only(Finding.objects.filter(at__gte=start, at__lt=end), "patrol__worker_id")
    for worker_id, n, cases in findings.order_by().values_list("patrol__worker_id").annotate(
            n=Count("pk"), cases=Count("pk", filter=Q(case__isnull=False))):
        rows[worker_id]["findings"], rows[worker_id]["cases"] = n, cases
    visits = only(Visit.objects.filter(visited_at__gte=start, visited_at__lt=end))
    for worker_id, n, minutes in visits.order_by().values_list("worker_id").annotate(n=Count("pk"), m=Sum("minutes")):
        rows[worker_id]["visits"], rows[worker_id]["visit_minutes"] = n, minutes or 0
    return dict(rows)


def _write(month: dt.date, counts: dict[int, dict]) -> int:
    objs = [WorkMonth(month=month, worker_id=w, **values) for w, values in counts.items() if any(values.values())]
    WorkMonth.objects.bulk_create(objs, batch_size=5_000)
    return len(objs)


def recompute(month: dt.date, worker_ids: list[int]) -> None:
    """Replace these workers' rows of the month by counting their records (inside the caller's lock)."""
    for start in range(0, len(worker_ids), WORKER_CHUNK):
        ids = worker_ids[start:start + WORKER_CHUNK]
        counts = count_month(month, ids)
        WorkMonth.objects.filter(month=month, worker_id__in=ids).delete()
        _write(month, counts)


# ---------------------------------------------------------------- keeping rows fresh


def _take_dirty(limit: int) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """Remove up to `limit` committed marks and return them (a write committing meanwhile keeps its mark)."""
    _lock()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM gridwork_workdirty WHERE id IN "
                "(SELECT id FROM gridwork_workdirty ORDER BY id LIMIT %s) RETURNING worker_id, since, until", [limit])
            return list(cursor.fetchall())
    marks = list(WorkDirty.objects.order_by("id").values_list("id", "worker_id", "since", "until")[:limit])
    if marks:
        WorkDirty.objects.filter(id__lte=marks[-1][0]).delete()
    return [mark[1:] for mark in marks]


def refresh(*, limit: int = DIRTY_CHUNK) -> int:
    """Recount every (month, worker) marked since the last refresh; returns how many."""
    done = 0
    if not WorkDirty.objects.exists():  # the usual read: nothing to take, no lock to wait for
        return done
    while True:
        with transaction.atomic():
            marks = _take_dirty(limit)
            if not marks:
                return done
            by_month: dict[dt.date, set[int]] = defaultdict(set)
            for worker_id, since, until in marks:
                if worker_id is None:
                    continue
                for month in _months_between(since, until):
                    by_month[month].add(worker_id)
            for month, workers in sorted(by_month.items()):
                recompute(month, sorted(workers))
                done += len(workers)
        if len(marks) < limit:
            return done


def _months_with_records() -> list[dt.date]:
    firsts = [qs.aggregate(first=Min(field))["first"] for qs, field in (
        (CheckIn.objects.all(), "checked_in_at"), (Patrol.objects.all(), "started_at"),
        (Finding.objects.all(), "at"), (Visit.objects.all(), "visited_at"))]
    lasts = [qs.order_by(f"-{field}").values_list(field, flat=True).first() for qs, field in (
        (CheckIn.objects.all(), "checked_in_at"), (Patrol.objects.all(), "started_at"),
        (Finding.objects.all(), "at"), (Visit.objects.all(), "visited_at"))]
    firsts, lasts = [f for f in firsts if f], [t for t in lasts if t]
    return list(_months_between(min(firsts), max(lasts))) if firsts else []


def rebuild(*, out=None) -> int:
    """Recount every month from the records; returns the number of rows."""
    with transaction.atomic():
        _lock()
        WorkDirty.objects.all().delete()
        WorkMonth.objects.all().delete()
        written = 0
        for month in _months_with_records():
            written += _write(month, count_month(month, None))
            if out:
                out(f"  {month:%Y-%m}：累计 {written:,} 行")
        return written


def drift(month: dt.date) -> list[tuple[int, dict, dict]]:
    """(worker, kept, counted) of every worker whose row of the month differs from counting the records."""
    refresh()
    counted = {w: v for w, v in count_month(month, None).items() if any(v.values())}
    kept = {row["worker_id"]: {m: row[m] for m in MEASURES}
            for row in WorkMonth.objects.filter(month=month).values("worker_id", *MEASURES)}
    return sorted((w, kept.get(w), counted.get(w)) for w in set(kept) | set(counted) if kept.get(w) != counted.get(w))
