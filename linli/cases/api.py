"""Cases over JSON: intake (JSON or multipart with photos), the worklist, one case, and its actions."""

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from linli.cases import actions, figures, selectors, services
from linli.cases.access import case_get, is_staff, reads_as_follower
from linli.cases.models import Case, CasePhoto, Channel
from linli.core.api import ErrorOut, error, model_errors
from linli.core.errors import INVALID
from linli.core.pagination import PageIn, page_of, page_schema
from linli.core.validators import mask_phone

router = Router(tags=["诉求事件"])

CASE_PAGE_SIZE = 30


class EventOut(Schema):
    at: dt.datetime
    kind: str
    kind_name: str
    actor: str
    text: str
    channel: str
    staff_only: bool


class CaseOut(Schema):
    id: int
    category: str
    category_name: str
    tier: str
    channel: str
    status: str
    status_name: str
    level: str
    description: str
    compound_id: int
    compound: str
    building_id: int | None
    dwelling_id: int | None
    latitude: float | None
    longitude: float | None
    address: str
    requested_at: dt.datetime
    updated_at: dt.datetime
    arrive_by: dt.datetime
    solve_by: dt.datetime
    due: dt.datetime | None
    overdue: bool
    assignee_id: int | None
    handling_body: str
    supervised: bool
    rating: str
    photos: int
    proposal_ref: str | None


class CaseDetailOut(CaseOut):
    contact_phone: str
    solution: str
    events: list[EventOut]
    actions: list[str] = Field(description="此刻您可对该诉求执行的操作（稳定名称，如 take、dispatch、accept、solve）")


PagedCaseOut = page_schema(CaseOut)


def _out(case: Case, photos: int | None = None) -> dict:
    return {
        "id": case.pk, "category": case.category.code, "category_name": case.category.name, "tier": case.tier,
        "channel": case.channel, "status": case.status, "status_name": case.get_status_display(),
        "level": case.level, "description": case.description, "compound_id": case.compound_id,
        "compound": case.compound.name, "building_id": case.building_id, "dwelling_id": case.dwelling_id,
        "latitude": float(case.latitude) if case.latitude is not None else None,
        "longitude": float(case.longitude) if case.longitude is not None else None,
        "address": case.address, "requested_at": case.requested_at, "updated_at": case.updated_at,
        "arrive_by": case.arrive_by, "solve_by": case.solve_by, "due": case.due, "overdue": case.overdue(),
        "assignee_id": case.assignee_id, "handling_body": case.handling_body, "supervised": case.supervised,
        "rating": case.rating, "photos": case.photos.count() if photos is None else photos, "proposal_ref": case.proposal_ref,
    }


def _followed(row: dict) -> dict:
    """A follower's view of a case: its status and public result, nothing of the other resident's."""
    return {**row, "description": "", "building_id": None, "dwelling_id": None, "latitude": None,
            "longitude": None, "address": "", "assignee_id": None, "handling_body": "", "supervised": False,
            "rating": "", "photos": 0, "proposal_ref": None}


def _detail(actor, case: Case) -> dict:
    if reads_as_follower(actor, case):
        return {**_followed(_out(case, photos=0)), "contact_phone": "", "solution": case.solution, "events": [],
                "actions": []}
    staff = is_staff(actor)
    events = selectors.case_timeline(actor=actor, case=case, staff=staff)
    return {
        **_out(case), "contact_phone": mask_phone(case.contact_phone) if staff else "", "solution": case.solution,
        "events": [{"at": e.at, "kind": e.kind, "kind_name": e.get_kind_display(), "actor": e.actor_name(),
                    "text": e.text, "channel": e.channel, "staff_only": e.staff_only} for e in events],
        "actions": actions.available_actions(actor, case),
    }


def _body(request) -> tuple[dict, list]:
    """JSON or multipart, the same fields either way; photos only in multipart."""
    if request.content_type and request.content_type.startswith("multipart/"):
        return {k: request.POST.get(k) for k in request.POST}, request.FILES.getlist("photos")
    if not request.body:
        return {}, []
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"__all__": ["请求体不是有效的 JSON。"]}) from None
    if not isinstance(data, dict):
        raise ValidationError({"__all__": ["请求体应为 JSON 对象。"]})
    return data, []


def _invalid(exc: ValidationError):
    return 400, error(INVALID, "请求参数有误", errors=model_errors(exc))


@router.post("/cases", response={200: CaseOut, 201: CaseOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             summary="提交诉求（JSON，或 multipart 附最多 6 张照片）",
             description="可带请求头 Idempotency-Key（1–64 个字符）：同一账号以同一请求键重发时不再新建，"
                         "返回首次提交的诉求（状态码 200）；同一请求键用于内容不同的诉求时答 409，不提交。"
                         "网络中断后重试请带上它。")
def case_create(request):
    try:
        data, files = _body(request)
        if "photos" in data and not files:
            raise ValidationError({"photos": ["照片请用 multipart/form-data 上传。"]})
        intake = services.Intake(
            category=str(data.get("category") or ""), description=str(data.get("description") or ""),
            compound=data.get("compound"), building=data.get("building"), dwelling=data.get("dwelling"),
            latitude=data.get("latitude"), longitude=data.get("longitude"), address=str(data.get("address") or ""),
            channel=str(data.get("channel") or Channel.ONLINE), contact_name=str(data.get("contact_name") or ""),
            contact_phone=str(data.get("contact_phone") or ""), tier=str(data.get("tier") or ""),
            client_key=request.headers.get("Idempotency-Key", ""),
        )
        case = services.case_open(actor=request.auth, intake=intake, photo_files=files)
    except ValidationError as exc:
        return _invalid(exc)
    return (200 if case.replayed else 201), _out(case)


@router.get("/cases", response=PagedCaseOut, summary="工作台列表（按紧急程度排序，分页）")
def case_list(request, paging: Query[PageIn], status: str = "open", level: str = "", category: str = "",
              tier: str = "", q: str = "", overdue: bool = False, supervised: bool = False, mine: bool = False):
    filters = {"status": status, "level": level, "category": category, "tier": tier, "q": q,
               "overdue": overdue, "supervised": supervised, "mine": mine}
    staff = is_staff(request.auth)
    if staff:
        qs = selectors.case_list_visible_to(actor=request.auth, filters=filters)
    else:
        qs = selectors.my_cases(actor=request.auth)
    page = page_of(request, qs, paging, page_size=CASE_PAGE_SIZE)
    rows = page["items"]
    # The page's photo counts in one query (counting per row made a page of 30 cost 30 more queries).
    photos = dict(CasePhoto.objects.filter(case__in=rows).order_by().values_list("case").annotate(n=Count("pk")))
    items = []
    for case in rows:
        row = _out(case, photos.get(case.pk, 0))
        # A resident's list holds their own cases and the ones they follow.
        items.append(row if staff or case.reporter_id == request.auth.pk else _followed(row))
    return {"count": page["count"], "items": items}


class FiguresRowOut(Schema):
    key: str
    label: str
    cases: int
    arrive_due: int
    arrive_on_time: int
    arrive_on_time_pct: float | None
    solve_due: int
    solve_on_time: int
    solve_on_time_pct: float | None
    solved: int
    handling_avg_minutes: float | None
    handling_p90_minutes: float | None
    rated: int
    satisfied: int
    satisfaction_pct: float | None
    escalations: int
    reopened: int


class FiguresChildOut(FiguresRowOut):
    unit: int | None = None
    grid: int | None = None
    compound: int | None = None


class FiguresOut(Schema):
    node: str
    node_kind: str
    node_id: int | None
    since: dt.date
    until: dt.date
    tier: str
    total: FiguresRowOut
    tiers: list[FiguresRowOut]
    children_kind: str
    children: list[FiguresChildOut]


def _figures_row(row) -> dict:
    return {
        "key": row.key, "label": row.label, "cases": row.cases, "arrive_due": row.arrive_due,
        "arrive_on_time": row.arrive_on_time, "arrive_on_time_pct": row.arrive_pct, "solve_due": row.solve_due,
        "solve_on_time": row.solve_on_time, "solve_on_time_pct": row.solve_pct, "solved": row.solved,
        "handling_avg_minutes": row.avg_minutes, "handling_p90_minutes": row.p90_minutes, "rated": row.rated,
        "satisfied": row.satisfied, "satisfaction_pct": row.satisfaction_pct, "escalations": row.escalations,
        "reopened": row.reopened,
    }


@router.get("/cases/figures", response={200: FiguresOut, 400: ErrorOut, 403: ErrorOut},
            summary="办理绩效：按分级和区划/网格/小区统计的按时到场率、按时办结率、办理时长、满意率、提级与重办")
def case_figures(request, unit: str = "", grid: str = "", compound: str = "", since: str = "", until: str = "",
                 tier: str = ""):
    try:
        result = figures.case_figures(actor=request.auth, filters={
            "unit": unit, "grid": grid, "compound": compound, "since": since, "until": until, "tier": tier})
    except ValidationError as exc:
        return _invalid(exc)
    return 200, {
        "node": result.label, "node_kind": result.kind, "node_id": result.node_id, "since": result.since,
        "until": result.until, "tier": result.tier, "total": _figures_row(result.total),
        "tiers": [_figures_row(r) for r in result.tiers], "children_kind": result.children_label,
        "children": [{**_figures_row(r), **{k: int(v) for k, v in r.params.items()}} for r in result.children],
    }


@router.get("/cases/{case_id}", response={200: CaseDetailOut, 404: ErrorOut}, summary="诉求详情与办理记录")
def case_detail(request, case_id: int):
    return _detail(request.auth, case_get(request.auth, case_id))


def _deadline(value):
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({"deadline": ["督办时限应为 ISO 8601 时间。"]}) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _assignee(value):
    if value in (None, ""):
        return None
    try:
        return get_user_model().objects.get(pk=int(value))
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise ValidationError({"assignee": ["所选承办人不存在。"]}) from None


def _make_action(name):
    def handler(request, case_id: int):
        case = case_get(request.auth, case_id)
        try:
            data, files = _body(request)
            fields = {k: ("" if v is None else str(v)) for k, v in data.items() if k not in ("deadline", "assignee")}
            fields["deadline"] = _deadline(data.get("deadline"))
            actions.run(request.auth, case, name, fields, assignee=_assignee(data.get("assignee")),
                        photo_files=files)
        except ValidationError as exc:
            return _invalid(exc)
        return 200, _detail(request.auth, case_get(request.auth, case_id))

    handler.__name__ = f"case_{name.replace('-', '_')}"
    return handler


_SUMMARIES = {"take": "接单（本人辖区内待派单、已退回或重新办理的诉求：派给自己并接单，到场时限随即停止）",
              "dispatch": "派单", "accept": "接单", "return": "退回", "transfer": "转办", "solve": "办结",
              "confirm": "确认评价", "supervise": "督办", "escalate": "提级", "follow-up": "回访",
              "retier": "调整分级（时限从当前时刻重新计算）",
              "council": "大事协商：转入邻里议事（note 必填；ref 为议事提案编号，立项后填写）"}


class UnmaskedNoteOut(Schema):
    id: int
    text: str


class CaseUnmaskOut(Schema):
    id: int
    contact_name: str
    contact_phone: str
    description: str
    notes: list[UnmaskedNoteOut]


@router.post("/cases/{case_id}/unmask", response={200: CaseUnmaskOut, 403: ErrorOut},
             summary="查看反映人完整姓名与电话及诉求内容中的证件号、电话原文（记入审计日志）")
def case_unmask(request, case_id: int, response: HttpResponse):
    case = case_get(request.auth, case_id)
    response["Cache-Control"] = "no-store"
    return 200, services.case_unmask(actor=request.auth, case=case)

for _name in actions.NAMES:
    router.post(f"/cases/{{case_id}}/{_name}", response={200: CaseDetailOut, 400: ErrorOut, 403: ErrorOut},
                summary=_SUMMARIES[_name])(_make_action(_name))
