"""/api/v1/gridwork/…: the grid worker's day over the same services and selectors as the pages.

Check-ins and findings take multipart form data (an optional photo); the other writes take JSON. A
refusal by the rules answers its status (400, 403, 404 or 409) with a stable `code` and a Chinese
`detail`; nothing is written.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from linli.core import clock
from linli.core.api import ErrorOut
from linli.core.errors import Refused
from linli.core.ids import Id
from linli.core.pagination import PageIn, page_of, page_schema
from linli.gridwork import access, figures, selectors, services
from linli.gridwork.duties import ADMITTED, ASSISTANT_DUTIES, GRID_WORKER_DUTIES, REFUSED
from linli.gridwork.models import TEXT_MAX, Visit
from linli.people.models import CareTag, GridWorker
from linli.places.access import grid_get

router = Router(tags=["网格工作"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


# --- schemas --------------------------------------------------------------------------------------

class GridDutyOut(Schema):
    code: str
    name: str
    counts: str
    measure: str
    purpose: str


class GridMatterOut(Schema):
    code: str
    name: str
    note: str


class GridCatalogueOut(Schema):
    grid_worker: list[GridDutyOut]
    assistant: list[GridDutyOut]
    admitted: list[GridMatterOut]
    not_admitted: list[GridMatterOut]


class CheckInIn(Schema):
    grid_id: Id
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    accuracy_m: int | None = Field(None, ge=0, le=100_000)


class CheckInOut(Schema):
    id: int
    worker_id: int
    grid_id: int
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    on_time: bool
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy_m: int | None
    has_photo: bool
    minutes: int


class PatrolIn(Schema):
    grid_id: Id
    note: str = Field("", max_length=200)


class PatrolEndIn(Schema):
    ended_at: dt.datetime | None = None
    note: str = Field("", max_length=200)


class StopIn(Schema):
    building_id: Id


class PatrolStopOut(Schema):
    building_id: int
    building: str
    at: dt.datetime


class PatrolOut(Schema):
    id: int
    worker_id: int
    grid_id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    note: str
    stops: list[PatrolStopOut]
    findings: int


class FindingIn(Schema):
    text: str = Field(..., max_length=TEXT_MAX)
    building_id: Id
    category: str = Field("other", max_length=40)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    accuracy_m: int | None = Field(None, ge=0, le=100_000)


class FindingOut(Schema):
    id: int
    patrol_id: int
    building_id: int | None
    category: str
    text: str
    at: dt.datetime
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy_m: int | None
    has_photo: bool
    case_id: int | None


class FindingCaseOut(Schema):
    finding_id: int
    case_id: int
    replayed: bool


class VisitIn(Schema):
    household_id: Id
    visited_at: dt.datetime | None = None
    minutes: int = Field(30, ge=1, le=services.VISIT_MINUTES_MAX)
    purpose: str = Field(Visit.Purpose.CARE, max_length=16)
    notes: str = Field("", max_length=TEXT_MAX)
    follow_up: str = Field("", max_length=200)
    follow_up_due: dt.date | None = None


class VisitOut(Schema):
    id: int
    worker_id: int
    household_id: int
    grid_id: int
    visited_at: dt.datetime
    minutes: int
    purpose: str
    notes: str
    follow_up: str
    follow_up_due: dt.date | None
    follow_up_done_at: dt.datetime | None


class GridTaskIn(Schema):
    grid_id: Id
    matter: str = Field(..., max_length=30)
    title: str = Field(..., max_length=100)
    department: str = Field(..., max_length=50)
    due_on: dt.date | None = None


class GridTaskOut(Schema):
    id: int
    grid_id: int
    matter: str
    title: str
    department: str
    due_on: dt.date | None
    pushed_at: dt.datetime
    done_at: dt.datetime | None


class GridMonthOut(Schema):
    worker_id: int | None
    name: str
    check_in_days: int
    on_time_days: int
    punctuality: float | None
    working_minutes: int
    patrols: int
    findings: int
    findings_to_cases: int
    visits: int
    visit_minutes: int
    visit_share: float | None
    meets_visit_rule: bool | None
    missed_days: int


class GridFiguresOut(Schema):
    month: str
    visit_share_rule: float
    total: GridMonthOut
    below_rule: list[str]
    grids: list[GridMonthOut]
    count: int
    items: list[GridMonthOut]


class VisitPlanIn(Schema):
    grid_id: Id
    care_tag: str = Field(..., max_length=30, description="关爱标签代码，如 living_alone")
    every_days: int = Field(30, ge=1, le=366)


class OverdueOut(Schema):
    household_id: int
    household: str
    last_visit: dt.datetime | None


class VisitPlanOut(Schema):
    id: int
    grid_id: int
    grid: str
    care_tag: str
    care_tag_name: str
    every_days: int
    households: int
    on_schedule: int
    overdue_count: int
    overdue: list[OverdueOut]


class TrialIn(Schema):
    worker_id: Id
    starts_on: dt.date | None = None
    trained_on: dt.date | None = None


class TrialAssessIn(Schema):
    outcome: str = Field(..., max_length=12, description="confirmed 合格 / extended 延长一个月 / replaced 调换")
    assessment: str = Field("", max_length=300)
    score: int | None = Field(None, ge=0, le=100)


class TrialOut(Schema):
    id: int
    worker_id: int
    worker: str = Field(alias="worker.name")
    community_id: int
    starts_on: dt.date
    ends_on: dt.date
    trained_on: dt.date | None
    outcome: str
    score: int | None
    assessment: str
    assessed_at: dt.datetime | None


class RosterIn(Schema):
    building_id: Id
    post: str = Field(..., max_length=16, description="building_head 楼栋长 / unit_head 单元长 / information 信息员 / "
                                                        "policy 宣传员 / mediation 调解员 / safety 安全员")
    resident_id: Id


class RosterOut(Schema):
    id: int
    building_id: int
    entrance_id: int | None
    post: str
    post_name: str = Field(alias="get_post_display")
    resident_id: int
    resident: str = Field(alias="resident.name")
    since: dt.date
    until: dt.date | None


PagedCheckInOut = page_schema(CheckInOut)
PagedPatrolOut = page_schema(PatrolOut)
PagedFindingOut = page_schema(FindingOut)
PagedVisitOut = page_schema(VisitOut)
PagedGridTaskOut = page_schema(GridTaskOut)
PagedVisitPlanOut = page_schema(VisitPlanOut)
PagedTrialOut = page_schema(TrialOut)
PagedRosterOut = page_schema(RosterOut)


def _checkin(row) -> dict:
    return {**{f: getattr(row, f) for f in ("id", "worker_id", "grid_id", "checked_in_at", "checked_out_at", "on_time",
                                            "latitude", "longitude", "accuracy_m", "minutes")},
            "has_photo": bool(row.photo)}


def _patrol(row) -> dict:
    stops = [{"building_id": s.building_id, "building": str(s.building), "at": s.at}
             for s in row.stops.select_related("building__compound")]
    return {**{f: getattr(row, f) for f in ("id", "worker_id", "grid_id", "started_at", "ended_at", "note")},
            "stops": stops, "findings": row.findings.count()}


def _finding(row) -> dict:
    return {**{f: getattr(row, f) for f in ("id", "patrol_id", "building_id", "category", "text", "at", "latitude",
                                            "longitude", "accuracy_m", "case_id")}, "has_photo": bool(row.photo)}


def _month(value: str) -> dt.date:
    if not value:
        return clock.today().replace(day=1)
    year, month = value.split("-")
    return dt.date(int(year), int(month), 1)


# --- catalogues -----------------------------------------------------------------------------------

@router.get("/gridwork/duties", response=GridCatalogueOut, summary="网格员8项职责、网格助理员6项职责与网格事项准入清单")
def duties(request):
    return {"grid_worker": [d.__dict__ for d in GRID_WORKER_DUTIES], "assistant": [d.__dict__ for d in ASSISTANT_DUTIES],
            "admitted": [m.__dict__ for m in ADMITTED],
            "not_admitted": [{"code": code, "name": name, "note": note} for code, (name, note) in REFUSED.items()]}


# --- check-ins ------------------------------------------------------------------------------------

@router.post("/gridwork/check-ins", response={201: CheckInOut, **ERRORS}, summary="报到（位置可选，附精度；可附现场照片）")
def check_in(request, payload: Form[CheckInIn], photo: File[UploadedFile] = None):
    row = services.check_in(actor=request.auth, grid=payload.grid_id, latitude=payload.latitude,
                            longitude=payload.longitude, accuracy_m=payload.accuracy_m, photo=photo)
    return 201, _checkin(row)


@router.post("/gridwork/check-out", response={200: CheckInOut, **ERRORS}, summary="签退")
def check_out(request):
    return _checkin(services.check_out(actor=request.auth))


@router.get("/gridwork/check-ins", response=PagedCheckInOut, summary="报到记录（辖区内）")
def checkin_list(request, paging: Query[PageIn], worker: Id | None = None,
                 month: str = Query("", pattern=MONTH + "|^$")):
    rows = selectors.checkin_list_visible_to(actor=request.auth, worker=worker, month=_month(month) if month else None)
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_checkin(r) for r in page["items"]]}


# --- patrols --------------------------------------------------------------------------------------

@router.post("/gridwork/patrols", response={201: PatrolOut, **ERRORS}, summary="开始巡查")
def patrol_start(request, payload: PatrolIn):
    return 201, _patrol(services.patrol_start(actor=request.auth, grid=payload.grid_id, note=payload.note))


@router.get("/gridwork/patrols", response=PagedPatrolOut, summary="巡查记录（辖区内）")
def patrol_list(request, paging: Query[PageIn], worker: Id | None = None,
                month: str = Query("", pattern=MONTH + "|^$")):
    rows = selectors.patrol_list_visible_to(actor=request.auth, worker=worker, month=_month(month) if month else None)
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_patrol(r) for r in page["items"]]}


@router.get("/gridwork/patrols/{patrol_id}", response={200: PatrolOut, **ERRORS}, summary="一次巡查：路线与发现")
def patrol_detail(request, patrol_id: Id):
    return _patrol(access.patrol_get(request.auth, patrol_id))


@router.post("/gridwork/patrols/{patrol_id}/stops", response={201: PatrolOut, **ERRORS}, summary="巡查到达一栋楼")
def patrol_stop(request, patrol_id: Id, payload: StopIn):
    patrol = access.patrol_get(request.auth, patrol_id)
    services.patrol_stop(actor=request.auth, patrol=patrol, building=payload.building_id)
    return 201, _patrol(patrol)


@router.post("/gridwork/patrols/{patrol_id}/findings", response={201: FindingOut, **ERRORS},
             summary="记录巡查发现（文字、楼栋、位置，可附照片）")
def finding_record(request, patrol_id: Id, payload: Form[FindingIn], photo: File[UploadedFile] = None):
    patrol = access.patrol_get(request.auth, patrol_id)
    row = services.finding_record(actor=request.auth, patrol=patrol, text=payload.text, building=payload.building_id,
                                  category=payload.category, photo=photo, latitude=payload.latitude,
                                  longitude=payload.longitude, accuracy_m=payload.accuracy_m)
    return 201, _finding(row)


@router.post("/gridwork/patrols/{patrol_id}/end", response={200: PatrolOut, **ERRORS},
             summary="结束巡查（可补记结束时间，不得早于开始）")
def patrol_end(request, patrol_id: Id, payload: PatrolEndIn):
    patrol = access.patrol_get(request.auth, patrol_id)
    return _patrol(services.patrol_end(actor=request.auth, patrol=patrol, ended_at=payload.ended_at,
                                       note=payload.note))


@router.get("/gridwork/findings", response=PagedFindingOut, summary="巡查发现（辖区内）")
def finding_list(request, paging: Query[PageIn], patrol: Id | None = None, worker: Id | None = None,
                 month: str = Query("", pattern=MONTH + "|^$")):
    rows = selectors.finding_list_visible_to(actor=request.auth, patrol=patrol, worker=worker,
                                             month=_month(month) if month else None)
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [_finding(r) for r in page["items"]]}


@router.post("/gridwork/findings/{finding_id}/case", response={201: FindingCaseOut, 200: FindingCaseOut, **ERRORS},
             summary="巡查发现一键转为诉求（渠道：网格巡查）")
def finding_to_case(request, finding_id: Id):
    finding = access.finding_get(request.auth, finding_id)
    case = services.finding_to_case(actor=request.auth, finding=finding)
    replayed = bool(getattr(case, "replayed", False))
    return (200 if replayed else 201), {"finding_id": finding.pk, "case_id": case.pk, "replayed": replayed}


# --- visits ---------------------------------------------------------------------------------------

@router.post("/gridwork/visits", response={201: VisitOut, **ERRORS},
             summary="登记走访（目的、仅工作人员可见的记录、后续事项；补登有期限）")
def visit_record(request, payload: VisitIn):
    household = access.household_get(request.auth, payload.household_id)
    return 201, services.visit_record(actor=request.auth, household=household, visited_at=payload.visited_at,
                                      minutes=payload.minutes, purpose=payload.purpose, notes=payload.notes,
                                      follow_up=payload.follow_up, follow_up_due=payload.follow_up_due)


@router.get("/gridwork/visits", response=PagedVisitOut, summary="走访记录（辖区内工作人员）")
def visit_list(request, paging: Query[PageIn], worker: Id | None = None, household: Id | None = None,
               month: str = Query("", pattern=MONTH + "|^$"), follow_up_open: bool = False):
    return page_of(request, selectors.visit_list_visible_to(
        actor=request.auth, worker=worker, household=household, month=_month(month) if month else None,
        follow_up_open=follow_up_open), paging)


@router.post("/gridwork/visits/{visit_id}/follow-up-done", response={200: VisitOut, **ERRORS},
             summary="走访后续事项办结")
def follow_up_done(request, visit_id: Id):
    return services.follow_up_done(actor=request.auth, visit=access.visit_get(request.auth, visit_id))


# --- tasks pushed to grids ------------------------------------------------------------------------

@router.post("/gridwork/tasks", response={201: GridTaskOut, **ERRORS}, summary="向网格派单（仅准入清单内事项）")
def task_push(request, payload: GridTaskIn):
    grid = grid_get(request.auth, payload.grid_id)
    return 201, services.task_push(actor=request.auth, grid=grid, matter=payload.matter, title=payload.title,
                                   department=payload.department, due_on=payload.due_on)


@router.get("/gridwork/tasks", response=PagedGridTaskOut, summary="网格任务（辖区内）")
def task_list(request, paging: Query[PageIn], open_only: bool = False, grid: Id | None = None):
    return page_of(request, selectors.task_list_visible_to(actor=request.auth, open_only=open_only, grid=grid), paging)


@router.post("/gridwork/tasks/{task_id}/done", response={200: GridTaskOut, **ERRORS}, summary="网格任务完成")
def task_done(request, task_id: Id):
    return services.task_done(actor=request.auth, task=access.task_get(request.auth, task_id))


# --- visit plans ----------------------------------------------------------------------------------

def _plan(status) -> dict:
    plan = status.plan
    return {"id": plan.pk, "grid_id": plan.grid_id, "grid": plan.grid.name, "care_tag": plan.care_tag.code,
            "care_tag_name": plan.care_tag.name, "every_days": plan.every_days, "households": status.total,
            "on_schedule": status.on_schedule, "overdue_count": status.total - status.on_schedule,
            "overdue": [{"household_id": h.pk, "household": str(h.dwelling), "last_visit": h.last_visit}
                        for h in status.overdue]}


@router.get("/gridwork/visit-plans", response=PagedVisitPlanOut,
            summary="走访计划与执行情况：按期走访户数、逾期未访的户（辖区内）")
def plan_list(request, paging: Query[PageIn], grid: Id | None = None):
    page = page_of(request, selectors.plan_status_visible_to(actor=request.auth, grid=grid), paging)
    return {"count": page["count"], "items": [_plan(s) for s in page["items"]]}


@router.post("/gridwork/visit-plans", response={200: VisitPlanOut, **ERRORS},
             summary="制定或修改走访计划（某网格某类关爱对象每多少天走访一次）")
def plan_set(request, payload: VisitPlanIn):
    grid = grid_get(request.auth, payload.grid_id)
    tag = CareTag.objects.filter(code=payload.care_tag).first()
    if tag is None:
        raise Refused("unknown_care_tag", "没有这个关爱标签。", field="care_tag")
    plan = services.plan_set(actor=request.auth, grid=grid, care_tag=tag, every_days=payload.every_days)
    status = next(s for s in selectors.plan_status_visible_to(actor=request.auth, grid=grid.pk) if s.plan.pk == plan.pk)
    return _plan(status)


# --- the trial period -----------------------------------------------------------------------------

@router.get("/gridwork/trials", response=PagedTrialOut, summary="试用期考核（辖区内社区）")
def trial_list(request, paging: Query[PageIn], open_only: bool = False):
    return page_of(request, selectors.trial_list_visible_to(actor=request.auth, open_only=open_only), paging)


@router.post("/gridwork/trials", response={201: TrialOut, **ERRORS}, summary="新网格员开始两个月试用期")
def trial_start(request, payload: TrialIn):
    worker = access.worker_get(request.auth, payload.worker_id)
    return 201, services.trial_start(actor=request.auth, worker=worker, starts_on=payload.starts_on,
                                     trained_on=payload.trained_on)


@router.post("/gridwork/trials/{trial_id}/assess", response={200: TrialOut, **ERRORS},
             summary="试用期考核：合格、延长试用或不合格调换")
def trial_assess(request, trial_id: Id, payload: TrialAssessIn):
    trial = access.trial_get(request.auth, trial_id)
    return services.trial_assess(actor=request.auth, trial=trial, outcome=payload.outcome,
                                 assessment=payload.assessment, score=payload.score)


# --- 两长四员 ------------------------------------------------------------------------------------

@router.get("/gridwork/roster", response=PagedRosterOut, summary="两长四员名册（辖区内，现任）")
def roster_list(request, paging: Query[PageIn], building: Id | None = None):
    return page_of(request, selectors.roster_list_visible_to(actor=request.auth, building=building), paging)


@router.post("/gridwork/roster", response={201: RosterOut, **ERRORS}, summary="本楼居民担任楼栋长、单元长或四员之一")
def roster_appoint(request, payload: RosterIn):
    building = access.building_get(request.auth, payload.building_id)
    resident = access.building_resident_get(request.auth, building, payload.resident_id)
    return 201, services.roster_appoint(actor=request.auth, building=building, post=payload.post, resident=resident)


@router.post("/gridwork/roster/{member_id}/end", response={200: RosterOut, **ERRORS}, summary="卸任")
def roster_end(request, member_id: Id):
    return services.roster_end(actor=request.auth, member=access.roster_get(request.auth, member_id))


# --- figures --------------------------------------------------------------------------------------

@router.get("/gridwork/figures/me", response={200: GridMonthOut, **ERRORS}, summary="我的本月统计（网格员本人）")
def my_figures(request, month: str = Query("", pattern=MONTH + "|^$")):
    worker = services.worker_of(request.auth)
    return figures.per_worker([worker], _month(month))[0].as_dict()


@router.get("/gridwork/figures", response={200: GridFiguresOut, **ERRORS},
            summary="网格员月度统计：每人、每个网格与合计（社区书记、街道、区）")
def team_figures(request, paging: Query[PageIn], month: str = Query("", pattern=MONTH + "|^$"),
                 grid: Id | None = None):
    access.officer_required(request.auth)
    first = _month(month)
    months, total, grids = figures.team_month(selectors.workers_visible_to(actor=request.auth, grid=grid), first)
    page = page_of(request, months, paging)
    return {"month": f"{first:%Y-%m}", "visit_share_rule": figures.VISIT_SHARE_RULE, "total": total.as_dict(),
            "below_rule": total.below_rule, "grids": [m.as_dict() for m in grids],
            "count": page["count"], "items": [m.as_dict() for m in page["items"]]}


# --- overdue visits and missed check-ins ----------------------------------------------------------

class OverdueVisitOut(Schema):
    household_id: int
    household: str
    grid_id: int
    grid: str
    care_tag: str
    every_days: int
    due: dt.date
    last_visit: dt.datetime | None


class MissedCheckInOut(Schema):
    worker_id: int
    name: str
    day: dt.date


def _own_worker(actor):
    """The actor's own worker record, or None for an officer (who sees the units' lists)."""
    worker = GridWorker.objects.filter(user_id=actor.pk).first()
    if worker is None:
        access.officer_required(actor)
    return worker


@router.get("/gridwork/overdue-visits", response={200: page_schema(OverdueVisitOut), **ERRORS},
            summary="逾期未走访的关爱对象（网格员本人的网格，或社区书记、街道、区的辖区）")
def overdue_visits(request, paging: Query[PageIn]):
    rows = selectors.overdue_visible_to(actor=request.auth, worker=_own_worker(request.auth))
    page = page_of(request, rows, paging)
    return {"count": page["count"], "items": [
        {"household_id": o.household_id, "household": str(o.household.dwelling), "grid_id": o.plan.grid_id,
         "grid": o.plan.grid.name, "care_tag": o.plan.care_tag.name, "every_days": o.plan.every_days, "due": o.due,
         "last_visit": o.last_visit} for o in page["items"]]}


@router.get("/gridwork/missed-check-ins", response={200: page_schema(MissedCheckInOut), **ERRORS},
            summary="近一周未报到的工作日（网格员本人，或辖区内的网格员）")
def missed_check_ins(request, paging: Query[PageIn]):
    return page_of(request, selectors.missed_check_ins_visible_to(actor=request.auth,
                                                                  worker=_own_worker(request.auth)), paging)


# --- training records -----------------------------------------------------------------------------

class TrainingIn(Schema):
    worker_id: Id
    course: str = Field(..., min_length=1, max_length=100)
    held_on: dt.date
    hours: Decimal = Field(..., gt=0, le=200, max_digits=4, decimal_places=1)
    certificate: str = Field("", max_length=100)


class TrainingOut(Schema):
    id: int
    worker_id: int
    worker_name: str = Field(..., alias="worker.name")
    grid_id: int
    course: str
    held_on: dt.date
    hours: Decimal
    certificate: str


@router.get("/gridwork/trainings", response=page_schema(TrainingOut),
            summary="培训记录（网格员本人的网格，或社区、街道、区的辖区）")
def training_list(request, paging: Query[PageIn], worker: Id | None = None):
    return page_of(request, selectors.training_list_visible_to(actor=request.auth, worker=worker), paging)


@router.post("/gridwork/trainings", response={201: TrainingOut, **ERRORS},
             summary="登记网格员的培训（课程、日期、学时、证书；网格员所在社区或上级登记）")
def training_record(request, payload: TrainingIn):
    worker = access.worker_get(request.auth, payload.worker_id)
    return 201, services.training_record(actor=request.auth, worker=worker, course=payload.course,
                                         held_on=payload.held_on, hours=payload.hours, certificate=payload.certificate)
