"""Action name → service: the one mapping that pages and the API share."""

from linli.cases import services
from linli.core.errors import NotFound

NAMES = ("dispatch", "accept", "return", "transfer", "solve", "confirm", "supervise", "escalate", "follow-up",
         "retier", "council")


def run(actor, case, action, c, *, assignee=None, photo_files=()):
    """One place that maps an action name to its service (pages and API both use it)."""
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
