from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from linli.cockpit import geo, report, selectors
from linli.core.access import require
from linli.core.pages import page_errors
from linli.core.replica import lagged_reads
from linli.core.scoping import scope_for

OFFICERS_ONLY = "驾驶舱仅供区、街道干部和社区书记查看。"
# The roles whose home the cockpit is (as in navigation); the whole-area roles too.
OFFICER_ROLES = {"district_officer", "street_officer", "community_secretary"}


def _officer(request) -> None:
    scope = scope_for(request.user)
    require(scope.everything or (scope.is_officer and bool(OFFICER_ROLES & set(scope.roles))), OFFICERS_ONLY)


@login_required
@page_errors
@lagged_reads()
def home(request):
    """The officer's entry: their one unit's cockpit (shown here, the navigation's link answers 200), or
    the list of the units they watch."""
    _officer(request)
    nodes = selectors.home_nodes(request.user)
    if len(nodes) == 1:
        return _page(request, nodes[0].kind, nodes[0].obj.pk)
    return render(request, "cockpit/home.html", {"nodes": nodes})


def _page(request, kind: str, pk: int):
    _officer(request)
    node = selectors.node_in_sight(request.user, kind, pk)
    context = selectors.cockpit(request.user, node, request.GET.get("month"), request.GET.get("rank"))
    context["chart_data"] = _chart_data(context)
    context["map_url"] = node.url + "map.json"
    context["reports"] = selectors.report_months(context["today"])
    return render(request, "cockpit/node.html", context)


def _chart_data(context) -> dict:
    """What the charts draw; the same numbers are in the tables beside them."""
    trend = context["trend"]
    tiers = list(trend[0].by_tier) if trend else []
    categories = list(trend[0].by_category) if trend else []
    children = context["children"]
    return {
        "months": [m.month.strftime("%Y-%m") for m in trend],
        "tiers": [{"name": t, "data": [m.by_tier.get(t, 0) for m in trend]} for t in tiers],
        "categories": [{"name": c, "data": [m.by_category.get(c, 0) for m in trend]} for c in categories],
        "solve_pct": [m.solve_pct for m in trend],
        "arrive_pct": [m.arrive_pct for m in trend],
        "satisfaction_pct": [m.satisfaction_pct for m in trend],
        "children": [{"id": c.node.obj.pk, "kind": c.node.kind, "name": c.node.label, "url": c.node.url,
                      "values": c.values} for c in children],
    }


@login_required
@page_errors
@lagged_reads()
def unit(request, pk):
    return _page(request, "unit", pk)


@login_required
@page_errors
@lagged_reads()
def compound(request, pk):
    return _page(request, "compound", pk)


@login_required
@page_errors
@lagged_reads()
def unit_map(request, pk):
    _officer(request)
    node = selectors.node_in_sight(request.user, "unit", pk)
    return JsonResponse(geo.node_geojson(request.user, unit=node.obj))


@login_required
@page_errors
@lagged_reads()
def compound_map(request, pk):
    _officer(request)
    node = selectors.node_in_sight(request.user, "compound", pk)
    return JsonResponse(geo.node_geojson(request.user, compound=node.obj))


def _report(request, kind: str, pk: int, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404("未找到")
    _officer(request)
    node = selectors.node_in_sight(request.user, kind, pk)
    page = selectors.cockpit(request.user, node, request.GET.get("month"))
    body = report.xlsx(page) if fmt == "xlsx" else report.pdf(page)
    reply = HttpResponse(body, content_type=report.XLSX if fmt == "xlsx" else "application/pdf")
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(report.filename(page, fmt))}"
    return reply


@login_required
@page_errors
@lagged_reads()
def unit_report(request, pk, fmt):
    return _report(request, "unit", pk, fmt)


@login_required
@page_errors
@lagged_reads()
def compound_report(request, pk, fmt):
    return _report(request, "compound", pk, fmt)
