"""The cockpit of one node of the place tree: every indicator the domains give, compared over periods.

A node is a district, street or community (`AdminUnit`) or a compound. The cockpit adds no figure of
its own: it calls the domains' figure functions as they are —
- the registry (`dashboard.selectors.indicators`) as of today,
- the 1341 case figures of the node and its children for the three periods at once
  (`cases.figures.case_figures_of_periods`, read from the daily rollups),
- property coverage (`property.selectors.served_of`) as of a period's last day,
- points issued and redeemed, council meetings, decisions and ballots per period, counted over the
  domains' list selectors (`points.selectors`, `council.selectors`), grouped by child and period,
- the node's stations (`stations.selectors.indicators`, as of today) and grid work of this period
  (`gridwork.figures.node_total` of the node's grid workers, from the monthly rollups), for the node only,
and lays them side by side: this period, the previous one, the same period last year.

Periods are calendar months: the chosen month up to today (or the whole month if it is over); the
previous period is the same days of the month before; last year is the same days a year earlier.
"""

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Case as Case_
from django.db.models import Count, F, IntegerField, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from linli.cases import rollups
from linli.cases.figures import UNIT_LEVEL, case_figures_of_periods
from linli.cases.models import RollupLevel, Tier
from linli.core import clock
from linli.core.access import get_visible
from linli.core.scoping import Scope, scope_for, scope_index, visible
from linli.council.selectors import ballot_list_visible_to, meeting_list_visible_to
from linli.dashboard.selectors import (
    Node,
    indicators,
    indicators_of,
    indicators_with_children,
    node_for_unit,
    officer_units,
)
from linli.gridwork import figures as gridwork_figures
from linli.people.models import GridWorker
from linli.places.models import AdminUnit, Compound, Grid
from linli.points.selectors import award_list_visible_to, redemption_list_visible_to
from linli.property.selectors import served_of
from linli.stations import selectors as stations

TREND_MONTHS = 12
LEVEL_LABEL = {"district": "区县", "street": "街道", "community": "社区", "compound": "小区"}
CHILD_LABEL = {"district": "街道", "street": "社区", "community": "小区"}


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    label: str
    since: dt.date
    until: dt.date

    @property
    def text(self) -> str:
        return f"{self.since.isoformat()} 至 {self.until.isoformat()}"


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _same_days(first: dt.date, days: int) -> dt.date:
    """The last day of a span of `days` days from `first`, kept inside first's month."""
    return min(first + dt.timedelta(days=days - 1), _month_end(first))


def parse_month(value, today: dt.date) -> dt.date:
    """The first day of the month asked for (`2026-05`), or of this month; never after this month."""
    this_month = today.replace(day=1)
    try:
        year, month = (int(part) for part in str(value or "").split("-")[:2])
        first = dt.date(year, month, 1)
    except (TypeError, ValueError, OverflowError):
        return this_month
    return min(first, this_month) if first.year >= 2000 else this_month


def periods(month: dt.date, today: dt.date) -> tuple[Period, Period, Period]:
    until = min(_month_end(month), today)
    days = (until - month).days + 1
    previous = _shift(month, -1)
    last_year = _shift(month, -12)
    return (Period("本期", month, until),
            Period("上期", previous, _same_days(previous, days)),
            Period("去年同期", last_year, _same_days(last_year, days)))


REPORT_MONTHS = 6


def report_months(today: dt.date) -> list[dt.date]:
    """The months whose reports the page lists: this month (so far) and the five before, newest first."""
    return [_shift(today.replace(day=1), -back) for back in range(REPORT_MONTHS)]


# ---------------------------------------------------------------- nodes


@dataclass
class CockpitNode:
    kind: str  # "unit" or "compound"
    obj: object
    level: str  # district, street, community, compound

    @property
    def label(self) -> str:
        return self.obj.name

    @property
    def level_label(self) -> str:
        return LEVEL_LABEL[self.level]

    @property
    def url(self) -> str:
        return cockpit_url(self.kind, self.obj.pk)

    def dashboard_node(self) -> Node:
        if self.kind == "unit":
            return node_for_unit(self.obj)
        return Node(label=self.obj.name, scope=Scope(compound_ids=(self.obj.pk,)))

    def figure_filters(self) -> dict:
        return {self.kind: self.obj.pk}


def cockpit_url(kind: str, pk: int) -> str:
    return reverse("cockpit:unit" if kind == "unit" else "cockpit:compound", args=[pk])


def node_in_sight(actor, kind: str, pk) -> CockpitNode:
    """The node asked for; out of the actor's sight (or absent) raises NotFound."""
    scope = scope_for(actor).work_area()
    if kind == "compound":
        return CockpitNode("compound", get_visible(Compound.objects.select_related("community"), scope, pk), "compound")
    unit = get_visible(AdminUnit, scope, pk)
    return CockpitNode("unit", unit, unit.level)


def home_nodes(actor) -> list[CockpitNode]:
    return [CockpitNode("unit", u, u.level) for u in officer_units(actor)]


def parent_of(actor, node: CockpitNode) -> CockpitNode | None:
    """One level up, if the actor sees it."""
    scope = scope_for(actor).work_area()
    parent = node.obj.community if node.kind == "compound" else node.obj.parent
    if parent is None or not visible(AdminUnit.objects.filter(pk=parent.pk), scope).exists():
        return None
    return CockpitNode("unit", parent, parent.level)


def children_of(actor, node: CockpitNode) -> list[CockpitNode]:
    """District → streets, street → communities, community → compounds; only those in sight."""
    if node.kind == "compound":
        return []
    scope = scope_for(actor).work_area()
    if node.level == AdminUnit.Level.COMMUNITY:
        compounds = visible(Compound.objects.filter(community=node.obj), scope).order_by("name")
        return [CockpitNode("compound", c, "compound") for c in compounds]
    units = visible(AdminUnit.objects.filter(parent=node.obj), scope).order_by("code")
    return [CockpitNode("unit", u, u.level) for u in units]


# ---------------------------------------------------------------- figures


@dataclass
class Figure:
    key: str
    label: str
    group: str
    values: list  # one per period (or one value when the figure is as of today)
    unit: str = ""
    records: str = ""  # the list of records behind the figure
    rankable: bool = True

    @property
    def value(self):
        return self.values[0]

    @property
    def previous(self):
        return self.values[1] if len(self.values) > 1 else None

    @property
    def last_year(self):
        return self.values[2] if len(self.values) > 2 else None

    @staticmethod
    def _delta(now, then):
        if now is None or then is None:
            return None
        return round(now - then, 1)

    @property
    def change(self):
        return self._delta(self.value, self.previous)

    @property
    def change_year(self):
        return self._delta(self.value, self.last_year)


def _ratio_pct(ratio) -> float | None:
    return None if ratio.percent is None else float(ratio.percent)


# The registry figures (as of today), by key: (label, reader over dashboard Indicators, unit).
REGISTRY = {
    "compounds": ("小区数", lambda i: i.compounds, "个"),
    "party_coverage": ("党组织覆盖率", lambda i: _ratio_pct(i.party_coverage), "%"),
    "three_carriages": ("三驾马车齐全率", lambda i: _ratio_pct(i.three_carriages), "%"),
    "cross_appointment": ("交叉任职率", lambda i: _ratio_pct(i.cross_appointment), "%"),
    "sanwu": ("三无小区", lambda i: i.sanwu, "个"),
    "households": ("户数", lambda i: i.households, "户"),
    "residents": ("居民", lambda i: i.residents, "人"),
    "elderly": ("65 岁以上", lambda i: i.elderly, "人"),
    "party_members": ("党员", lambda i: i.party_members, "人"),
    "grid_workers": ("网格员", lambda i: i.grid_workers, "人"),
}
# The case figures of a period, by key: (label, reader over a figures Row, unit).
CASES = {
    "cases": ("受理诉求", lambda r: r.cases, "件"),
    "arrive_pct": ("按时响应率", lambda r: r.arrive_pct, "%"),
    "solve_pct": ("按时办结率", lambda r: r.solve_pct, "%"),
    "satisfaction_pct": ("满意率", lambda r: r.satisfaction_pct, "%"),
    "avg_minutes": ("平均办结用时", lambda r: r.avg_minutes, "分钟"),
    "escalations": ("提级", lambda r: r.escalations, "次"),
}
PROPERTY = {
    "property_coverage": ("物业服务覆盖率", lambda c: _ratio_pct(c.coverage), "%"),
}


@dataclass(frozen=True)
class Activity:
    """A count or sum of a domain's records over a period, read through the domain's list selector."""

    label: str
    group: str
    records: object  # actor → the domain's queryset of the records in the actor's sight
    at: str  # the time field that puts a record in a period
    aggregate: object
    unit: str
    url: str  # the list page of the records


ACTIVITY = {
    # booked awards decided in the period, net of deductions and corrections (as the points reports)
    "points_issued": Activity(
        "发放积分（净）", "积分", lambda actor: award_list_visible_to(actor=actor, filters={"status": "booked"}),
        "decided_at", Sum("points"), "分", "points:staff_home"),
    "points_redeemed": Activity(
        "兑换积分", "积分", lambda actor: redemption_list_visible_to(actor=actor).exclude(status="cancelled"),
        "created_at", Sum("points"), "分", "points:staff_home"),
    "meetings": Activity("议事会议", "议事", lambda actor: meeting_list_visible_to(actor=actor),
                         "starts_at", Count("pk"), "次", "council:meetings"),
    "decisions": Activity("会议决定", "议事", lambda actor: meeting_list_visible_to(actor=actor),
                          "starts_at", Count("decisions"), "项", "council:meetings"),
    "ballots": Activity("业主表决", "议事", lambda actor: ballot_list_visible_to(actor=actor),
                        "opened_at", Count("pk"), "次", "council:home"),
}
# Figures of the node alone (not per child): (label, group, reader, unit, records url name).
STATIONS = {
    "stations": ("党群服务站点", "站点", lambda i: i["stations"], "个", "stations:home"),
    "stations_covered": ("站点覆盖小区率", "站点", lambda i: i["covered_share"], "%", "stations:indicators"),
}
GRIDWORK = {
    "grid_patrols": ("网格巡查", "网格", lambda m: m.patrols, "次", "gridwork:team"),
    "grid_findings": ("巡查发现", "网格", lambda m: m.findings, "件", "gridwork:team"),
    "grid_visits": ("入户走访", "网格", lambda m: m.visits, "次", "gridwork:team"),
    "grid_visit_share": ("走访时间占比", "网格", lambda m: None if m.visit_share is None
                         else round(100 * m.visit_share, 1), "%", "gridwork:team"),
}
RANKABLE = {**REGISTRY, **CASES, **PROPERTY, **{k: (a.label, None, a.unit) for k, a in ACTIVITY.items()},
            **{k: (label, None, unit) for k, (label, _group, _read, unit, _url) in GRIDWORK.items()}}
ALL_KEYS = {**RANKABLE, **STATIONS, **GRIDWORK}
# Grid work is ranked among children that are units (a street's or a district's); grids may share compounds.
GRID_RANKED = ("district", "street")


def _records(node: CockpitNode, key: str, period: Period) -> str:
    """The list page of the records behind a figure, filtered to the node."""
    if key in ACTIVITY:  # the domain's list, of the records in the officer's sight
        return reverse(ACTIVITY[key].url)
    if node.kind == "compound":
        pk = node.obj.pk
        if key in CASES:
            return f"{reverse('cases:case_list')}?compound={pk}&status=all"
        if key == "residents":
            return f"{reverse('people:resident_list')}?compound={pk}"
        if key == "elderly":
            return f"{reverse('people:resident_list')}?compound={pk}&elderly=1"
        if key == "households":
            return f"{reverse('people:household_list')}?compound={pk}"
        if key == "party_members":
            return f"{reverse('people:partymember_list')}?compound={pk}"
        return reverse("places:compound_detail", args=[pk])
    unit = node.obj
    if key in CASES:
        return f"{reverse('cases:case_figures')}?unit={unit.pk}&since={period.since}&until={period.until}"
    code_filter = f"{unit.level}={unit.code}"
    people = {"residents": "people:resident_list", "elderly": "people:resident_list",
              "households": "people:household_list", "party_members": "people:partymember_list"}
    if key in people:
        return f"{reverse(people[key])}?{code_filter}" + ("&elderly=1" if key == "elderly" else "")
    if key == "grid_workers":  # the unit's grids, each with its grid worker
        return f"{reverse('places:grid_list')}?{unit.level}_id={unit.pk}"
    if key == "property_coverage":
        return f"{reverse('property:home')}"
    return f"{reverse('places:compound_list')}?{unit.level}_id={unit.pk}"


def case_periods(actor, node: CockpitNode, spans: tuple[Period, ...]):
    """The case figures of the node and its children for every period, from the rollups in one read."""
    return case_figures_of_periods(actor=actor, filters=node.figure_filters(),
                                   spans=[(p.since, p.until) for p in spans])


def figures_of(actor, node: CockpitNode, spans: tuple[Period, ...], cases=None, registry=None) -> list[Figure]:
    """Every figure of the node: the registry as of today, cases and property over the periods."""
    registry = registry if registry is not None else indicators(node.dashboard_node())
    rows = [f.total for f in (cases if cases is not None else case_periods(actor, node, spans))]
    covers = [SimpleNamespace(coverage=served_of([node.dashboard_node()], as_of=p.until)[0]) for p in spans]
    out = [Figure(key, label, "登记", [read(registry)], unit, _records(node, key, spans[0]))
           for key, (label, read, unit) in REGISTRY.items()]
    out += [Figure(key, label, "诉求", [read(r) for r in rows], unit, _records(node, key, spans[0]))
            for key, (label, read, unit) in CASES.items()]
    out += [Figure(key, label, "物业", [read(c) for c in covers], unit, _records(node, key, spans[0]))
            for key, (label, read, unit) in PROPERTY.items()]
    activity = activity_of(actor, [node], spans)[0]
    out += [Figure(key, a.label, a.group, activity[key], a.unit, _records(node, key, spans[0]))
            for key, a in ACTIVITY.items()]
    out += _node_only(actor, node, spans[0])
    return out


def _span_of(field_name: str, spans) -> Case_:
    """The index of the period a record's time falls in (None outside them)."""
    tz = timezone.get_current_timezone()
    whens = []
    for i, p in enumerate(spans):
        start = timezone.make_aware(dt.datetime.combine(p.since, dt.time.min), tz)
        end = timezone.make_aware(dt.datetime.combine(p.until + dt.timedelta(days=1), dt.time.min), tz)
        whens.append(When(Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end}), then=Value(i)))
    return Case_(*whens, default=None, output_field=IntegerField())


def activity_of(actor, nodes: list[CockpitNode], spans) -> list[dict]:
    """Per node, {activity key: [value per period]}: one query per figure for all the nodes and periods
    (nodes sharing no record, as a node's children), whatever their number."""
    scopes = [n.dashboard_node().scope for n in nodes]
    out = [{key: [0] * len(spans) for key in ACTIVITY} for _ in nodes]
    for key, a in ACTIVITY.items():
        records = a.records(actor)
        union, index = scope_index(records.model, scopes)
        rows = (records.filter(union).annotate(node=index, span=_span_of(a.at, spans)).filter(span__isnull=False)
                .order_by().values("node", "span").annotate(v=a.aggregate))
        for row in rows:
            if row["node"] is not None:
                out[row["node"]][key][row["span"]] = row["v"] or 0
    return out


def _node_only(actor, node: CockpitNode, period: Period) -> list[Figure]:
    """Stations (as of today) and grid work (this period) of the node, from the domains' figures."""
    out = []
    if node.kind == "unit":
        found = stations.indicators(actor=actor, unit=node.obj)
        out += [Figure(key, label, group, [read(found)], unit, reverse(url), rankable=False)
                for key, (label, group, read, unit, url) in STATIONS.items()]
    month = grid_month(node, period)
    out += [Figure(key, label, group, [read(month)], unit, f"{reverse(url)}?month={period.since:%Y-%m}",
                   rankable=node.level in GRID_RANKED) for key, (label, group, read, unit, url) in GRIDWORK.items()]
    return out


def grid_month(node: CockpitNode, period: Period):
    """The grid work of the node's grid workers (those serving its grids) in the period.

    The period is a month from its first day, up to today or to its end (`periods`' "本期"), and no
    record of grid work lies in the future (the services refuse it), so the month's rollups are the
    period's figures: `gridwork.figures.node_total` sums them in the database, in the same few queries
    whatever the number of workers or records. Any other span is counted from the records."""
    grids = visible(Grid.objects.all(), node.dashboard_node().scope)
    ids = GridWorker.grids.through.objects.filter(grid__in=grids).values("gridworker_id")
    workers = GridWorker.objects.filter(pk__in=ids)
    if period.since.day == 1 and period.until >= min(_month_end(period.since), clock.today()):
        return gridwork_figures.node_total(workers, period.since)
    until = timezone.make_aware(dt.datetime.combine(period.until + dt.timedelta(days=1), dt.time.min))
    return gridwork_figures.total(gridwork_figures.per_worker(workers.order_by("pk"), period.since, until=until))


def grid_months_of(children: list[CockpitNode], period: Period) -> list:
    """Per child, its grid work in the period (a `gridwork.figures.Month`), for units' children in one
    query (units share no grid); None for compounds, which grids may share, and for a span that is not
    a month up to today or to its end (see `grid_month`)."""
    whole = period.since.day == 1 and period.until >= min(_month_end(period.since), clock.today())
    if not whole or not children or any(child.kind != "unit" for child in children):
        return [None] * len(children)
    union, index = scope_index(Grid, [child.dashboard_node().scope for child in children])
    pairs = (Grid.objects.filter(union).annotate(grp=index, worker=F("workers")).filter(worker__isnull=False)
             .order_by().values("grp", "worker").distinct())
    found = gridwork_figures.totals_by_group(pairs, period.since)
    return [found.get(i, gridwork_figures.Month(name="", workers=0)) for i in range(len(children))]


@dataclass
class ChildRow:
    node: CockpitNode
    values: dict = field(default_factory=dict)  # figure key → value this period


def children_figures(actor, node: CockpitNode, period: Period, figures=None, children=None,
                     registries=None) -> list[ChildRow]:
    """Every child with every figure of the period (the case figures in one call for all children)."""
    children = children if children is not None else children_of(actor, node)
    if not children:
        return []
    if figures is None:
        figures = case_periods(actor, node, (period,))[0]
    by_child = {(next(iter(r.params)), next(iter(r.params.values()))): r for r in figures.children if r.params}
    nodes = [child.dashboard_node() for child in children]
    registries = registries if registries is not None else indicators_of(nodes)
    served = served_of(nodes, as_of=period.until)
    rows = []
    for child, registry, ratio in zip(children, registries, served, strict=True):
        row = ChildRow(child)
        for key, (_label, read, _unit) in REGISTRY.items():
            row.values[key] = read(registry)
        case_row = by_child.get((child.kind, child.obj.pk))
        for key, (_label, read, _unit) in CASES.items():
            row.values[key] = read(case_row) if case_row is not None else None
        for key, (_label, read, _unit) in PROPERTY.items():
            row.values[key] = read(SimpleNamespace(coverage=ratio))
        rows.append(row)
    for row, activity in zip(rows, activity_of(actor, children, (period,)), strict=True):
        row.values.update({key: values[0] for key, values in activity.items()})
    for row, month in zip(rows, grid_months_of(children, period), strict=True):
        row.values.update({key: None if month is None else read(month)
                           for key, (_label, _group, read, _unit, _url) in GRIDWORK.items()})
    return rows


def ranked(rows: list[ChildRow], key: str) -> list[ChildRow]:
    """Children by one figure, largest first; children without a value last."""
    return sorted(rows, key=lambda r: (r.values.get(key) is None, -(r.values.get(key) or 0), r.node.label))


# ---------------------------------------------------------------- trends


@dataclass
class TrendMonth:
    month: dt.date
    cases: int
    by_tier: dict
    solve_pct: float | None
    arrive_pct: float | None
    satisfaction_pct: float | None
    by_category: dict = field(default_factory=dict)  # category name → cases (the top ones, then 其他)


TOP_CATEGORIES = 6
OTHER = "其他"


def _rollup_key(node: CockpitNode) -> tuple[str, str]:
    if node.kind == "compound":
        return RollupLevel.COMPOUND, str(node.obj.pk)
    return UNIT_LEVEL[node.obj.level], node.obj.prefix


def category_trend(node: CockpitNode, first: dt.date, until: dt.date) -> tuple[list[str], dict]:
    """(category names, {month: {name: cases}}) from the per-category rollups: the busiest few, the rest as 其他."""
    rows = rollups.category_months(*_rollup_key(node), first, until)
    totals: dict = {}
    for _month, _code, name, n in rows:
        totals[name] = totals.get(name, 0) + n
    top = sorted(totals, key=lambda name: (-totals[name], name))[:TOP_CATEGORIES]
    names = top + ([OTHER] if len(totals) > len(top) else [])
    months: dict = {}
    for month, _code, name, n in rows:
        counts = months.setdefault(month, dict.fromkeys(names, 0))
        counts[name if name in top else OTHER] += n
    return names, months


def _node_cases(node: CockpitNode) -> Q:
    if node.kind == "compound":
        return Q(compound_id=node.obj.pk)
    return Q(compound__community__code__startswith=node.obj.prefix)


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def trend(actor, node: CockpitNode, month: dt.date, today: dt.date) -> list[TrendMonth]:
    """The last TREND_MONTHS months up to `month`, oldest first, from the rollups in three queries.

    Each month's figures follow `cases.figures`' definitions: the settled counters summed from the
    daily rollups, and what is overdue now counted from the node's open cases (`rollups.node_months`);
    the split by category from the per-category rollups. None of it grows with the number of cases.
    The caller has checked that the node is in the actor's sight; an officer sees every case under it.
    """
    first_month = _shift(month, -(TREND_MONTHS - 1))
    until = min(_month_end(month), today)
    names, by_month = category_trend(node, first_month, until)
    counters = rollups.node_months(*_rollup_key(node), _node_cases(node), first_month, until, clock.now())
    out = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        first = _shift(month, -back)
        rows = {tier: counters.get((first, tier), {}) for tier in Tier.values}

        def total(name, rows=rows):
            return sum(r.get(name, 0) or 0 for r in rows.values())

        out.append(TrendMonth(
            first, total("cases"), {label: rows[value].get("cases", 0) or 0 for value, label in Tier.choices},
            _pct(total("solve_on_time"), total("solve_settled") + total("solve_live")),
            _pct(total("arrive_on_time"), total("arrive_settled") + total("arrive_live")),
            _pct(total("satisfied"), total("rated")),
            by_month.get(first, dict.fromkeys(names, 0))))
    return out


def cockpit(actor, node: CockpitNode, month_param=None, rank: str | None = None) -> dict:
    today = clock.today()
    month = parse_month(month_param, today)
    spans = periods(month, today)
    cases = case_periods(actor, node, spans)
    kids = children_of(actor, node)
    registry, registries = indicators_with_children(node.dashboard_node(), [c.dashboard_node() for c in kids])
    children = children_figures(actor, node, spans[0], cases[0], kids, registries)
    rank = rank if rank in RANKABLE and (rank not in GRIDWORK or node.level in GRID_RANKED) else None
    return {
        "node": node,
        "parent": parent_of(actor, node),
        "month": month,
        "periods": spans,
        "figures": figures_of(actor, node, spans, cases, registry),
        "children": ranked(children, rank) if rank else children,
        "child_label": CHILD_LABEL.get(node.level, ""),
        "rank": rank,
        "rank_label": ALL_KEYS[rank][0] if rank else "",
        "trend": trend(actor, node, month, today),
        "today": today,
    }
