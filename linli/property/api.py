"""/api/v1/property/…: the same operations as the pages, over the same services and selectors.

A refusal by the rules is 400 (409 for a posted entry, a closed month or a repeat; 403 for a rating by
someone outside the compound) with a stable `code` and a Chinese `detail`; nothing is booked. Amounts are strings or
decimals with two places (floats are refused).
"""

import datetime as dt
import json
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from linli.core import clock
from linli.core.access import get_visible
from linli.core.api import ErrorOut
from linli.core.errors import INVALID, Refused
from linli.core.ids import MAX_SMALL, Count, Id, Year
from linli.core.pagination import PageIn, page_of, page_schema, paginated
from linli.core.scoping import scope_for
from linli.property import access, selectors, services
from linli.property.forms import parse_month
from linli.stations.models import Station

router = Router(tags=["物业"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Refused("date_invalid", "日期格式应为 YYYY-MM-DD。", field=field) from None


# --- schemas --------------------------------------------------------------------------------------------

class AccountOut(Schema):
    id: int
    compound_id: int
    compound: str = Field(alias="compound.name")
    name: str
    bank_account: str
    company_id: int | None
    opened_on: dt.date
    balance: Decimal
    last_seq: int
    closed_through: dt.date | None


class AccountIn(Schema):
    compound_id: Id
    opened_on: dt.date
    bank_account: str = ""


class TrustEntryOut(Schema):
    id: int
    account_id: int
    seq: int
    month: dt.date
    date: dt.date
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    income: bool = Field(alias="is_income")
    amount: Decimal
    balance_after: Decimal
    description: str
    resource_id: int | None
    contract_id: int | None
    reverses_id: int | None
    has_invoice: bool = False
    invoice_sha256: str
    posted_at: dt.datetime

    @staticmethod
    def resolve_has_invoice(obj):
        return bool(obj.invoice)


PagedTrustEntryOut = page_schema(TrustEntryOut)


class ReverseIn(Schema):
    reason: str


class CloseIn(Schema):
    month: str = Field(description="YYYY-MM")


class TrustStatementOut(Schema):
    id: int
    account_id: int
    compound: str = Field(alias="account.compound.name")
    month: dt.date
    opening: Decimal
    income: Decimal
    expense: Decimal
    closing: Decimal
    totals: dict[str, str]
    entry_count: int
    first_seq: int | None
    last_seq: int | None
    gaps: list[str]
    published_at: dt.datetime


class ReconcileOut(Schema):
    account_id: int
    ok: bool
    gaps: list[str]


class ResourceIn(Schema):
    compound_id: Id
    kind: str
    name: str
    size: Decimal | None = None
    note: str = ""


class ResourceOut(Schema):
    id: int
    compound_id: int
    kind: str
    name: str
    size: Decimal | None
    note: str


class ContractIn(Schema):
    counterparty: str
    start: dt.date
    end: dt.date | None = None
    amount: str
    period: str = "month"
    note: str = ""


class ContractOut(Schema):
    id: int
    resource_id: int
    counterparty: str
    start: dt.date
    end: dt.date | None
    amount: Decimal
    period: str


class AreaContractIn(Schema):
    name: str
    compound_ids: list[Id]
    start: dt.date
    end: dt.date | None = None
    company_id: Id | None = None
    provider_name: str = ""
    fee_rate: str | None = None


class AreaContractOut(Schema):
    id: int
    name: str
    company_id: int | None
    provider_name: str
    start: dt.date
    end: dt.date | None
    compound_ids: list[int]

    @staticmethod
    def resolve_compound_ids(obj):
        return sorted(c.pk for c in obj.compounds.all())


class CriterionIn(Schema):
    name: str
    weight: Decimal
    max_score: int = Field(100, ge=1, le=MAX_SMALL)


class CriterionOut(Schema):
    id: int
    name: str
    weight: Decimal
    max_score: int


class SchemeIn(Schema):
    name: str
    year: Year
    unit_id: Id
    survey_weight: Decimal = Decimal("40")
    review_weight: Decimal = Decimal("60")
    thresholds: list[Count] = [60, 70, 80, 90, 95]
    criteria: list[CriterionIn]


class SchemeOut(Schema):
    id: int
    name: str
    year: int
    unit_id: int
    survey_weight: Decimal
    review_weight: Decimal
    thresholds: list
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class SurveyIn(Schema):
    compound_id: Id
    score: Count
    comment: str = ""


class SurveyOut(Schema):
    id: int
    scheme_id: int
    compound_id: int
    score: int


class AssessmentIn(Schema):
    compound_id: Id
    scores: dict[int, Decimal]


class AssessmentOut(Schema):
    id: int
    scheme_id: int
    compound_id: int
    compound: str = Field(alias="compound.name")
    year: int
    company_id: int | None
    survey_score: Decimal
    survey_count: int
    review_score: Decimal
    total: Decimal
    stars: int


class CompanyAverageOut(Schema):
    company_id: int
    company: str
    compounds: int
    average: Decimal


class RatingsOut(Schema):
    year: int
    assessments: list[AssessmentOut]
    companies: list[CompanyAverageOut]


class BudgetIn(Schema):
    unit_id: Id
    year: Year
    kind: str
    amount: str
    note: str = ""


class BudgetOut(Schema):
    id: int
    unit_id: int
    year: int
    kind: str
    amount: Decimal


class GrantOut(Schema):
    id: int
    budget_id: int
    community_id: int
    compound_id: int | None
    party_org_id: int | None
    station_id: int | None
    amount: Decimal
    basis: str


class DisbursementIn(Schema):
    amount: str
    paid_on: dt.date
    note: str = ""


class DisbursementOut(Schema):
    id: int
    grant_id: int
    amount: Decimal
    paid_on: dt.date


class FundingRowOut(Schema):
    kind: str
    label: str
    budget: Decimal
    granted: Decimal
    disbursed: Decimal
    unallocated: Decimal
    left: Decimal


class FundingOut(Schema):
    node: str
    unit_id: int | None
    year: int
    rows: list[FundingRowOut]


# --- coverage -------------------------------------------------------------------------------------------

@router.get("/property/coverage", response={200: list[dict], **ERRORS},
            summary="物业覆盖率（辖区及下级；as_of 统计日，baseline 基准日）")
def coverage(request, unit_id: Id | None = None, as_of: str | None = None, baseline: str | None = None):
    access.staff_required(request.auth)
    unit = access.unit_get(request.auth, unit_id) if unit_id else None
    sections = selectors.coverage_table(actor=request.auth, unit=unit, as_of=_date(as_of, "as_of") or clock.today(),
                                        baseline=_date(baseline, "baseline"))
    return 200, [{"total": s["total"].as_dict(), "children": [c.as_dict() for c in s["children"]]} for s in sections]


@router.post("/property/area-contracts", response={201: AreaContractOut, **ERRORS}, summary="登记片区大物业合同")
def area_contract_create(request, payload: AreaContractIn):
    company = None
    if payload.company_id:
        from linli.core.errors import NotFound
        from linli.orgs.models import PropertyCompany

        company = PropertyCompany.objects.filter(pk=payload.company_id).first()
        if company is None:
            raise NotFound()
    contract = services.area_contract_create(
        actor=request.auth, name=payload.name, compounds=payload.compound_ids, start=payload.start, end=payload.end,
        company=company, provider_name=payload.provider_name, fee_rate=payload.fee_rate)
    return 201, contract


# --- trust accounts ----------------------------------------------------------------------------------

@router.get("/property/accounts", response=list[AccountOut], summary="共管账户（辖区内，或本人为业主的小区）")
@paginated()
def account_list(request):
    return selectors.account_list_visible_to(actor=request.auth)


@router.post("/property/accounts", response={201: AccountOut, **ERRORS}, summary="开设共管账户（信托制物业小区）")
def account_open(request, payload: AccountIn):
    compound = access.compound_get(request.auth, payload.compound_id)
    account = services.account_open(actor=request.auth, compound=compound, opened_on=payload.opened_on,
                                    bank_account=payload.bank_account)
    return 201, account


@router.get("/property/accounts/{account_id}", response={200: AccountOut, **ERRORS}, summary="共管账户")
def account_detail(request, account_id: int):
    return access.account_get(request.auth, account_id)


@router.get("/property/accounts/{account_id}/entries", response={200: PagedTrustEntryOut, **ERRORS},
            summary="账户分录（逐笔）")
def entry_list(request, account_id: int, paging: Query[PageIn], kind: str = "", month: str = ""):
    account = access.account_get(request.auth, account_id)
    return page_of(request, selectors.entry_list(account, filters={"kind": kind, "month": parse_month(month)}),
                   paging)


def _entry_input(request) -> tuple[dict, object]:
    """JSON or multipart with the same fields; the scanned invoice only in multipart (`invoice`)."""
    if request.content_type and request.content_type.startswith("multipart/"):
        return {k: request.POST.get(k) for k in request.POST}, request.FILES.get("invoice")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise Refused("json_invalid", "请求内容不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise Refused("json_not_object", "请求内容应为 JSON 对象。")
    return data, None


@router.post("/property/accounts/{account_id}/entries", response={201: TrustEntryOut, **ERRORS},
             summary="记账：收入或支出（支出须以 multipart 上传发票扫描件 invoice）")
def entry_create(request, account_id: int):
    account = access.account_get(request.auth, account_id, write=True)
    data, invoice = _entry_input(request)
    resource = contract = None
    if data.get("resource_id"):
        resource = access.resource_get(request.auth, data["resource_id"])
    if data.get("contract_id"):
        contract = access.contract_get(request.auth, data["contract_id"])
    entry = services.entry_post(actor=request.auth, account=account, kind=str(data.get("kind") or ""),
                                amount=data.get("amount", ""), date=_date(data.get("date"), "date") or clock.today(),
                                description=str(data.get("description") or ""), invoice=invoice,
                                resource=resource, contract=contract)
    return 201, entry


@router.patch("/property/entries/{entry_id}", response={200: TrustEntryOut, **ERRORS},
              summary="修改分录：已记账的分录一律不能修改（409），请冲销")
def entry_update(request, entry_id: int):
    entry = access.entry_get(request.auth, entry_id, write=True)
    return services.entry_update(actor=request.auth, entry=entry)


@router.post("/property/entries/{entry_id}/reverse", response={201: TrustEntryOut, **ERRORS}, summary="冲销分录")
def entry_reverse(request, entry_id: int, payload: ReverseIn):
    entry = access.entry_get(request.auth, entry_id, write=True)
    return 201, services.entry_reverse(actor=request.auth, entry=entry, reason=payload.reason)


@router.post("/property/accounts/{account_id}/close", response={200: AccountOut, **ERRORS}, summary="月度结账")
def month_close(request, account_id: int, payload: CloseIn):
    account = access.account_get(request.auth, account_id, write=True)
    month = parse_month(payload.month)
    if month is None:
        raise Refused("month_invalid", "月份格式应为 YYYY-MM。", field="month")
    return 200, services.month_close(actor=request.auth, account=account, month=month)


@router.get("/property/accounts/{account_id}/reconcile", response={200: ReconcileOut, **ERRORS}, summary="对账检查")
def reconcile(request, account_id: int):
    account = access.account_get(request.auth, account_id)
    gaps = services.reconcile(account)
    return {"account_id": account.pk, "ok": not gaps, "gaps": gaps}


@router.get("/property/statements", response=list[TrustStatementOut], summary="月度收支公示（辖区内，或本人为业主的小区）")
@paginated()
def statement_list(request, account_id: int | None = None):
    return selectors.statement_list_visible_to(actor=request.auth, filters={"account": account_id})


@router.get("/property/statements/{statement_id}", response={200: TrustStatementOut, **ERRORS}, summary="一份月度公示")
def statement_detail(request, statement_id: int):
    return access.statement_get(request.auth, statement_id)


# --- common resources ----------------------------------------------------------------------------------

@router.get("/property/resources", response=list[ResourceOut], summary="公共资源")
@paginated()
def resource_list(request, kind: str = "", compound_id: Id | None = None):
    return selectors.resource_list_visible_to(actor=request.auth, filters={"kind": kind, "compound": compound_id})


@router.post("/property/resources", response={201: ResourceOut, **ERRORS}, summary="登记公共资源")
def resource_create(request, payload: ResourceIn):
    compound = access.compound_get(request.auth, payload.compound_id)
    from django.core.exceptions import ValidationError

    try:
        resource = services.resource_create(actor=request.auth, compound=compound, kind=payload.kind,
                                            name=payload.name, size=payload.size, note=payload.note)
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(exc.messages)) from None
    return 201, resource


@router.post("/property/resources/{resource_id}/contracts", response={201: ContractOut, **ERRORS},
             summary="登记收益合同")
def contract_create(request, resource_id: int, payload: ContractIn):
    resource = access.resource_get(request.auth, resource_id, write=True)
    from django.core.exceptions import ValidationError

    try:
        contract = services.contract_create(actor=request.auth, resource=resource, **payload.dict())
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(exc.messages)) from None
    return 201, contract


# --- star ratings ------------------------------------------------------------------------------------

@router.get("/property/schemes", response=list[SchemeOut], summary="星级评定办法")
@paginated()
def scheme_list(request, year: Year | None = None):
    qs = selectors.scheme_list_visible_to(actor=request.auth)
    return qs.filter(year=year) if year else qs


@router.post("/property/schemes", response={201: SchemeOut, **ERRORS}, summary="制定星级评定办法（街道及以上）")
def scheme_create(request, payload: SchemeIn):
    from django.core.exceptions import ValidationError

    access.staff_required(request.auth)
    unit = access.unit_get(request.auth, payload.unit_id)
    try:
        scheme = services.scheme_create(
            actor=request.auth, name=payload.name, year=payload.year, unit=unit,
            criteria=[(c.name, c.weight, c.max_score) for c in payload.criteria],
            survey_weight=payload.survey_weight, review_weight=payload.review_weight, thresholds=payload.thresholds)
    except ValidationError as exc:
        raise Refused(INVALID, "；".join(exc.messages)) from None
    return 201, scheme


@router.post("/property/schemes/{scheme_id}/surveys", response={201: SurveyOut, **ERRORS},
             summary="居民满意度测评（仅本小区居民）")
def survey_submit(request, scheme_id: int, payload: SurveyIn):
    scheme = access.scheme_get(request.auth, scheme_id)
    return 201, services.survey_submit(actor=request.auth, scheme=scheme, compound_id=payload.compound_id,
                                       score=payload.score, comment=payload.comment)


@router.post("/property/schemes/{scheme_id}/assessments", response={201: AssessmentOut, **ERRORS},
             summary="街道评审并评定星级")
def assessment_record(request, scheme_id: int, payload: AssessmentIn):
    scheme = access.scheme_get(request.auth, scheme_id)
    access.staff_required(request.auth)
    compound = access.compound_get(request.auth, payload.compound_id)
    return 201, services.assessment_record(actor=request.auth, scheme=scheme, compound=compound,
                                           scores=payload.scores)


@router.get("/property/ratings", response={200: RatingsOut, **ERRORS}, summary="年度星级与企业平均星级")
def ratings(request, year: Year | None = None):
    access.staff_required(request.auth)
    year = year or clock.today().year
    return {"year": year,
            "assessments": list(selectors.assessment_list_visible_to(actor=request.auth, filters={"year": year})),
            "companies": selectors.company_averages(actor=request.auth, year=year)}


# --- funding -------------------------------------------------------------------------------------------

@router.get("/property/funding", response={200: list[FundingOut], **ERRORS}, summary="经费：预算、下达、拨付与结余")
def funding(request, year: Year | None = None):
    access.staff_required(request.auth)
    year = year or clock.today().year
    return [{"node": f["node"].label, "unit_id": f["node"].unit.pk if f["node"].unit else None, "year": year,
             "rows": f["rows"]} for f in selectors.funding_table(actor=request.auth, year=year)]


@router.post("/property/budgets", response={201: BudgetOut, **ERRORS}, summary="登记经费预算")
def budget_create(request, payload: BudgetIn):
    access.staff_required(request.auth)
    unit = access.unit_get(request.auth, payload.unit_id)
    return 201, services.budget_create(actor=request.auth, unit=unit, year=payload.year, kind=payload.kind,
                                       amount=payload.amount, note=payload.note)


@router.post("/property/budgets/{budget_id}/party-building", response={201: list[GrantOut], **ERRORS},
             summary="按人口档次为各小区党支部下达年度党建经费")
def party_building(request, budget_id: int):
    budget = access.budget_get(request.auth, budget_id, write=True)
    return 201, services.grants_party_building(actor=request.auth, budget=budget)


@router.post("/property/grants/{grant_id}/disbursements", response={201: DisbursementOut, **ERRORS},
             summary="登记拨付")
def disbursement_create(request, grant_id: int, payload: DisbursementIn):
    grant = access.grant_get(request.auth, grant_id, write=True)
    return 201, services.disbursement_create(actor=request.auth, grant=grant, amount=payload.amount,
                                             paid_on=payload.paid_on, note=payload.note)


class StationAwardIn(Schema):
    station_id: Id


class SubsidyIn(Schema):
    compound_id: Id
    amount: str
    basis: str = ""


@router.post("/property/budgets/{budget_id}/station-awards", response={201: GrantOut, **ERRORS},
             summary="服务站验收合格奖补（10 万元）")
def station_award(request, budget_id: int, payload: StationAwardIn):
    budget = access.budget_get(request.auth, budget_id, write=True)
    station = get_visible(Station, scope_for(request.auth).work_area(), payload.station_id)
    return 201, services.grant_station_award(actor=request.auth, budget=budget, station=station)


@router.post("/property/budgets/{budget_id}/subsidies", response={201: GrantOut, **ERRORS},
             summary="无物业小区过渡补贴")
def subsidy(request, budget_id: int, payload: SubsidyIn):
    budget = access.budget_get(request.auth, budget_id, write=True)
    compound = access.compound_get(request.auth, payload.compound_id)
    return 201, services.grant_subsidy(actor=request.auth, budget=budget, compound=compound, amount=payload.amount,
                                       basis=payload.basis)
