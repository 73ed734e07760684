"""Detail access for the people registry: 404 when out of sight, 403 when the actor may only read."""

from linli.accounts.scope import can_edit, can_unmask
from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.people.models import GridWorker, Household, PartyMember, Resident

UNMASK_REFUSED = "您没有查看完整身份证号和电话的权限。"


def _get(model_or_qs, actor, pk, *, write: bool):
    obj = get_visible(model_or_qs, scope_for(actor), pk)
    if write:
        require(can_edit(actor), "您没有修改该记录的权限。")
        # Read sight may come from living there; writing needs the jurisdiction.
        obj = get_visible(model_or_qs, scope_for(actor).work_area(), pk)
    return obj


def resident_get(actor, pk, *, write: bool = False) -> Resident:
    qs = Resident.objects.select_related("household__dwelling__entrance__building__compound__community",
                                         "household__dwelling__entrance__building__grid")
    return _get(qs, actor, pk, write=write)


def resident_get_for_unmask(actor, pk) -> Resident:
    """Out of sight: 404; in sight but not where the actor's work needs full values: 403 (see can_unmask)."""
    resident = get_visible(Resident, scope_for(actor), pk)
    require(can_unmask(actor, resident), UNMASK_REFUSED)
    return resident


def household_get(actor, pk, *, write: bool = False) -> Household:
    qs = Household.objects.select_related("dwelling__entrance__building__compound__community",
                                          "dwelling__entrance__building__grid")
    return _get(qs, actor, pk, write=write)


def partymember_get(actor, pk, *, write: bool = False) -> PartyMember:
    qs = PartyMember.objects.select_related("resident__household__dwelling__entrance__building__compound",
                                            "home_branch", "dual_registered_community")
    return _get(qs, actor, pk, write=write)


def gridworker_get(actor, pk, *, write: bool = False) -> GridWorker:
    return _get(GridWorker, actor, pk, write=write)
