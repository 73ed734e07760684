"""Reads that list cases, always through the jurisdiction filter."""

from django.db.models import F, Q

from linli.cases import routing
from linli.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Level,
    Notification,
    Status,
)
from linli.core import clock
from linli.core.ids import parse_int
from linli.core.scoping import scope_for, visible


def case_list_visible_to(*, actor, filters: dict | None = None):
    """The worklist: visible cases, most urgent first (overdue on top, then nearest deadline)."""
    filters = filters or {}
    qs = visible(Case.objects.all(), scope_for(actor))
    state = filters.get("status") or "open"
    if state == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif state in Status.values:
        qs = qs.filter(status=state)
    if filters.get("level") in Level.values:
        qs = qs.filter(level=filters["level"])
    if filters.get("category"):
        qs = qs.filter(category__code=filters["category"])
    if filters.get("tier"):
        qs = qs.filter(tier=filters["tier"])
    if filters.get("compound"):
        qs = qs.filter(compound_id=_int(filters["compound"]))
    if filters.get("mine") and getattr(actor, "pk", None):
        qs = qs.filter(assignee_id=actor.pk)
    if filters.get("supervised"):
        qs = qs.filter(supervised=True)
    now = clock.now()
    if filters.get("overdue"):
        qs = qs.filter(due_at__lt=now)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(description__icontains=text) | Q(pk=_int(text.lstrip("#"))))
    return (qs.select_related("category", "compound", "assignee")
            .order_by(F("due_at").asc(nulls_last=True), "-requested_at", "-id"))


def _int(value) -> int:
    try:
        return parse_int(value)
    except (TypeError, ValueError):
        return -1


def my_cases(*, actor):
    """A resident's own cases and the ones they follow."""
    if not getattr(actor, "pk", None):
        return Case.objects.none()
    own = Q(reporter_id=actor.pk) | Q(followers__user_id=actor.pk)
    return (visible(Case.objects.all(), scope_for(actor)).filter(own).distinct()
            .select_related("category", "compound").order_by("-requested_at", "-id"))


def case_timeline(*, actor, case, staff: bool):
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    if not staff:
        events = events.filter(staff_only=False)
    return events


def notifications_for(*, actor, unread_only=False):
    qs = Notification.objects.filter(user_id=getattr(actor, "pk", None))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(actor) -> int:
    if not getattr(actor, "pk", None):
        return 0
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).count()


def assignee_candidates(*, case):
    """The people a case can be dispatched or transferred to: exactly the staff who see it in their work
    area (its building's grid, never another grid of the compound; its compound; its community and up),
    nearest first. Anyone else the dispatch would refuse."""
    return routing.candidates(case)
