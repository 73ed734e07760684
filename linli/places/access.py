"""Detail access to places: out of sight is 404 (NotFound), in sight but read-only is 403 (Forbidden)."""

from linli.accounts.models import Role
from linli.accounts.scope import can_edit
from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid

NOT_EDITOR = "您的角色只能查看，不能修改登记信息"
NOT_UNIT_EDITOR = "只有区级干部和系统管理员可以维护行政区划"


def can_edit_units(actor) -> bool:
    """Administrative units are set by the district (or an administrator), not by the communities."""
    scope = scope_for(actor)
    return scope.everything or Role.DISTRICT_OFFICER.value in scope.roles


def _get(model, actor, pk, *, write: bool, lock: bool = False, related=()):
    queryset = model._default_manager.select_related(*related)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    obj = get_visible(queryset, scope_for(actor), pk)
    if write:
        require(can_edit(actor), NOT_EDITOR)
    return obj


def unit_get(actor, pk, *, write=False, lock=False) -> AdminUnit:
    unit = _get(AdminUnit, actor, pk, write=False, lock=lock, related=("parent",))
    if write:
        require(can_edit_units(actor), NOT_UNIT_EDITOR)
    return unit


def grid_get(actor, pk, *, write=False, lock=False) -> Grid:
    return _get(Grid, actor, pk, write=write, lock=lock, related=("community",))


def micro_grid_get(actor, pk, *, write=False, lock=False) -> MicroGrid:
    return _get(MicroGrid, actor, pk, write=write, lock=lock, related=("grid",))


def compound_get(actor, pk, *, write=False, lock=False) -> Compound:
    return _get(Compound, actor, pk, write=write, lock=lock, related=("community",))


def building_get(actor, pk, *, write=False, lock=False) -> Building:
    return _get(Building, actor, pk, write=write, lock=lock, related=("compound", "grid", "micro_grid"))


def entrance_get(actor, pk, *, write=False, lock=False) -> Entrance:
    return _get(Entrance, actor, pk, write=write, lock=lock, related=("building__compound",))


def dwelling_get(actor, pk, *, write=False, lock=False) -> Dwelling:
    return _get(Dwelling, actor, pk, write=write, lock=lock, related=("entrance__building__compound",))
