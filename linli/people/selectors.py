"""Every list read of the people registry, filtered by the actor's jurisdiction in one place."""

import re
from collections.abc import Mapping

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from linli.core import clock, crypto
from linli.core.ids import parse_int
from linli.core.picker import terms_q
from linli.core.scoping import scope_for, visible
from linli.core.validators import normalise_id_number, normalise_phone
from linli.people.models import (
    CareTag,
    GridWorker,
    Household,
    PartyMember,
    Resident,
    elderly_born_before,
    tail_hash,
)
from linli.places.models import AdminUnit, Compound, Grid

_COMPOUND = "household__dwelling__entrance__building__compound"
_ID_LIKE = re.compile(r"^\d{17}[\dX]$")
_PHONE_LIKE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_CODE = re.compile(r"^\d{12}$")

TRUE_VALUES = {"1", "true", "yes", "on", "是"}
FALSE_VALUES = {"0", "false", "no", "off", "否"}


def _flag(value) -> bool | None:
    """A yes/no filter: True, False, or None when absent or unreadable."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    return None


def _int(value) -> int | None:
    try:
        return parse_int(value)
    except (TypeError, ValueError):
        return None


def _get(filters: Mapping | None, name: str):
    if not filters:
        return None
    value = filters.get(name)
    return value if value not in ("", None) else None


def search_q(q: str, *, prefix: str = "") -> Q:
    """Name contains q; an ID number or phone number matches exactly through its lookup hash.

    Sensitive columns are encrypted with a random nonce, so they can never be searched by value:
    the keyed hash is the only way to find a row by number without decrypting every row.
    """
    text = q.strip()
    id_number = normalise_id_number(text)
    if _ID_LIKE.match(id_number):
        return Q(**{f"{prefix}id_number_hash": crypto.lookup_hash(id_number)})
    phone = normalise_phone(text)
    if _PHONE_LIKE.match(phone):
        return Q(**{f"{prefix}phone_hash": crypto.lookup_hash(phone)})
    return Q(**{f"{prefix}name__icontains": text})


def _place_filters(qs: QuerySet, filters, compound_path: str) -> QuerySet:
    """Community/street/district codes, compound, building and grid, relative to a compound path."""
    building_path = compound_path.rsplit("__", 1)[0]
    code_field = f"{compound_path}__community__code"
    community = _get(filters, "community")
    if community and _CODE.match(str(community)):
        qs = qs.filter(**{code_field: community})
    street = _get(filters, "street")
    if street and _CODE.match(str(street)):
        qs = qs.filter(**{f"{code_field}__startswith": str(street)[:9]})
    district = _get(filters, "district")
    if district and _CODE.match(str(district)):
        qs = qs.filter(**{f"{code_field}__startswith": str(district)[:6]})
    for name, lookup in (("compound", f"{compound_path}_id"), ("building", f"{building_path}_id"),
                         ("grid", f"{building_path}__grid_id")):
        value = _get(filters, name)
        if value is not None:
            number = _int(value)
            qs = qs.filter(**{lookup: number}) if number is not None else qs.none()
    return qs


def resident_list_visible_to(*, actor, filters: Mapping | None = None) -> QuerySet:
    qs = visible(Resident.objects.all(), scope_for(actor))
    q = _get(filters, "q")
    if q:
        qs = qs.filter(search_q(str(q)))
    qs = _place_filters(qs, filters, _COMPOUND)
    status = _get(filters, "status")
    if status:
        qs = qs.filter(status=status)
    care_tag = _get(filters, "care_tag")
    if care_tag:
        qs = qs.filter(care_tags__code=care_tag)
    elderly = _flag(_get(filters, "elderly"))
    if elderly is not None:
        # Age is computed from the birth date on the day of the query, never stored.
        cutoff = elderly_born_before(clock.today())
        qs = qs.filter(birth_date__lte=cutoff) if elderly else qs.filter(
            Q(birth_date__gt=cutoff) | Q(birth_date__isnull=True))
    party = _flag(_get(filters, "party_member"))
    if party is not None:
        qs = qs.filter(party_member__isnull=not party)
    return (qs.select_related(f"{_COMPOUND}__community", "household__dwelling__entrance__building",
                              "party_member")
            .prefetch_related("care_tags").order_by("household_id", "id"))


def _member_count(condition: Q | None = None) -> Coalesce:
    # A correlated subquery per count, not a join: several Count()s over one join would multiply.
    members = Resident.objects.filter(household=OuterRef("pk"))
    if condition is not None:
        members = members.filter(condition)
    counted = members.order_by().values("household").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def household_list_visible_to(*, actor, filters: Mapping | None = None) -> QuerySet:
    """Households in sight, each with its member, 65+ and Party-member counts and head's name."""
    qs = visible(Household.objects.all(), scope_for(actor))
    q = _get(filters, "q")
    if q:
        text = str(q).strip()
        qs = qs.filter(Q(number__icontains=text)
                       | Q(pk__in=Resident.objects.filter(name__icontains=text).values("household_id")))
    qs = _place_filters(qs, filters, "dwelling__entrance__building__compound")
    dwelling = _int(_get(filters, "dwelling"))
    if dwelling is not None:
        qs = qs.filter(dwelling_id=dwelling)
    cutoff = elderly_born_before(clock.today())
    head = Resident.objects.filter(household=OuterRef("pk"), relation=Resident.Relation.HEAD).order_by("id")
    qs = qs.annotate(
        member_count=_member_count(),
        elderly_count=_member_count(Q(birth_date__lte=cutoff)),
        party_member_count=_member_count(Q(party_member__isnull=False)),
        head_name=Subquery(head.values("name")[:1]),
    )
    return qs.select_related("dwelling__entrance__building__compound").order_by(
        "dwelling__entrance__building__compound__name", "dwelling__entrance__building__number",
        "dwelling__entrance__number", "dwelling__number", "id")


def household_members(household: Household) -> QuerySet:
    """Members of a household the caller already may see, head first."""
    return (household.members.select_related("party_member").prefetch_related("care_tags")
            .order_by(Case(When(relation=Resident.Relation.HEAD, then=Value(0)), default=Value(1)), "id"))


def household_summary(household: Household) -> dict:
    """Counts derived from the members on each read (never stored, so they cannot drift)."""
    cutoff = elderly_born_before(clock.today())
    return household.members.aggregate(
        members=Count("id"),
        elderly=Count("id", filter=Q(birth_date__lte=cutoff)),
        party_members=Count("id", filter=Q(party_member__isnull=False)),
        owners=Count("id", filter=Q(is_owner=True)),
    )


def partymember_list_visible_to(*, actor, filters: Mapping | None = None) -> QuerySet:
    qs = visible(PartyMember.objects.all(), scope_for(actor))
    q = _get(filters, "q")
    if q:
        qs = qs.filter(search_q(str(q), prefix="resident__"))
    qs = _place_filters(qs, filters, f"resident__{_COMPOUND}")
    category = _get(filters, "category")
    if category:
        qs = qs.filter(category=category)
    lost = _flag(_get(filters, "lost_contact"))
    if lost is not None:
        qs = qs.filter(lost_contact=lost)
    dual = _get(filters, "dual_community")
    if dual is not None:
        number = _int(dual)
        qs = qs.filter(dual_registered_community_id=number) if number is not None else qs.none()
    branch = _get(filters, "branch")
    if branch is not None:
        number = _int(branch)
        qs = qs.filter(home_branch_id=number) if number is not None else qs.none()
    return (qs.select_related(f"resident__{_COMPOUND}", "home_branch", "dual_registered_community")
            .order_by("resident__name", "id"))


def gridworker_list_visible_to(*, actor, filters: Mapping | None = None) -> QuerySet:
    qs = visible(GridWorker.objects.all(), scope_for(actor))
    q = _get(filters, "q")
    if q:
        qs = qs.filter(name__icontains=str(q).strip())
    kind = _get(filters, "kind")
    if kind:
        qs = qs.filter(kind=kind)
    grid = _get(filters, "grid")
    if grid is not None:
        number = _int(grid)
        # A subquery, not a join, so a worker of several grids is listed once.
        qs = qs.filter(pk__in=GridWorker.grids.through.objects.filter(grid_id=number).values("gridworker_id")
                       ) if number is not None else qs.none()
    return qs.prefetch_related("grids").order_by("name", "id")


# Choices for forms and filters: only what the actor may see.

def grids_visible_to(actor) -> QuerySet:
    return visible(Grid.objects.all(), scope_for(actor)).select_related("community").order_by("code")


def compounds_visible_to(actor) -> QuerySet:
    return visible(Compound.objects.all(), scope_for(actor)).order_by("community__code", "name")


def communities_visible_to(actor, *, scope=None) -> QuerySet:
    """Communities in the actor's sight: their units, or the communities of compounds they look after."""
    scope = scope or scope_for(actor)
    in_sight = visible(AdminUnit.objects.all(), scope).values("id")
    via_compounds = visible(Compound.objects.all(), scope).values("community_id")
    return AdminUnit.objects.filter(Q(id__in=in_sight) | Q(id__in=via_compounds),
                                    level=AdminUnit.Level.COMMUNITY).order_by("code")


def party_orgs_visible_to(actor, *, scope=None) -> QuerySet:
    """The branches a party member's home branch may point at (orgs sit above people: no import)."""
    party_orgs = PartyMember._meta.get_field("home_branch").related_model.objects.all()
    return visible(party_orgs, scope or scope_for(actor)).order_by("community__code", "name")


def care_tags() -> QuerySet:
    return CareTag.objects.order_by("code")


# --- what the searched pickers offer (core.picker): the work area, never the whole registry ---------

_TAIL = re.compile(r"^[\dX]{4}$")


def resident_picks(actor) -> QuerySet:
    """Residents a form may name: those of the actor's work area (a staff member's own household is
    theirs to read, not to manage)."""
    return visible(Resident.objects.all(), scope_for(actor).work_area()).order_by("name", "id")


def residents_matching(qs: QuerySet, text: str) -> QuerySet:
    """By name; by the whole ID number or phone (their lookup hashes); or by the four digits a masked
    number shows at its end (尾号), through their keyed digests."""
    text = text.strip()
    tail = text.upper()
    if _TAIL.match(tail):
        digest = tail_hash(tail)
        return qs.filter(Q(id_number_tail_hash=digest) | Q(phone_tail_hash=digest))
    return qs.filter(search_q(text))


def household_picks(actor, *, compound=None) -> QuerySet:
    qs = visible(Household.objects.all(), scope_for(actor).work_area())
    if compound is not None:
        qs = qs.filter(dwelling__entrance__building__compound_id=compound)
    return qs.order_by("dwelling__entrance__building__compound__name", "dwelling__entrance__building__number",
                       "dwelling__entrance__number", "dwelling__number", "id")


def households_matching(qs: QuerySet, text: str) -> QuerySet:
    """Every word in the household's place or number, or in a member's name: "康宁 101", "张秀英"."""
    for word in text.split()[:5]:
        qs = qs.filter(terms_q(word, ("dwelling__entrance__building__compound__name",
                                      "dwelling__entrance__building__number", "dwelling__entrance__number",
                                      "dwelling__number", "number"))
                       | Q(pk__in=Resident.objects.filter(name__icontains=word).values("household_id")))
    return qs


def with_head_name(qs: QuerySet) -> QuerySet:
    head = Resident.objects.filter(household=OuterRef("pk"), relation=Resident.Relation.HEAD).order_by("id")
    return qs.annotate(head_name=Subquery(head.values("name")[:1]))
