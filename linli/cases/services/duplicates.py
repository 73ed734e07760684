"""Duplicates and following: the open cases like the one about to be filed, the signed offer to
follow them, following one, and the private categories that never take part."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from linli.cases.access import intake_compounds
from linli.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseFollower
from linli.cases.services.common import _event
from linli.core import audit, clock
from linli.core.errors import NotFound


def duplicate_days() -> int:
    return getattr(settings, "LINLI_CASE_DUPLICATE_DAYS", 7)


def private_category_codes() -> tuple[str, ...]:
    """Categories about a person rather than a place (help for the elderly, errands, disputes, …).

    Such a case is one person's circumstances: it is never another resident's duplicate, nobody
    follows it, and the public Open311 list leaves it out (the one list lives with Open311).
    """
    from linli.cases.catalogue import private_categories

    return private_categories()


def possible_duplicates(*, actor, compound_id, category_code):
    """Open cases in the same compound and category in the last few days (shown before filing)."""
    since = clock.now() - dt.timedelta(days=duplicate_days())
    allowed = intake_compounds(actor).filter(pk=compound_id).exists() if compound_id else False
    if not allowed or not category_code or category_code in private_category_codes():
        return Case.objects.none()
    return (Case.objects.filter(compound_id=compound_id, category__code=category_code, status__in=OPEN_STATUSES,
                                requested_at__gte=since)
            .select_related("category").order_by("-requested_at")[:10])


# Case ids are sequential: following is allowed only for the cases the duplicate check offered this
# user, which it lists in a signed note that expires (by the one clock) and that follow requires.
FOLLOW_OFFER_SALT = "linli.cases.follow-offer"
FOLLOW_OFFER_MINUTES = 60
OFFER_EXPIRED = "关注已超时，请重新选择小区和类别查看同类诉求。"


def follow_offer(*, actor, cases) -> str:
    """The signed note of the cases just offered to this user to follow ("" when none)."""
    ids = sorted(case.pk for case in cases)
    if not ids or not getattr(actor, "pk", None):
        return ""
    until = int((clock.now() + dt.timedelta(minutes=FOLLOW_OFFER_MINUTES)).timestamp())
    return signing.dumps({"user": actor.pk, "cases": ids, "until": until}, salt=FOLLOW_OFFER_SALT, compress=True)


def _offered(actor, offer: str, pk) -> bool:
    try:
        note = signing.loads(offer or "", salt=FOLLOW_OFFER_SALT)
        offered = note["user"] == actor.pk and int(pk) in note["cases"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    if offered and note["until"] < clock.now().timestamp():
        raise ValidationError({"offer": [OFFER_EXPIRED]})
    return offered


@transaction.atomic
def case_follow(*, actor, case, offer: str) -> CaseFollower:
    """A resident joins an open case about the same matter instead of filing it again.

    `case` is a case or its id; anything the duplicate check did not offer this user answers as a
    case that does not exist (NotFound), so ids cannot be tried one by one.
    """
    pk = case.pk if isinstance(case, Case) else case
    if not _offered(actor, offer, pk):
        raise NotFound()
    # Checked again now: the user may have moved, the category may have become private since the offer.
    case = (Case.objects.filter(pk=pk, compound__in=intake_compounds(actor))
            .exclude(category__code__in=private_category_codes()).select_related("category").first())
    if case is None:
        raise NotFound()
    if not case.is_open:
        raise ValidationError({"status": ["该诉求已办结，不能再关注。"]})
    follower, created = CaseFollower.objects.get_or_create(case=case, user=actor, defaults={"at": clock.now()})
    if created:
        _event(case, actor, CaseEvent.Kind.FOLLOWED, "另一位居民反映了同一问题，已关注本诉求")
        audit.record(actor=actor, action="case.follow", obj=case, object_repr=f"诉求 #{case.pk}",
                     changes={"followers": [None, actor.pk]})
    return follower


# ---------------------------------------------------------------- dispatch loop
