"""Reads that list council records, always through the jurisdiction filter."""

from linli.core import clock
from linli.core.scoping import scope_for, visible
from linli.council.models import Ballot, Comment, Meeting, MeetingSeries, Notice, Proposal


def proposal_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Proposal.objects.select_related("compound", "step", "template"), scope_for(actor))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("compound"):
        qs = qs.filter(compound_id=filters["compound"])
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    return qs


def comment_list_visible_to(*, actor, proposal, moderator: bool):
    qs = visible(Comment.objects.filter(proposal=proposal).select_related("author"), scope_for(actor))
    qs = qs if moderator else qs.filter(status=Comment.Status.SHOWN)
    return qs.order_by("at", "id")


def ballot_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Ballot.objects.select_related("compound"), scope_for(actor))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("compound"):
        qs = qs.filter(compound_id=filters["compound"])
    if filters.get("proposal"):
        qs = qs.filter(proposal_id=filters["proposal"])
    return qs


def notice_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Notice.objects.select_related("compound"), scope_for(actor))
    if filters.get("current"):
        today = clock.today()
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    return qs


def meeting_list_visible_to(*, actor, filters=None):
    filters = filters or {}
    qs = visible(Meeting.objects.select_related("community", "compound", "series"), scope_for(actor))
    if filters.get("upcoming"):
        qs = qs.filter(starts_at__gte=clock.now()).order_by("starts_at")
    if filters.get("series"):
        qs = qs.filter(series_id=filters["series"])
    return qs


def series_list_visible_to(*, actor, filters=None):
    return visible(MeetingSeries.objects.select_related("community", "compound"), scope_for(actor))
