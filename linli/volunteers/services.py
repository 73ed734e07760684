"""Every write of the volunteers domain: teams and members, activities, sign-up, check-in and
check-out, hours into the time bank, and the dual registration (双报到) of in-service members.

Rules that say no raise `Refused` (a Chinese sentence, nothing written). Sign-up locks the activity
row, so two members taking the last place at once cannot both get it. Each step of an attendance is
one conditional UPDATE on the status it expects; a login holds at most one open check-in (a partial
unique index backs the rule). Hours run from check-in to check-out within the activity's own times,
so they never exceed the activity; they are booked once per attendance through
`points.services.award_for_record` (idempotency key per attendance).
"""

import datetime as dt
import math
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.accounts.scope import can_edit
from linli.core import clock
from linli.core import services as core_services
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.scoping import scope_for
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit
from linli.points import services as points_services
from linli.volunteers.models import Activity, Attendance, DualRegistration, Member, Team

NOT_MANAGER = "只有本社区（或上级）的工作人员可以管理志愿队和活动。"
EARLY_CHECKIN_MINUTES = 30
MAX_ACCURACY_M = 200
RULE_CODE = "volunteer"
HALF = Decimal("0.5")


# --- who may -------------------------------------------------------------------------------------

def may_manage(actor, community, compound=None) -> bool:
    """Editors whose work area covers the community, or holds the team's compound."""
    if not can_edit(actor):
        return False
    work = scope_for(actor).work_area()
    return work.covers_unit(community.code) or (compound is not None and compound.pk in work.compound_ids)


def _require_manager(actor, team_or_activity):
    require(may_manage(actor, team_or_activity.community, team_or_activity.compound), NOT_MANAGER)


def _text(value, field, label, limit, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Refused("invalid", f"请填写{label}。", field=field)
    if len(value) > limit:
        raise Refused("invalid", f"{label}不超过 {limit} 个字。", field=field)
    return value


# --- teams and members ---------------------------------------------------------------------------

def team_create(*, actor, community, kind, name, purpose="", compound=None) -> Team:
    require(may_manage(actor, community, compound), NOT_MANAGER)
    if kind not in Team.Kind.values:
        raise Refused("invalid", "请选择队伍类型。", field="kind")
    return core_services.create(actor=actor, model=Team, action="volunteer.team_create", data={
        "community": community, "compound": compound, "kind": kind, "name": _text(name, "name", "名称", 60),
        "purpose": _text(purpose, "purpose", "服务内容", 200, required=False)})


def member_kind(resident) -> str:
    member = PartyMember.objects.filter(resident=resident).first() if resident else None
    if member is None:
        return Member.Kind.RESIDENT if resident else Member.Kind.PARTNER
    return Member.Kind.IN_SERVICE if member.category == PartyMember.Category.IN_SERVICE else Member.Kind.PARTY


@transaction.atomic
def member_add(*, actor, team, resident=None, user=None, partner=None) -> Member:
    """A resident joins with their own login; partner staff with a login of their own (no jurisdiction)."""
    _require_manager(actor, team)
    if resident is not None:
        user = resident.user
        if user is None:
            raise Refused("no_login", f"{resident.name}还没有登录账号，请先为其开通居民账号再加入队伍。")
    elif user is None:
        raise Refused("invalid", "请选择队员。", field="resident")
    else:
        resident = Resident.objects.filter(user=user).first()
    existing = Member.objects.filter(team=team, user=user).first()
    if existing is not None:
        if existing.active:
            raise Refused("already_member", f"{existing.name}已是本队队员。", status=409)
        return core_services.update(actor=actor, instance=existing, data={"active": True},
                                    action="volunteer.member_add")
    name = resident.name if resident else (user.display_name or user.username)
    return core_services.create(actor=actor, model=Member, action="volunteer.member_add", data={
        "team": team, "user": user, "resident": resident, "name": name, "kind": member_kind(resident),
        "partner": partner})


def member_remove(*, actor, member) -> Member:
    _require_manager(actor, member.team)
    return core_services.update(actor=actor, instance=member, data={"active": False}, action="volunteer.member_remove")


# --- activities ----------------------------------------------------------------------------------

def _coordinate(value, field, label, bound) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise Refused("invalid", f"{label}格式不正确。", field=field) from None
    if not -bound <= number <= bound:
        raise Refused("invalid", f"{label}超出范围。", field=field)
    return number


def _aware(moment):
    """A time without a zone (a form, an API client) is read in the site's zone."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def activity_create(*, actor, team, title, place, latitude, longitude, starts_at, ends_at, capacity,
                    radius=None, description="") -> Activity:
    _require_manager(actor, team)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if not team.active:
        raise Refused("team_inactive", "该队伍已不在册，不能发布活动。")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise Refused("invalid", "请填写活动的开始和结束时间，结束须晚于开始。", field="ends_at")
    if ends_at <= clock.now():
        raise Refused("activity_past", "活动结束时间已过，不能再发布。", field="ends_at")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise Refused("invalid", "名额须为整数。", field="capacity") from None
    if not 1 <= capacity <= 500:
        raise Refused("invalid", "名额须在 1–500 之间。", field="capacity")
    return core_services.create(actor=actor, model=Activity, action="volunteer.activity_create", data={
        "team": team, "community": team.community, "compound": team.compound,
        "title": _text(title, "title", "活动名称", 60), "description": _text(description, "description", "内容", 300,
                                                                       required=False),
        "place": _text(place, "place", "地点", 100),
        "latitude": _coordinate(latitude, "latitude", "纬度", 90),
        "longitude": _coordinate(longitude, "longitude", "经度", 180),
        "radius": radius or Activity._meta.get_field("radius").default,
        "starts_at": starts_at, "ends_at": ends_at, "capacity": capacity, "created_by": actor})


@transaction.atomic
def activity_cancel(*, actor, activity) -> Activity:
    _require_manager(actor, activity)
    if activity.attendances.filter(status__in=(Attendance.Status.IN, Attendance.Status.OUT)).exists():
        raise Refused("activity_attended", "已有队员签到，活动不能取消。", status=409)
    done = core_services.update_where(actor=actor, instance=activity, where={"status": Activity.Status.OPEN},
                                      data={"status": Activity.Status.CANCELLED}, action="volunteer.activity_cancel")
    if done is None:
        raise Refused("activity_cancelled", "活动已取消。", status=409)
    return done


# --- sign-up -------------------------------------------------------------------------------------

def _member_for(actor, activity) -> Member:
    member = Member.objects.filter(team_id=activity.team_id, user=actor, active=True).first()
    if member is None:
        raise Refused("not_member", f"只有“{activity.team.name}”的队员可以报名这项活动。", status=403)
    return member


def _overlapping(actor, activity):
    return (Attendance.objects.filter(user=actor, status__in=(Attendance.Status.SIGNED, Attendance.Status.IN),
                                      activity__starts_at__lt=activity.ends_at, activity__ends_at__gt=activity.starts_at)
            .exclude(activity=activity).select_related("activity").first())


@transaction.atomic
def sign_up(*, actor, activity) -> Attendance:
    member = _member_for(actor, activity)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.status != Activity.Status.OPEN:
        raise Refused("activity_cancelled", "活动已取消，不能报名。", status=409)
    if clock.now() >= locked.starts_at:
        raise Refused("signup_closed", "活动已开始，报名已截止。", status=409)
    existing = Attendance.objects.filter(activity=locked, member=member).first()
    if existing is not None and existing.status != Attendance.Status.CANCELLED:
        raise Refused("already_signed", "您已报名这项活动。", status=409)
    taken = locked.attendances.exclude(status=Attendance.Status.CANCELLED).count()
    if taken >= locked.capacity:
        raise Refused("activity_full", f"名额已满（共 {locked.capacity} 人），不能再报名。", status=409)
    clash = _overlapping(actor, locked)
    if clash is not None:
        raise Refused("time_overlap", f"您已报名同一时间的活动“{clash.activity.title}”，时间重叠不能再报名。",
                      status=409)
    if existing is not None:
        return core_services.update(actor=actor, instance=existing, action="volunteer.sign_up", data={
            "status": Attendance.Status.SIGNED, "signed_at": clock.now(), "cancelled_at": None})
    return core_services.create(actor=actor, model=Attendance, action="volunteer.sign_up", data={
        "activity": locked, "member": member, "user": actor, "signed_at": clock.now()})


def _own(actor, attendance):
    require(attendance.user_id == actor.pk, "只能为自己报名、签到和签退。")


def _step(actor, attendance, expected, data, action, code, message):
    done = core_services.update_where(actor=actor, instance=attendance, where={"status": expected}, data=data,
                                      action=action)
    if done is None:
        raise Refused(code, message, status=409)
    return done


@transaction.atomic
def cancel_signup(*, actor, attendance) -> Attendance:
    _own(actor, attendance)
    return _step(actor, attendance, Attendance.Status.SIGNED,
                 {"status": Attendance.Status.CANCELLED, "cancelled_at": clock.now()},
                 "volunteer.cancel", "cannot_cancel", "只能取消尚未签到的报名。")


# --- check-in and check-out ----------------------------------------------------------------------

def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine; the city scale needs nothing finer)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(a))


def _position(latitude, longitude, accuracy):
    lat = _coordinate(latitude, "latitude", "纬度", 90)
    lng = _coordinate(longitude, "longitude", "经度", 180)
    try:
        acc = int(Decimal(str(accuracy)).to_integral_value())
    except (InvalidOperation, ValueError, TypeError):
        raise Refused("invalid", "定位精度格式不正确。", field="accuracy") from None
    if acc < 0 or acc > 100000:
        raise Refused("invalid", "定位精度超出范围。", field="accuracy")
    return lat, lng, acc


@transaction.atomic
def check_in(*, actor, attendance, latitude, longitude, accuracy) -> Attendance:
    _own(actor, attendance)
    activity = attendance.activity
    lat, lng, acc = _position(latitude, longitude, accuracy)
    now = clock.now()
    if attendance.status != Attendance.Status.SIGNED:
        raise Refused("not_signed", "只有已报名、尚未签到的活动可以签到。", status=409)
    if activity.status != Activity.Status.OPEN:
        raise Refused("activity_cancelled", "活动已取消。", status=409)
    if now < activity.starts_at - dt.timedelta(minutes=EARLY_CHECKIN_MINUTES):
        raise Refused("checkin_early", f"活动开始前 {EARLY_CHECKIN_MINUTES} 分钟起才能签到。")
    if now >= activity.ends_at:
        raise Refused("checkin_closed", "活动已结束，不能再签到。")
    open_in = Attendance.objects.filter(user=actor, status=Attendance.Status.IN).select_related("activity").first()
    if open_in is not None:
        raise Refused("checkin_overlap", f"您在“{open_in.activity.title}”的签到尚未签退，不能同时签到两项活动。",
                      status=409)
    if acc > MAX_ACCURACY_M:
        raise Refused("location_inaccurate", f"定位精度为 {acc} 米，超过 {MAX_ACCURACY_M} 米，请到开阔处重新定位后签到。",
                      field="accuracy")
    far = distance_m(lat, lng, activity.latitude, activity.longitude)
    if far > activity.radius + acc:
        raise Refused("too_far", f"您距活动地点约 {round(far)} 米，超出 {activity.radius} 米的签到范围，请到现场签到。",
                      field="latitude")
    try:
        with transaction.atomic():
            return _step(actor, attendance, Attendance.Status.SIGNED, {
                "status": Attendance.Status.IN, "in_at": now, "in_latitude": lat, "in_longitude": lng,
                "in_accuracy": acc, "in_distance": round(far)},
                "volunteer.check_in", "not_signed", "只有已报名、尚未签到的活动可以签到。")
    except IntegrityError:
        raise Refused("checkin_overlap", "您有一项活动尚未签退，不能同时签到两项活动。", status=409) from None


def hours_between(activity, start, end) -> Decimal:
    """Hours within the activity's own times, rounded down to the half hour (the time bank's unit)."""
    start, end = max(start, activity.starts_at), min(end, activity.ends_at)
    seconds = max((end - start).total_seconds(), 0)
    hours = Decimal(seconds) / Decimal(3600)
    return (hours / HALF).to_integral_value(rounding=ROUND_DOWN) * HALF


@transaction.atomic
def check_out(*, actor, attendance, latitude, longitude, accuracy) -> Attendance:
    _own(actor, attendance)
    lat, lng, acc = _position(latitude, longitude, accuracy)
    now = clock.now()
    hours = hours_between(attendance.activity, attendance.in_at or now, now)
    done = _step(actor, attendance, Attendance.Status.IN, {
        "status": Attendance.Status.OUT, "out_at": now, "out_latitude": lat, "out_longitude": lng,
        "out_accuracy": acc, "hours": hours}, "volunteer.check_out", "not_checked_in", "只有已签到的活动可以签退。")
    return _book(actor, done)


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Refused("invalid", "时长格式不正确，如 1.5。", field="hours") from None
    if not hours.is_finite() or hours <= 0 or hours != (hours / HALF).to_integral_value() * HALF:
        raise Refused("invalid", "时长须大于 0，以半小时为单位，如 1.5。", field="hours")
    return hours


@transaction.atomic
def hours_confirm(*, actor, attendance, hours) -> Attendance:
    """The organiser closes an attendance the member forgot to check out of (or attended from the sign
    sheet) once the activity is over, with hours no longer than the activity."""
    activity = attendance.activity
    _require_manager(actor, activity)
    hours = parse_hours(hours)
    if clock.now() < activity.ends_at:
        raise Refused("activity_not_over", "活动结束后才能确认时长。", status=409)
    limit = hours_between(activity, activity.starts_at, activity.ends_at)
    if hours > limit:
        raise Refused("hours_beyond_activity", f"时长不能超过活动本身的 {limit} 小时。", field="hours")
    expected = attendance.status
    if expected not in (Attendance.Status.SIGNED, Attendance.Status.IN):
        raise Refused("not_open", "该报名已签退或已取消，时长不能再确认。", status=409)
    done = _step(actor, attendance, expected, {"status": Attendance.Status.OUT, "out_at": activity.ends_at,
                                               "hours": hours},
                 "volunteer.hours_confirm", "not_open", "该报名已签退或已取消，时长不能再确认。")
    return _book(actor, done)


def _book(actor, attendance) -> Attendance:
    """Book the hours into the member's time bank, once per attendance. A member without a resident
    record keeps the hours on the attendance (their statement and the reports count them)."""
    member = attendance.member
    if not attendance.hours:
        note, award = "时长不足半小时，未记积分", None
    elif member.resident_id is None:
        note, award = "无居民积分账户：时长已记录，计入队伍与单位统计", None
    else:
        try:
            with transaction.atomic():
                award = points_services.award_for_record(
                    source_type="volunteer", source_id=f"attendance:{attendance.pk}", resident=member.resident,
                    rule_code=RULE_CODE, quantity=attendance.hours, actor=actor,
                    key=f"volunteer-attendance:{attendance.pk}")
            note = f"已记入时间银行：{attendance.hours} 小时，{award.points} 积分"
        except Refused as exc:
            award, note = None, f"时长已记录，未记积分：{exc.message}"[:200]
    return core_services.update(actor=actor, instance=attendance, data={"award": award, "booking": note},
                                action="volunteer.book")


# --- dual registration ---------------------------------------------------------------------------

def current_registration(member) -> DualRegistration | None:
    return DualRegistration.objects.filter(member=member, ended_on__isnull=True).select_related("community").first()


@transaction.atomic
def dual_register(*, actor, member: PartyMember, community: AdminUnit, employer: str = "") -> DualRegistration:
    """An in-service member reports to a community (themselves, or the community office records it).
    A member reports to one community at a time."""
    own = member.resident.user_id == actor.pk
    require(own or may_manage(actor, community), "只有党员本人或报到社区的工作人员可以登记双报到。")
    if member.category != PartyMember.Category.IN_SERVICE:
        raise Refused("not_in_service", "双报到只适用于在职党员。")
    if community.level != "community":
        raise Refused("invalid", "请选择报到的社区。", field="community")
    employer = _text(employer or member.employer, "employer", "工作单位", 100)
    locked = PartyMember.objects.select_for_update().get(pk=member.pk)
    current = current_registration(locked)
    registered = current.community if current else locked.dual_registered_community
    if registered is not None and registered.pk != community.pk:
        raise Refused("already_registered",
                      f"该党员已在{registered.name}双报到，同一时间只能向一个社区报到。", status=409)
    if current is not None:
        raise Refused("already_registered_here", f"该党员已在{community.name}报到。", status=409)
    today = clock.today()
    try:
        with transaction.atomic():
            made = core_services.create(actor=actor, model=DualRegistration, action="volunteer.dual_register", data={
                "member": locked, "community": community, "employer": employer, "registered_on": today, "by": actor})
    except IntegrityError:
        raise Refused("already_registered", "该党员已在另一社区报到。", status=409) from None
    core_services.update(actor=actor, instance=locked, action="volunteer.dual_register", data={
        "dual_registered_community": community,
        "dual_registered_on": locked.dual_registered_on or today, "employer": locked.employer or employer})
    return made
