"""Who holds a case: the first line told when it is filed, and everyone it may be given to.

A case hangs on the place tree at its building's grid (no building: every grid its compound touches,
the rule `Case.scoping` uses for sight), its compound, its community and the units above. Staff see it
from any of these nodes. The first line is the nearest node with someone able to act on it: a grid
left without a worker, or a compound without a branch secretary, must not leave a case with no-one
while its 10-minute arrival clock runs.
"""

from django.db.models import Q

from linli.accounts.models import EDITOR_ROLES, Assignment, Role, User
from linli.accounts.scope import can_edit
from linli.cases.access import may_see
from linli.cases.models import Status
from linli.core.memo import remembered
from linli.places.models import Building
from linli.places.selectors import unit_and_ancestors

# The states in which a case waits for someone to hold it, and staff of the area may take it themselves.
TAKEABLE = (Status.NEW, Status.RETURNED, Status.REOPENED)


def may_take(actor, case) -> bool:
    """接单 in one step: staff who may edit and whose work area (not their home) holds the case."""
    return case.status in TAKEABLE and can_edit(actor) and may_see(actor, case, work_only=True)


def _grid_ids(case) -> list[int]:
    buildings = (Building.objects.filter(pk=case.building_id) if case.building_id
                 else Building.objects.filter(compound_id=case.compound_id))
    return remembered(("case grids", case.building_id, case.compound_id),
                      lambda: sorted(set(buildings.order_by().values_list("grid_id", flat=True))))


def _unit_ids(case) -> list[int]:
    """The community and each unit above it, nearest first."""
    community = case.compound.community_id
    return remembered(("units above", community), lambda: [unit.pk for unit in unit_and_ancestors(community)])


def _holders(case, roles) -> list[tuple[int, User, str]]:
    """(distance, user, role) for every active user who sees the case from a node where they hold one of
    `roles`, at their nearest such node: 0 the grid, 1 the compound, 2 the community, then up the tree;
    administrators (who see everything) last."""
    grids, units = _grid_ids(case), _unit_ids(case)
    everywhere = len(units) + 2

    def distance(a) -> int | None:
        if a.grid_id is not None and a.grid_id in grids:
            return 0
        if a.compound_id is not None and a.compound_id == case.compound_id:
            return 1
        if a.unit_id is not None and a.unit_id in units:
            return 2 + units.index(a.unit_id)
        return everywhere if a.role == Role.ADMIN else None

    near = Q(grid_id__in=grids) | Q(compound_id=case.compound_id) | Q(unit_id__in=units) | Q(role=Role.ADMIN)
    best: dict[int, tuple[int, User, str]] = {}
    rows = Assignment.objects.filter(near, role__in=roles, user__is_active=True).select_related("user")
    for a in rows:
        d = distance(a)
        if d is not None and (a.user_id not in best or d < best[a.user_id][0]):
            best[a.user_id] = (d, a.user, Role(a.role).label)
    # A superuser sees everything without any assignment (core.scoping), so the services accept them.
    for user in User.objects.filter(is_superuser=True, is_active=True).exclude(pk__in=list(best)):
        best[user.pk] = (everywhere, user, Role.ADMIN.label)
    return sorted(best.values(), key=lambda row: (row[0], row[1].username))


def responsible_for(case) -> list[User]:
    """The active staff who hold the case's first line: the editors of its grid, else of its compound,
    else of its community (and up the tree while a unit has none). Each of them sees the case in their
    work area and may take it; they are the ones told when it is filed."""
    holders = _holders(case, EDITOR_ROLES)
    if not holders:
        return []
    nearest = holders[0][0]
    return [user for d, user, _ in holders if d == nearest]


def candidates(case) -> list[User]:
    """Everyone the case may be dispatched or transferred to: the active staff (any role but resident)
    who see it in their work area, nearest first; `label` names each with the role they hold there."""
    staff_roles = [r for r in Role.values if r != Role.RESIDENT]
    users = []
    for _, user, role in _holders(case, staff_roles):
        user.label = f"{user}（{role}）" if str(user) != role else role
        users.append(user)
    return users
