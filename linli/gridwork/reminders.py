"""Overdue visits and missed check-ins: the lists, and the sweep that notifies each of them once.

A visit is overdue when a household of a plan's care group in the plan's grid was last visited more than
the plan's period ago (or never: then it fell due a period after the plan was made); its due day is
the last visit plus the period. A check-in is missed on a working day (Monday to Friday) before today
on which the worker did not check in, from the day they started.

`sweep` (the command `linli gridwork-reminders`, from cron each morning like `sla-sweep`) writes a
`Reminder` for every overdue visit and every missed day of the last `LOOKBACK_DAYS` it has not written
yet, and sends one notice per worker and one per community secretary about the new ones. The reminder's
key (kind, household or worker, day) is unique and sweeps run one at a time, so a re-run notifies no one
twice.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from linli.accounts.models import Assignment, Role
from linli.cases.services.notifications import notify_many
from linli.core import clock
from linli.gridwork.models import CheckIn, Reminder, Visit, VisitPlan
from linli.people.models import GridWorker, Household, Resident
from linli.places.models import Grid

LOOKBACK_DAYS = 7
_LOCK_KEY = 0x6C696E726D64  # "linrmd": one sweep at a time


@dataclass
class Overdue:
    plan: VisitPlan
    household_id: int
    last_visit: dt.datetime | None
    due: dt.date


def overdue_visits(plans, households=None, *, now=None) -> list[Overdue]:
    """Every overdue household of these plans (households limited to `households` when given)."""
    now = now or clock.now()
    plans = list(plans.select_related("grid", "care_tag"))
    if not plans:
        return []
    base = Household.objects.all() if households is None else households
    grids, tags = {p.grid_id for p in plans}, {p.care_tag_id for p in plans}
    last = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    state = dict((pk, (grid, visit)) for pk, grid, visit in base.filter(
        dwelling__entrance__building__grid__in=grids,
        pk__in=Resident.objects.filter(care_tags__in=tags).values("household_id"),
    ).annotate(last_visit=Subquery(last)).values_list("pk", "dwelling__entrance__building__grid_id", "last_visit"))
    groups: dict = defaultdict(set)
    for household_id, tag_id in Resident.care_tags.through.objects.filter(
            caretag_id__in=tags, resident__household_id__in=list(state)).values_list(
            "resident__household_id", "caretag_id").distinct():
        groups[household_id].add(tag_id)
    out = []
    for plan in plans:
        period = dt.timedelta(days=plan.every_days)
        for pk, (grid_id, visit) in state.items():
            if grid_id != plan.grid_id or plan.care_tag_id not in groups[pk]:
                continue
            due_at = (visit or plan.created_at) + period
            if due_at <= now:
                out.append(Overdue(plan, pk, visit, timezone.localdate(due_at)))
    return sorted(out, key=lambda o: (o.due, o.household_id))


def missed_check_ins(workers, *, today=None, days: int = LOOKBACK_DAYS) -> list[tuple[int, dt.date]]:
    """(worker id, day) of every working day of the last `days` before today without a check-in."""
    today = today or clock.today()
    window = [today - dt.timedelta(days=n) for n in range(days, 0, -1)]
    window = [d for d in window if d.weekday() < 5]
    if not window:
        return []
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(window[0], dt.time()), tz)
    end = timezone.make_aware(dt.datetime.combine(today, dt.time()), tz)
    workers = list(workers.values_list("pk", "started_on"))
    ids = [pk for pk, _ in workers]
    seen = {(w, timezone.localdate(at)) for w, at in CheckIn.objects.filter(
        worker_id__in=ids, checked_in_at__gte=start, checked_in_at__lt=end).values_list("worker_id", "checked_in_at")}
    return [(pk, day) for pk, started in workers for day in window
            if (pk, day) not in seen and (started is None or day >= started)]


@dataclass
class SweepResult:
    overdue_visits: int = 0
    missed_check_ins: int = 0
    notices: int = 0


def sweep(*, now=None) -> SweepResult:
    """Remind once of every overdue visit and missed check-in not reminded yet (see the module)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    result = SweepResult()
    with transaction.atomic():  # the demo calls it inside its load
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        rows = [Reminder(kind=Reminder.Kind.OVERDUE_VISIT, grid_id=o.plan.grid_id, household_id=o.household_id,
                         care_tag_id=o.plan.care_tag_id, subject=o.household_id, day=o.due, notified_at=now)
                for o in overdue_visits(VisitPlan.objects.all(), now=now)]
        workers = GridWorker.objects.filter(grids__isnull=False).distinct()
        first_grid = dict(GridWorker.grids.through.objects.filter(gridworker_id__in=workers.values("pk"))
                          .values_list("gridworker_id").annotate(g=Max("grid_id")))
        rows += [Reminder(kind=Reminder.Kind.MISSED_CHECK_IN, grid_id=first_grid[w], worker_id=w, subject=w, day=day,
                          notified_at=now) for w, day in missed_check_ins(workers, today=today)]
        seen = set()
        for kind in Reminder.Kind:
            subjects = {r.subject for r in rows if r.kind == kind}
            if subjects:
                seen |= set(Reminder.objects.filter(kind=kind, subject__in=subjects, day__gte=min(
                    r.day for r in rows if r.kind == kind)).values_list("kind", "subject", "day"))
        new, keys = [], set()
        for row in rows:
            key = (row.kind, row.subject, row.day)
            if key not in seen and key not in keys:
                keys.add(key)
                new.append(row)
        Reminder.objects.bulk_create(new, batch_size=2_000)
        result.overdue_visits = sum(r.kind == Reminder.Kind.OVERDUE_VISIT for r in new)
        result.missed_check_ins = len(new) - result.overdue_visits
        result.notices = len(notify_many(_notices(new)))
    return result


def _notices(new: list[Reminder]):
    """One notice per worker (their grids' overdue visits, their missed days) and one per community secretary."""
    if not new:
        return []
    visits_by_grid, missed_by_worker = defaultdict(int), defaultdict(list)
    for r in new:
        if r.kind == Reminder.Kind.OVERDUE_VISIT:
            visits_by_grid[r.grid_id] += 1
        else:
            missed_by_worker[r.worker_id].append(r.day)
    grids = {r.grid_id for r in new}
    workers = defaultdict(set)
    for worker_id, grid_id in GridWorker.grids.through.objects.filter(grid_id__in=grids).values_list(
            "gridworker_id", "grid_id"):
        workers[worker_id].add(grid_id)
    users = {w.pk: w.user for w in GridWorker.objects.filter(pk__in=list(workers) + list(missed_by_worker),
                                                             user__isnull=False).select_related("user")}
    messages = []
    for worker_id, user in users.items():
        visits = sum(visits_by_grid[g] for g in workers.get(worker_id, ()))
        missed = sorted(missed_by_worker.get(worker_id, []))
        if visits or missed:
            messages.append(([user], "网格工作提醒：" + _text(visits, len(missed), missed), "/gridwork/reminders/"))
    community_of = dict(Grid.objects.filter(pk__in=grids).values_list("pk", "community_id"))
    per_community = defaultdict(lambda: [0, 0])
    for r in new:
        per_community[community_of[r.grid_id]][r.kind == Reminder.Kind.MISSED_CHECK_IN] += 1
    secretaries = defaultdict(list)
    for assignment in Assignment.objects.filter(role=Role.COMMUNITY_SECRETARY, unit_id__in=list(per_community)
                                                ).select_related("user"):
        secretaries[assignment.unit_id].append(assignment.user)
    for community_id, (visits, missed) in per_community.items():
        if secretaries[community_id]:
            messages.append((secretaries[community_id], "网格工作提醒：本社区" + _text(visits, missed, []), "/gridwork/reminders/"))
    return messages


def _text(visits: int, missed: int, days: list[dt.date]) -> str:
    parts = []
    if visits:
        parts.append(f"新增 {visits} 户关爱对象走访逾期")
    if missed:
        when = "（" + "、".join(f"{d.month}月{d.day}日" for d in days[:5]) + ("等" if len(days) > 5 else "") + "）" if days else ""
        parts.append(f"新增 {missed} 个工作日未报到{when}")
    return "，".join(parts) + "。"
