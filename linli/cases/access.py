"""Who may see and act on a case. Out of sight is 404 (NotFound); in sight but not allowed is 403."""

from linli.accounts.models import EDITOR_ROLES, Assignment
from linli.accounts.scope import can_edit
from linli.cases.models import LEVEL_ORDER, Case, Level, level_rank
from linli.core.access import get_visible, require
from linli.core.memo import remembered
from linli.core.scoping import scope_for, visible
from linli.places.models import Building, Compound, Dwelling
from linli.places.selectors import unit_and_ancestors

# Prefix length of a unit code → the level at which an officer holding that unit works.
_PREFIX_LEVEL = {6: Level.DISTRICT, 9: Level.STREET, 12: Level.COMMUNITY}


def case_get(actor, pk, *, write=False) -> Case:
    case = get_visible(Case.objects.select_related("category", "compound__community"), scope_for(actor), pk)
    if write:
        require(may_work(actor, case), "您无权办理此诉求")
    return case


def is_assignee(actor, case) -> bool:
    return bool(getattr(actor, "pk", None)) and case.assignee_id == actor.pk


def may_work(actor, case) -> bool:
    """Staff who edit in this jurisdiction, or the person the case was dispatched to."""
    return can_edit(actor) or is_assignee(actor, case)


def is_staff(actor) -> bool:
    return scope_for(actor).is_staff_scope


def actor_rank(actor) -> int:
    """The highest level of the place tree the actor works at (-1: none; above district: admin)."""
    scope = scope_for(actor)
    if scope.everything:
        return len(LEVEL_ORDER)
    rank = 0 if (scope.grid_ids or scope.compound_ids) else -1
    for prefix in scope.unit_prefixes:
        rank = max(rank, level_rank(_PREFIX_LEVEL[len(prefix)]))
    return rank


def may_supervise(actor, case) -> bool:
    """督办 is for levels above the one holding the case."""
    return can_edit(actor) and actor_rank(actor) > level_rank(case.level)


def may_see(user, case, *, work_only=False) -> bool:
    scope = scope_for(user).work_area() if work_only else scope_for(user)
    # A page asks this several times (the actions it offers); a write in between forgets the answer.
    return remembered(("case in sight", case.pk, scope),
                      lambda: visible(Case.objects.filter(pk=case.pk), scope).exists())


def reads_as_follower(actor, case) -> bool:
    """Neither the reporter nor working on it: the case is in sight only because the actor follows it.

    A follower reported the same matter, so they learn how it goes: its status and its public
    result. The other resident's words, place, photos, contact and the timeline are not theirs.
    """
    if getattr(actor, "pk", None) and case.reporter_id == actor.pk:
        return False
    return not may_see(actor, case, work_only=True)


def intake_compounds(actor):
    """The compounds an actor may file a case for: a resident their home, staff their jurisdiction."""
    scope = scope_for(actor)
    if scope.is_staff_scope:
        return visible(Compound.objects.all(), scope)
    return Compound.objects.filter(id__in=scope.home_compound_ids)


def intake_buildings(actor, compound):
    scope = scope_for(actor)
    qs = Building.objects.filter(compound=compound)
    return visible(qs, scope) if scope.is_staff_scope else qs.filter(compound_id__in=scope.home_compound_ids)


def intake_dwellings(actor, compound):
    scope = scope_for(actor)
    qs = Dwelling.objects.filter(entrance__building__compound=compound)
    if scope.is_staff_scope:
        return visible(qs, scope)
    # A resident names only their own home, never a neighbour's dwelling.
    return qs.filter(households__id__in=scope.household_ids).distinct()


def officers_at(case, level: str):
    """The users who hold the case's node at a level: the ones told about an escalation."""
    from linli.accounts.models import User

    compound = case.compound
    if level == Level.COMPOUND:
        grids = ([case.building.grid_id] if case.building_id else
                 list(compound.buildings.values_list("grid_id", flat=True)))
        assignments = Assignment.objects.filter(compound=compound) | Assignment.objects.filter(grid_id__in=grids)
    else:
        unit = next((u for u in unit_and_ancestors(compound.community_id) if u.level == level), None)
        assignments = Assignment.objects.filter(unit=unit)
    ids = assignments.filter(role__in=EDITOR_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)
