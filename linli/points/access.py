"""Detail access for points: out of sight is 404 (as if absent); in sight but not the actor's to change is 403."""

from linli.accounts.scope import can_edit
from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.people.models import Household, Resident
from linli.places.models import AdminUnit
from linli.points import services
from linli.points.models import Award, Goods, PointRule, Redemption, RedemptionWindow


def award_get(actor, pk, *, write: bool = False) -> Award:
    award = get_visible(Award.objects.select_related("rule", "resident", "household"), scope_for(actor), pk)
    if write:
        require(can_edit(actor), services.NOT_EDITOR)
    return award


def redemption_get(actor, pk, *, write: bool = False) -> Redemption:
    redemption = get_visible(Redemption.objects.select_related("goods", "resident"), scope_for(actor), pk)
    if write:
        own = redemption.resident_id in scope_for(actor).resident_ids
        require(own or can_edit(actor), services.NOT_EDITOR)
    return redemption


def goods_get(actor, pk, *, write: bool = False) -> Goods:
    goods = get_visible(Goods.objects.select_related("community"), scope_for(actor), pk)
    if write:
        services.require_community_manager(actor, goods.community)
    return goods


def rule_get(actor, pk, *, write: bool = False) -> PointRule:
    rule = get_visible(PointRule.objects.select_related("community"), scope_for(actor), pk)
    if write:
        services.require_community_manager(actor, rule.community)
    return rule


def window_get(actor, pk) -> RedemptionWindow:
    return get_visible(RedemptionWindow, scope_for(actor), pk)


def resident_get(actor, pk) -> Resident:
    return get_visible(Resident.objects.select_related("household"), scope_for(actor), pk)


def household_get(actor, pk) -> Household:
    return get_visible(Household, scope_for(actor), pk)


def community_get(actor, pk, *, write: bool = False) -> AdminUnit:
    community = get_visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY), scope_for(actor), pk)
    if write:
        services.require_community_manager(actor, community)
    return community


def staff_required(actor) -> None:
    require(scope_for(actor).is_staff_scope, "只有工作人员可以使用积分管理。")


def resident_required(actor) -> Resident:
    scope = scope_for(actor)
    require(bool(scope.resident_ids), "只有登记的居民本人可以使用此页面。")
    return Resident.objects.select_related("household").get(pk=scope.resident_ids[0])
