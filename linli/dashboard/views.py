from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from linli.core.access import get_visible, require
from linli.core.pages import page_errors
from linli.core.replica import lagged_reads
from linli.core.scoping import scope_for
from linli.dashboard import selectors
from linli.places.models import AdminUnit, Grid

OFFICERS_ONLY = "指标看板仅供区、街道、社区干部查看。"


def drill_target(actor, params) -> dict:
    """The unit or grid asked for in the query string, if any; out of sight raises NotFound."""
    scope = scope_for(actor).work_area()
    if params.get("grid"):
        return {"grid": get_visible(Grid, scope, params["grid"])}
    if params.get("unit"):
        return {"unit": get_visible(AdminUnit, scope, params["unit"])}
    return {}


@login_required
@page_errors
@lagged_reads()
def indicators(request):
    require(scope_for(request.user).is_officer, OFFICERS_ONLY)
    target = drill_target(request.user, request.GET)
    context = selectors.indicator_page(actor=request.user, **target)
    context["drilled"] = bool(target)
    return render(request, "dashboard/indicators.html", context)
