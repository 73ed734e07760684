"""Every list of grid work, always through the jurisdiction filter."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery

from linli.core import clock
from linli.core.scoping import scope_for, visible
from linli.gridwork import reminders
from linli.gridwork.figures import month_bounds
from linli.gridwork.models import (
    CheckIn,
    Finding,
    GridTask,
    Patrol,
    RosterMember,
    Training,
    Trial,
    Visit,
    VisitPlan,
)
from linli.people.models import GridWorker, Household, Resident
from linli.places.models import Building


def _month(qs, field: str, month: dt.date | None):
    if month is None:
        return qs
    start, end = month_bounds(month)
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def checkin_list_visible_to(*, actor, worker=None, month=None):
    qs = visible(CheckIn.objects.select_related("worker", "grid"), scope_for(actor))
    if worker:
        qs = qs.filter(worker_id=worker)
    return _month(qs, "checked_in_at", month)


def patrol_list_visible_to(*, actor, worker=None, month=None):
    qs = visible(Patrol.objects.select_related("worker", "grid"), scope_for(actor))
    if worker:
        qs = qs.filter(worker_id=worker)
    return _month(qs, "started_at", month)


def finding_list_visible_to(*, actor, patrol=None, worker=None, month=None):
    qs = visible(Finding.objects.select_related("building__compound", "case", "patrol"), scope_for(actor))
    if patrol:
        qs = qs.filter(patrol_id=patrol)
    if worker:
        qs = qs.filter(patrol__worker_id=worker)
    return _month(qs, "at", month)


def visit_list_visible_to(*, actor, worker=None, household=None, month=None, follow_up_open=False):
    qs = visible(Visit.objects.select_related("worker", "household__dwelling__entrance__building__compound"),
                 scope_for(actor))
    if worker:
        qs = qs.filter(worker_id=worker)
    if household:
        qs = qs.filter(household_id=household)
    if follow_up_open:
        qs = qs.exclude(follow_up="").filter(follow_up_done_at__isnull=True).order_by("follow_up_due", "id")
    return _month(qs, "visited_at", month)


def task_list_visible_to(*, actor, open_only=False, grid=None):
    qs = visible(GridTask.objects.select_related("grid"), scope_for(actor))
    if grid:
        qs = qs.filter(grid_id=grid)
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return qs


def workers_visible_to(*, actor, grid=None):
    qs = visible(GridWorker.objects.prefetch_related("grids"), scope_for(actor)).order_by("name", "id")
    if grid:
        qs = qs.filter(pk__in=GridWorker.grids.through.objects.filter(grid_id=grid).values("gridworker_id"))
    return qs


def care_households_unvisited(*, actor, worker, limit=10):
    """Households of the worker's grids with a care tag and no visit this month (this month's plan)."""
    start, end = month_bounds(clock.today())
    visited = Visit.objects.filter(visited_at__gte=start, visited_at__lt=end).values("household_id")
    qs = visible(Household.objects.filter(
        dwelling__entrance__building__grid__in=worker.grids.all(),
        pk__in=Resident.objects.filter(care_tags__isnull=False).values("household_id"),
    ), scope_for(actor).work_area()).exclude(pk__in=visited)
    return qs.select_related("dwelling__entrance__building__compound").order_by("id")[:limit]


@dataclass
class PlanStatus:
    """A visit plan now: its households, how many were visited within the period, the overdue ones."""

    plan: VisitPlan
    total: int = 0
    on_schedule: int = 0
    overdue: list = field(default_factory=list)  # (household, last visit or None), longest waiting first

    @property
    def share(self) -> float | None:
        return self.on_schedule / self.total if self.total else None


def plan_status_visible_to(*, actor, worker=None, grid=None, overdue_limit: int = 20) -> list[PlanStatus]:
    """Each plan in sight with its households' state, in four queries whatever the number of plans: the
    plans, their households in sight with their last visit, which of the plans' care groups each household
    is in, and the overdue households shown."""
    plans = visible(VisitPlan.objects.select_related("grid", "care_tag"), scope_for(actor))
    if worker is not None:
        plans = plans.filter(grid__in=worker.grids.all())
    if grid:
        plans = plans.filter(grid_id=grid)
    plans = list(plans)
    if not plans:
        return []
    now = clock.now()
    grids, tags = {p.grid_id for p in plans}, {p.care_tag_id for p in plans}
    last = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    households = visible(Household.objects.filter(
        dwelling__entrance__building__grid__in=grids,
        pk__in=Resident.objects.filter(care_tags__in=tags).values("household_id"),
    ), scope_for(actor))
    state = {pk: (grid_id, last_visit) for pk, grid_id, last_visit in households.annotate(last_visit=Subquery(last))
             .values_list("pk", "dwelling__entrance__building__grid_id", "last_visit")}
    groups: dict = defaultdict(set)
    for household_id, tag_id in Resident.care_tags.through.objects.filter(
            caretag_id__in=tags, resident__household_id__in=list(state)).values_list(
            "resident__household_id", "caretag_id").distinct():
        groups[household_id].add(tag_id)
    out, shown = [], {}
    for plan in plans:
        since = now - dt.timedelta(days=plan.every_days)
        members = [(pk, visit) for pk, (grid_id, visit) in state.items()
                   if grid_id == plan.grid_id and plan.care_tag_id in groups[pk]]
        waiting = sorted(((pk, visit) for pk, visit in members if visit is None or visit < since),
                         key=lambda m: (m[1] is not None, m[1] or now, m[0]))
        status = PlanStatus(plan=plan, total=len(members), on_schedule=len(members) - len(waiting))
        status.overdue = [pk for pk, _visit in waiting[:overdue_limit]]
        shown.update({pk: visit for pk, visit in waiting[:overdue_limit]})
        out.append(status)
    objects = Household.objects.select_related("dwelling__entrance__building__compound").in_bulk(list(shown))
    for status in out:
        status.overdue = [objects[pk] for pk in status.overdue]
        for household in status.overdue:
            household.last_visit = shown[household.pk]
    return out


def trial_list_visible_to(*, actor, open_only=False):
    qs = visible(Trial.objects.select_related("worker", "community"), scope_for(actor))
    if open_only:
        qs = qs.filter(outcome__in=(Trial.Outcome.PENDING, Trial.Outcome.EXTENDED))
    return qs


def trial_summary(trials) -> dict:
    """How many trials ended in each outcome (seed 003: 78 of 7,289 assistants replaced)."""
    counts = dict(trials.order_by().values_list("outcome").annotate(n=Count("pk")))
    return {"total": sum(counts.values()), **{o.value: counts.get(o.value, 0) for o in Trial.Outcome}}


def trial_candidates(*, actor, limit=200):
    """Workers in the actor's units without an open trial, the most recently started first (new hires)."""
    open_ = Trial.objects.filter(outcome__in=(Trial.Outcome.PENDING, Trial.Outcome.EXTENDED)).values("worker_id")
    return (visible(GridWorker.objects.all(), scope_for(actor).unit_area()).exclude(pk__in=open_)
            .order_by(F("started_on").desc(nulls_last=True), "-id")[:limit])


def roster_list_visible_to(*, actor, building=None, current=True):
    qs = visible(RosterMember.objects.select_related("building__compound", "entrance", "resident"), scope_for(actor))
    if building:
        qs = qs.filter(building_id=building)
    if current:
        qs = qs.filter(until__isnull=True)
    return qs


def roster_buildings(*, actor, q: str = ""):
    """Buildings of the work area with the number of households each serves (the roster's households)."""
    qs = visible(Building.objects.select_related("compound"), scope_for(actor).work_area())
    if q:
        qs = qs.filter(Q(compound__name__icontains=q) | Q(number__icontains=q))
    households = Household.objects.filter(dwelling__entrance__building=OuterRef("pk")).order_by().values(
        "dwelling__entrance__building").annotate(n=Count("pk")).values("n")
    return qs.annotate(households=Subquery(households)).order_by("compound__name", "number", "id")


def overdue_visible_to(*, actor, worker=None) -> list:
    """Overdue visits of the plans in sight (the worker's grids' when given), the longest due first, each with
    its household (and dwelling) loaded."""
    plans = visible(VisitPlan.objects.all(), scope_for(actor))
    if worker is not None:
        plans = plans.filter(grid__in=worker.grids.all())
    rows = reminders.overdue_visits(plans, visible(Household.objects.all(), scope_for(actor)))
    households = Household.objects.select_related("dwelling__entrance__building__compound").in_bulk(
        {r.household_id for r in rows})
    for row in rows:
        row.household = households[row.household_id]
    return rows


def missed_check_ins_visible_to(*, actor, worker=None) -> list[dict]:
    """Working days of the last week without a check-in: the worker's own, or of the workers in sight."""
    workers = GridWorker.objects.filter(pk=worker.pk) if worker is not None else workers_visible_to(actor=actor)
    names = dict(workers.values_list("pk", "name"))
    missed = reminders.missed_check_ins(workers.order_by())
    return sorted(({"worker_id": w, "name": names[w], "day": day} for w, day in missed),
                  key=lambda m: (m["day"], m["name"], m["worker_id"]))


def training_list_visible_to(*, actor, worker=None):
    qs = visible(Training.objects.select_related("worker", "grid"), scope_for(actor))
    if worker:
        qs = qs.filter(worker_id=worker)
    return qs


def training_workers(*, actor, limit=500):
    """Workers whose community the actor may record trainings for (the actor's whole units)."""
    return visible(GridWorker.objects.all(), scope_for(actor).unit_area()).order_by("name", "id")[:limit]
