"""Detail access for grid work: out of sight is 404, in sight but not the actor's to do is 403."""

from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.gridwork.models import CheckIn, Finding, GridTask, Patrol, RosterMember, Trial, Visit
from linli.people.models import GridWorker, Household, Resident
from linli.places.models import Building

NOT_OFFICER = "网格工作统计由社区书记、街道和区里查看；网格员请看“我的统计”。"


def patrol_get(actor, pk) -> Patrol:
    return get_visible(Patrol.objects.select_related("grid", "worker"), scope_for(actor), pk)


def finding_get(actor, pk) -> Finding:
    return get_visible(Finding.objects.select_related("patrol__grid", "building__compound", "case"),
                       scope_for(actor), pk)


def visit_get(actor, pk) -> Visit:
    return get_visible(Visit.objects.select_related("household", "worker"), scope_for(actor), pk)


def checkin_get(actor, pk) -> CheckIn:
    return get_visible(CheckIn.objects.select_related("grid", "worker"), scope_for(actor), pk)


def task_get(actor, pk) -> GridTask:
    return get_visible(GridTask.objects.select_related("grid"), scope_for(actor), pk)


def household_get(actor, pk) -> Household:
    """A household to visit: within the work area (living somewhere does not count), else 404."""
    return get_visible(Household.objects.select_related("dwelling__entrance__building__compound"),
                       scope_for(actor).work_area(), pk)


def worker_get(actor, pk) -> GridWorker:
    return get_visible(GridWorker.objects.prefetch_related("grids"), scope_for(actor), pk)


def officer_required(actor) -> None:
    """Figures of a team: the officers over units (community secretary, street, district)."""
    require(scope_for(actor).is_officer, NOT_OFFICER)


def trial_get(actor, pk) -> Trial:
    return get_visible(Trial.objects.select_related("worker", "community"), scope_for(actor), pk)


def roster_get(actor, pk) -> RosterMember:
    return get_visible(RosterMember.objects.select_related("building", "resident"), scope_for(actor), pk)


def building_get(actor, pk) -> Building:
    """A building whose roster the actor keeps: in the work area, else 404."""
    return get_visible(Building.objects.select_related("compound", "grid"), scope_for(actor).work_area(), pk)


def building_resident_get(actor, building, pk) -> Resident:
    return get_visible(Resident.objects.filter(household__dwelling__entrance__building=building)
                       .select_related("household__dwelling__entrance"), scope_for(actor).work_area(), pk)
