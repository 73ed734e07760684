"""Every write to the place registry: checked against the actor's role and sight, validated, audited.

Services take plain data (field name → value; a reference may be a model instance or its id) and
re-read every referenced place through the actor's jurisdiction: an id from a form or an API client
is never trusted. Model validation errors come back as `ValidationError` with a field → messages
dict, which pages show next to the fields and the API returns as 400.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.scope import can_edit
from linli.core import services as core_services
from linli.core.access import require
from linli.core.scoping import scope_for, visible
from linli.places import access
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid

# Which fields each service accepts; references are listed with the model they point to.
UNIT_CREATE_FIELDS = ("level", "parent", "code", "name")
UNIT_UPDATE_FIELDS = ("code", "name")
GRID_FIELDS = ("community", "code", "name")
MICRO_GRID_FIELDS = ("grid", "name")
COMPOUND_FIELDS = ("community", "name", "kind", "address", "build_year", "walled", "has_property_room",
                   "responsible_department", "latitude", "longitude")
BUILDING_FIELDS = ("compound", "number", "floors", "grid", "micro_grid")
ENTRANCE_FIELDS = ("building", "number")
DWELLING_FIELDS = ("entrance", "number", "floor", "registered_area", "surveyed_area", "contract_area",
                   "developer_unsold")



def _clean_data(actor, model, data: dict, allowed: tuple, current=None) -> dict:
    """Allowed fields, with every referenced place re-read through the actor's sight."""
    scope = scope_for(actor)
    return core_services.resolve_references(
        model, data, allowed, current=current,
        source=lambda name, field: visible(field.related_model._default_manager.all(), scope))


def _require_editor(actor) -> None:
    require(can_edit(actor), access.NOT_EDITOR)


# --- administrative units ---------------------------------------------------------------------

@transaction.atomic
def unit_create(*, actor, data: dict) -> AdminUnit:
    require(access.can_edit_units(actor), access.NOT_UNIT_EDITOR)
    if data.get("level") == AdminUnit.Level.DISTRICT:
        require(scope_for(actor).everything, "只有系统管理员可以新增区县")
    cleaned = _clean_data(actor, AdminUnit, data, UNIT_CREATE_FIELDS)
    return core_services.create(actor=actor, model=AdminUnit, data=cleaned)


@transaction.atomic
def unit_update(*, actor, unit: AdminUnit, data: dict) -> AdminUnit:
    unit = access.unit_get(actor, unit.pk, write=True, lock=True)
    cleaned = _clean_data(actor, AdminUnit, data, UNIT_UPDATE_FIELDS, current=unit)
    if "code" in cleaned and cleaned["code"] != unit.code:
        if unit.level == AdminUnit.Level.DISTRICT:
            require(scope_for(actor).everything, "只有系统管理员可以修改区县代码")
        # Everything below a unit is found by code prefix, so a unit with children keeps its code.
        if unit.children.exists() or unit.grids.exists() or unit.compounds.exists():
            raise ValidationError({"code": ["该区划下已有下级区划、网格或小区，不能修改区划代码。"]})
    return core_services.update(actor=actor, instance=unit, data=cleaned)


# --- grids ------------------------------------------------------------------------------------

@transaction.atomic
def grid_create(*, actor, data: dict) -> Grid:
    _require_editor(actor)
    cleaned = _clean_data(actor, Grid, data, GRID_FIELDS)
    return core_services.create(actor=actor, model=Grid, data=cleaned)


@transaction.atomic
def grid_update(*, actor, grid: Grid, data: dict) -> Grid:
    grid = access.grid_get(actor, grid.pk, write=True, lock=True)
    cleaned = _clean_data(actor, Grid, data, GRID_FIELDS, current=grid)
    return core_services.update(actor=actor, instance=grid, data=cleaned)


@transaction.atomic
def micro_grid_create(*, actor, data: dict) -> MicroGrid:
    _require_editor(actor)
    cleaned = _clean_data(actor, MicroGrid, data, MICRO_GRID_FIELDS)
    return core_services.create(actor=actor, model=MicroGrid, data=cleaned)


@transaction.atomic
def micro_grid_update(*, actor, micro_grid: MicroGrid, data: dict) -> MicroGrid:
    micro_grid = access.micro_grid_get(actor, micro_grid.pk, write=True, lock=True)
    cleaned = _clean_data(actor, MicroGrid, data, MICRO_GRID_FIELDS, current=micro_grid)
    return core_services.update(actor=actor, instance=micro_grid, data=cleaned)


# --- compounds and what is inside them --------------------------------------------------------

@transaction.atomic
def compound_create(*, actor, data: dict) -> Compound:
    _require_editor(actor)
    cleaned = _clean_data(actor, Compound, data, COMPOUND_FIELDS)
    return core_services.create(actor=actor, model=Compound, data=cleaned)


@transaction.atomic
def compound_update(*, actor, compound: Compound, data: dict) -> Compound:
    compound = access.compound_get(actor, compound.pk, write=True, lock=True)
    cleaned = _clean_data(actor, Compound, data, COMPOUND_FIELDS, current=compound)
    return core_services.update(actor=actor, instance=compound, data=cleaned)


@transaction.atomic
def building_create(*, actor, data: dict) -> Building:
    _require_editor(actor)
    cleaned = _clean_data(actor, Building, data, BUILDING_FIELDS)
    return core_services.create(actor=actor, model=Building, data=cleaned)


@transaction.atomic
def building_update(*, actor, building: Building, data: dict) -> Building:
    building = access.building_get(actor, building.pk, write=True, lock=True)
    cleaned = _clean_data(actor, Building, data, BUILDING_FIELDS, current=building)
    return core_services.update(actor=actor, instance=building, data=cleaned)


@transaction.atomic
def entrance_create(*, actor, data: dict) -> Entrance:
    _require_editor(actor)
    cleaned = _clean_data(actor, Entrance, data, ENTRANCE_FIELDS)
    return core_services.create(actor=actor, model=Entrance, data=cleaned)


@transaction.atomic
def entrance_update(*, actor, entrance: Entrance, data: dict) -> Entrance:
    entrance = access.entrance_get(actor, entrance.pk, write=True, lock=True)
    cleaned = _clean_data(actor, Entrance, data, ENTRANCE_FIELDS, current=entrance)
    return core_services.update(actor=actor, instance=entrance, data=cleaned)


@transaction.atomic
def dwelling_create(*, actor, data: dict) -> Dwelling:
    _require_editor(actor)
    cleaned = _clean_data(actor, Dwelling, data, DWELLING_FIELDS)
    return core_services.create(actor=actor, model=Dwelling, data=cleaned)


@transaction.atomic
def dwelling_update(*, actor, dwelling: Dwelling, data: dict) -> Dwelling:
    dwelling = access.dwelling_get(actor, dwelling.pk, write=True, lock=True)
    cleaned = _clean_data(actor, Dwelling, data, DWELLING_FIELDS, current=dwelling)
    return core_services.update(actor=actor, instance=dwelling, data=cleaned)
