"""The places API (地): thin over selectors, access and services, like the pages.

Lists are for staff (a resident gets 403); anything out of the actor's sight answers 404; a write by
a read-only role answers 403; a model validation error answers 400 with field → messages.
"""

from django.core.exceptions import ValidationError
from ninja import Query, Router

from linli.core.api import ErrorOut, error, model_errors
from linli.core.errors import INVALID
from linli.core.pagination import paginated
from linli.places import access, selectors, services
from linli.places.schemas import (
    BuildingFilters,
    BuildingIn,
    BuildingOut,
    BuildingPatch,
    CompoundFilters,
    CompoundIn,
    CompoundOut,
    CompoundPatch,
    DwellingFilters,
    DwellingIn,
    DwellingOut,
    DwellingPatch,
    EntranceFilters,
    EntranceIn,
    EntranceOut,
    EntrancePatch,
    GridFilters,
    GridIn,
    GridOut,
    GridPatch,
    MicroGridFilters,
    MicroGridIn,
    MicroGridOut,
    MicroGridPatch,
    UnitFilters,
    UnitIn,
    UnitOut,
    UnitPatch,
)

router = Router(tags=["地"])
PAGE_SIZE = 50
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _filters(filters) -> dict:
    return filters.dict(exclude_none=True)


def _write(status: int, call, reread):
    """Run a service; validation errors become 400 with the messages per field."""
    try:
        obj = call()
    except ValidationError as exc:
        return 400, error(INVALID, "数据校验未通过", errors=model_errors(exc))
    return status, reread(obj)


# --- compounds --------------------------------------------------------------------------------

@router.get("/compounds", response=list[CompoundOut], summary="小区列表（含楼栋、房屋、户数、居民数）")
@paginated(PAGE_SIZE)
def compound_list(request, filters: Query[CompoundFilters]):
    selectors.require_staff(request.auth)
    return selectors.compound_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/compounds/{int:compound_id}", response={200: CompoundOut, **ERRORS}, summary="小区详情")
def compound_detail(request, compound_id: int):
    compound = access.compound_get(request.auth, compound_id)
    return 200, selectors.compound_with_counts(compound)


@router.post("/compounds", response={201: CompoundOut, **ERRORS}, summary="新增小区")
def compound_create(request, payload: CompoundIn):
    return _write(201, lambda: services.compound_create(actor=request.auth, data=payload.dict()),
                  selectors.compound_with_counts)


@router.patch("/compounds/{int:compound_id}", response={200: CompoundOut, **ERRORS}, summary="修改小区")
def compound_update(request, compound_id: int, payload: CompoundPatch):
    compound = access.compound_get(request.auth, compound_id, write=True)
    return _write(200, lambda: services.compound_update(actor=request.auth, compound=compound,
                                                        data=payload.dict(exclude_unset=True)),
                  selectors.compound_with_counts)


# --- administrative units ---------------------------------------------------------------------

def _unit_out(request):
    return lambda unit: selectors.unit_list_visible_to(actor=request.auth).get(pk=unit.pk)


@router.get("/units", response=list[UnitOut], summary="行政区划列表")
@paginated(PAGE_SIZE)
def unit_list(request, filters: Query[UnitFilters]):
    selectors.require_staff(request.auth)
    return selectors.unit_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/units/{int:unit_id}", response={200: UnitOut, **ERRORS}, summary="行政区划详情")
def unit_detail(request, unit_id: int):
    selectors.require_staff(request.auth)
    unit = access.unit_get(request.auth, unit_id)
    return 200, _unit_out(request)(unit)


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="新增行政区划（区级干部、管理员）")
def unit_create(request, payload: UnitIn):
    return _write(201, lambda: services.unit_create(actor=request.auth, data=payload.dict()), _unit_out(request))


@router.patch("/units/{int:unit_id}", response={200: UnitOut, **ERRORS}, summary="修改行政区划")
def unit_update(request, unit_id: int, payload: UnitPatch):
    unit = access.unit_get(request.auth, unit_id, write=True)
    return _write(200, lambda: services.unit_update(actor=request.auth, unit=unit,
                                                    data=payload.dict(exclude_unset=True)), _unit_out(request))


# --- grids ------------------------------------------------------------------------------------

def _grid_out(request):
    return lambda grid: selectors.grid_list_visible_to(actor=request.auth).get(pk=grid.pk)


@router.get("/grids", response=list[GridOut], summary="网格列表")
@paginated(PAGE_SIZE)
def grid_list(request, filters: Query[GridFilters]):
    selectors.require_staff(request.auth)
    return selectors.grid_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/grids/{int:grid_id}", response={200: GridOut, **ERRORS}, summary="网格详情")
def grid_detail(request, grid_id: int):
    selectors.require_staff(request.auth)
    grid = access.grid_get(request.auth, grid_id)
    return 200, _grid_out(request)(grid)


@router.post("/grids", response={201: GridOut, **ERRORS}, summary="新增网格")
def grid_create(request, payload: GridIn):
    return _write(201, lambda: services.grid_create(actor=request.auth, data=payload.dict()), _grid_out(request))


@router.patch("/grids/{int:grid_id}", response={200: GridOut, **ERRORS}, summary="修改网格")
def grid_update(request, grid_id: int, payload: GridPatch):
    grid = access.grid_get(request.auth, grid_id, write=True)
    return _write(200, lambda: services.grid_update(actor=request.auth, grid=grid,
                                                    data=payload.dict(exclude_unset=True)), _grid_out(request))


# --- micro-grids ------------------------------------------------------------------------------

def _micro_grid_out(request):
    return lambda micro_grid: selectors.micro_grid_list_visible_to(actor=request.auth).get(pk=micro_grid.pk)


@router.get("/micro-grids", response=list[MicroGridOut], summary="微网格列表")
@paginated(PAGE_SIZE)
def micro_grid_list(request, filters: Query[MicroGridFilters]):
    selectors.require_staff(request.auth)
    return selectors.micro_grid_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/micro-grids/{int:micro_grid_id}", response={200: MicroGridOut, **ERRORS}, summary="微网格详情")
def micro_grid_detail(request, micro_grid_id: int):
    selectors.require_staff(request.auth)
    micro_grid = access.micro_grid_get(request.auth, micro_grid_id)
    return 200, _micro_grid_out(request)(micro_grid)


@router.post("/micro-grids", response={201: MicroGridOut, **ERRORS}, summary="新增微网格")
def micro_grid_create(request, payload: MicroGridIn):
    return _write(201, lambda: services.micro_grid_create(actor=request.auth, data=payload.dict()),
                  _micro_grid_out(request))


@router.patch("/micro-grids/{int:micro_grid_id}", response={200: MicroGridOut, **ERRORS}, summary="修改微网格")
def micro_grid_update(request, micro_grid_id: int, payload: MicroGridPatch):
    micro_grid = access.micro_grid_get(request.auth, micro_grid_id, write=True)
    return _write(200, lambda: services.micro_grid_update(actor=request.auth, micro_grid=micro_grid,
                                                          data=payload.dict(exclude_unset=True)),
                  _micro_grid_out(request))


# --- buildings --------------------------------------------------------------------------------

def _building_out(request):
    return lambda building: selectors.building_list_visible_to(actor=request.auth).get(pk=building.pk)


@router.get("/buildings", response=list[BuildingOut], summary="楼栋列表")
@paginated(PAGE_SIZE)
def building_list(request, filters: Query[BuildingFilters]):
    selectors.require_staff(request.auth)
    return selectors.building_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/buildings/{int:building_id}", response={200: BuildingOut, **ERRORS}, summary="楼栋详情")
def building_detail(request, building_id: int):
    selectors.require_staff(request.auth)
    building = access.building_get(request.auth, building_id)
    return 200, _building_out(request)(building)


@router.post("/buildings", response={201: BuildingOut, **ERRORS}, summary="新增楼栋")
def building_create(request, payload: BuildingIn):
    return _write(201, lambda: services.building_create(actor=request.auth, data=payload.dict()),
                  _building_out(request))


@router.patch("/buildings/{int:building_id}", response={200: BuildingOut, **ERRORS}, summary="修改楼栋")
def building_update(request, building_id: int, payload: BuildingPatch):
    building = access.building_get(request.auth, building_id, write=True)
    return _write(200, lambda: services.building_update(actor=request.auth, building=building,
                                                        data=payload.dict(exclude_unset=True)),
                  _building_out(request))


# --- entrances --------------------------------------------------------------------------------

def _entrance_out(request):
    return lambda entrance: selectors.entrance_list_visible_to(actor=request.auth).get(pk=entrance.pk)


@router.get("/entrances", response=list[EntranceOut], summary="单元列表")
@paginated(PAGE_SIZE)
def entrance_list(request, filters: Query[EntranceFilters]):
    selectors.require_staff(request.auth)
    return selectors.entrance_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/entrances/{int:entrance_id}", response={200: EntranceOut, **ERRORS}, summary="单元详情")
def entrance_detail(request, entrance_id: int):
    selectors.require_staff(request.auth)
    entrance = access.entrance_get(request.auth, entrance_id)
    return 200, _entrance_out(request)(entrance)


@router.post("/entrances", response={201: EntranceOut, **ERRORS}, summary="新增单元")
def entrance_create(request, payload: EntranceIn):
    return _write(201, lambda: services.entrance_create(actor=request.auth, data=payload.dict()),
                  _entrance_out(request))


@router.patch("/entrances/{int:entrance_id}", response={200: EntranceOut, **ERRORS}, summary="修改单元")
def entrance_update(request, entrance_id: int, payload: EntrancePatch):
    entrance = access.entrance_get(request.auth, entrance_id, write=True)
    return _write(200, lambda: services.entrance_update(actor=request.auth, entrance=entrance,
                                                        data=payload.dict(exclude_unset=True)),
                  _entrance_out(request))


# --- dwellings --------------------------------------------------------------------------------

def _dwelling_out(request):
    return lambda dwelling: selectors.dwelling_list_visible_to(actor=request.auth).get(pk=dwelling.pk)


@router.get("/dwellings", response=list[DwellingOut], summary="房屋列表（含户数、居民数）")
@paginated(PAGE_SIZE)
def dwelling_list(request, filters: Query[DwellingFilters]):
    selectors.require_staff(request.auth)
    return selectors.dwelling_list_visible_to(actor=request.auth, filters=_filters(filters))


@router.get("/dwellings/{int:dwelling_id}", response={200: DwellingOut, **ERRORS}, summary="房屋详情")
def dwelling_detail(request, dwelling_id: int):
    selectors.require_staff(request.auth)
    dwelling = access.dwelling_get(request.auth, dwelling_id)
    return 200, _dwelling_out(request)(dwelling)


@router.post("/dwellings", response={201: DwellingOut, **ERRORS}, summary="新增房屋")
def dwelling_create(request, payload: DwellingIn):
    return _write(201, lambda: services.dwelling_create(actor=request.auth, data=payload.dict()),
                  _dwelling_out(request))


@router.patch("/dwellings/{int:dwelling_id}", response={200: DwellingOut, **ERRORS}, summary="修改房屋")
def dwelling_update(request, dwelling_id: int, payload: DwellingPatch):
    dwelling = access.dwelling_get(request.auth, dwelling_id, write=True)
    return _write(200, lambda: services.dwelling_update(actor=request.auth, dwelling=dwelling,
                                                        data=payload.dict(exclude_unset=True)),
                  _dwelling_out(request))
