"""/api/v1/points/…: the same operations as the pages, over the same services and selectors.

Writes need an `idempotency_key` (1–64 characters): sending the same request again returns the first
result with `replayed: true` and books nothing. A refusal by the rules is 400 (409 for a key reused
for a different request, code `key_reused`, or an already closed record) with a stable `code` and a
Chinese `detail`.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from linli.accounts.scope import can_edit
from linli.core.access import require
from linli.core.api import ErrorOut
from linli.core.errors import INVALID, NotFound, Refused
from linli.core.ids import MAX_INT, Count, Id
from linli.core.pagination import PageIn, page_of, page_schema, paginated
from linli.points import access, selectors, services
from linli.points.reports import REPORTS, report_data

router = Router(tags=["积分"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas --------------------------------------------------------------------------------------

class PointsEntryOut(Schema):
    seq: int
    at: dt.datetime
    kind: str = Field(alias="transfer.kind")
    kind_name: str = Field(alias="transfer.get_kind_display")
    reason: str = Field(alias="transfer.reason")
    amount: int
    balance_after: int


class PointsStatementOut(Schema):
    resident_id: int
    name: str
    balance: int
    household_balance: int
    time_bank_hours: float
    count: int
    items: list[PointsEntryOut]


class RuleIn(Schema):
    community_id: Id
    audience: str = "resident"
    category: str
    code: str
    name: str
    points: int = Field(ge=-MAX_INT, le=MAX_INT)
    unit: str = "time"
    evidence: str = ""
    period: str = "month"
    cap: Count | None = None
    active: bool = True


class RulePatch(Schema):
    name: str | None = None
    points: int | None = Field(None, ge=-MAX_INT, le=MAX_INT)
    evidence: str | None = None
    period: str | None = None
    cap: Count | None = None
    active: bool | None = None


class RuleOut(Schema):
    id: int
    community_id: int
    audience: str
    category: str
    code: str
    name: str
    points: int
    unit: str
    evidence: str
    period: str
    cap: int | None
    active: bool


class AwardIn(Schema):
    idempotency_key: str
    rule_id: Id
    resident_id: Id | None = None
    household_id: Id | None = None
    quantity: Decimal = Decimal("1")
    source_type: str = "other"
    source_id: str = ""
    evidence: str = ""


class ClaimIn(Schema):
    idempotency_key: str
    rule_id: Id
    quantity: Decimal = Decimal("1")
    evidence: str


class AwardNoteIn(Schema):
    note: str = ""


class AwardOut(Schema):
    id: int
    rule_id: int
    rule_name: str = Field(alias="rule.name")
    resident_id: int | None
    household_id: int
    quantity: Decimal
    points: int
    source_type: str
    source_id: str
    evidence: str
    status: str
    corrects_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    replayed: bool = False


PagedAwardOut = page_schema(AwardOut)


class GoodsIn(Schema):
    community_id: Id
    name: str
    kind: str = "goods"
    description: str = ""
    price: Count
    stock: Count
    limit_per_person: Count = 1
    active: bool = True


class GoodsPatch(Schema):
    name: str | None = None
    description: str | None = None
    price: Count | None = None
    stock: Count | None = None
    limit_per_person: Count | None = None
    active: bool | None = None


class GoodsOut(Schema):
    id: int
    community_id: int
    name: str
    kind: str
    description: str
    price: int
    stock: int
    limit_per_person: int
    active: bool


class WindowIn(Schema):
    community_id: Id
    name: str = ""
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


class WindowOut(Schema):
    id: int
    community_id: int
    name: str
    opens_at: dt.datetime
    closes_at: dt.datetime


class RedemptionIn(Schema):
    idempotency_key: str
    goods_id: Id
    quantity: Count = 1


class RedemptionOut(Schema):
    id: int
    goods_id: int
    goods_name: str = Field(alias="goods.name")
    resident_id: int
    window_id: int
    quantity: int
    points: int
    status: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    replayed: bool = False


PagedRedemptionOut = page_schema(RedemptionOut)


class ReportOut(Schema):
    kind: str
    title: str
    start: dt.date
    end: dt.date
    headers: list[str]
    count: int
    rows: list[list]


def _statement(request, resident, paging):
    account, household_account = services.accounts_of(resident)
    page = page_of(request, selectors.statement(account), paging)
    return {"resident_id": resident.pk, "name": resident.name, "balance": account.balance if account else 0,
            "household_balance": household_account.balance if household_account else 0,
            "time_bank_hours": selectors.time_bank_hours(resident), **page}


# --- statements -----------------------------------------------------------------------------------

@router.get("/points/me", response={200: PointsStatementOut, 403: ErrorOut}, summary="我的积分与明细（居民本人）")
def my_statement(request, paging: Query[PageIn]):
    return _statement(request, access.resident_required(request.auth), paging)


@router.get("/points/residents/{resident_id}/statement", response={200: PointsStatementOut, **ERRORS},
            summary="某居民的积分明细（工作人员）")
def resident_statement(request, resident_id: int, paging: Query[PageIn]):
    access.staff_required(request.auth)
    return _statement(request, access.resident_get(request.auth, resident_id), paging)


# --- rules ----------------------------------------------------------------------------------------

@router.get("/points/rules", response=list[RuleOut], summary="积分规则（辖区内或本社区）")
@paginated()
def rule_list(request, community: Id | None = None, audience: str = "", category: str = ""):
    return selectors.rule_list_visible_to(actor=request.auth, filters={
        "community": community, "audience": audience, "category": category})


@router.post("/points/rules", response={201: RuleOut, **ERRORS}, summary="新增积分规则（社区及以上）")
def rule_create(request, payload: RuleIn):
    community = access.community_get(request.auth, payload.community_id, write=True)
    data = payload.dict(exclude={"community_id"})
    try:
        return 201, services.rule_create(actor=request.auth, community=community, data=data)
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(m for ms in exc.message_dict.values() for m in ms)) from None


@router.patch("/points/rules/{rule_id}", response={200: RuleOut, **ERRORS}, summary="修改积分规则")
def rule_update(request, rule_id: int, payload: RulePatch):
    rule = access.rule_get(request.auth, rule_id, write=True)
    try:
        return services.rule_update(actor=request.auth, rule=rule, data=payload.dict(exclude_unset=True))
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(m for ms in exc.message_dict.values() for m in ms)) from None


# --- awards ---------------------------------------------------------------------------------------

@router.get("/points/awards", response=PagedAwardOut, summary="积分记录（辖区内，或本人）")
def award_list(request, paging: Query[PageIn], status: str = "", resident: Id | None = None):
    return page_of(request, selectors.award_list_visible_to(actor=request.auth, filters={
        "status": status, "resident": resident}), paging)


@router.post("/points/awards", response={201: AwardOut, 200: AwardOut, **ERRORS},
             summary="工作人员记分（志愿服务时长按时间银行折算）")
def award_grant(request, payload: AwardIn):
    access.staff_required(request.auth)
    require(can_edit(request.auth), services.NOT_EDITOR)
    rule = access.rule_get(request.auth, payload.rule_id)
    resident = access.resident_get(request.auth, payload.resident_id) if payload.resident_id else None
    household = access.household_get(request.auth, payload.household_id) if payload.household_id and not resident \
        else None
    award = services.award_grant(actor=request.auth, key=payload.idempotency_key, rule=rule, resident=resident,
                                 household=household, quantity=payload.quantity, source_type=payload.source_type,
                                 source_id=payload.source_id, evidence=payload.evidence)
    return (200 if award.replayed else 201), award


@router.post("/points/claims", response={201: AwardOut, 200: AwardOut, **ERRORS}, summary="居民申报积分（待审核）")
def award_claim(request, payload: ClaimIn):
    access.resident_required(request.auth)
    rule = access.rule_get(request.auth, payload.rule_id)
    award = services.award_claim(actor=request.auth, key=payload.idempotency_key, rule=rule,
                                 quantity=payload.quantity, evidence=payload.evidence)
    return (200 if award.replayed else 201), award


@router.post("/points/awards/{award_id}/approve", response={200: AwardOut, **ERRORS}, summary="审核通过并记分")
def award_approve(request, award_id: int, payload: AwardNoteIn):
    award = access.award_get(request.auth, award_id, write=True)
    return services.award_approve(actor=request.auth, award=award, note=payload.note)


@router.post("/points/awards/{award_id}/reject", response={200: AwardOut, **ERRORS}, summary="退回申报")
def award_reject(request, award_id: int, payload: AwardNoteIn):
    award = access.award_get(request.auth, award_id, write=True)
    return services.award_reject(actor=request.auth, award=award, note=payload.note)


@router.post("/points/awards/{award_id}/correct", response={201: AwardOut, **ERRORS},
             summary="冲销更正（记一笔相反的分录，原记录保留）")
def award_correct(request, award_id: int, payload: AwardNoteIn):
    award = access.award_get(request.auth, award_id, write=True)
    return 201, services.award_correct(actor=request.auth, award=award, reason=payload.note)


# --- shop -----------------------------------------------------------------------------------------

@router.get("/points/goods", response=list[GoodsOut], summary="积分超市商品")
@paginated()
def goods_list(request, community: Id | None = None, active: str = ""):
    return selectors.goods_list_visible_to(actor=request.auth, filters={"community": community, "active": active})


@router.post("/points/goods", response={201: GoodsOut, **ERRORS}, summary="上架商品/服务")
def goods_create(request, payload: GoodsIn):
    community = access.community_get(request.auth, payload.community_id, write=True)
    try:
        return 201, services.goods_create(actor=request.auth, community=community,
                                          data=payload.dict(exclude={"community_id"}))
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(m for ms in exc.message_dict.values() for m in ms)) from None


@router.patch("/points/goods/{goods_id}", response={200: GoodsOut, **ERRORS}, summary="修改商品（含库存）")
def goods_update(request, goods_id: int, payload: GoodsPatch):
    goods = access.goods_get(request.auth, goods_id, write=True)
    try:
        return services.goods_update(actor=request.auth, goods=goods, data=payload.dict(exclude_unset=True))
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(m for ms in exc.message_dict.values() for m in ms)) from None


@router.get("/points/windows", response=list[WindowOut], summary="兑换期")
@paginated()
def window_list(request, community: Id | None = None):
    return selectors.window_list_visible_to(actor=request.auth, filters={"community": community})


@router.post("/points/windows", response={201: WindowOut, **ERRORS},
             summary="设置兑换期（不填时间：开放本半年兑换期）")
def window_create(request, payload: WindowIn):
    community = access.community_get(request.auth, payload.community_id, write=True)
    return 201, services.window_create(actor=request.auth, community=community, name=payload.name,
                                       opens_at=payload.opens_at, closes_at=payload.closes_at)


@router.get("/points/redemptions", response=PagedRedemptionOut, summary="兑换记录（辖区内，或本人）")
def redemption_list(request, paging: Query[PageIn], status: str = "", resident: Id | None = None):
    return page_of(request, selectors.redemption_list_visible_to(actor=request.auth, filters={
        "status": status, "resident": resident}), paging)


@router.post("/points/redemptions", response={201: RedemptionOut, 200: RedemptionOut, **ERRORS},
             summary="兑换（冻结库存和积分，待领取）")
def redemption_create(request, payload: RedemptionIn):
    access.resident_required(request.auth)
    goods = access.goods_get(request.auth, payload.goods_id)
    redemption = services.redemption_create(actor=request.auth, goods=goods, quantity=payload.quantity,
                                            key=payload.idempotency_key)
    return (200 if redemption.replayed else 201), redemption


@router.post("/points/redemptions/{redemption_id}/pickup", response={200: RedemptionOut, **ERRORS},
             summary="确认领取（核销）")
def redemption_pickup(request, redemption_id: int):
    redemption = access.redemption_get(request.auth, redemption_id)
    require(can_edit(request.auth), services.NOT_EDITOR)
    return services.redemption_pickup(actor=request.auth, redemption=redemption)


@router.post("/points/redemptions/{redemption_id}/cancel", response={200: RedemptionOut, **ERRORS},
             summary="取消兑换并退还积分")
def redemption_cancel(request, redemption_id: int, payload: AwardNoteIn):
    redemption = access.redemption_get(request.auth, redemption_id, write=True)
    return services.redemption_cancel(actor=request.auth, redemption=redemption, reason=payload.note)


# --- reports --------------------------------------------------------------------------------------

@router.get("/points/reports/{kind}", response={200: ReportOut, **ERRORS},
            summary="统计：households 家庭合计 / rankings 小区排名 / civilised 文明户候选 / party 党员积分")
def report(request, kind: str, paging: Query[PageIn], start: dt.date | None = None, end: dt.date | None = None,
           compound: Id | None = None,
           top: int = Query(10, ge=1, le=200, description="文明户候选：取前多少户（仅 civilised）")):
    access.staff_required(request.auth)
    if kind not in REPORTS:
        raise NotFound()
    filters = {"from": start and start.isoformat(), "to": end and end.isoformat(), "compound": compound,
               "limit": top if kind == "civilised" else None}
    headers, rows, to_cells = report_data(request.auth, kind, filters)
    page = page_of(request, rows, paging)
    period_start, period_end = selectors.period_from(filters)
    return {"kind": kind, "title": REPORTS[kind], "start": period_start, "end": period_end, "headers": headers,
            "count": page["count"], "rows": [list(r) for r in to_cells(page["items"])]}
