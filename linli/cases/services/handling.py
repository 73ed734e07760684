"""The handling loop: dispatch, accept, return, transfer, solve, the reporter's rating and the
follow-up call, re-tiering, supervision, the council link, and the audited look at the contact."""

from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.scope import can_edit, can_unmask
from linli.cases import photos
from linli.cases.access import is_assignee, is_staff, may_see, may_supervise, may_work, officers_at
from linli.cases.models import OPEN_STATUSES, Case, CaseEvent, CasePhoto, HandlerKind, Rating, Status, Tier
from linli.cases.services.common import _event, _link, _lock, _reason, _require_status, _save, deadlines
from linli.cases.services.notifications import notify
from linli.core import audit, clock, pii
from linli.core.access import require


def _reporters(case):
    users = [case.reporter] if case.reporter_id else []
    users += [f.user for f in case.followers.select_related("user")]
    return users


def _check_assignee(case, assignee, handler_kind, handling_body, errors: dict) -> None:
    if assignee is None and not handling_body.strip():
        errors.setdefault("assignee", []).append("请指定承办人或承办单位。")
    # The work area, not what living there shows: a worker's own report at home is someone else's work.
    if assignee is not None and not (assignee.is_active and is_staff(assignee)
                                     and may_see(assignee, case, work_only=True)):
        errors.setdefault("assignee", []).append("承办人须为能看到该诉求所在小区的工作人员。")
    if handler_kind and handler_kind not in HandlerKind.values:
        errors.setdefault("handler_kind", []).append("承办主体类型无效。")
    if len(handling_body) > 100:
        errors.setdefault("handling_body", []).append("承办单位名称不能超过 100 个字。")


@transaction.atomic
def case_dispatch(*, actor, case, assignee=None, handler_kind="", handling_body="", tier="", note="") -> Case:
    require(can_edit(actor), "只有工作人员可以派单")
    case = _lock(case)
    _require_status(case, (Status.NEW, Status.RETURNED, Status.REOPENED), "当前状态不能派单。")
    errors: dict = {}
    _check_assignee(case, assignee, handler_kind, handling_body, errors)
    if tier and tier not in Tier.values:
        errors["tier"] = ["分级无效。"]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(case)
    now = clock.now()
    if tier and tier != case.tier:
        _retier(actor, case, tier, now)
    case.assignee = assignee
    case.handler_kind = handler_kind or case.category.handler_kind
    case.handling_body = handling_body.strip()
    case.status = Status.DISPATCHED
    case.dispatched_at = now
    who = "、".join(x for x in (str(assignee) if assignee else "", case.handling_body) if x)
    _event(case, actor, CaseEvent.Kind.DISPATCHED, f"派给 {who}" + (f"：{note.strip()}" if note.strip() else ""))
    _save(actor, case, "case.dispatch", before)
    if assignee is not None:
        notify([assignee], f"派单：诉求 #{case.pk}（{case.category.name}），请在 {_hm(case.arrive_by)} 前到场",
               _link(case))
    return case


def _hm(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _retier(actor, case, tier, now, note=""):
    old = case.get_tier_display()
    case.tier = tier
    arrive_by, solve_by = deadlines(tier, now)
    if case.waiting_acceptance:
        case.arrive_by = arrive_by
    case.solve_by = solve_by
    _event(case, actor, CaseEvent.Kind.RETIERED, f"分级由“{old}”调整为“{case.get_tier_display()}”，时限重新计算"
           + (f"：{note}" if note else ""))


@transaction.atomic
def case_retier(*, actor, case, tier, note="") -> Case:
    """Change the tier; the deadlines still running start again from now under the new tier's limits."""
    require(can_edit(actor), "只有工作人员可以调整分级")
    case = _lock(case)
    _require_status(case, OPEN_STATUSES, "已办结的诉求不能调整分级。")
    if tier not in Tier.values:
        raise ValidationError({"tier": ["分级无效。"]})
    if tier == case.tier:
        raise ValidationError({"tier": ["分级未改变。"]})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": ["说明不能超过 500 个字。"]})
    before = audit.snapshot(case)
    _retier(actor, case, tier, clock.now(), note)
    _save(actor, case, "case.retier", before)
    return case


PROPOSAL_PENDING = "pending"  # the council has not yet filed a proposal for the case


@transaction.atomic
def case_to_council(*, actor, case, note, ref="") -> Case:
    """大事协商: a big matter goes to the neighbours' council.

    `proposal_ref` holds the council proposal's reference; until the council files one it is
    PROPOSAL_PENDING, and the council (or staff) fill it in later through this same service.
    """
    require(can_edit(actor), "只有工作人员可以将诉求转入议事协商")
    case = _lock(case)
    note = _reason(note, "note", "转议事理由")
    ref = (ref or "").strip()
    if len(ref) > 64:
        raise ValidationError({"ref": ["提案编号不能超过 64 个字符。"]})
    if case.proposal_ref and case.proposal_ref != PROPOSAL_PENDING:
        raise ValidationError({"ref": [f"该诉求已关联议事提案 {case.proposal_ref}。"]})
    if case.proposal_ref == PROPOSAL_PENDING and not ref:
        raise ValidationError({"ref": ["该诉求已转入议事协商，请填写议事提案编号。"]})
    if not case.proposal_ref:
        _require_status(case, OPEN_STATUSES, "已办结的诉求不能再转入议事协商。")
    before = audit.snapshot(case)
    first = not case.proposal_ref
    case.proposal_ref = ref or PROPOSAL_PENDING
    text = ("大事协商：转入邻里议事" if first else "关联议事提案") + (f"（提案 {ref}）" if ref else "") + f"：{note}"
    _event(case, actor, CaseEvent.Kind.NOTE, text)
    _save(actor, case, "case.to_council", before)
    if first:
        notify(_reporters(case), f"您反映的诉求 #{case.pk} 涉及公共事务，已转入邻里议事协商", _link(case))
    return case


def case_link_proposal(*, actor, case, ref: str) -> Case:
    """The council filed a proposal for this case: the case keeps its reference and says so on its timeline.

    Called from inside the council's own transaction (proposal and link stand or fall together), so
    it is not durable. Unlike `case_to_council` it does not ask for an open case: a closed case may
    still become a proposal.
    """
    require(can_edit(actor), "只有工作人员可以将诉求转入议事协商")
    case = _lock(case)
    ref = (ref or "").strip()
    if not ref or len(ref) > 64:
        raise ValidationError({"ref": ["提案编号应为 1 至 64 个字符。"]})
    if case.proposal_ref and case.proposal_ref != PROPOSAL_PENDING:
        raise ValidationError({"ref": [f"该诉求已关联议事提案 {case.proposal_ref}。"]})
    before = audit.snapshot(case)
    case.proposal_ref = ref
    _event(case, actor, CaseEvent.Kind.NOTE, f"已立项为议事提案 {ref}")
    _save(actor, case, "council_escalate", before)
    return case


@transaction.atomic(durable=True)  # the audit entry of a look must be committed, whatever a caller does next
def case_unmask(*, actor, case) -> dict:
    """The reporter's full name and phone for a call-back, with an audit entry naming what was seen."""
    # Living in the compound gives sight of one's own cases, not the right to unmask others': the
    # case must lie where the actor's unmasking role works.
    require(can_unmask(actor, case), "您没有查看完整联系方式的权限。")
    # ID numbers and phones typed into the description or the timeline are shown in the same look.
    notes = [{"id": e.pk, "text": pii.original(e, "text")} for e in case.events.all() if pii.has_original(e, "text")]
    fields = ["contact_name", "contact_phone"]
    if pii.has_original(case, "description"):
        fields.append("description")
    if notes:
        fields.append("events.text")
    audit.record(actor=actor, action="unmask", obj=case, object_repr=f"诉求 #{case.pk}",
                 changes={"fields": fields})
    return {"id": case.pk, "contact_name": case.contact_name, "contact_phone": case.contact_phone,
            "description": pii.original(case, "description"), "notes": notes}


@transaction.atomic
def case_accept(*, actor, case, note="") -> Case:
    case = _lock(case)
    require(is_assignee(actor, case) or (case.assignee_id is None and can_edit(actor)), "只有承办人可以接单")
    _require_status(case, (Status.DISPATCHED,), "当前状态不能接单。")
    before = audit.snapshot(case)
    now = clock.now()
    case.status = Status.ACCEPTED
    case.accepted_at = now
    if case.assignee_id is None:
        case.assignee = actor
    late = "（已超过到场时限）" if now > case.arrive_by else ""
    _event(case, actor, CaseEvent.Kind.ACCEPTED, f"已接单，到场处理{late}" + (f"：{note.strip()}" if note.strip() else ""))
    _save(actor, case, "case.accept", before)
    notify(_reporters(case), f"您反映的诉求 #{case.pk} 已有人接单处理", _link(case))
    return case


@transaction.atomic
def case_return(*, actor, case, reason) -> Case:
    case = _lock(case)
    require(may_work(actor, case), "您无权退回此诉求")
    _require_status(case, (Status.DISPATCHED, Status.ACCEPTED), "当前状态不能退回。")
    reason = _reason(reason)
    before = audit.snapshot(case)
    previous = case.assignee
    case.status = Status.RETURNED
    case.assignee = None
    case.accepted_at = None
    _event(case, actor, CaseEvent.Kind.RETURNED, f"退回：{reason}", staff_only=True)
    _save(actor, case, "case.return", before)
    notify([u for u in officers_at(case, case.level) if u != previous],
           f"诉求 #{case.pk} 被退回，请重新派单：{reason}", _link(case))
    return case


@transaction.atomic
def case_transfer(*, actor, case, assignee=None, handler_kind="", handling_body="", reason="") -> Case:
    case = _lock(case)
    require(may_work(actor, case), "您无权转办此诉求")
    _require_status(case, (Status.DISPATCHED, Status.ACCEPTED), "当前状态不能转办。")
    errors: dict = {}
    _check_assignee(case, assignee, handler_kind, handling_body, errors)
    if errors:
        raise ValidationError(errors)
    reason = _reason(reason)
    before = audit.snapshot(case)
    case.assignee = assignee
    case.handler_kind = handler_kind or case.handler_kind
    case.handling_body = handling_body.strip()
    case.status = Status.DISPATCHED
    case.accepted_at = None
    case.dispatched_at = clock.now()
    who = "、".join(x for x in (str(assignee) if assignee else "", case.handling_body) if x)
    _event(case, actor, CaseEvent.Kind.TRANSFERRED, f"转办给 {who}：{reason}")
    _save(actor, case, "case.transfer", before)
    if assignee is not None:
        notify([assignee], f"转办：诉求 #{case.pk}（{case.category.name}）转给您办理", _link(case))
    return case


def case_solve(*, actor, case, note, photo_files=()) -> Case:
    require(may_work(actor, case), "您无权办结此诉求")
    note = _reason(note, "note", "办理结果")
    checked = photos.check(photo_files)
    saved: list[str] = []
    try:
        with transaction.atomic():
            case = _lock(case)
            _require_status(case, (Status.DISPATCHED, Status.ACCEPTED), "当前状态不能办结。")
            before = audit.snapshot(case)
            now = clock.now()
            case.status = Status.SOLVED
            case.accepted_at = case.accepted_at or now
            case.solved_at = now
            case.solution = pii.masked(note)  # the typed note is kept, encrypted, on the event
            if case.assignee_id is None:
                case.assignee = actor
            for upload, kind in checked:
                name = photos.store(upload, kind, "solved")
                saved.append(name)
                CasePhoto.objects.create(case=case, stage=CasePhoto.Stage.SOLVED, file=name, content_type=kind,
                                         size=upload.size, uploaded_by=actor, at=now)
            _event(case, actor, CaseEvent.Kind.SOLVED, note)
            _save(actor, case, "case.solve", before)
            notify(_reporters(case), f"您反映的诉求 #{case.pk} 已办结，请确认并评价", _link(case))
    except BaseException:
        photos.discard(saved)
        raise
    return case


def _rate(actor, case, rating, note, now, *, by_call=False):
    if rating not in Rating.values:
        raise ValidationError({"rating": ["请选择满意、基本满意或不满意。"]})
    case.rating = rating
    typed = (note or "").strip()[:500]
    case.rating_note = pii.masked(typed)  # the typed note is kept, encrypted, on the event
    source = "（电话回访）" if by_call else ""
    if rating == Rating.UNSATISFIED:
        case.status = Status.REOPENED
        case.reopen_count += 1
        case.accepted_at = None
        case.solved_at = None
        case.arrive_by, case.solve_by = deadlines(case.tier, now)
        _event(case, actor, CaseEvent.Kind.REOPENED,
               f"居民不满意{source}，重新办理" + (f"：{typed}" if typed else ""))
        notify([case.assignee] + list(officers_at(case, case.level)),
               f"诉求 #{case.pk} 居民不满意，已重新办理", _link(case))
    else:
        case.status = Status.CLOSED
        case.closed_at = now
        _event(case, actor, CaseEvent.Kind.CONFIRMED,
               f"评价：{case.get_rating_display()}{source}" + (f"：{typed}" if typed else ""))


@transaction.atomic
def case_confirm(*, actor, case, rating, note="") -> Case:
    """The reporter confirms the result and rates it; unsatisfied sends it back to work."""
    case = _lock(case)
    require(case.reporter_id is not None and case.reporter_id == getattr(actor, "pk", None),
            "只有反映人可以确认评价")
    _require_status(case, (Status.SOLVED,), "诉求尚未办结，不能评价。")
    before = audit.snapshot(case)
    _rate(actor, case, rating, note, clock.now())
    _save(actor, case, "case.confirm", before)
    return case


@transaction.atomic
def case_follow_up(*, actor, case, note, rating="") -> Case:
    """回访: staff call the reporter back (hotline callers have no account to confirm with)."""
    require(can_edit(actor), "只有工作人员可以记录回访")
    case = _lock(case)
    _require_status(case, (Status.SOLVED, Status.CLOSED), "办结后才能回访。")
    note = _reason(note, "note", "回访记录")
    before = audit.snapshot(case)
    now = clock.now()
    case.follow_up_at, case.follow_up_note, case.follow_up_by = now, pii.masked(note), actor
    _event(case, actor, CaseEvent.Kind.FOLLOW_UP, f"电话回访：{note}")
    if rating:
        if case.status != Status.SOLVED or case.rating:
            raise ValidationError({"rating": ["该诉求已评价，回访不再改变评价。"]})
        _rate(actor, case, rating, "", now, by_call=True)
    _save(actor, case, "case.follow_up", before)
    return case


@transaction.atomic
def case_supervise(*, actor, case, deadline, note) -> Case:
    require(may_supervise(actor, case), "只有上级可以督办")
    case = _lock(case)
    _require_status(case, OPEN_STATUSES, "已办结的诉求不需要督办。")
    note = _reason(note, "note", "督办意见")
    if deadline is None or deadline <= clock.now():
        raise ValidationError({"deadline": ["督办时限须晚于当前时间。"]})
    before = audit.snapshot(case)
    case.supervised = True
    case.supervise_by = deadline
    case.supervise_note = pii.masked(note)
    case.supervised_by = actor
    _event(case, actor, CaseEvent.Kind.SUPERVISED, f"督办，时限 {_hm(deadline)}：{note}")
    _save(actor, case, "case.supervise", before)
    notify([case.assignee] + list(officers_at(case, case.level)), f"诉求 #{case.pk} 被督办：{case.supervise_note}", _link(case))
    return case


@transaction.atomic
def case_take(*, actor, case, note="") -> Case:
    """接单 in one step: staff whose work area holds a case waiting for someone take it themselves.

    The same as dispatching it to oneself and accepting it, without the two forms: the arrival clock
    stops now, the reporters are told as on accepting.
    """
    require(can_edit(actor), "只有工作人员可以接单")
    case = _lock(case)
    # Sight as a resident (one's own report at home) is not a work area: work there is someone else's.
    require(may_see(actor, case, work_only=True), "只能接本人辖区内的诉求")
    _require_status(case, (Status.NEW, Status.RETURNED, Status.REOPENED), "该诉求已有人承办或已办结，不能再接单。")
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": ["说明不能超过 2000 个字。"]})
    before = audit.snapshot(case)
    now = clock.now()
    case.assignee = actor
    case.handler_kind = case.category.handler_kind
    case.handling_body = ""
    case.status = Status.ACCEPTED
    case.dispatched_at = case.accepted_at = now
    late = "（已超过到场时限）" if now > case.arrive_by else ""
    _event(case, actor, CaseEvent.Kind.ACCEPTED, f"已接单，到场处理{late}" + (f"：{note}" if note else ""), at=now)
    _save(actor, case, "case.take", before, at=now)
    notify(_reporters(case), f"您反映的诉求 #{case.pk} 已有人接单处理", _link(case))
    return case
