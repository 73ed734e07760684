"""Reads of the organisation registry, filtered by the actor's jurisdiction.

Every list goes through `core.scoping.visible` with the actor's scope. Filters come as a plain dict
(a request's GET or an API query); a malformed value never errors, it simply matches nothing or is
ignored, so a hand-edited URL cannot turn into a 500.
"""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from linli.core import clock
from linli.core.access import require
from linli.core.ids import parse_int
from linli.core.scoping import scope_for, visible
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit, Compound

TRUE_WORDS = {"1", "true", "yes", "on", "是", "with"}
FALSE_WORDS = {"0", "false", "no", "off", "否", "without"}
NOT_STAFF = "只有工作人员可以查看列表"

# Position → the foreign key naming its organisation, for each organisation model.
ORG_FIELDS = {PartyOrg: "party_org", SelfOrg: "self_org", PropertyCompany: "property_company",
              PartnerUnit: "partner"}


def require_staff(actor) -> None:
    """Lists are work tools: a resident (or a user without jurisdiction) gets 403, not an empty page."""
    require(scope_for(actor).is_staff_scope, NOT_STAFF)


def _text(filters, key: str) -> str:
    value = (filters or {}).get(key)
    return str(value).strip() if value not in (None, "") else ""


def _int(filters, key: str) -> int | None:
    text = _text(filters, key)
    try:
        return parse_int(text) if text else None
    except ValueError:
        return -1  # matches no row: a bad id finds nothing rather than everything


def _flag(filters, key: str) -> bool | None:
    value = (filters or {}).get(key)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _choice(filters, key: str, choices) -> str:
    text = _text(filters, key)
    return text if text in {value for value, _ in choices} else ""


# The four Party levels from the top down (their codes do not sort that way).
LEVEL_RANK = Case(*(When(level=value, then=Value(rank)) for rank, value in enumerate(PartyOrg.Level.values)),
                  default=Value(len(PartyOrg.Level.values)), output_field=IntegerField())


def current_q(start: str = "start", end: str = "end", today=None) -> Q:
    """Started on or before today and not yet ended (an end date of today still counts)."""
    today = today or clock.today()
    return Q(**{f"{start}__lte": today}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": today}))


# --- places the actor may reference -------------------------------------------------------------

def communities_visible_to(actor, *, via_compounds: bool = True) -> QuerySet:
    """Communities in sight; with via_compounds, also the community of any compound in sight.

    A branch secretary's sight is a compound: the compound's community is where its Party
    organisations are registered, so they may name it without seeing the whole community.
    """
    scope = scope_for(actor)
    communities = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY)
    q = Q(pk__in=visible(communities, scope).values("pk"))
    if via_compounds:
        q |= Q(pk__in=visible(Compound.objects.all(), scope).values("community_id"))
    return communities.filter(q).order_by("code")


def compounds_visible_to(actor) -> QuerySet:
    return visible(Compound.objects.select_related("community"), scope_for(actor)).order_by("community__code", "name")


def residents_visible_to(actor) -> QuerySet:
    return visible(Resident.objects.all(), scope_for(actor)).order_by("name", "pk")


# --- Party organisations ------------------------------------------------------------------------

def partyorgs_visible_to(actor) -> QuerySet:
    return visible(PartyOrg.objects.all(), scope_for(actor))


def partyorg_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Filters: q (name), level, formation, community (code or code prefix), compound (id), parent (id)."""
    require_staff(actor)
    qs = partyorgs_visible_to(actor).select_related("community", "parent")
    if q := _text(filters, "q"):
        qs = qs.filter(name__icontains=q)
    if level := _choice(filters, "level", PartyOrg.Level.choices):
        qs = qs.filter(level=level)
    if formation := _choice(filters, "formation", PartyOrg.Formation.choices):
        qs = qs.filter(formation=formation)
    if community := _text(filters, "community"):
        qs = qs.filter(community__code__startswith=community) if community.isdigit() else qs.none()
    if (compound := _int(filters, "compound")) is not None:
        qs = qs.filter(pk__in=PartyOrg.compounds.through.objects.filter(compound_id=compound).values("partyorg_id"))
    if (parent := _int(filters, "parent")) is not None:
        qs = qs.filter(parent_id=parent)
    return (qs.annotate(compound_count=Count("compounds", distinct=True), level_rank=LEVEL_RANK)
            .order_by("community__code", "level_rank", "name"))


def partyorg_tree(actor, org: PartyOrg) -> list:
    """The visible organisations below `org` as nested (org, children) pairs, down to lead households."""
    rows = list(partyorgs_visible_to(actor).filter(community_id=org.community_id)
                .exclude(pk=org.pk).order_by("level", "name"))
    below: dict[int, list] = {}
    for row in rows:
        below.setdefault(row.parent_id, []).append(row)

    def grow(node, depth):
        if depth > 3:  # four levels at most: committee → branch → group → lead household
            return []
        return [(child, grow(child, depth + 1)) for child in below.get(node.pk, [])]

    return grow(org, 1)


def partyorg_member_count(org: PartyOrg) -> int:
    """Members whose organisational relation sits in this branch (a count reveals no one)."""
    return PartyMember.objects.filter(home_branch=org).count()


def partyorg_compounds(actor, org: PartyOrg) -> QuerySet:
    return compounds_visible_to(actor).filter(party_orgs=org)


# --- self-organisations -------------------------------------------------------------------------

def selforgs_visible_to(actor) -> QuerySet:
    return visible(SelfOrg.objects.all(), scope_for(actor))


def selforg_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Filters: q (name), kind, compound (id), community (code prefix), active (term covers today)."""
    require_staff(actor)
    qs = visible(SelfOrg.objects.select_related("compound__community"), scope_for(actor))
    if q := _text(filters, "q"):
        qs = qs.filter(name__icontains=q)
    if kind := _choice(filters, "kind", SelfOrg.Kind.choices):
        qs = qs.filter(kind=kind)
    if (compound := _int(filters, "compound")) is not None:
        qs = qs.filter(compound_id=compound)
    if community := _text(filters, "community"):
        qs = qs.filter(compound__community__code__startswith=community) if community.isdigit() else qs.none()
    active = _flag(filters, "active")
    if active is not None:
        term = current_q("term_start", "term_end")
        qs = qs.filter(term) if active else qs.exclude(term)
    return qs.order_by("compound__community__code", "compound__name", "kind", "-term_start")


# --- property companies and services ------------------------------------------------------------

def propertycompanies_visible_to(actor) -> QuerySet:
    return visible(PropertyCompany.objects.all(), scope_for(actor))


def propertycompanies_writable_by(actor) -> QuerySet:
    """Companies serving a compound in the actor's sight today: a past service lets them read only."""
    return visible(PropertyCompany.objects.all(), scope_for(actor), write=True)


def propertycompany_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Filters: q (name or credit code), party (with / without a Party organisation), compound (id)."""
    require_staff(actor)
    qs = propertycompanies_visible_to(actor).select_related("party_org")
    if q := _text(filters, "q"):
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    party = _flag(filters, "party")
    with_party = Q(has_party_org=True) | Q(party_org__isnull=False)
    if party is True:
        qs = qs.filter(with_party)
    elif party is False:
        qs = qs.exclude(with_party)
    if (compound := _int(filters, "compound")) is not None:
        # Only services in sight: a compound out of sight answers as one that does not exist.
        services = visible(PropertyService.objects.filter(compound_id=compound), scope_for(actor))
        qs = qs.filter(pk__in=services.values("company_id"))
    return qs.order_by("name")


def propertyservice_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Filters: compound (id), company (id), mode, current (serving today)."""
    require_staff(actor)
    qs = visible(PropertyService.objects.select_related("compound", "company"), scope_for(actor))
    if (compound := _int(filters, "compound")) is not None:
        qs = qs.filter(compound_id=compound)
    if (company := _int(filters, "company")) is not None:
        qs = qs.filter(company_id=company)
    if mode := _choice(filters, "mode", PropertyService.Mode.choices):
        qs = qs.filter(mode=mode)
    current = _flag(filters, "current")
    if current is not None:
        qs = qs.filter(current_q()) if current else qs.exclude(current_q())
    return qs.order_by("compound__name", "-start")


def company_services(actor, company: PropertyCompany) -> QuerySet:
    """The services of a company the actor can see (its other compounds stay out of sight)."""
    return (visible(PropertyService.objects.select_related("compound"), scope_for(actor))
            .filter(company=company).order_by("-start", "-pk"))


# --- partners ----------------------------------------------------------------------------------

def partners_visible_to(actor) -> QuerySet:
    return visible(PartnerUnit.objects.all(), scope_for(actor))


def partner_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Filters: q (name or offer), kind, community (id, or a code / code prefix of six digits or more)."""
    require_staff(actor)
    qs = visible(PartnerUnit.objects.select_related("community"), scope_for(actor))
    if q := _text(filters, "q"):
        qs = qs.filter(Q(name__icontains=q) | Q(offer__icontains=q))
    if kind := _choice(filters, "kind", PartnerUnit.Kind.choices):
        qs = qs.filter(kind=kind)
    if community := _text(filters, "community"):
        if community.isdigit() and len(community) >= 6:
            qs = qs.filter(community__code__startswith=community)
        else:
            qs = qs.filter(community_id=_int(filters, "community"))
    return qs.order_by("community__code", "name")


# --- positions ----------------------------------------------------------------------------------

def positions_visible_to(actor) -> QuerySet:
    """Positions the actor can see: of a resident in sight, or in an organisation in sight.

    Who holds office in an organisation is part of that organisation: a community secretary sees the
    manager of a company serving the community even when the manager lives elsewhere.
    """
    return _positions_in_sight(actor, write=False)


def positions_writable_by(actor) -> QuerySet:
    """Positions the actor may change: of a resident in sight, or in an organisation they may change."""
    return _positions_in_sight(actor, write=True)


def _positions_in_sight(actor, *, write: bool) -> QuerySet:
    scope = scope_for(actor)
    q = Q(pk__in=visible(Position.objects.all(), scope, write=write).values("pk"))
    for model, field in ORG_FIELDS.items():
        q |= Q(**{f"{field}__in": visible(model.objects.all(), scope, write=write).values("pk")})
    return Position.objects.filter(q)


def position_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Filters: party_org, self_org, property_company, partner, resident (ids), current."""
    require_staff(actor)
    return _positions(actor, filters)


def _positions(actor, filters) -> QuerySet:
    qs = positions_visible_to(actor).select_related("resident", "party_org", "self_org", "property_company",
                                                     "partner")
    for field in (*ORG_FIELDS.values(), "resident"):
        if (ident := _int(filters, field)) is not None:
            qs = qs.filter(**{f"{field}_id": ident})
    current = _flag(filters, "current")
    if current is not None:
        qs = qs.filter(current_q()) if current else qs.exclude(current_q())
    return qs.order_by("-start", "pk")


def org_positions(actor, org) -> list:
    """Positions in one organisation, current ones first, each marked `is_current` / `is_future`."""
    today = clock.today()
    rows = list(_positions(actor, {ORG_FIELDS[type(org)]: org.pk}))
    for row in rows:
        row.is_future = row.start > today
        row.is_current = not row.is_future and (row.end is None or row.end >= today)
        row.can_end = row.end is None or row.end > today
    return sorted(rows, key=lambda p: (not p.is_current, -p.start.toordinal()))


# --- the three carriages of a compound ---------------------------------------------------------

def compound_carriages(compound: Compound, *, actor=None) -> dict:
    """A compound's "three carriages": covering Party orgs, active self-orgs, the current property service.

    With an actor, each part is also cut to what that actor can see.
    """
    orgs = PartyOrg.objects.filter(compounds=compound)
    selforgs = SelfOrg.objects.filter(compound=compound).filter(current_q("term_start", "term_end"))
    services = PropertyService.objects.filter(compound=compound).filter(current_q()).select_related("company")
    if actor is not None:
        scope = scope_for(actor)
        orgs, selforgs, services = visible(orgs, scope), visible(selforgs, scope), visible(services, scope)
    return {
        "party_orgs": list(orgs.annotate(level_rank=LEVEL_RANK).order_by("level_rank", "name")),
        "self_orgs": list(selforgs.order_by("kind", "-term_start")),
        "property_service": services.order_by("-start", "-pk").first(),
    }
