"""/api/v1/stations and /api/v1/wishes: the same operations as the pages.

Wishes answer without the resident's identity to anyone but the resident, the poster and the area's
staff (`wisher` is null for them). Photos go as multipart form data.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from linli.core.access import get_visible
from linli.core.api import ErrorOut
from linli.core.errors import NotFound
from linli.core.ids import Id
from linli.core.pagination import PageIn, page_of, page_schema, paginated
from linli.core.scoping import scope_for
from linli.people.models import Resident
from linli.places.models import AdminUnit, Compound, Grid
from linli.stations import access, selectors, services
from linli.stations.models import MicroWish, PartnerStaff, ServiceItem, Slot, Station

router = Router(tags=["党群服务站与微心愿"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas --------------------------------------------------------------------------------------

class StationOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    community_id: int
    compound_id: int | None
    grid_id: int | None
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    rooms: str
    on_call: bool
    on_call_phone: str
    standard: str
    accepted_on: dt.date | None

    @staticmethod
    def resolve_kind_name(obj):
        return obj["kind_name"] if isinstance(obj, dict) else obj.get_kind_display()


def _station(station: Station) -> dict:
    return {**{f: getattr(station, f) for f in ("id", "name", "kind", "community_id", "compound_id", "grid_id",
                                                 "address", "latitude", "longitude", "rooms", "on_call",
                                                 "on_call_phone", "standard", "accepted_on")},
            "kind_name": station.get_kind_display()}


class SlotOut(Schema):
    id: int
    mode: str
    weekday: int
    opens: dt.time
    closes: dt.time


class ServiceItemOut(Schema):
    id: int
    category: str
    name: str
    active: bool


class StaffMemberOut(Schema):
    id: int
    name: str
    role: str
    hours: str


class StationDetailOut(StationOut):
    modes: list[str]
    slots: list[SlotOut]
    checklist: list[list[str]]


class StationIn(Schema):
    community_id: Id
    name: str = Field(max_length=100)
    kind: str
    address: str = Field(max_length=200)
    compound_id: Id | None = None
    grid_id: Id | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    rooms: str = Field("", max_length=300)
    on_call: bool = False
    on_call_phone: str = Field("", max_length=20)
    standard: str = ""


class StationPatch(Schema):
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    rooms: str | None = Field(None, max_length=300)
    on_call: bool | None = None
    on_call_phone: str | None = Field(None, max_length=20)
    standard: str | None = None


class SlotIn(Schema):
    weekday: int = Field(ge=0, le=6)
    opens: dt.time
    closes: dt.time
    mode: str = Slot.Mode.SCHEDULED


class StaffIn(Schema):
    name: str = Field(max_length=50)
    role: str = Field(max_length=50)
    hours: str = Field("", max_length=100)


class ServiceIn(Schema):
    category: str = Field(max_length=30)
    name: str = Field(max_length=60)


class ServicePatch(Schema):
    active: bool


class EvidenceOut(Schema):
    id: int
    item: str
    text: str
    has_photo: bool


class InspectionIn(Schema):
    met: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=300)


class InspectionOut(Schema):
    id: int
    station_id: int
    passed: bool
    standard: str
    at: dt.datetime
    note: str
    accepted_on: dt.date | None


class StationIndicatorsOut(Schema):
    by_kind: list[list]
    stations: int
    accepted: int
    accepted_share: float | None
    compounds: int
    compounds_covered: int
    covered_share: float | None
    delivered: list[list] = Field(description="[服务站, 月份, 办理件数]：各服务站每月办理的帮办代办")
    wishes_posted: int
    wishes_fulfilled: int
    wishes_open: int


class WishOut(Schema):
    id: int
    title: str
    body: str
    status: str
    status_name: str
    community_id: int
    compound_id: int
    compound_name: str
    station_id: int | None
    wisher: str | None = Field(description="心愿人姓名：仅心愿人本人、代发布人和辖区工作人员可见")
    claimed_by_me: bool
    posted_at: dt.datetime
    claimed_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    fulfil_note: str
    confirmed_at: dt.datetime | None


def _wish(actor, wish: MicroWish) -> dict:
    return {**{f: getattr(wish, f) for f in ("id", "title", "body", "status", "community_id", "compound_id",
                                              "station_id", "posted_at", "claimed_at", "fulfilled_at", "fulfil_note",
                                              "confirmed_at")},
            "status_name": wish.get_status_display(), "compound_name": wish.compound.name,
            "wisher": wish.resident.name if access.shows_identity(actor, wish) else None,
            "claimed_by_me": wish.claimed_by_id == actor.pk}


class WishIn(Schema):
    title: str = Field(max_length=60)
    body: str = Field("", max_length=500)
    resident_id: Id | None = Field(None, description="工作人员代居民发布时填写")


class ConfirmIn(Schema):
    note: str = Field("", max_length=300)


class WishFilters(Schema):
    status: str = ""
    mine: str = Field("", description="claimed：我认领的；posted：我发布的")


# --- stations -------------------------------------------------------------------------------------

def _in_area(actor, model, pk):
    """An optional id of the body: None stays None, anything out of sight is 404."""
    return None if pk is None else get_visible(model, scope_for(actor), pk)


@router.get("/stations", response=list[StationOut], summary="服务站列表")
@paginated()
def station_list(request, kind: str = Query("", max_length=10), q: str = Query("", max_length=100)):
    return selectors.station_list_visible_to(actor=request.auth, filters={"kind": kind, "q": q})


@router.post("/stations", response={201: StationOut, **ERRORS}, summary="登记服务站（默认带 6 大类 37 项服务清单）")
def station_create(request, payload: StationIn):
    actor = request.auth
    community = _in_area(actor, AdminUnit, payload.community_id)
    data = payload.dict(exclude={"community_id", "compound_id", "grid_id"})
    station = services.station_create(actor=actor, community=community,
                                      compound=_in_area(actor, Compound, payload.compound_id),
                                      grid=_in_area(actor, Grid, payload.grid_id), **data)
    return 201, _station(station)


@router.get("/stations/indicators", response={200: StationIndicatorsOut, **ERRORS}, summary="服务站与微心愿指标")
def station_indicators(request, unit_id: Id | None = None):
    unit = None
    if unit_id is not None:
        unit = selectors.indicator_units(actor=request.auth).filter(pk=unit_id).first()
        if unit is None:
            raise NotFound()
    return selectors.indicators(actor=request.auth, unit=unit)


@router.get("/stations/{station_id}", response={200: StationDetailOut, **ERRORS}, summary="服务站：开放时间")
def station_detail(request, station_id: Id):
    station = access.station_get(request.auth, station_id)
    return {**_station(station), "modes": station.modes, "checklist": [list(i) for i in station.checklist],
            "slots": list(selectors.slot_list_visible_to(actor=request.auth, station=station))}


@router.patch("/stations/{station_id}", response={200: StationOut, **ERRORS}, summary="修改服务站")
def station_update(request, station_id: Id, payload: StationPatch):
    station = access.station_get(request.auth, station_id, write=True)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return _station(services.station_update(actor=request.auth, station=station, data=data))


@router.get("/stations/{station_id}/services", response=list[ServiceItemOut], summary="服务清单")
@paginated(page_size=100)
def service_list(request, station_id: Id):
    station = access.station_get(request.auth, station_id)
    return selectors.service_list_visible_to(actor=request.auth, station=station)


@router.post("/stations/{station_id}/services", response={201: ServiceItemOut, **ERRORS}, summary="增加服务事项")
def service_add(request, station_id: Id, payload: ServiceIn):
    station = access.station_get(request.auth, station_id, write=True)
    return 201, services.service_add(actor=request.auth, station=station, **payload.dict())


@router.patch("/stations/{station_id}/services/{item_id}", response={200: ServiceItemOut, **ERRORS},
              summary="暂停或恢复服务事项")
def service_toggle(request, station_id: Id, item_id: Id, payload: ServicePatch):
    station = access.station_get(request.auth, station_id, write=True)
    item = access.service_get(request.auth, station, item_id)
    return services.service_toggle(actor=request.auth, item=item, active=payload.active)


@router.post("/stations/{station_id}/slots", response={201: SlotOut, **ERRORS}, summary="增加开放时段（定时或错时）")
def slot_add(request, station_id: Id, payload: SlotIn):
    station = access.station_get(request.auth, station_id, write=True)
    return 201, services.slot_add(actor=request.auth, station=station, **payload.dict())


@router.delete("/stations/{station_id}/slots/{slot_id}", response={204: None, **ERRORS}, summary="删除开放时段")
def slot_remove(request, station_id: Id, slot_id: Id):
    station = access.station_get(request.auth, station_id, write=True)
    services.slot_remove(actor=request.auth, slot=access.slot_get(request.auth, station, slot_id))
    return 204, None


@router.get("/stations/{station_id}/staff", response=list[StaffMemberOut], summary="值守人员（登记维护人员可见）")
@paginated()
def staff_list(request, station_id: Id):
    station = access.station_get(request.auth, station_id, write=True)
    return station.staff.all()


@router.post("/stations/{station_id}/staff", response={201: StaffMemberOut, **ERRORS}, summary="增加值守人员")
def staff_add(request, station_id: Id, payload: StaffIn):
    station = access.station_get(request.auth, station_id, write=True)
    return 201, services.staff_add(actor=request.auth, station=station, **payload.dict())


@router.delete("/stations/{station_id}/staff/{member_id}", response={204: None, **ERRORS}, summary="移除值守人员")
def staff_remove(request, station_id: Id, member_id: Id):
    station = access.station_get(request.auth, station_id, write=True)
    services.staff_remove(actor=request.auth, member=access.staff_get(request.auth, station, member_id))
    return 204, None


@router.post("/stations/{station_id}/evidence", response={201: EvidenceOut, **ERRORS},
             summary="提交达标佐证（multipart：item、text，可附 photo）")
def evidence_add(request, station_id: Id, item: Form[str], text: Form[str], photo: File[UploadedFile] = None):
    station = access.station_get(request.auth, station_id, write=True)
    made = services.evidence_add(actor=request.auth, station=station, item=item, text=text, photo=photo)
    return 201, {"id": made.pk, "item": made.item, "text": made.text, "has_photo": bool(made.photo)}


@router.post("/stations/{station_id}/inspections", response={201: InspectionOut, **ERRORS},
             summary="街道验收：勾选达标项，全部达标且有佐证即验收合格")
def inspect(request, station_id: Id, payload: InspectionIn):
    station = access.station_get(request.auth, station_id)
    made = services.inspect(actor=request.auth, station=station, met=payload.met, note=payload.note)
    made.station.refresh_from_db()
    return 201, {"id": made.pk, "station_id": made.station_id, "passed": made.passed, "standard": made.standard,
                 "at": made.at, "note": made.note, "accepted_on": made.station.accepted_on}


# --- wishes ---------------------------------------------------------------------------------------

@router.get("/wishes", response={200: page_schema(WishOut), **ERRORS}, summary="微心愿：本人发布的、可认领的、已认领的")
def wish_list(request, filters: Query[WishFilters], paging: Query[PageIn]):
    rows = selectors.wish_list_visible_to(actor=request.auth, filters=filters.dict())
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_wish(request.auth, w) for w in page["items"]]}


@router.post("/wishes", response={201: WishOut, **ERRORS}, summary="发布微心愿（居民本人，或工作人员代发布）")
def wish_post(request, payload: WishIn):
    actor = request.auth
    resident = _in_area(actor, Resident, payload.resident_id)
    wish = services.wish_post(actor=actor, title=payload.title, body=payload.body, resident=resident)
    return 201, _wish(actor, wish)


@router.get("/wishes/{wish_id}", response={200: WishOut, **ERRORS}, summary="微心愿详情")
def wish_detail(request, wish_id: Id):
    return _wish(request.auth, access.wish_get(request.auth, wish_id))


@router.post("/wishes/{wish_id}/claim", response={200: WishOut, **ERRORS}, summary="认领微心愿（每个心愿只能被认领一次）")
def wish_claim(request, wish_id: Id):
    wish = access.wish_get(request.auth, wish_id)
    return _wish(request.auth, services.wish_claim(actor=request.auth, wish=wish))


@router.post("/wishes/{wish_id}/fulfil", response={200: WishOut, **ERRORS},
             summary="登记心愿实现（multipart：note 与至少一张 photos）")
def wish_fulfil(request, wish_id: Id, note: Form[str], photos: File[list[UploadedFile]] = None):
    wish = access.wish_get(request.auth, wish_id)
    return _wish(request.auth, services.wish_fulfil(actor=request.auth, wish=wish, note=note,
                                                    photo_files=photos or []))


@router.post("/wishes/{wish_id}/confirm", response={200: WishOut, **ERRORS}, summary="心愿人确认已实现")
def wish_confirm(request, wish_id: Id, payload: ConfirmIn):
    wish = access.wish_get(request.auth, wish_id)
    return _wish(request.auth, services.wish_confirm(actor=request.auth, wish=wish, note=payload.note))


@router.post("/wishes/{wish_id}/withdraw", response={200: WishOut, **ERRORS}, summary="撤回尚未认领的微心愿")
def wish_withdraw(request, wish_id: Id):
    wish = access.wish_get(request.auth, wish_id)
    return _wish(request.auth, services.wish_withdraw(actor=request.auth, wish=wish))


# --- needs and resources ------------------------------------------------------------------------

class ServiceResourceOut(Schema):
    id: int
    community_id: int
    kind: str
    name: str
    offer: str
    capacity: int
    available: str
    active: bool


class ServiceResourceIn(Schema):
    community_id: Id
    kind: str
    name: str = Field(max_length=100)
    offer: str = Field(max_length=300)
    handler_username: str = Field(max_length=150, description="接单人的登录名")
    capacity: int = Field(4, ge=1, le=100)
    available: str = Field("", max_length=100)


class NeedOut(Schema):
    id: int
    station_id: int | None
    service_id: int | None
    title: str
    body: str
    source: str
    status: str
    status_name: str
    compound_id: int
    resource_id: int | None
    resource_name: str | None
    orderer: str | None = Field(description="居民姓名：仅本人与辖区工作人员可见")
    posted_at: dt.datetime
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    done_at: dt.datetime | None
    result: str
    rating: int | None


def _need(actor, need) -> dict:
    staff = scope_for(actor).work_area().is_staff_scope and services.may_dispatch(actor, need.community)
    mine = need.resident_id in scope_for(actor).resident_ids
    return {**{f: getattr(need, f) for f in ("id", "station_id", "service_id", "title", "body", "source", "status", "compound_id", "resource_id",
                                              "posted_at", "dispatched_at", "accepted_at", "done_at", "result",
                                              "rating")},
            "status_name": need.get_status_display(), "resource_name": need.resource.name if need.resource else None,
            "orderer": need.resident.name if staff or mine or need.posted_by_id == actor.pk else None}


class NeedIn(Schema):
    title: str = Field("", max_length=60)
    service_id: Id | None = Field(None, description="从服务站清单点的帮办代办事项")
    body: str = Field("", max_length=500)
    resident_id: Id | None = Field(None, description="工作人员代居民登记时填写")
    source: str = "resident"


class DispatchIn(Schema):
    resource_id: Id


class DeclineIn(Schema):
    reason: str = Field(max_length=300)


class DoneIn(Schema):
    result: str = Field(max_length=300)


class RateIn(Schema):
    rating: int = Field(ge=1, le=5)
    note: str = Field("", max_length=300)


class NeedFilters(Schema):
    status: str = Field("", max_length=12)
    mine: str = Field("", max_length=8, description="tasks：派给我的；ordered：我点的")


@router.get("/resources", response=list[ServiceResourceOut], summary="资源清单")
@paginated()
def resource_list(request):
    return selectors.resource_list_visible_to(actor=request.auth)


@router.post("/resources", response={201: ServiceResourceOut, **ERRORS}, summary="登记资源（共建单位、能工巧匠、志愿队、双报到党员）")
def resource_create(request, payload: ServiceResourceIn):
    from linli.accounts.models import User

    actor = request.auth
    community = _in_area(actor, AdminUnit, payload.community_id)
    handler = User.objects.filter(username=payload.handler_username, is_active=True).first()
    if handler is None:
        raise NotFound()
    data = payload.dict(exclude={"community_id", "handler_username"})
    return 201, services.resource_create(actor=actor, community=community, handler=handler, **data)


@router.get("/needs", response={200: page_schema(NeedOut), **ERRORS}, summary="需求清单：我点的、派给我的、辖区的")
def need_list(request, filters: Query[NeedFilters], paging: Query[PageIn]):
    rows = selectors.need_list_visible_to(actor=request.auth, filters=filters.dict())
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_need(request.auth, n) for n in page["items"]]}


@router.post("/needs", response={201: NeedOut, **ERRORS}, summary="居民点单（或工作人员代登记）")
def need_post(request, payload: NeedIn):
    actor = request.auth
    resident = _in_area(actor, Resident, payload.resident_id)
    service = _in_area(actor, ServiceItem, payload.service_id)
    need = services.need_post(actor=actor, title=payload.title, body=payload.body, resident=resident,
                              source=payload.source, service=service)
    return 201, _need(actor, need)


@router.get("/needs/{need_id}", response={200: NeedOut, **ERRORS}, summary="需求详情")
def need_detail(request, need_id: Id):
    return _need(request.auth, access.need_get(request.auth, need_id))


@router.post("/needs/{need_id}/dispatch", response={200: NeedOut, **ERRORS}, summary="社区派单")
def need_dispatch(request, need_id: Id, payload: DispatchIn):
    need = access.need_get(request.auth, need_id)
    resource = access.resource_get(request.auth, payload.resource_id)
    return _need(request.auth, services.need_dispatch(actor=request.auth, need=need, resource=resource))


@router.post("/needs/{need_id}/accept", response={200: NeedOut, **ERRORS}, summary="接单")
def need_accept(request, need_id: Id):
    need = access.need_get(request.auth, need_id)
    return _need(request.auth, services.need_accept(actor=request.auth, need=need))


@router.post("/needs/{need_id}/decline", response={200: NeedOut, **ERRORS}, summary="拒单（退回待派单）")
def need_decline(request, need_id: Id, payload: DeclineIn):
    need = access.need_get(request.auth, need_id)
    return _need(request.auth, services.need_decline(actor=request.auth, need=need, reason=payload.reason))


@router.post("/needs/{need_id}/done", response={200: NeedOut, **ERRORS}, summary="登记办理结果")
def need_done(request, need_id: Id, payload: DoneIn):
    need = access.need_get(request.auth, need_id)
    return _need(request.auth, services.need_done(actor=request.auth, need=need, result=payload.result))


@router.post("/needs/{need_id}/rate", response={200: NeedOut, **ERRORS}, summary="居民评价")
def need_rate(request, need_id: Id, payload: RateIn):
    need = access.need_get(request.auth, need_id)
    return _need(request.auth, services.need_rate(actor=request.auth, need=need, rating=payload.rating,
                                                  note=payload.note))


# --- partner staff, cases at a station, co-building projects, proxy errands ----------------------

class PartnerStaffOut(Schema):
    id: int
    name: str
    username: str
    partner_id: int
    partner_name: str
    community_id: int
    active: bool


def _partner_staff(staff) -> dict:
    return {"id": staff.pk, "name": staff.name, "username": staff.user.username, "partner_id": staff.partner_id,
            "partner_name": staff.partner.name, "community_id": staff.community_id, "active": staff.active}


class PartnerStaffIn(Schema):
    partner_id: Id
    name: str = Field(max_length=50)
    username: str = Field(max_length=150, description="登录名（字母、数字和 . _ - @）")
    password: str = Field(max_length=128, description="初始密码")


@router.get("/partner-staff", response={200: page_schema(PartnerStaffOut), **ERRORS}, summary="共建单位人员账号")
def partner_staff_list(request, paging: Query[PageIn]):
    page = page_of(request, selectors.partner_staff_list_visible_to(actor=request.auth), paging)
    return {"count": page["count"], "items": [_partner_staff(s) for s in page["items"]]}


@router.post("/partner-staff", response={201: PartnerStaffOut, **ERRORS},
             summary="为共建单位人员开通接单账号（只能看到派给本人的需求）")
def partner_staff_add(request, payload: PartnerStaffIn):
    from linli.orgs.models import PartnerUnit

    partner = _in_area(request.auth, PartnerUnit, payload.partner_id)
    staff = services.partner_staff_add(actor=request.auth, partner=partner, name=payload.name,
                                       username=payload.username, password=payload.password)
    return 201, _partner_staff(staff)


@router.post("/partner-staff/{staff_id}/close", response={200: PartnerStaffOut, **ERRORS},
             summary="停用共建单位人员账号（派给他的需求记录保留）")
def partner_staff_close(request, staff_id: Id):
    staff = get_visible(PartnerStaff.objects.select_related("user", "partner"), scope_for(request.auth), staff_id)
    return 200, _partner_staff(services.partner_staff_deactivate(actor=request.auth, staff=staff))


class StationCaseOut(Schema):
    id: int
    case_id: int
    station_id: int
    how: str
    category: str
    case_status: str
    at: dt.datetime


def _station_case(link) -> dict:
    return {"id": link.pk, "case_id": link.case_id, "station_id": link.station_id, "how": link.how,
            "category": link.case.category.name, "case_status": link.case.status, "at": link.at}


class StationCaseIn(Schema):
    case_id: Id
    note: str = Field("", max_length=200)


class StationCaseFigureOut(Schema):
    month: dt.date
    cases: int
    open: int
    solved: int
    on_time: int
    on_time_pct: float | None
    rated: int
    satisfied: int
    satisfaction_pct: float | None


class StationDeliveredOut(Schema):
    month: dt.date
    total: int
    needs: int
    errands: int


class StationFiguresOut(Schema):
    cases: list[StationCaseFigureOut]
    delivered: list[StationDeliveredOut]


@router.get("/stations/{station_id}/cases", response={200: page_schema(StationCaseOut), **ERRORS},
            summary="服务站承办的诉求（在站受理或派给服务站）")
def station_cases(request, station_id: Id, paging: Query[PageIn]):
    station = access.station_get(request.auth, station_id)
    rows = selectors.station_case_list_visible_to(actor=request.auth, filters={"station": station.pk})
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_station_case(r) for r in page["items"]]}


@router.post("/stations/{station_id}/cases", response={201: StationCaseOut, **ERRORS},
             summary="把本社区的诉求派给服务站承办")
def station_case_assign(request, station_id: Id, payload: StationCaseIn):
    from linli.cases.models import Case

    station = access.station_get(request.auth, station_id)
    case = _in_area(request.auth, Case, payload.case_id)
    return 201, _station_case(services.station_case_assign(actor=request.auth, station=station, case=case,
                                                           note=payload.note))


@router.get("/stations/{station_id}/figures", response={200: StationFiguresOut, **ERRORS},
            summary="服务站每月的诉求办理和服务提供情况")
def station_figures(request, station_id: Id):
    station = access.station_get(request.auth, station_id)
    found = selectors.station_figures(actor=request.auth, station=station)

    def day(value):
        return value.date() if isinstance(value, dt.datetime) else value

    return {"cases": [{**row, "month": day(row["month"])} for row in found["cases"]],
            "delivered": [{"month": day(month), "total": n, "needs": a, "errands": b}
                          for _name, month, n, a, b in found["delivered"]]}


class ProjectOwnerOut(Schema):
    id: int
    name: str
    partner_id: int | None
    part: str


class ProjectOut(Schema):
    id: int
    community_id: int
    compound_id: int | None
    need_id: int | None
    title: str
    body: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_name: str
    result: str
    owners: list[ProjectOwnerOut]


def _project(project) -> dict:
    return {**{f: getattr(project, f) for f in ("id", "community_id", "compound_id", "need_id", "title", "body",
                                                 "starts_on", "ends_on", "status", "result")},
            "status_name": project.get_status_display(),
            "owners": [{"id": o.pk, "name": o.name, "partner_id": o.partner_id, "part": o.part}
                       for o in project.owners.all()]}


class ProjectIn(Schema):
    community_id: Id
    title: str = Field(max_length=80)
    body: str = Field("", max_length=1000)
    starts_on: dt.date
    ends_on: dt.date
    compound_id: Id | None = None
    need_id: Id | None = Field(None, description="由哪条需求转为项目")


class ProjectOwnerIn(Schema):
    name: str = Field("", max_length=100)
    partner_id: Id | None = None
    username: str = Field("", max_length=150, description="有账号的责任人登录名（可选）")
    part: str = Field("", max_length=100)


class ResultIn(Schema):
    result: str = Field(max_length=500)


class ReasonIn(Schema):
    reason: str = Field(max_length=300)


class ProjectFilters(Schema):
    status: str = Field("", max_length=10)


@router.get("/projects", response={200: page_schema(ProjectOut), **ERRORS}, summary="共建项目清单")
def project_list(request, filters: Query[ProjectFilters], paging: Query[PageIn]):
    rows = selectors.project_list_visible_to(actor=request.auth, filters=filters.dict()).prefetch_related("owners")
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_project(p) for p in page["items"]]}


@router.post("/projects", response={201: ProjectOut, **ERRORS}, summary="共建项目立项（可由需求转入）")
def project_create(request, payload: ProjectIn):
    from linli.stations.models import Need

    actor = request.auth
    community = _in_area(actor, AdminUnit, payload.community_id)
    compound = _in_area(actor, Compound, payload.compound_id)
    need = _in_area(actor, Need, payload.need_id)
    project = services.project_create(actor=actor, community=community, compound=compound, need=need,
                                      title=payload.title, body=payload.body, starts_on=payload.starts_on,
                                      ends_on=payload.ends_on)
    return 201, _project(project)


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="共建项目详情")
def project_detail(request, project_id: Id):
    return _project(access.project_get(request.auth, project_id))


@router.post("/projects/{project_id}/owners", response={201: ProjectOut, **ERRORS}, summary="增加项目责任方")
def project_owner_add(request, project_id: Id, payload: ProjectOwnerIn):
    from linli.accounts.models import User
    from linli.orgs.models import PartnerUnit

    project = access.project_get(request.auth, project_id)
    partner = _in_area(request.auth, PartnerUnit, payload.partner_id)
    user = None
    if payload.username:
        user = User.objects.filter(username=payload.username, is_active=True).first()
        if user is None:
            raise NotFound()
    services.project_owner_add(actor=request.auth, project=project, name=payload.name, partner=partner, user=user,
                               part=payload.part)
    return 201, _project(project)


@router.post("/projects/{project_id}/start", response={200: ProjectOut, **ERRORS}, summary="项目开始实施")
def project_start(request, project_id: Id):
    project = access.project_get(request.auth, project_id)
    return _project(services.project_start(actor=request.auth, project=project))


@router.post("/projects/{project_id}/finish", response={200: ProjectOut, **ERRORS}, summary="登记项目完成及成效")
def project_finish(request, project_id: Id, payload: ResultIn):
    project = access.project_get(request.auth, project_id)
    return _project(services.project_finish(actor=request.auth, project=project, result=payload.result))


@router.post("/projects/{project_id}/cancel", response={200: ProjectOut, **ERRORS}, summary="终止项目")
def project_cancel(request, project_id: Id, payload: ReasonIn):
    project = access.project_get(request.auth, project_id)
    return _project(services.project_cancel(actor=request.auth, project=project, reason=payload.reason))


class ErrandOut(Schema):
    id: int
    station_id: int
    service_id: int
    service_name: str
    resident_id: int
    done_by: str
    done_at: dt.datetime
    outcome: str
    result: str


def _errand(errand) -> dict:
    return {"id": errand.pk, "station_id": errand.station_id, "service_id": errand.service_id,
            "service_name": errand.service.name, "resident_id": errand.resident_id,
            "done_by": errand.done_by.display_name or errand.done_by.username, "done_at": errand.done_at,
            "outcome": errand.outcome, "result": errand.result}


class ErrandIn(Schema):
    station_id: Id
    service_id: Id
    resident_id: Id
    result: str = Field(max_length=300)
    outcome: str = Field("done", max_length=10)


class ErrandFilters(Schema):
    station: Id | None = None


@router.get("/errands", response={200: page_schema(ErrandOut), **ERRORS}, summary="帮办代办记录")
def errand_list(request, filters: Query[ErrandFilters], paging: Query[PageIn]):
    rows = selectors.errand_list_visible_to(actor=request.auth, filters=filters.dict())
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_errand(e) for e in page["items"]]}


@router.post("/errands", response={201: ErrandOut, **ERRORS}, summary="登记一次帮办代办（谁为谁办了什么、结果）")
def errand_record(request, payload: ErrandIn):
    actor = request.auth
    station = access.station_get(actor, payload.station_id)
    service = access.service_get(actor, station, payload.service_id)
    resident = _in_area(actor, Resident, payload.resident_id)
    return 201, _errand(services.errand_record(actor=actor, station=station, service=service, resident=resident,
                                               result=payload.result, outcome=payload.outcome))
