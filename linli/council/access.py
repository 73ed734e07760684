"""Detail access for the council: out of sight is 404 (as if absent), in sight but not the actor's is 403."""

from linli.accounts.scope import can_edit
from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.council import services
from linli.council.models import Ballot, Comment, Decision, Meeting, MeetingSeries, Notice, Proposal, Voter


def proposal_get(actor, pk, *, write=False) -> Proposal:
    proposal = get_visible(Proposal.objects.select_related("compound__community", "step", "template", "case"),
                           scope_for(actor), pk)
    if write:
        require(services.may_move(actor, proposal), services.NOT_EDITOR)
    return proposal


def comment_get(actor, pk, *, write=False) -> Comment:
    comment = get_visible(Comment.objects.select_related("proposal"), scope_for(actor), pk)
    if write:
        require(services.may_moderate(actor, comment.proposal), "只有组织者可以处理意见。")
    return comment


def ballot_get(actor, pk, *, write=False) -> Ballot:
    ballot = get_visible(Ballot.objects.select_related("compound", "proposal", "entrance", "party_org"),
                         scope_for(actor), pk)
    if write:
        require(can_edit(actor) and scope_for(actor).is_staff_scope, services.NOT_EDITOR)
    return ballot


def voter_get(actor, ballot, pk) -> Voter:
    return get_visible(Voter.objects.filter(ballot=ballot), scope_for(actor), pk)


def notice_get(actor, pk, *, write=False) -> Notice:
    notice = get_visible(Notice.objects.select_related("compound", "ballot", "proposal"), scope_for(actor), pk)
    if write:
        require(can_edit(actor) and scope_for(actor).is_staff_scope, services.NOT_EDITOR)
    return notice


def meeting_get(actor, pk, *, write=False) -> Meeting:
    meeting = get_visible(Meeting.objects.select_related("community", "compound", "series"), scope_for(actor), pk)
    if write:
        require(can_edit(actor) and scope_for(actor).is_staff_scope, services.NOT_EDITOR)
    return meeting


def series_get(actor, pk, *, write=False) -> MeetingSeries:
    series = get_visible(MeetingSeries.objects.select_related("community", "compound"), scope_for(actor), pk)
    if write:
        require(can_edit(actor) and scope_for(actor).is_staff_scope, services.NOT_EDITOR)
    return series


def decision_get(actor, pk, *, write=False) -> Decision:
    decision = get_visible(Decision.objects.select_related("meeting"), scope_for(actor), pk)
    if write:
        require(can_edit(actor) and scope_for(actor).is_staff_scope, services.NOT_EDITOR)
    return decision
