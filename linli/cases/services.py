"""Every write on cases: intake, the dispatch loop, the 1341 clock, escalation and notifications.

Each service checks who may act (Forbidden → 403), validates its input (ValidationError with field
errors), changes the case, appends a timeline event and an audit entry in one transaction, and
queues e-mail only after commit.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse

from linli.accounts.scope import can_edit, can_unmask
from linli.cases import catalogue, photos, rollups
from linli.cases.access import (
    intake_buildings,
    intake_compounds,
    intake_dwellings,
    is_assignee,
    is_staff,
    may_see,
    may_supervise,
    may_work,
    officers_at,
)
from linli.cases.models import (
    DESCRIPTION_MAX,
    OPEN_STATUSES,
    UNACCEPTED_STATUSES,
    Case,
    CaseEvent,
    CaseFollower,
    CasePhoto,
    Channel,
    Escalation,
    HandlerKind,
    Level,
    Notification,
    Rating,
    ServiceCategory,
    Status,
    Tier,
    TierRule,
    next_level,
)
from linli.cases.routing import responsible_for
from linli.core import audit, clock, pii
from linli.core.access import require
from linli.core.channel import get_channel
from linli.core.errors import NotFound, Refused
from linli.core.scoping import scope_for
from linli.core.validators import validate_phone

STAFF_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN, Channel.PATROL, Channel.VISIT)


def autoclose_after() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "LINLI_CASE_AUTOCLOSE_HOURS", 72))


def duplicate_days() -> int:
    return getattr(settings, "LINLI_CASE_DUPLICATE_DAYS", 7)


def deadlines(tier: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    arrive, solve = TierRule.limits(tier)
    return start + arrive, start + solve


def catalogue_seed() -> tuple[int, int]:
    """Idempotent: adds the default categories and tier rules that are missing."""
    with transaction.atomic():
        return catalogue.seed(ServiceCategory, TierRule)


# ---------------------------------------------------------------- internals


def _event(case, actor, kind, text="", *, staff_only=False, at=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=actor if getattr(actor, "pk", None) else None, kind=kind, text=text,
        staff_only=staff_only, channel=get_channel(), at=at or clock.now(),
    )


def _save(actor, case, action: str, before: dict, *, at=None) -> None:
    case.updated_at = at or clock.now()
    case.save()
    audit.record(actor=actor, action=action, obj=case, object_repr=f"诉求 #{case.pk}",
                 changes=audit.diff(before, audit.snapshot(case)))


def _link(case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def notify(users, text: str, link: str = "") -> list[Notification]:
    """Stored in-app now; e-mailed by a task once the transaction has committed."""
    return notify_many([(users, text, link)])


def notify_many(messages) -> list[Notification]:
    """Several (users, text, link) notices in one INSERT and one e-mail task."""
    rows = []
    for users, text, link in messages:
        seen = set()
        for user in users:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            rows.append(Notification(user=user, text=text[:300], link=link, created_at=clock.now()))
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None and n.user.email]
    if ids:
        from linli.cases.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(notification_ids=ids))
    return created


def _reporters(case):
    users = [case.reporter] if case.reporter_id else []
    users += [f.user for f in case.followers.select_related("user")]
    return users


def _check_assignee(case, assignee, handler_kind, handling_body, errors: dict) -> None:
    if assignee is None and not handling_body.strip():
        errors.setdefault("assignee", []).append("请指定承办人或承办单位。")
    if assignee is not None and not (assignee.is_active and is_staff(assignee) and may_see(assignee, case)):
        errors.setdefault("assignee", []).append("承办人须为能看到该诉求所在小区的工作人员。")
    if handler_kind and handler_kind not in HandlerKind.values:
        errors.setdefault("handler_kind", []).append("承办主体类型无效。")
    if len(handling_body) > 100:
        errors.setdefault("handling_body", []).append("承办单位名称不能超过 100 个字。")


def _require_status(case, statuses, message):
    if case.status not in statuses:
        raise ValidationError({"status": [message]})


def _reason(text: str, field: str = "reason", label: str = "原因") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [f"请填写{label}。"]})
    if len(text) > 2000:
        raise ValidationError({field: [f"{label}不能超过 2000 个字。"]})
    return text


# ---------------------------------------------------------------- intake


@dataclass
class Intake:
    """What a case is filed with, before any check: forms and the API both build one."""

    category: str = ""  # the category code
    description: str = ""
    compound: int | str | None = None
    building: int | str | None = None
    dwelling: int | str | None = None
    latitude: object = None
    longitude: object = None
    address: str = ""
    channel: str = Channel.ONLINE
    contact_name: str = ""
    contact_phone: str = ""
    tier: str = ""
    # The client's key for this filing (API header Idempotency-Key): the same key again returns the
    # case filed the first time.
    client_key: str = ""


CLIENT_KEY_MAX = 64


class KeyReused(Refused):
    """The client's key already filed a different case: nothing is filed (409, as in points)."""

    def __init__(self, message: str = "该请求键已用于提交另一件不同的诉求，本次未提交。请换一个请求键。"):
        super().__init__("key_reused", message, status=409)


def _same_filing(case, intake: Intake) -> bool:
    """Whether a resent filing asks for what the key filed first (photos cannot be compared)."""

    def ref(value):
        return None if value in (None, "") else str(value).strip()

    def number(value):
        import decimal

        if value in (None, ""):
            return None
        try:
            return decimal.Decimal(str(value).strip()).quantize(decimal.Decimal("0.000001"))
        except (decimal.InvalidOperation, ValueError):
            return str(value)

    return (
        case.category.code == str(intake.category or "")
        and pii.original(case, "description") == (intake.description or "").strip()
        and ref(intake.compound) == str(case.compound_id)
        and ref(intake.building) in (None, ref(case.building_id))
        and ref(intake.dwelling) == ref(case.dwelling_id)
        and number(intake.latitude) == number(case.latitude) and number(intake.longitude) == number(case.longitude)
        and (intake.address or "").strip() == case.address
        and (intake.channel or Channel.ONLINE) == case.channel
    )


def _replay(earlier, intake: Intake) -> Case:
    if not _same_filing(earlier, intake):
        raise KeyReused()
    earlier.replayed = True
    return earlier


def _pick(queryset, value, field, label, errors):
    if value in (None, ""):
        return None
    try:
        return queryset.get(pk=int(value))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        errors.setdefault(field, []).append(f"所选{label}不存在或不在您的范围内。")
        return None


def _decimal(value, low, high, field, label, errors):
    import decimal

    if value in (None, ""):
        return None
    try:
        number = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.000001"))
    except (decimal.InvalidOperation, ValueError):
        errors.setdefault(field, []).append(f"{label}应为数字。")
        return None
    if not low <= number <= high:
        errors.setdefault(field, []).append(f"{label}应在 {low} 到 {high} 之间。")
        return None
    return number


def case_open(*, actor, intake: Intake, photo_files=()) -> Case:
    """File a case: a resident online for their own compound, or staff on someone's behalf."""
    require(getattr(actor, "is_authenticated", False), "请先登录")
    client_key = None
    if intake.client_key:
        key = str(intake.client_key).strip()
        if not key or len(key) > CLIENT_KEY_MAX or not key.isprintable():
            raise ValidationError({"client_key": [f"请求键应为 1 至 {CLIENT_KEY_MAX} 个可打印字符。"]})
        client_key = f"{actor.pk}:{key}"
        earlier = Case.objects.filter(client_key=client_key).first()
        if earlier is not None:
            return _replay(earlier, intake)
    scope = scope_for(actor)
    staff = can_edit(actor)
    if intake.channel == Channel.ONLINE:
        require(bool(scope.resident_ids) or staff, "只有居民或工作人员可以反映诉求")
    else:
        require(staff, "只有工作人员可以代为登记诉求")

    errors: dict[str, list[str]] = {}
    if intake.channel not in Channel.values:
        errors["channel"] = ["来源渠道无效。"]
    category = ServiceCategory.objects.filter(code=str(intake.category or ""), active=True).first()
    if category is None:
        errors["category"] = ["请选择有效的事项类别。"]
    description = (intake.description or "").strip()
    if not description:
        errors["description"] = ["请填写诉求内容。"]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"诉求内容不能超过 {DESCRIPTION_MAX} 个字（当前 {len(description)} 个）。"]
    compound = _pick(intake_compounds(actor), intake.compound, "compound", "小区", errors)
    if compound is None and "compound" not in errors:
        errors["compound"] = ["请选择小区。"]
    building = dwelling = None
    if compound is not None:
        building = _pick(intake_buildings(actor, compound), intake.building, "building", "楼栋", errors)
        dwelling = _pick(intake_dwellings(actor, compound).select_related("entrance"), intake.dwelling,
                         "dwelling", "房屋", errors)
        if dwelling is not None and building is not None and dwelling.entrance.building_id != building.pk:
            errors.setdefault("dwelling", []).append("所选房屋不在所选楼栋内。")
        if dwelling is not None and building is None:
            building = dwelling.entrance.building
    latitude = _decimal(intake.latitude, -90, 90, "latitude", "纬度", errors)
    longitude = _decimal(intake.longitude, -180, 180, "longitude", "经度", errors)
    if (latitude is None) != (longitude is None) and "latitude" not in errors and "longitude" not in errors:
        errors.setdefault("latitude", []).append("地图位置需要同时提供纬度和经度。")
    address = (intake.address or "").strip()
    if len(address) > 200:
        errors["address"] = ["地址不能超过 200 个字。"]
    tier = intake.tier or (category.default_tier if category else Tier.ORDINARY)
    if tier not in Tier.values:
        errors["tier"] = ["分级无效。"]
    elif intake.tier and not staff:
        tier = category.default_tier if category else Tier.ORDINARY  # residents don't grade their own case

    contact_name = (intake.contact_name or "").strip()
    contact_phone = (intake.contact_phone or "").strip()
    if intake.channel == Channel.ONLINE and scope.resident_ids and not staff:
        resident = actor.resident
        contact_name, contact_phone = resident.name, resident.phone or ""
    else:
        if len(contact_name) > 50:
            errors["contact_name"] = ["联系人姓名不能超过 50 个字。"]
        if intake.channel == Channel.HOTLINE and not contact_phone:
            errors["contact_phone"] = ["热线诉求请记录来电号码，以便回访。"]
        if contact_phone:
            try:
                contact_phone = validate_phone(contact_phone)
            except ValidationError as exc:
                errors["contact_phone"] = exc.messages
    try:
        checked = photos.check(photo_files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    if errors:
        raise ValidationError(errors)

    now = clock.now()
    arrive_by, solve_by = deadlines(tier, now)
    saved: list[str] = []
    try:
        with transaction.atomic():
            case = Case.objects.create(
                category=category, tier=tier, channel=intake.channel, description=description,
                compound=compound, building=building, dwelling=dwelling, latitude=latitude, longitude=longitude,
                address=address, reporter=actor if intake.channel == Channel.ONLINE else None,
                contact_name=contact_name, contact_phone=contact_phone,
                taken_by=actor if intake.channel != Channel.ONLINE else None,
                requested_at=now, updated_at=now, arrive_by=arrive_by, solve_by=solve_by, client_key=client_key,
            )
            for upload, kind in checked:
                name = photos.store(upload, kind, "intake")
                saved.append(name)
                CasePhoto.objects.create(case=case, stage=CasePhoto.Stage.INTAKE, file=name, content_type=kind,
                                         size=upload.size, uploaded_by=actor, at=now)
            _event(case, actor, CaseEvent.Kind.OPENED,
                   f"通过{case.get_channel_display()}受理，分级：{case.get_tier_display()}", at=now)
            audit.record(actor=actor, action="case.open", obj=case, object_repr=f"诉求 #{case.pk}",
                         changes=audit.diff({}, audit.snapshot(case)))
            notify(responsible_for(case), f"新诉求 #{case.pk}：{category.name}，请及时接单或派单", _link(case))
    except IntegrityError:
        photos.discard(saved)
        # The same key sent twice at once: the other request filed it first.
        earlier = Case.objects.filter(client_key=client_key).first() if client_key else None
        if earlier is None:
            raise
        return _replay(earlier, intake)
    except BaseException:
        # The rows are gone with the rollback; the files must go too, or they would be orphans.
        photos.discard(saved)
        raise
    case.replayed = False
    return case


def private_category_codes() -> tuple[str, ...]:
    """Categories about a person rather than a place (help for the elderly, errands, disputes, …).

    Such a case is one person's circumstances: it is never another resident's duplicate, nobody
    follows it, and the public Open311 list leaves it out (the one list lives with Open311).
    """
    from linli.cases.catalogue import private_categories

    return private_categories()


def possible_duplicates(*, actor, compound_id, category_code):
    """Open cases in the same compound and category in the last few days (shown before filing)."""
    since = clock.now() - dt.timedelta(days=duplicate_days())
    allowed = intake_compounds(actor).filter(pk=compound_id).exists() if compound_id else False
    if not allowed or not category_code or category_code in private_category_codes():
        return Case.objects.none()
    return (Case.objects.filter(compound_id=compound_id, category__code=category_code, status__in=OPEN_STATUSES,
                                requested_at__gte=since)
            .select_related("category").order_by("-requested_at")[:10])


# Case ids are sequential: following is allowed only for the cases the duplicate check offered this
# user, which it lists in a signed note that expires (by the one clock) and that follow requires.
FOLLOW_OFFER_SALT = "linli.cases.follow-offer"
FOLLOW_OFFER_MINUTES = 60
OFFER_EXPIRED = "关注已超时，请重新选择小区和类别查看同类诉求。"


def follow_offer(*, actor, cases) -> str:
    """The signed note of the cases just offered to this user to follow ("" when none)."""
    ids = sorted(case.pk for case in cases)
    if not ids or not getattr(actor, "pk", None):
        return ""
    until = int((clock.now() + dt.timedelta(minutes=FOLLOW_OFFER_MINUTES)).timestamp())
    return signing.dumps({"user": actor.pk, "cases": ids, "until": until}, salt=FOLLOW_OFFER_SALT, compress=True)


def _offered(actor, offer: str, pk) -> bool:
    try:
        note = signing.loads(offer or "", salt=FOLLOW_OFFER_SALT)
        offered = note["user"] == actor.pk and int(pk) in note["cases"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    if offered and note["until"] < clock.now().timestamp():
        raise ValidationError({"offer": [OFFER_EXPIRED]})
    return offered


@transaction.atomic
def case_follow(*, actor, case, offer: str) -> CaseFollower:
    """A resident joins an open case about the same matter instead of filing it again.

    `case` is a case or its id; anything the duplicate check did not offer this user answers as a
    case that does not exist (NotFound), so ids cannot be tried one by one.
    """
    pk = case.pk if isinstance(case, Case) else case
    if not _offered(actor, offer, pk):
        raise NotFound()
    # Checked again now: the user may have moved, the category may have become private since the offer.
    case = (Case.objects.filter(pk=pk, compound__in=intake_compounds(actor))
            .exclude(category__code__in=private_category_codes()).select_related("category").first())
    if case is None:
        raise NotFound()
    if not case.is_open:
        raise ValidationError({"status": ["该诉求已办结，不能再关注。"]})
    follower, created = CaseFollower.objects.get_or_create(case=case, user=actor, defaults={"at": clock.now()})
    if created:
        _event(case, actor, CaseEvent.Kind.FOLLOWED, "另一位居民反映了同一问题，已关注本诉求")
        audit.record(actor=actor, action="case.follow", obj=case, object_repr=f"诉求 #{case.pk}",
                     changes={"followers": [None, actor.pk]})
    return follower


# ---------------------------------------------------------------- dispatch loop


def _lock(case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


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


# ---------------------------------------------------------------- escalation and the sweep


def _escalate(actor, case, reason, now, note="") -> bool:
    """Move the case one level up, once per (round, level, reason); False when already done."""
    target = next_level(case.level)
    if target is None:
        return False
    deadline = None
    if reason == Escalation.Reason.ARRIVE:
        deadline = case.arrive_by
    elif reason == Escalation.Reason.SOLVE:
        deadline = case.solve_by
    try:
        with transaction.atomic():
            Escalation.objects.create(case=case, cycle=case.reopen_count, from_level=case.level, to_level=target,
                                      reason=reason, deadline=deadline, at=now, actor=actor,
                                      note=pii.masked(note[:500]))  # typed note kept on the event
    except IntegrityError:
        return False
    before = audit.snapshot(case)
    old = case.get_level_display()
    case.level = target
    # The new level gets the tier's full time from now: otherwise it would inherit a breached clock.
    arrive_by, solve_by = deadlines(case.tier, now)
    if case.waiting_acceptance:
        case.arrive_by = arrive_by
    case.solve_by = solve_by
    why = {"arrive": "超过到场时限未接单", "solve": "超过办结时限未办结"}.get(reason, "人工提级")
    text = f"{why}，由{old}提级至{case.get_level_display()}" + (f"：{note}" if note else "")
    _event(case, actor, CaseEvent.Kind.ESCALATED, text, at=now)
    _save(actor, case, "case.escalate", before, at=now)
    superiors = list(officers_at(case, target))
    notify([case.assignee] + superiors, f"诉求 #{case.pk} {why}，已提级至{case.get_level_display()}", _link(case))
    return True


@transaction.atomic
def case_escalate(*, actor, case, note) -> Case:
    """提级 by hand: a hard matter goes one level up the place tree."""
    require(can_edit(actor), "只有工作人员可以提级")
    case = _lock(case)
    _require_status(case, OPEN_STATUSES, "已办结的诉求不能提级。")
    if next_level(case.level) is None:
        raise ValidationError({"level": ["已在区级办理，不能再提级。"]})
    note = _reason(note, "note", "提级理由")
    if not _escalate(actor, case, Escalation.Reason.MANUAL, clock.now(), note):
        raise ValidationError({"level": ["该诉求已在本轮从此层级提级过。"]})
    return case


@dataclass
class SweepResult:
    escalated: int = 0
    closed: int = 0


def _locked_batches(queryset, batch_size):
    """Yield locked batches in key order; rows another sweep holds are skipped, not waited for."""
    last = 0
    while True:
        with transaction.atomic():
            qs = queryset.filter(pk__gt=last).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                # Lock the case rows only: locking joined rows (the category) would make two sweeps
                # skip each other's unrelated cases.
                of = ("self",) if connection.features.has_select_for_update_of else ()
                qs = qs.select_for_update(skip_locked=True, of=of)
            rows = list(qs[:batch_size])
            if not rows:
                return
            last = rows[-1].pk
            yield rows


# What an escalation changes on a case, and what the sweep loads of each breached case.
ESCALATION_FIELDS = ("level", "arrive_by", "solve_by", "updated_at")
SWEEP_FIELDS = ESCALATION_FIELDS + ("status", "tier", "reopen_count", "compound_id", "building_id", "assignee")


def _link_pattern() -> str:
    """The case page's address with %d for the id: one reverse() per batch instead of one per case."""
    marker = 987654321
    return _link(Case(pk=marker)).replace(str(marker), "%d")


def _escalate_batch(rows, now, memo: dict) -> int:
    """The sweep's escalations for one locked batch, set-wise: a handful of statements per batch.

    Same outcome per case as `_escalate`: one Escalation per (round, level, reason), the next level
    with fresh deadlines, a timeline event, an audit entry and notices to the assignee and superiors.
    `memo` keeps the tier limits and the officers of each node for the whole sweep.
    """
    due = [case for case in rows if case.overdue(now) and next_level(case.level) is not None]
    if not due:
        return 0
    # The rows are locked by this sweep, so no one else can add an escalation for them meanwhile.
    done = set(Escalation.objects.filter(case__in=due).values_list("case_id", "cycle", "from_level", "reason"))
    escalations, events, entries, messages = [], [], [], []
    groups: dict[tuple, list[int]] = {}
    channel = get_channel()
    link = _link_pattern()
    for case in due:
        reason = Escalation.Reason.ARRIVE if case.waiting_acceptance else Escalation.Reason.SOLVE
        if (case.pk, case.reopen_count, case.level, reason) in done:
            continue
        target = next_level(case.level)
        escalations.append(Escalation(
            case=case, cycle=case.reopen_count, from_level=case.level, to_level=target, reason=reason,
            deadline=case.arrive_by if reason == Escalation.Reason.ARRIVE else case.solve_by, at=now))
        before = audit.snapshot(case, ESCALATION_FIELDS)
        old = case.get_level_display()
        if ("tier", case.tier) not in memo:
            memo["tier", case.tier] = deadlines(case.tier, now)
        arrive_by, solve_by = memo["tier", case.tier]
        waiting = case.waiting_acceptance
        case.level = target
        if waiting:
            case.arrive_by = arrive_by
        case.solve_by = solve_by
        case.updated_at = now
        groups.setdefault((target, case.tier, waiting), []).append(case.pk)
        why = {"arrive": "超过到场时限未接单", "solve": "超过办结时限未办结"}[reason]
        events.append(CaseEvent(case=case, actor=None, kind=CaseEvent.Kind.ESCALATED, at=now, channel=channel,
                                text=f"{why}，由{old}提级至{case.get_level_display()}"))
        entries.append(audit.entry(actor=None, action="case.escalate", obj=case, object_repr=f"诉求 #{case.pk}",
                                   changes=audit.diff(before, audit.snapshot(case, ESCALATION_FIELDS)),
                                   channel=channel))
        node = ("officers", target, case.compound_id, case.building_id)
        if node not in memo:
            memo[node] = list(officers_at(case, target))
        messages.append(([case.assignee] + memo[node],
                         f"诉求 #{case.pk} {why}，已提级至{case.get_level_display()}", link % case.pk))
    Escalation.objects.bulk_create(escalations)
    for (target, tier, waiting), ids in groups.items():
        arrive_by, solve_by = memo["tier", tier]
        fields = {"level": target, "solve_by": solve_by, "updated_at": now}
        if waiting:
            fields["arrive_by"] = arrive_by
        Case.objects.filter(pk__in=ids).update(**fields)
    CaseEvent.objects.bulk_create(events)
    audit.record_many(entries)
    notify_many(messages)
    return len(escalations)


def sla_sweep(*, now=None, batch_size=1000) -> SweepResult:
    """Escalate every breached case once and close solved cases nobody confirmed in time.

    Works through the breached cases in locked key-ordered batches, so memory stays flat and the
    time grows with the number of batches, not with statements per case.
    """
    now = now or clock.now()
    result = SweepResult()
    breached = (Q(status__in=UNACCEPTED_STATUSES, arrive_by__lt=now) | Q(status=Status.ACCEPTED, solve_by__lt=now))
    candidates = (Case.objects.filter(breached).exclude(level=Level.DISTRICT)
                  .select_related("assignee").only(*SWEEP_FIELDS, "assignee__is_active", "assignee__email"))
    memo: dict = {}
    for rows in _locked_batches(candidates, batch_size):
        # Overdue is re-checked on the locked rows: another sweep may have moved them meanwhile.
        result.escalated += _escalate_batch(rows, now, memo)
    stale = Case.objects.filter(status=Status.SOLVED, solved_at__lt=now - autoclose_after())
    hours = int(autoclose_after().total_seconds() // 3600)
    for rows in _locked_batches(stale, batch_size):
        for case in rows:
            before = audit.snapshot(case)
            case.status = Status.CLOSED
            case.closed_at = now
            _event(case, None, CaseEvent.Kind.CLOSED, f"超过 {hours} 小时未确认，系统自动关闭", at=now)
            _save(None, case, "case.autoclose", before, at=now)
            result.closed += 1
    # The sweep changes cases in bulk: bring the figures' rollups up to date now, not on a reader's time.
    rollups.refresh()
    return result


# ---------------------------------------------------------------- notifications


@transaction.atomic
def notifications_mark_read(*, actor, ids=None) -> int:
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())


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
