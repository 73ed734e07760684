"""Reads of the points domain, every list filtered by the actor's jurisdiction through `visible`.

Period figures (rankings, civilised households, Party members) count booked awards decided in the
period, net of deductions and corrections; balances are the ledger's cached account balances.
"""

import datetime as dt

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from linli.core import clock
from linli.core.ids import parse_int
from linli.core.scoping import scope_for, visible
from linli.people.models import Household, PartyMember, Resident
from linli.points.models import (
    Account,
    Award,
    Category,
    Entry,
    Goods,
    PointRule,
    Redemption,
    RedemptionWindow,
)

HOUSE = "dwelling__entrance__building__"


def _text(filters, key) -> str:
    value = (filters or {}).get(key)
    return str(value).strip() if value not in (None, "") else ""


def _int(value):
    try:
        return parse_int(value)
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def period_from(filters) -> tuple[dt.date, dt.date]:
    """`from`/`to` dates (inclusive) from the filters; default: this calendar year."""
    today = clock.today()
    start = _date(_text(filters, "from")) or dt.date(today.year, 1, 1)
    end = _date(_text(filters, "to")) or dt.date(today.year, 12, 31)
    return start, end


def _bounds(start: dt.date, end: dt.date):
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)))


def _sum(queryset, link: str, field: str = "points"):
    summed = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))


def _booked_in(start, end) -> QuerySet:
    lo, hi = _bounds(start, end)
    return Award.objects.filter(status=Award.Status.BOOKED, decided_at__gte=lo, decided_at__lt=hi)


# --- lists ----------------------------------------------------------------------------------------

def rule_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """filters: community (id), audience, category, active (1/0)."""
    qs = visible(PointRule.objects.select_related("community"), scope_for(actor))
    if community := _int(_text(filters, "community")):
        qs = qs.filter(community_id=community)
    for key in ("audience", "category", "unit"):
        if value := _text(filters, key):
            qs = qs.filter(**{key: value})
    if (active := _text(filters, "active")) in ("1", "0"):
        qs = qs.filter(active=active == "1")
    return qs.order_by("community__code", "audience", "category", "code")


def award_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """filters: status, resident (id), household (id), compound (id), source_type."""
    qs = visible(Award.objects.select_related("rule", "resident", "household", "requested_by"), scope_for(actor))
    if (status := _text(filters, "status")) in Award.Status.values:
        qs = qs.filter(status=status)
    if resident := _int(_text(filters, "resident")):
        qs = qs.filter(resident_id=resident)
    if household := _int(_text(filters, "household")):
        qs = qs.filter(household_id=household)
    if compound := _int(_text(filters, "compound")):
        qs = qs.filter(**{f"household__{HOUSE}compound_id": compound})
    if source := _text(filters, "source_type"):
        qs = qs.filter(source_type=source)
    return qs.order_by("-created_at", "-id")


def goods_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """filters: community (id), active (1/0), q (name)."""
    qs = visible(Goods.objects.select_related("community"), scope_for(actor))
    if community := _int(_text(filters, "community")):
        qs = qs.filter(community_id=community)
    if (active := _text(filters, "active")) in ("1", "0"):
        qs = qs.filter(active=active == "1")
    if q := _text(filters, "q"):
        qs = qs.filter(name__icontains=q)
    return qs.order_by("community__code", "price", "name")


def window_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    qs = visible(RedemptionWindow.objects.select_related("community"), scope_for(actor))
    if community := _int(_text(filters, "community")):
        qs = qs.filter(community_id=community)
    return qs.order_by("community__code", "-opens_at")


def redemption_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """filters: status, resident (id), goods (id), compound (id)."""
    qs = visible(Redemption.objects.select_related("goods", "resident", "window", "closed_by"), scope_for(actor))
    if (status := _text(filters, "status")) in Redemption.Status.values:
        qs = qs.filter(status=status)
    if resident := _int(_text(filters, "resident")):
        qs = qs.filter(resident_id=resident)
    if goods := _int(_text(filters, "goods")):
        qs = qs.filter(goods_id=goods)
    if compound := _int(_text(filters, "compound")):
        qs = qs.filter(**{f"resident__household__{HOUSE}compound_id": compound})
    return qs.order_by("-created_at", "-id")


# --- statements -----------------------------------------------------------------------------------

def statement(account: Account | None) -> QuerySet:
    """Every entry of the account, newest first, each with its transfer (reason, kind) and running balance."""
    if account is None:
        return Entry.objects.none()
    return (Entry.objects.filter(account=account).select_related("transfer", "transfer__actor")
            .order_by("-seq"))


def time_bank_hours(resident) -> float:
    hours = (Award.objects.filter(resident=resident, status=Award.Status.BOOKED, rule__unit=PointRule.Unit.HOUR)
             .aggregate(s=Sum("quantity"))["s"])
    return float(hours or 0)


# --- reports --------------------------------------------------------------------------------------

def household_totals(*, actor, filters: dict | None = None) -> QuerySet:
    """Households in sight with their own account, their members' accounts and the total; filters: compound."""
    members = Account.objects.filter(kind=Account.Kind.RESIDENT)
    own = Account.objects.filter(kind=Account.Kind.HOUSEHOLD, household=OuterRef("pk")).values("balance")[:1]
    qs = visible(Household.objects.select_related(f"{HOUSE}compound", "dwelling__entrance__building"),
                 scope_for(actor))
    if compound := _int(_text(filters, "compound")):
        qs = qs.filter(**{f"{HOUSE}compound_id": compound})
    return qs.annotate(
        members_points=_sum(members, "resident__household", "balance"),
        household_points=Coalesce(Subquery(own, output_field=IntegerField()), Value(0)),
    ).annotate(total_points=F("members_points") + F("household_points")).order_by("-total_points", "id")


def rankings(*, actor, filters: dict | None = None) -> QuerySet:
    """Residents ranked within their compound by net points earned in the period; filters: compound, from, to."""
    start, end = period_from(filters)
    qs = visible(Resident.objects.select_related(f"household__{HOUSE}compound"), scope_for(actor))
    if compound := _int(_text(filters, "compound")):
        qs = qs.filter(**{f"household__{HOUSE}compound_id": compound})
    balance = Account.objects.filter(resident=OuterRef("pk")).values("balance")[:1]
    return qs.annotate(
        period_points=_sum(_booked_in(start, end), "resident"),
        balance=Coalesce(Subquery(balance, output_field=IntegerField()), Value(0)),
    ).annotate(
        rank=Window(Rank(), partition_by=[F(f"household__{HOUSE}compound_id")], order_by=F("period_points").desc()),
    ).order_by(f"household__{HOUSE}compound__name", "rank", "name")


def civilised_candidates(*, actor, filters: dict | None = None) -> list:
    """Top households of the period (net points) with no law-abiding deduction left standing in it.

    filters: from, to, compound, limit (default 10). A deduction that was later corrected does not count.
    """
    start, end = period_from(filters)
    limit = min(max(_int(_text(filters, "limit")) or 10, 1), 200)
    deductions = _booked_in(start, end).filter(rule__category=Category.LAW, points__lt=0, corrects__isnull=True,
                                               correction__isnull=True)
    qs = visible(Household.objects.select_related(f"{HOUSE}compound"), scope_for(actor))
    if compound := _int(_text(filters, "compound")):
        qs = qs.filter(**{f"{HOUSE}compound_id": compound})
    qs = (qs.exclude(pk__in=deductions.values("household_id"))
          .annotate(period_points=_sum(_booked_in(start, end), "household"))
          .filter(period_points__gt=0).order_by("-period_points", "id"))
    return list(qs[:limit])


def party_member_points(*, actor, filters: dict | None = None) -> QuerySet:
    """Party members in sight with their period points per category, for the democratic evaluation."""
    start, end = period_from(filters)
    booked = _booked_in(start, end)
    qs = visible(PartyMember.objects.select_related("resident", f"resident__household__{HOUSE}compound"),
                 scope_for(actor))
    if compound := _int(_text(filters, "compound")):
        qs = qs.filter(**{f"resident__household__{HOUSE}compound_id": compound})
    # Awards hang on residents; the member's resident id is the link.
    def by(category=None):
        base = booked.filter(rule__category=category) if category else booked
        summed = (base.filter(resident_id=OuterRef("resident_id")).order_by().values("resident_id")
                  .annotate(s=Sum("points")).values("s"))
        return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))

    return qs.annotate(study_points=by(Category.STUDY), public_points=by(Category.PUBLIC_GOOD),
                       law_points=by(Category.LAW), total_points=by()).order_by("-total_points", "resident__name")


def pending_counts(*, actor) -> dict:
    return {
        "claims": award_list_visible_to(actor=actor, filters={"status": "pending"}).count(),
        "pickups": redemption_list_visible_to(actor=actor, filters={"status": "reserved"}).count(),
    }


def community_choices_visible_to(*, actor) -> QuerySet:
    from linli.places.models import AdminUnit

    return visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope_for(actor)).order_by("code")
