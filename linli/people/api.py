"""The people registry over JSON: thin handlers over selectors, access and services."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router, Schema

from linli.core.access import require
from linli.core.api import ErrorOut, error
from linli.core.errors import INVALID
from linli.core.ids import Id
from linli.core.pagination import paginated
from linli.core.scoping import scope_for
from linli.people import access, selectors, services
from linli.people.schemas import (
    GridWorkerIn,
    GridWorkerOut,
    GridWorkerPatch,
    HouseholdListOut,
    HouseholdOut,
    PartyMemberIn,
    PartyMemberOut,
    PartyMemberPatch,
    ResidentDetailOut,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    ResidentUnmaskOut,
)

router = Router(tags=["人"])
PAGE_SIZE = 50


def _staff_only(actor):
    # Residents read their own household; registers of other people are for staff.
    require(scope_for(actor).is_staff_scope, "名单仅对工作人员开放。")


def _invalid(exc: ValidationError):
    return 400, error(INVALID, "提交的数据有误。", errors=exc.message_dict)


# Residents

class ResidentFilters(Schema):
    q: str | None = None
    community: str | None = None
    street: str | None = None
    district: str | None = None
    compound: Id | None = None
    building: Id | None = None
    grid: Id | None = None
    status: str | None = None
    care_tag: str | None = None
    elderly: bool | None = None
    party_member: bool | None = None


@router.get("/residents", response=list[ResidentOut], summary="居民列表（证件号、电话脱敏）")
@paginated(PAGE_SIZE)
def resident_list(request, filters: Query[ResidentFilters]):
    _staff_only(request.auth)
    return selectors.resident_list_visible_to(actor=request.auth, filters=filters.dict(exclude_none=True))


@router.get("/residents/{resident_id}", response={200: ResidentDetailOut, 403: ErrorOut, 404: ErrorOut}, summary="居民详情（脱敏）")
def resident_detail(request, resident_id: int):
    return access.resident_get(request.auth, resident_id)


@router.post("/residents", response={201: ResidentDetailOut, 400: ErrorOut}, summary="登记居民")
def resident_create(request, payload: ResidentIn):
    try:
        resident = services.resident_create(actor=request.auth, **payload.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return 201, access.resident_get(request.auth, resident.pk)


@router.patch("/residents/{resident_id}", response={200: ResidentDetailOut, 400: ErrorOut}, summary="修改居民")
def resident_update(request, resident_id: int, payload: ResidentPatch):
    resident = access.resident_get(request.auth, resident_id, write=True)
    given = payload.dict(exclude_unset=True)
    care_tags = given.pop("care_tags", None)
    sensitive = given.pop("sensitive_tags", None)
    household = given.pop("household", None)
    data = {k: ("" if v is None and k in ("id_number", "phone", "email") else v) for k, v in given.items()}
    try:
        services.resident_update(actor=request.auth, resident=resident, data=data, care_tags=care_tags,
                                 household=household, relation=data.get("relation"), sensitive_tags=sensitive)
    except ValidationError as exc:
        return _invalid(exc)
    return 200, access.resident_get(request.auth, resident_id)


@router.post("/residents/{resident_id}/unmask", response=ResidentUnmaskOut,
             summary="查看完整身份证号、电话与敏感标签（记入审计日志）")
def resident_unmask(request, resident_id: int, response: HttpResponse):
    resident = access.resident_get_for_unmask(request.auth, resident_id)
    response["Cache-Control"] = "no-store"
    return services.resident_unmask(actor=request.auth, resident=resident)


# Households

class HouseholdFilters(Schema):
    q: str | None = None
    community: str | None = None
    street: str | None = None
    district: str | None = None
    compound: Id | None = None
    building: Id | None = None
    grid: Id | None = None


@router.get("/households", response=list[HouseholdListOut], summary="户列表（含成员、65岁以上、党员人数）")
@paginated(PAGE_SIZE)
def household_list(request, filters: Query[HouseholdFilters]):
    _staff_only(request.auth)
    return selectors.household_list_visible_to(actor=request.auth, filters=filters.dict(exclude_none=True))


@router.get("/households/{household_id}", response={200: HouseholdOut, 403: ErrorOut, 404: ErrorOut}, summary="户详情与成员（脱敏）")
def household_detail(request, household_id: int):
    household = access.household_get(request.auth, household_id)
    summary = selectors.household_summary(household)
    building = household.dwelling.entrance.building
    return {
        "id": household.pk, "number": household.number, "dwelling_id": household.dwelling_id,
        "dwelling": str(household.dwelling), "compound_id": building.compound_id,
        "compound_name": building.compound.name, "member_count": summary["members"],
        "elderly_count": summary["elderly"], "party_member_count": summary["party_members"],
        "owner_count": summary["owners"],
        "members": list(selectors.household_members(household).select_related(
            "household__dwelling__entrance__building__compound__community")),
    }


# Party members

class PartyMemberFilters(Schema):
    q: str | None = None
    community: str | None = None
    street: str | None = None
    district: str | None = None
    compound: Id | None = None
    category: str | None = None
    lost_contact: bool | None = None
    dual_community: Id | None = None
    branch: Id | None = None


@router.get("/party-members", response=list[PartyMemberOut], summary="党员列表")
@paginated(PAGE_SIZE)
def partymember_list(request, filters: Query[PartyMemberFilters]):
    _staff_only(request.auth)
    return selectors.partymember_list_visible_to(actor=request.auth, filters=filters.dict(exclude_none=True)
                                                 ).prefetch_related("cared_households")


@router.post("/party-members", response={201: PartyMemberOut, 400: ErrorOut}, summary="登记党员")
def partymember_create(request, payload: PartyMemberIn):
    try:
        member = services.partymember_create(actor=request.auth, **payload.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return 201, access.partymember_get(request.auth, member.pk)


@router.get("/party-members/{member_id}", response={200: PartyMemberOut, 403: ErrorOut, 404: ErrorOut}, summary="党员详情")
def partymember_detail(request, member_id: int):
    return access.partymember_get(request.auth, member_id)


@router.patch("/party-members/{member_id}", response={200: PartyMemberOut, 400: ErrorOut}, summary="修改党员")
def partymember_update(request, member_id: int, payload: PartyMemberPatch):
    member = access.partymember_get(request.auth, member_id, write=True)
    try:
        services.partymember_update(actor=request.auth, member=member, data=payload.dict(exclude_unset=True))
    except ValidationError as exc:
        return _invalid(exc)
    return 200, access.partymember_get(request.auth, member_id)


# Grid workers

class GridWorkerFilters(Schema):
    q: str | None = None
    kind: str | None = None
    grid: Id | None = None


@router.get("/grid-workers", response=list[GridWorkerOut], summary="网格员列表")
@paginated(PAGE_SIZE)
def gridworker_list(request, filters: Query[GridWorkerFilters]):
    _staff_only(request.auth)
    return selectors.gridworker_list_visible_to(actor=request.auth, filters=filters.dict(exclude_none=True))


@router.post("/grid-workers", response={201: GridWorkerOut, 400: ErrorOut}, summary="登记网格员")
def gridworker_create(request, payload: GridWorkerIn):
    try:
        worker = services.gridworker_create(actor=request.auth, **payload.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return 201, worker


@router.get("/grid-workers/{worker_id}", response={200: GridWorkerOut, 403: ErrorOut, 404: ErrorOut}, summary="网格员详情")
def gridworker_detail(request, worker_id: int):
    return access.gridworker_get(request.auth, worker_id)


@router.patch("/grid-workers/{worker_id}", response={200: GridWorkerOut, 400: ErrorOut}, summary="修改网格员")
def gridworker_update(request, worker_id: int, payload: GridWorkerPatch):
    worker = access.gridworker_get(request.auth, worker_id, write=True)
    given = payload.dict(exclude_unset=True)
    grids = given.pop("grids", None)
    try:
        services.gridworker_update(actor=request.auth, worker=worker, data=given, grids=grids)
    except ValidationError as exc:
        return _invalid(exc)
    return 200, access.gridworker_get(request.auth, worker_id)
