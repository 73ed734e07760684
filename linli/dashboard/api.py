from ninja import Router, Schema

from linli.core.access import require
from linli.core.api import ErrorOut
from linli.core.ids import Id
from linli.core.replica import lagged_reads
from linli.core.scoping import scope_for
from linli.dashboard import selectors
from linli.dashboard.views import OFFICERS_ONLY, drill_target

router = Router(tags=["指标"])


class RatioOut(Schema):
    count: int
    total: int
    percent: str | None
    display: str


class IndicatorsOut(Schema):
    node: str
    unit_id: int | None
    grid_id: int | None
    today: str
    compounds: int
    party_coverage: RatioOut
    three_carriages: RatioOut
    cross_appointment: RatioOut
    companies_with_party_org: RatioOut
    sanwu: int
    compounds_by_kind: dict[str, int]
    buildings: int
    dwellings: int
    households: int
    residents: int
    elderly: int
    party_members: int
    party_members_by_category: dict[str, int]
    grids: int
    grid_workers: int
    care_groups: dict[str, int]


class SectionOut(Schema):
    indicators: IndicatorsOut
    children: list[IndicatorsOut]


class IndicatorPageOut(Schema):
    definition: str
    sections: list[SectionOut]


@router.get("/indicators", response={200: IndicatorPageOut, 403: ErrorOut, 404: ErrorOut}, summary="辖区指标（可按 unit 或 grid 下钻）")
@lagged_reads()
def indicators(request, unit: Id | None = None, grid: Id | None = None):
    actor = request.auth
    require(scope_for(actor).is_officer, OFFICERS_ONLY)
    params = {k: v for k, v in (("unit", unit), ("grid", grid)) if v is not None}
    page = selectors.indicator_page(actor=actor, **drill_target(actor, params))
    return {
        "definition": page["definition"],
        "sections": [{"indicators": s["indicators"].as_dict(), "children": [c.as_dict() for c in s["children"]]}
                     for s in page["sections"]],
    }
