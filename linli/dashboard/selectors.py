"""Coverage and governance indicators for a node of the place tree.

A node is an administrative unit (district, street, community), a grid, or the whole staff
jurisdiction of an actor. Every node is turned into a `Scope` and every count goes through
`core.scoping.visible`, so "what belongs to a node" is the same rule the lists and the API use.
Each call runs a fixed number of aggregate queries, whatever the number of compounds.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from linli.core import clock
from linli.core.scoping import Scope, disjoint, scope_for, scope_index, visible
from linli.orgs.models import PartyOrg, Position, PropertyService, SelfOrg
from linli.people import rollups
from linli.people.models import CareTag, Household, PartyMember, Resident, elderly_born_before
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Grid

NO_VALUE = "—"

# The definition shown with the cross-appointment rate on every page that shows it.
CROSS_APPOINTMENT_DEFINITION = (
    "交叉任职率：在既有覆盖党组织、又有在任自治组织的小区中，至少有一人同时在覆盖该小区的党组织"
    "和该小区的自治组织（或当前为其服务的物业企业）中现任职务的小区所占比例。"
)


@dataclass(frozen=True)
class Ratio:
    """count of total, kept exact; shown rounded to one decimal place."""

    count: int
    total: int

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.count, self.total) if self.total else None

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        exact = Decimal(self.count * 100) / Decimal(self.total)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def display(self) -> str:
        percent = self.percent
        return NO_VALUE if percent is None else f"{percent}%"

    def __str__(self):
        return self.display


@dataclass(frozen=True)
class Node:
    label: str
    scope: Scope
    unit: AdminUnit | None = None
    grid: Grid | None = None


@dataclass
class Indicators:
    node: Node
    compounds: int
    party_coverage: Ratio
    three_carriages: Ratio
    cross_appointment: Ratio
    companies_with_party_org: Ratio
    sanwu: int
    compounds_by_kind: list[tuple[str, str, int]]
    buildings: int
    dwellings: int
    households: int
    residents: int
    elderly: int
    party_members: int
    party_members_by_category: list[tuple[str, str, int]]
    grids: int
    grid_workers: int
    today: dt.date = field(default_factory=clock.today)
    # Residents per care group (关爱对象): (tag code, tag name, residents).
    care_groups: list[tuple[str, str, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        def ratio(r: Ratio) -> dict:
            return {"count": r.count, "total": r.total,
                    "percent": None if r.percent is None else str(r.percent), "display": r.display}

        return {
            "node": self.node.label,
            "unit_id": self.node.unit.pk if self.node.unit else None,
            "grid_id": self.node.grid.pk if self.node.grid else None,
            "today": self.today.isoformat(),
            "compounds": self.compounds,
            "party_coverage": ratio(self.party_coverage),
            "three_carriages": ratio(self.three_carriages),
            "cross_appointment": ratio(self.cross_appointment),
            "companies_with_party_org": ratio(self.companies_with_party_org),
            "sanwu": self.sanwu,
            "compounds_by_kind": {code: n for code, _label, n in self.compounds_by_kind},
            "buildings": self.buildings,
            "dwellings": self.dwellings,
            "households": self.households,
            "residents": self.residents,
            "elderly": self.elderly,
            "party_members": self.party_members,
            "party_members_by_category": {code: n for code, _label, n in self.party_members_by_category},
            "grids": self.grids,
            "grid_workers": self.grid_workers,
            "care_groups": {code: n for code, _label, n in self.care_groups},
        }


# --- nodes -----------------------------------------------------------------------------------

def node_for_unit(unit: AdminUnit) -> Node:
    return Node(label=unit.name, scope=Scope(unit_prefixes=(unit.prefix,)), unit=unit)


def node_for_grid(grid: Grid) -> Node:
    return Node(label=grid.name, scope=Scope(grid_ids=(grid.pk,)), grid=grid)


def node_for_actor(actor) -> Node:
    scope = scope_for(actor).work_area()
    return Node(label="全部辖区" if scope.everything else "我的辖区", scope=scope)


def officer_units(actor) -> list[AdminUnit]:
    """The units an officer watches: their assigned units, or every district for the whole-area roles."""
    scope = scope_for(actor)
    if scope.everything:
        return list(AdminUnit.objects.filter(parent__isnull=True))
    units = visible(AdminUnit.objects.all(), scope.unit_area())
    # Keep only the top-most assigned units: a street inside an assigned district is a child, not a node.
    return [u for u in units if u.prefix in scope.unit_prefixes
            and not any(u.prefix != p and u.prefix.startswith(p) for p in scope.unit_prefixes)]


def child_nodes(unit: AdminUnit) -> list[Node]:
    """District → streets, street → communities, community → grids."""
    if unit.level == AdminUnit.Level.COMMUNITY:
        return [node_for_grid(g) for g in Grid.objects.filter(community=unit)]
    return [node_for_unit(u) for u in unit.children.all()]


# --- indicators --------------------------------------------------------------------------------

def _current(today: dt.date, start: str = "start", end: str = "end") -> Q:
    return Q(**{f"{start}__lte": today}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": today}))


def _compound_conditions(today: dt.date) -> dict:
    """Correlated EXISTS tests on a Compound row, shared by the counts below."""
    covered = Exists(PartyOrg.compounds.through.objects.filter(compound_id=OuterRef("pk")))
    active_self_org = Exists(SelfOrg.objects.filter(_current(today, "term_start", "term_end"),
                                                    compound_id=OuterRef("pk")))
    served = Exists(PropertyService.objects.filter(_current(today), compound_id=OuterRef("pk")))
    # Inside the second position, OuterRef("resident_id") is the first position's holder and
    # OuterRef(OuterRef("pk")) is the compound; one level deeper the compound is three levels out.
    serving_companies = PropertyService.objects.filter(
        _current(today), compound_id=OuterRef(OuterRef(OuterRef("pk")))).values("company_id")
    other_side = Position.objects.filter(_current(today), resident_id=OuterRef("resident_id")).filter(
        Q(self_org__compound_id=OuterRef(OuterRef("pk"))) | Q(property_company_id__in=serving_companies))
    cross = Exists(Position.objects.filter(_current(today), party_org__compounds=OuterRef("pk"))
                   .filter(Exists(other_side)))
    return {"covered": covered, "active_self_org": active_self_org, "served": served, "cross": cross}


def indicators(node: Node) -> Indicators:
    """All indicators of one node, in a fixed number of aggregate queries.

    Definitions (today = clock.today()):
    - Party coverage: compounds linked to at least one PartyOrg (PartyOrg.compounds) / all compounds.
    - Three carriages: a covering PartyOrg AND an active self-org (term_start ≤ today ≤ term_end or
      open-ended) AND a current property service (start ≤ today, end empty or ≥ today).
    - Cross-appointment rate: among compounds with both a covering PartyOrg and an active self-org,
      the share where at least one resident holds a current Position in a PartyOrg covering the
      compound AND a current Position in one of the compound's self-orgs or in a property company
      currently serving the compound.
    - Property companies with a Party organisation: among the companies currently serving compounds
      of the node, those with `party_org` set or `has_party_org` ticked.
    - 三无 compounds: no current property service, blank responsible department, no active self-org.
    - Residents 65+: birth date on or before people.models.elderly_born_before(today).
    """
    return indicators_of([node])[0]


def _grouped(queryset, nodes: list[Node], **aggregates) -> list[dict]:
    """One aggregate per node over the rows each node sees (nodes sharing no rows), in one query."""
    union, index = scope_index(queryset.model, [n.scope for n in nodes])
    out = [{name: 0 for name in aggregates} for _ in nodes]
    for row in queryset.filter(union).annotate(node=index).order_by().values("node").annotate(**aggregates):
        out[row.pop("node")] = row
    return out


def indicators_of(nodes: list[Node]) -> list[Indicators]:
    """`indicators` of several nodes. When they share no compound (the streets of a district, the
    compounds of a community: `core.scoping.disjoint`), each figure is one query for all of them, so
    the number of queries does not grow with the number of nodes; otherwise (grids) node by node."""
    if not nodes:
        return []
    if len(nodes) > 1 and not disjoint([n.scope for n in nodes]):
        return [indicators_of([node])[0] for node in nodes]
    today = clock.today()
    c = _compound_conditions(today)
    both = Q(c["covered"]) & Q(c["active_self_org"])
    aggs = _grouped(
        Compound.objects.all(), nodes,
        total=Count("pk"),
        covered=Count("pk", filter=Q(c["covered"])),
        three=Count("pk", filter=both & Q(c["served"])),
        both=Count("pk", filter=both),
        cross=Count("pk", filter=both & Q(c["cross"])),
        sanwu=Count("pk", filter=~Q(c["served"]) & Q(responsible_department="") & ~Q(c["active_self_org"])),
    )
    union, index = scope_index(Compound, [n.scope for n in nodes])
    by_kind: list[dict] = [{} for _ in nodes]
    for i, kind, n in (Compound.objects.filter(union).annotate(node=index).order_by()
                       .values_list("node", "kind").annotate(n=Count("pk"))):
        by_kind[i][kind] = n

    # The companies currently serving a node's compounds, each counted once per node.
    services = PropertyService.objects.filter(_current(today), company__isnull=False)
    union, index = scope_index(Compound, [n.scope for n in nodes])
    served_companies = _grouped_services(services, union, index, nodes)

    registries = registry_counts_of([n.scope for n in nodes], today)
    grids = _grouped(Grid.objects.all(), nodes, n=Count("pk"))
    workers = _grid_workers(nodes)
    tags = list(CareTag.objects.all())

    out = []
    for i, node in enumerate(nodes):
        agg, registry, company_agg = aggs[i], registries[i], served_companies[i]
        by_category = {k.value: registry.get(f"party:{k.value}", 0) for k in PartyMember.Category}
        out.append(Indicators(
            node=node,
            compounds=agg["total"],
            party_coverage=Ratio(agg["covered"], agg["total"]),
            three_carriages=Ratio(agg["three"], agg["total"]),
            cross_appointment=Ratio(agg["cross"], agg["both"]),
            companies_with_party_org=Ratio(company_agg["with_party"], company_agg["total"]),
            sanwu=agg["sanwu"],
            compounds_by_kind=[(k.value, k.label, by_kind[i].get(k.value, 0)) for k in Compound.Kind],
            buildings=registry.get("buildings", 0),
            dwellings=registry.get("dwellings", 0),
            households=registry.get("households", 0),
            residents=registry.get("residents", 0),
            elderly=registry.get("elderly", 0),
            party_members=sum(by_category.values()),
            party_members_by_category=[(k.value, k.label, by_category[k.value]) for k in PartyMember.Category],
            grids=grids[i]["n"],
            grid_workers=workers[i]["n"],
            today=today,
            care_groups=[(tag.code, tag.name, registry.get(f"care:{tag.pk}", 0)) for tag in tags],
        ))
    return out


def _grouped_services(services, union: Q, index, nodes: list[Node]) -> list[dict]:
    """Per node: the distinct companies serving its compounds, and those with a Party organisation."""
    node_of = (Compound.objects.filter(union, pk=OuterRef("compound_id")).annotate(node=index).values("node")[:1])
    with_party = Q(company__has_party_org=True) | Q(company__party_org__isnull=False)
    out = [{"total": 0, "with_party": 0} for _ in nodes]
    rows = (services.annotate(node=Subquery(node_of)).filter(node__isnull=False).order_by().values("node")
            .annotate(total=Count("company_id", distinct=True),
                      with_party=Count("company_id", distinct=True, filter=with_party)))
    for row in rows:
        out[row.pop("node")] = row
    return out


def _grid_workers(nodes: list[Node]) -> list[dict]:
    """Per node: its grid workers. A worker may serve grids of several nodes, so the workers are
    counted from their grids (which belong to one community each), once per node."""
    union, index = scope_index(Grid, [n.scope for n in nodes])
    out = [{"n": 0} for _ in nodes]
    # Grids joined to their workers, grouped by node (a join, not a subquery per worker's grid).
    rows = (Grid.objects.filter(union).filter(workers__isnull=False).annotate(node=index).order_by()
            .values("node").annotate(n=Count("workers", distinct=True)))
    for row in rows:
        out[row.pop("node")] = row
    return out


def registry_counts(scope: Scope, today: dt.date) -> dict:
    """{measure: n} of the registry for a node (see people.rollups for the measures), from the rollups.

    The rollups are refreshed first, so the figures are those of the records now. Only when 65+ on
    `today` lies outside the dates the rollups keep (no `registry-rollups --rebuild` for over a year)
    is everything counted live, exact but slow.
    """
    return registry_counts_of([scope], today)[0]


def registry_counts_of(scopes: list[Scope], today: dt.date) -> list[dict]:
    """`registry_counts` of several scopes, in one query from the rollups when they share no row."""
    rollups.refresh()
    counts = rollups.totals_of(scopes, today)
    return [live_registry_counts(scope, today) if c is None else c for scope, c in zip(scopes, counts, strict=True)]


def live_registry_counts(scope: Scope, today: dt.date) -> dict:
    """The same measures counted from the records: what the rollups must always equal."""
    people = visible(Resident.objects.all(), scope).aggregate(
        total=Count("pk"), elderly=Count("pk", filter=Q(birth_date__lte=elderly_born_before(today))))
    counts = {"residents": people["total"], "elderly": people["elderly"],
              "households": visible(Household.objects.all(), scope).count(),
              "dwellings": visible(Dwelling.objects.all(), scope).count(),
              "buildings": visible(Building.objects.all(), scope).count()}
    for category, n in (visible(PartyMember.objects.all(), scope).order_by().values_list("category")
                        .annotate(n=Count("pk"))):
        counts[f"party:{category}"] = n
    tagged = Resident.care_tags.through.objects.filter(resident__in=visible(Resident.objects.all(), scope))
    for tag, n in tagged.order_by().values_list("caretag_id").annotate(n=Count("pk")):
        counts[f"care:{tag}"] = n
    return {k: v for k, v in counts.items() if v}


def indicators_for_actor(*, actor) -> Indicators:
    return indicators(node_for_actor(actor))


def _child_level(unit: AdminUnit) -> str:
    return {"district": "街道/乡镇", "street": "社区", "community": "网格"}[unit.level]


def indicator_page(*, actor, unit: AdminUnit | None = None, grid: Grid | None = None) -> dict:
    """The officer's indicators page: each watched unit with its children, or one unit or grid.

    The caller has already checked that the unit or grid is within the actor's sight.
    """
    if grid is not None:
        sections = [{"unit": None, "grid": grid, "indicators": indicators(node_for_grid(grid)),
                     "children": [], "child_level": ""}]
    else:
        sections = [{"unit": u, "grid": None, "indicators": indicators(node_for_unit(u)),
                     "children": indicators_of(child_nodes(u)),
                     "child_level": _child_level(u)}
                    for u in ([unit] if unit is not None else officer_units(actor))]
    return {"sections": sections, "definition": CROSS_APPOINTMENT_DEFINITION}


def _sum_ratios(ratios: list[Ratio]) -> Ratio:
    return Ratio(sum(r.count for r in ratios), sum(r.total for r in ratios))


def _summed_list(lists: list[list[tuple]]) -> list[tuple]:
    """Lists of (code, label, n) of the same codes, summed code by code."""
    return [(code, label, sum(items[i][2] for items in lists)) for i, (code, label, _n) in enumerate(lists[0])]


def indicators_with_children(node: Node, children: list[Node]) -> tuple[Indicators, list[Indicators]]:
    """`indicators` of a node and of its children, reading each compound once.

    When the children share no compound and hold every compound of the node (a unit's children
    units, a community's compounds; one count query checks it), the node's figures are the sums of
    its children's, except what may be shared across children (grids, grid workers, companies with a
    Party organisation), read for the node in one query each. Otherwise the node is
    read on its own."""
    of_children = indicators_of(children)
    if not children or not disjoint([c.scope for c in children]):
        return indicators(node), of_children
    total = visible(Compound.objects.all(), node.scope).count()
    if total != sum(c.compounds for c in of_children):
        return indicators(node), of_children
    today = clock.today()
    union, index = scope_index(Compound, [node.scope])
    services = PropertyService.objects.filter(_current(today), company__isnull=False)
    companies = _grouped_services(services, union, index, [node])[0]
    first = of_children[0]
    return Indicators(
        node=node,
        compounds=total,
        party_coverage=_sum_ratios([c.party_coverage for c in of_children]),
        three_carriages=_sum_ratios([c.three_carriages for c in of_children]),
        cross_appointment=_sum_ratios([c.cross_appointment for c in of_children]),
        companies_with_party_org=Ratio(companies["with_party"], companies["total"]),
        sanwu=sum(c.sanwu for c in of_children),
        compounds_by_kind=_summed_list([c.compounds_by_kind for c in of_children]),
        buildings=sum(c.buildings for c in of_children),
        dwellings=sum(c.dwellings for c in of_children),
        households=sum(c.households for c in of_children),
        residents=sum(c.residents for c in of_children),
        elderly=sum(c.elderly for c in of_children),
        party_members=sum(c.party_members for c in of_children),
        party_members_by_category=_summed_list([c.party_members_by_category for c in of_children]),
        grids=_grouped(Grid.objects.all(), [node], n=Count("pk"))[0]["n"],  # a grid may cover several compounds
        grid_workers=_grid_workers([node])[0]["n"],
        today=first.today,
        care_groups=_summed_list([c.care_groups for c in of_children]),
    ), of_children
