"""Every write on cases: intake, the dispatch loop, the 1341 clock, escalation and notifications.

Each service checks who may act (Forbidden → 403), validates its input (ValidationError with field
errors), changes the case, appends a timeline event and an audit entry in one transaction, and
queues e-mail only after commit.

The services live in one module per concern; callers import them from here
(`from linli.cases import services`). Private helpers are not re-exported: a test that replaces one
patches the module that calls it (`linli.cases.services.escalation._escalate_batch`).
"""

from linli.cases.services.common import deadlines
from linli.cases.services.duplicates import (
    FOLLOW_OFFER_MINUTES,
    FOLLOW_OFFER_SALT,
    OFFER_EXPIRED,
    case_follow,
    duplicate_days,
    follow_offer,
    possible_duplicates,
    private_category_codes,
)
from linli.cases.services.escalation import (
    ESCALATION_FIELDS,
    SWEEP_FIELDS,
    SweepResult,
    autoclose_after,
    case_escalate,
    sla_sweep,
)
from linli.cases.services.handling import (
    PROPOSAL_PENDING,
    case_accept,
    case_confirm,
    case_dispatch,
    case_follow_up,
    case_link_proposal,
    case_retier,
    case_return,
    case_solve,
    case_supervise,
    case_take,
    case_to_council,
    case_transfer,
    case_unmask,
)
from linli.cases.services.intake import (
    CLIENT_KEY_MAX,
    STAFF_CHANNELS,
    CleanIntake,
    Intake,
    KeyReused,
    case_open,
    catalogue_seed,
)
from linli.cases.services.notifications import notifications_mark_read, notify, notify_many

__all__ = [
    "CLIENT_KEY_MAX",
    "ESCALATION_FIELDS",
    "FOLLOW_OFFER_MINUTES",
    "FOLLOW_OFFER_SALT",
    "OFFER_EXPIRED",
    "PROPOSAL_PENDING",
    "STAFF_CHANNELS",
    "SWEEP_FIELDS",
    "CleanIntake",
    "Intake",
    "KeyReused",
    "SweepResult",
    "autoclose_after",
    "case_accept",
    "case_confirm",
    "case_dispatch",
    "case_escalate",
    "case_follow",
    "case_follow_up",
    "case_link_proposal",
    "case_open",
    "case_retier",
    "case_return",
    "case_solve",
    "case_supervise",
    "case_take",
    "case_to_council",
    "case_transfer",
    "case_unmask",
    "catalogue_seed",
    "deadlines",
    "duplicate_days",
    "follow_offer",
    "notifications_mark_read",
    "notify",
    "notify_many",
    "possible_duplicates",
    "private_category_codes",
    "sla_sweep",
]
