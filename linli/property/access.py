"""Detail access for property: out of sight is 404 (as if absent); in sight but not the actor's to change is 403."""

from linli.core.access import get_visible, require
from linli.core.scoping import scope_for
from linli.places.models import AdminUnit, Compound
from linli.property import services
from linli.property.models import (
    Budget,
    CommonResource,
    Entry,
    Grant,
    RatingScheme,
    RevenueContract,
    Statement,
    TrustAccount,
)


def account_get(actor, pk, *, write: bool = False) -> TrustAccount:
    account = get_visible(TrustAccount.objects.select_related("compound__community", "company"), scope_for(actor), pk)
    if write:
        require(services.may_book(actor), services.NOT_BOOKER)
    return account


def entry_get(actor, pk, *, write: bool = False) -> Entry:
    entry = get_visible(Entry.objects.select_related("account__compound", "resource", "contract"),
                        scope_for(actor), pk)
    if write:
        require(services.may_book(actor), services.NOT_BOOKER)
    return entry


def statement_get(actor, pk) -> Statement:
    return get_visible(Statement.objects.select_related("account__compound"), scope_for(actor), pk)


def resource_get(actor, pk, *, write: bool = False) -> CommonResource:
    resource = get_visible(CommonResource.objects.select_related("compound"), scope_for(actor), pk)
    if write:
        require(services.may_book(actor), services.NOT_BOOKER)
    return resource


def contract_get(actor, pk) -> RevenueContract:
    return get_visible(RevenueContract.objects.select_related("resource"), scope_for(actor), pk)


def compound_get(actor, pk) -> Compound:
    return get_visible(Compound.objects.select_related("community"), scope_for(actor).work_area(), pk)


def unit_get(actor, pk) -> AdminUnit:
    return get_visible(AdminUnit, scope_for(actor).work_area(), pk)


def scheme_get(actor, pk) -> RatingScheme:
    return get_visible(RatingScheme.objects.prefetch_related("criteria"), scope_for(actor), pk)


def budget_get(actor, pk, *, write: bool = False) -> Budget:
    budget = get_visible(Budget.objects.select_related("unit"), scope_for(actor), pk)
    if write:
        require(services.is_funder(actor), services.NOT_FUNDER)
    return budget


def grant_get(actor, pk, *, write: bool = False) -> Grant:
    grant = get_visible(Grant.objects.select_related("budget"), scope_for(actor), pk)
    if write:
        require(services.is_funder(actor), services.NOT_FUNDER)
    return grant


def staff_required(actor) -> None:
    require(scope_for(actor).is_staff_scope, "只有工作人员可以使用物业治理页面。")


def officer_required(actor) -> None:
    require(scope_for(actor).is_officer, "覆盖率指标供社区、街道、区级工作人员查看。")
