"""Detail access to organisations: out of sight is 404 (NotFound), in sight but read-only is 403 (Forbidden)."""

from linli.accounts.scope import can_edit
from linli.core.access import get_visible, require
from linli.core.errors import NotFound
from linli.core.scoping import scope_for, visible
from linli.orgs import selectors
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg

NOT_EDITOR = "您的角色只能查看，不能修改组织信息"
PAST_ONLY = "该记录与您辖区只有过去的关系，只能查看历史，不能修改"


def require_editor(actor) -> None:
    require(can_edit(actor), NOT_EDITOR)


def _get(queryset, actor, pk, *, write: bool):
    scope = scope_for(actor)
    obj = get_visible(queryset, scope, pk)
    if write:
        require_editor(actor)
        require(visible(queryset.filter(pk=obj.pk), scope, write=True).exists(), PAST_ONLY)
    return obj


def may_write(actor, obj) -> bool:
    """Whether the actor may change this organisation record (role, and a relation valid today)."""
    if isinstance(obj, Position):
        return can_edit(actor) and selectors.positions_writable_by(actor).filter(pk=obj.pk).exists()
    return can_edit(actor) and visible(type(obj).objects.filter(pk=obj.pk), scope_for(actor), write=True).exists()


def partyorg_get(actor, pk, *, write=False) -> PartyOrg:
    return _get(PartyOrg.objects.select_related("community", "parent", "property_company"), actor, pk, write=write)


def selforg_get(actor, pk, *, write=False) -> SelfOrg:
    return _get(SelfOrg.objects.select_related("compound__community"), actor, pk, write=write)


def propertycompany_get(actor, pk, *, write=False) -> PropertyCompany:
    return _get(PropertyCompany.objects.select_related("party_org"), actor, pk, write=write)


def propertyservice_get(actor, pk, *, write=False) -> PropertyService:
    return _get(PropertyService.objects.select_related("compound", "company"), actor, pk, write=write)


def partner_get(actor, pk, *, write=False) -> PartnerUnit:
    return _get(PartnerUnit.objects.select_related("community"), actor, pk, write=write)


def position_get(actor, pk, *, write=False) -> Position:
    # Not get_visible: a position is in sight through its holder OR its organisation (see selectors).
    queryset = selectors.positions_visible_to(actor).select_related(
        "resident", "party_org", "self_org", "property_company", "partner")
    try:
        position = queryset.get(pk=pk)
    except (Position.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if write:
        require_editor(actor)
        require(selectors.positions_writable_by(actor).filter(pk=position.pk).exists(), PAST_ONLY)
    return position
