"""The case actions: which ones a person may take now, and action name → service.

Pages and the API share both. `available_actions` is what the case page offers and the case API lists;
the services still check everything themselves, and a test holds the two to the same answer.
"""

from linli.accounts.scope import can_edit
from linli.cases import routing, services
from linli.cases.access import may_supervise, may_work
from linli.cases.models import OPEN_STATUSES, Level, Status
from linli.core.errors import NotFound

NAMES = ("take", "dispatch", "accept", "return", "transfer", "solve", "confirm", "supervise", "escalate",
         "follow-up", "retier", "council")

WORKABLE = (Status.DISPATCHED, Status.ACCEPTED)


def available_actions(actor, case) -> list[str]:
    """The actions this actor may take on this case now, in the order the case page shows them.

    The case is one the actor may see (found through `access`); sight is not checked again here.
    """
    status, me = case.status, getattr(actor, "pk", None)
    staff, worker = can_edit(actor), may_work(actor, case)
    rules = (
        ("take", routing.may_take(actor, case)),
        ("dispatch", staff and status in (Status.NEW, Status.RETURNED, Status.REOPENED)),
        ("accept", status == Status.DISPATCHED and (case.assignee_id == me or (case.assignee_id is None and staff))),
        ("solve", worker and status in WORKABLE),
        ("transfer", worker and status in WORKABLE),
        ("return", worker and status in WORKABLE),
        ("escalate", staff and status in OPEN_STATUSES and case.level != Level.DISTRICT),
        ("supervise", status in OPEN_STATUSES and may_supervise(actor, case)),
        ("follow-up", staff and status in (Status.SOLVED, Status.CLOSED)),
        ("retier", staff and status in OPEN_STATUSES),
        ("council", staff and (case.proposal_ref == services.PROPOSAL_PENDING
                               or (not case.proposal_ref and status in OPEN_STATUSES))),
        ("confirm", status == Status.SOLVED and me is not None and case.reporter_id == me),
    )
    return [name for name, allowed in rules if allowed]


def next_action(actor, case, names) -> str | None:
    """Of the offered `names`, the one the page puts first as its button: what this person is expected to
    do next. The holder of the first line takes a waiting case; the assignee accepts, then solves; the
    reporter confirms. Others (officers above, the community looking on) get no button pushed at them.
    """
    me = getattr(actor, "pk", None)
    mine = me is not None and case.assignee_id == me
    if "take" in names and me in {user.pk for user in routing.responsible_for(case)}:
        return "take"
    if "accept" in names and mine:
        return "accept"
    if "solve" in names and mine:
        return "solve"
    if "confirm" in names:
        return "confirm"
    return None


def run(actor, case, action, c, *, assignee=None, photo_files=()):
    """One place that maps an action name to its service (pages and API both use it)."""
    if action == "take":
        return services.case_take(actor=actor, case=case, note=c.get("note", ""))
    if action == "dispatch":
        return services.case_dispatch(actor=actor, case=case, assignee=assignee, handler_kind=c.get("handler_kind", ""),
                                      handling_body=c.get("handling_body", ""), tier=c.get("tier", ""),
                                      note=c.get("note", ""))
    if action == "transfer":
        return services.case_transfer(actor=actor, case=case, assignee=assignee,
                                      handler_kind=c.get("handler_kind", ""),
                                      handling_body=c.get("handling_body", ""), reason=c.get("reason", ""))
    if action == "accept":
        return services.case_accept(actor=actor, case=case, note=c.get("note", ""))
    if action == "return":
        return services.case_return(actor=actor, case=case, reason=c.get("reason", ""))
    if action == "solve":
        return services.case_solve(actor=actor, case=case, note=c.get("note", ""), photo_files=photo_files)
    if action == "escalate":
        return services.case_escalate(actor=actor, case=case, note=c.get("note", ""))
    if action == "supervise":
        return services.case_supervise(actor=actor, case=case, deadline=c.get("deadline"), note=c.get("note", ""))
    if action == "follow-up":
        return services.case_follow_up(actor=actor, case=case, note=c.get("note", ""), rating=c.get("rating", ""))
    if action == "confirm":
        return services.case_confirm(actor=actor, case=case, rating=c.get("rating", ""), note=c.get("note", ""))
    if action == "retier":
        return services.case_retier(actor=actor, case=case, tier=c.get("tier", ""), note=c.get("note", ""))
    if action == "council":
        return services.case_to_council(actor=actor, case=case, note=c.get("note", ""), ref=c.get("ref", ""))
    raise NotFound()
