"""Reads of the property domain. Every list goes through `core.scoping.visible` with the actor's scope;
the indicators take a node (a unit, a grid or an actor's jurisdiction) and run a fixed number of
aggregate queries whatever its size."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, Sum

from linli.core import clock
from linli.core.scoping import disjoint, scope_for, scope_index, visible
from linli.dashboard.selectors import (
    Node,
    Ratio,
    child_nodes,
    node_for_actor,
    node_for_unit,
    officer_units,
)
from linli.orgs.models import PropertyCompany, PropertyService
from linli.places.models import AdminUnit, Compound
from linli.property.models import (
    AreaContract,
    Assessment,
    Budget,
    CommonResource,
    Disbursement,
    Entry,
    FundKind,
    Grant,
    RatingScheme,
    RevenueContract,
    Statement,
    TrustAccount,
    month_start,
)

ZERO = Decimal("0.00")


def _current(day: dt.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


# --- coverage -----------------------------------------------------------------------------------------

@dataclass
class Coverage:
    node: Node
    as_of: dt.date
    baseline: dt.date | None
    compounds: int
    served: int
    without: int
    coverage: Ratio
    baseline_without: int | None
    eliminated: int | None
    eliminated_share: Ratio | None
    by_mode: list[tuple[str, str, int]]
    companies: int
    companies_with_party_org: int
    party_org_coverage: Ratio

    def as_dict(self) -> dict:
        def ratio(r):
            if r is None:
                return None
            return {"count": r.count, "total": r.total, "percent": None if r.percent is None else str(r.percent),
                    "display": r.display}

        return {
            "node": self.node.label, "unit_id": self.node.unit.pk if self.node.unit else None,
            "as_of": self.as_of.isoformat(), "baseline": self.baseline.isoformat() if self.baseline else None,
            "compounds": self.compounds, "served": self.served, "without": self.without,
            "coverage": ratio(self.coverage), "baseline_without": self.baseline_without,
            "eliminated": self.eliminated, "eliminated_share": ratio(self.eliminated_share),
            "by_mode": {code: n for code, _label, n in self.by_mode},
            "companies": self.companies, "companies_with_party_org": self.companies_with_party_org,
            "party_org_coverage": ratio(self.party_org_coverage),
        }


def coverage(node: Node, *, as_of: dt.date | None = None, baseline: dt.date | None = None) -> Coverage:
    """Property coverage of a node as of a date, in three aggregate queries.

    - Served: a compound with a property service current on the date (start ≤ date, end empty or ≥ date).
    - Eliminated share: of the compounds without service on the baseline date, those served on the date.
    - By mode: compounds per mode of their current service(s).
    - Party organisation coverage: of the companies serving the node's compounds on the date, those whose
      Party organisation was founded on or before the date (or is ticked without a registered organisation).
    """
    as_of = as_of or clock.today()
    scope = node.scope
    compounds = visible(Compound.objects.all(), scope)
    served = Exists(PropertyService.objects.filter(_current(as_of), compound_id=OuterRef("pk")))
    fields = {"total": Count("pk"), "served": Count("pk", filter=Q(served))}
    if baseline is not None:
        before = Exists(PropertyService.objects.filter(_current(baseline), compound_id=OuterRef("pk")))
        fields["base_without"] = Count("pk", filter=~Q(before))
        fields["eliminated"] = Count("pk", filter=~Q(before) & Q(served))
    agg = compounds.aggregate(**fields)

    services = visible(PropertyService.objects.all(), scope).filter(_current(as_of))
    by_mode = dict(services.order_by().values_list("mode").annotate(n=Count("compound_id", distinct=True)))

    founded = (Q(has_party_org=True) | Q(party_org__isnull=False, party_org__founded_on__isnull=True)
               | Q(party_org__founded_on__lte=as_of))
    companies = PropertyCompany.objects.filter(pk__in=services.filter(company__isnull=False).values("company_id"))
    company_agg = companies.aggregate(total=Count("pk"), with_party=Count("pk", filter=founded))

    total, served_n = agg["total"], agg["served"]
    base_without = agg.get("base_without")
    return Coverage(
        node=node, as_of=as_of, baseline=baseline, compounds=total, served=served_n, without=total - served_n,
        coverage=Ratio(served_n, total), baseline_without=base_without, eliminated=agg.get("eliminated"),
        eliminated_share=None if baseline is None else Ratio(agg["eliminated"], base_without),
        by_mode=[(m.value, m.label, by_mode.get(m.value, 0)) for m in PropertyService.Mode],
        companies=company_agg["total"], companies_with_party_org=company_agg["with_party"],
        party_org_coverage=Ratio(company_agg["with_party"], company_agg["total"]),
    )


def served_of(nodes: list[Node], *, as_of: dt.date) -> list[Ratio]:
    """`coverage(node, as_of=…).coverage` of several nodes (served compounds of all compounds), in one
    query when they share no compound (a node's children), whatever their number."""
    if len(nodes) > 1 and not disjoint([n.scope for n in nodes]):
        return [coverage(node, as_of=as_of).coverage for node in nodes]
    if not nodes:
        return []
    served = Exists(PropertyService.objects.filter(_current(as_of), compound_id=OuterRef("pk")))
    union, index = scope_index(Compound, [n.scope for n in nodes])
    counts = [(0, 0)] * len(nodes)
    for node, total, served_n in (Compound.objects.filter(union).annotate(node=index).order_by()
                                  .values_list("node").annotate(total=Count("pk"), served=Count("pk", filter=Q(served)))):
        counts[node] = (total, served_n)
    return [Ratio(served_n, total) for total, served_n in counts]


def coverage_table(*, actor, unit: AdminUnit | None = None, as_of=None, baseline=None) -> list[dict]:
    """Sections of the coverage page: each watched unit with its children, or the actor's jurisdiction."""
    if unit is not None:
        units = [unit]
    elif scope_for(actor).is_officer:
        units = officer_units(actor)
    else:
        return [{"total": coverage(node_for_actor(actor), as_of=as_of, baseline=baseline), "children": []}]
    return [{"total": coverage(node_for_unit(u), as_of=as_of, baseline=baseline),
             "children": [coverage(child, as_of=as_of, baseline=baseline) for child in child_nodes(u)]}
            for u in units]


def area_contract_list_visible_to(*, actor, filters: dict | None = None):
    return visible(AreaContract.objects.select_related("company").prefetch_related("compounds"),
                   scope_for(actor)).distinct()


# --- trust accounts -------------------------------------------------------------------------------------

def account_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(TrustAccount.objects.select_related("compound__community", "company"), scope_for(actor))
    filters = filters or {}
    if filters.get("q"):
        qs = qs.filter(compound__name__icontains=filters["q"])
    return qs.order_by("compound__community__code", "compound__name")


def entry_list(account, filters: dict | None = None):
    """The lines of one account (the caller has checked the account is in sight)."""
    qs = Entry.objects.filter(account=account).select_related("resource", "reverses", "posted_by")
    filters = filters or {}
    if filters.get("kind") in Entry.Kind.values:
        qs = qs.filter(kind=filters["kind"])
    if filters.get("month"):
        qs = qs.filter(month=month_start(filters["month"]))
    return qs.order_by("-seq")


def statement_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(Statement.objects.select_related("account__compound"), scope_for(actor))
    filters = filters or {}
    if filters.get("account"):
        qs = qs.filter(account_id=filters["account"])
    return qs.order_by("-month", "account__compound__name")


def entries_of_statement(statement):
    return Entry.objects.filter(account_id=statement.account_id, month=statement.month).select_related(
        "resource", "reverses").order_by("seq")


def owned_accounts(actor):
    """The trust accounts of the compounds where the signed-in resident is an owner."""
    scope = scope_for(actor)
    if not scope.resident_ids:
        return TrustAccount.objects.none()
    from linli.property.models import _owner_compounds

    return TrustAccount.objects.filter(compound_id__in=_owner_compounds(scope)).select_related("compound")


# --- common resources ----------------------------------------------------------------------------------

def resource_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(CommonResource.objects.select_related("compound"), scope_for(actor))
    filters = filters or {}
    if filters.get("kind") in CommonResource.Kind.values:
        qs = qs.filter(kind=filters["kind"])
    if filters.get("compound"):
        qs = qs.filter(compound_id=filters["compound"])
    return qs.annotate(revenue=Sum("entries__amount")).order_by("compound__name", "kind", "name")


def contract_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(RevenueContract.objects.select_related("resource__compound"), scope_for(actor))
    filters = filters or {}
    if filters.get("resource"):
        qs = qs.filter(resource_id=filters["resource"])
    return qs


def compound_choices_visible_to(*, actor):
    return visible(Compound.objects.all(), scope_for(actor).work_area()).order_by("community__code", "name")


# --- star ratings --------------------------------------------------------------------------------------

def scheme_list_visible_to(*, actor, filters: dict | None = None):
    return visible(RatingScheme.objects.select_related("unit").prefetch_related("criteria"), scope_for(actor))


def assessment_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(Assessment.objects.select_related("compound", "company", "scheme"), scope_for(actor))
    filters = filters or {}
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    return qs.order_by("-year", "-total", "pk")


def company_averages(*, actor, year: int) -> list[dict]:
    """Each company's average stars over the rated compounds it serves that the actor can see."""
    rows = (assessment_list_visible_to(actor=actor, filters={"year": year}).filter(company__isnull=False)
            .order_by().values("company_id", "company__name").annotate(avg=Avg("stars"), n=Count("pk")))
    return sorted(({"company_id": r["company_id"], "company": r["company__name"], "compounds": r["n"],
                    "average": Decimal(str(r["avg"])).quantize(Decimal("0.01"), ROUND_HALF_UP)} for r in rows),
                  key=lambda r: (-r["average"], r["company"]))


# --- funding -------------------------------------------------------------------------------------------

def budget_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(Budget.objects.select_related("unit"), scope_for(actor))
    filters = filters or {}
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    return qs.annotate(granted=Sum("grants__amount")).order_by("-year", "unit__code", "kind", "pk")


def grant_list_visible_to(*, actor, filters: dict | None = None):
    qs = visible(Grant.objects.select_related("budget", "community", "compound", "party_org"), scope_for(actor))
    filters = filters or {}
    if filters.get("year"):
        qs = qs.filter(budget__year=filters["year"])
    if filters.get("budget"):
        qs = qs.filter(budget_id=filters["budget"])
    return qs.annotate(paid=Sum("disbursements__amount")).order_by("-granted_at", "-id")


def funding(node: Node, *, year: int) -> dict:
    """Per kind: budgets held within the node, what was granted and paid out of them, and what is left."""
    budgets = visible(Budget.objects.all(), node.scope).filter(year=year)
    held = dict(budgets.order_by().values_list("kind").annotate(total=Sum("amount")))
    granted = dict(Grant.objects.filter(budget__in=budgets).order_by().values_list("budget__kind")
                   .annotate(total=Sum("amount")))
    paid = dict(Disbursement.objects.filter(grant__budget__in=budgets).order_by().values_list("grant__budget__kind")
                .annotate(total=Sum("amount")))
    rows = []
    for kind in FundKind:
        budget, g, p = held.get(kind.value) or ZERO, granted.get(kind.value) or ZERO, paid.get(kind.value) or ZERO
        rows.append({"kind": kind.value, "label": kind.label, "budget": budget, "granted": g, "disbursed": p,
                     "unallocated": budget - g, "left": budget - p})
    total = {k: sum((r[k] for r in rows), ZERO) for k in ("budget", "granted", "disbursed", "unallocated", "left")}
    return {"node": node, "year": year, "rows": rows, "total": total}


def funding_table(*, actor, year: int) -> list[dict]:
    if not scope_for(actor).is_officer:
        return [funding(node_for_actor(actor), year=year)]
    sections = []
    for unit in officer_units(actor):
        sections.append(funding(node_for_unit(unit), year=year))
        sections.extend(funding(child, year=year) for child in child_nodes(unit) if child.unit is not None)
    return sections
