"""Detail access for the people registry: 404 when out of sight, 403 when the actor may only read."""

from dataclasses import replace

from linli.accounts.scope import can_edit, can_unmask, scope_for
from linli.core.access import get_visible, require
from linli.core.scoping import Scope
from linli.people.models import GridWorker, Household, PartyMember, Resident

UNMASK_REFUSED = "您没有查看完整身份证号和电话的权限。"


def work_scope(actor) -> Scope:
    """The actor's jurisdiction without the resident's own-household sight.

    A staff member who also lives somewhere may read their own household like any resident, but
    changing or unmasking records is work, so it is bounded by the jurisdiction alone.
    """
    return replace(scope_for(actor), user_id=None, resident_ids=(), household_ids=(), home_compound_ids=())


def _get(model_or_qs, actor, pk, *, write: bool):
    obj = get_visible(model_or_qs, scope_for(actor), pk)
    if write:
        require(can_edit(actor), "您没有修改该记录的权限。")
        # Read sight may come from living there; writing needs the jurisdiction.
        obj = get_visible(model_or_qs, work_scope(actor), pk)
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
