"""Reads of the place registry, filtered by the actor's jurisdiction.

Counts shown next to places (buildings, dwellings, households, residents) are always derived from
the rows below them, never typed in, and computed as correlated subqueries so a page of compounds
costs one query whatever its length.
"""

from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from linli.core.access import require
from linli.core.ids import parse_int
from linli.core.picker import terms_q
from linli.core.scoping import scope_for, visible
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid

OLD_BEFORE_YEAR = 2000
TRUE_WORDS = {"1", "true", "yes", "on", "是"}
FALSE_WORDS = {"0", "false", "no", "off", "否"}


def require_staff(actor) -> None:
    """Lists are work tools: a resident (or a user with no jurisdiction) gets 403, not an empty page."""
    require(scope_for(actor).is_staff_scope, "只有工作人员可以查看列表")


def _people(name: str):
    """A people model for the counts: people sit above places, so it is named, not imported."""
    return apps.get_model("people", name).objects.all()


def _count(queryset: QuerySet, link: str):
    """COUNT(*) of `queryset` rows whose `link` equals the outer row's pk, as an annotation (0 if none)."""
    counted = (queryset.filter(**{link: OuterRef("pk")}).order_by().values(link)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _flag(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _int(value) -> int | None:
    try:
        return parse_int(value)
    except (TypeError, ValueError):
        return None


def _text(filters: dict, key: str) -> str:
    value = (filters or {}).get(key)
    return str(value).strip() if value not in (None, "") else ""


def unit_filter(value: str, level: str, path: str) -> Q | None:
    """Match an administrative unit given by code (or code prefix) or by id.

    `path` leads from the filtered model to its community (e.g. "community"). A value of six or more
    digits is a code: a full 12-digit code is cut to the level's prefix (a street's "140105001000"
    means everything under "140105001"); a shorter one is taken as a prefix. Otherwise it is an id.
    """
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit() and len(value) >= 6:
        prefix = value[: AdminUnit.PREFIX_LENGTH[level]] if len(value) == 12 else value
        return Q(**{f"{path}__code__startswith": prefix})
    return unit_id_filter(value, level, path)


def unit_id_filter(value, level: str, path: str) -> Q | None:
    if value in (None, ""):
        return None
    ident = _int(value)
    if ident is None:
        return Q(pk__in=[])
    hops = {"community": "", "street": "__parent", "district": "__parent__parent"}[level]
    return Q(**{f"{path}{hops}__id": ident})


def _unit_terms(filters: dict, path: str) -> list[Q]:
    """community/street/district (code, code prefix or id) and community_id/street_id/district_id (id only)."""
    terms = []
    for level in ("community", "street", "district"):
        for term in (unit_filter(_text(filters, level), level, path),
                     unit_id_filter(_text(filters, f"{level}_id"), level, path)):
            if term is not None:
                terms.append(term)
    return terms


# --- administrative units ---------------------------------------------------------------------

def unit_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Units in the actor's sight; filters: q (name or code), level, parent (id)."""
    filters = filters or {}
    qs = visible(AdminUnit.objects.select_related("parent"), scope_for(actor))
    if q := _text(filters, "q"):
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    if (level := _text(filters, "level")) in AdminUnit.Level.values:
        qs = qs.filter(level=level)
    if parent := _text(filters, "parent"):
        qs = qs.filter(parent_id=_int(parent))
    return qs.annotate(
        children_count=_count(AdminUnit.objects.all(), "parent"),
        grids_count=_count(Grid.objects.all(), "community"),
        compounds_count=_count(Compound.objects.all(), "community"),
    ).order_by("code")


# --- grids ------------------------------------------------------------------------------------

def grid_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Grids in sight; filters: q, community/street/district (code prefix or id)."""
    filters = filters or {}
    qs = visible(Grid.objects.select_related("community"), scope_for(actor))
    if q := _text(filters, "q"):
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    for term in _unit_terms(filters, "community"):
        qs = qs.filter(term)
    compounds = (Building.objects.filter(grid=OuterRef("pk")).order_by().values("grid")
                 .annotate(n=Count("compound", distinct=True)).values("n"))
    return qs.annotate(
        buildings_count=_count(Building.objects.all(), "grid"),
        micro_grids_count=_count(MicroGrid.objects.all(), "grid"),
        compounds_count=Coalesce(Subquery(compounds, output_field=IntegerField()), Value(0)),
    ).order_by("code")


def micro_grid_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = visible(MicroGrid.objects.select_related("grid"), scope_for(actor))
    if grid := _text(filters, "grid"):
        qs = qs.filter(grid_id=_int(grid))
    return qs.annotate(buildings_count=_count(Building.objects.all(), "micro_grid")).order_by("name")


# --- compounds --------------------------------------------------------------------------------

def with_compound_counts(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        buildings_count=_count(Building.objects.all(), "compound"),
        dwellings_count=_count(Dwelling.objects.all(), "entrance__building__compound"),
        households_count=_count(_people("Household"), "dwelling__entrance__building__compound"),
        residents_count=_count(_people("Resident"),
                               "household__dwelling__entrance__building__compound"),
    )


def compound_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Compounds in sight, with derived counts.

    filters: q (name or address), community/street/district (code prefix or id), grid (id),
    kind, old (built before 2000), walled.
    """
    filters = filters or {}
    qs = visible(Compound.objects.select_related("community"), scope_for(actor))
    if q := _text(filters, "q"):
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    for term in _unit_terms(filters, "community"):
        qs = qs.filter(term)
    if grid := _text(filters, "grid"):
        qs = qs.filter(pk__in=Building.objects.filter(grid_id=_int(grid)).values("compound_id"))
    if (kind := _text(filters, "kind")) and kind in Compound.Kind.values:
        qs = qs.filter(kind=kind)
    old = _flag(filters.get("old"))
    if old is True:
        qs = qs.filter(build_year__lt=OLD_BEFORE_YEAR)
    elif old is False:
        qs = qs.exclude(build_year__lt=OLD_BEFORE_YEAR)
    walled = _flag(filters.get("walled"))
    if walled is not None:
        qs = qs.filter(walled=walled)
    return with_compound_counts(qs).order_by("community__code", "name", "pk")


def compound_with_counts(compound: Compound) -> Compound:
    """The same compound re-read with its derived counts (one query)."""
    return with_compound_counts(Compound.objects.select_related("community__parent__parent")).get(pk=compound.pk)


# --- buildings, entrances, dwellings ----------------------------------------------------------

def building_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Buildings in sight; filters: compound (id), grid (id), q (number)."""
    filters = filters or {}
    qs = visible(Building.objects.select_related("compound", "grid", "micro_grid"), scope_for(actor))
    if compound := _text(filters, "compound"):
        qs = qs.filter(compound_id=_int(compound))
    if grid := _text(filters, "grid"):
        qs = qs.filter(grid_id=_int(grid))
    if q := _text(filters, "q"):
        qs = qs.filter(number__icontains=q)
    return qs.annotate(
        entrances_count=_count(Entrance.objects.all(), "building"),
        dwellings_count=_count(Dwelling.objects.all(), "entrance__building"),
        households_count=_count(_people("Household"), "dwelling__entrance__building"),
    ).order_by("compound_id", "number", "pk")


def entrance_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = visible(Entrance.objects.all(), scope_for(actor))
    if building := _text(filters, "building"):
        qs = qs.filter(building_id=_int(building))
    if compound := _text(filters, "compound"):
        qs = qs.filter(building__compound_id=_int(compound))
    return qs.annotate(dwellings_count=_count(Dwelling.objects.all(), "entrance")).order_by("building_id", "number")


def dwelling_list_visible_to(*, actor, filters: dict | None = None) -> QuerySet:
    """Dwellings in sight, with household and resident counts; filters: compound, building, entrance (ids)."""
    filters = filters or {}
    qs = visible(Dwelling.objects.select_related("entrance__building"), scope_for(actor))
    if compound := _text(filters, "compound"):
        qs = qs.filter(entrance__building__compound_id=_int(compound))
    if building := _text(filters, "building"):
        qs = qs.filter(entrance__building_id=_int(building))
    if entrance := _text(filters, "entrance"):
        qs = qs.filter(entrance_id=_int(entrance))
    return qs.annotate(
        households_count=_count(_people("Household"), "dwelling"),
        residents_count=_count(_people("Resident"), "household__dwelling"),
    ).order_by("entrance__building__number", "entrance__number", "floor", "number", "pk")


def building_tree(*, actor, buildings) -> list:
    """Entrances and dwellings (with household counts) hung on the given buildings, in three queries."""
    buildings = list(buildings)
    ids = [b.pk for b in buildings]
    entrances = list(entrance_list_visible_to(actor=actor).filter(building_id__in=ids))
    dwellings = list(dwelling_list_visible_to(actor=actor).filter(entrance__building_id__in=ids))
    by_entrance = {}
    for dwelling in dwellings:
        by_entrance.setdefault(dwelling.entrance_id, []).append(dwelling)
    by_building = {}
    for entrance in entrances:
        entrance.dwelling_list = by_entrance.get(entrance.pk, [])
        by_building.setdefault(entrance.building_id, []).append(entrance)
    for building in buildings:
        building.entrance_list = by_building.get(building.pk, [])
    return buildings


# --- what the searched pickers offer (core.picker): the work area, never the whole table ------------

def dwelling_picks(actor) -> QuerySet:
    """Dwellings a form may name: those of the actor's work area (not the home they live in)."""
    return visible(Dwelling.objects.all(), scope_for(actor).work_area()).order_by(
        "entrance__building__compound__name", "entrance__building__number", "entrance__number", "number", "pk")


def dwellings_matching(qs: QuerySet, text: str) -> QuerySet:
    return qs.filter(terms_q(text, ("entrance__building__compound__name", "entrance__building__number",
                                    "entrance__number", "number")))


def entrance_picks(actor, *, scope=None) -> QuerySet:
    return visible(Entrance.objects.all(), scope or scope_for(actor).work_area()).order_by(
        "building__compound__name", "building__number", "number", "pk")


def entrances_matching(qs: QuerySet, text: str) -> QuerySet:
    return qs.filter(terms_q(text, ("building__compound__name", "building__number", "number")))


def compound_picks(actor) -> QuerySet:
    return visible(Compound.objects.all(), scope_for(actor).work_area()).order_by("community__code", "name", "pk")


def compounds_matching(qs: QuerySet, text: str) -> QuerySet:
    return qs.filter(terms_q(text, ("name", "address", "community__name")))


def grid_picks(actor) -> QuerySet:
    return visible(Grid.objects.all(), scope_for(actor).work_area()).order_by("code", "pk")


def grids_matching(qs: QuerySet, text: str) -> QuerySet:
    return qs.filter(terms_q(text, ("name", "code", "community__name")))


def unit_and_ancestors(unit_id: int) -> list[AdminUnit]:
    """The unit and each unit above it, nearest first, in one query (the tree has three levels)."""
    unit = AdminUnit.objects.select_related("parent__parent").filter(pk=unit_id).first()
    chain = []
    while unit is not None:
        chain.append(unit)
        unit = unit.parent  # loaded with the row up to the district; deeper trees would read on
    return chain
