"""Every write of grid work: one function per act, keyword-only `actor`, refusals as `Refused`.

The worker is the actor's own grid-worker record (`people.GridWorker.user`); a check-in, a patrol and a
visit are always the worker's own. Photos go through the cases' checks (sniffed, bounded, EXIF dropped)
and are stored under `gridwork/`; a failed write removes them.
"""

import datetime as dt
import decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from linli.accounts.scope import can_edit
from linli.cases import photos
from linli.cases import services as cases
from linli.cases.models import Channel, ServiceCategory
from linli.core import clock, pii
from linli.core import services as core
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.scoping import scope_for, visible
from linli.gridwork.duties import admitted, refusal_reason
from linli.gridwork.models import (
    TEXT_MAX,
    TRIAL_MONTHS,
    CheckIn,
    Finding,
    GridTask,
    Patrol,
    PatrolStop,
    RosterMember,
    Training,
    Trial,
    Visit,
    VisitPlan,
)
from linli.people.models import GridWorker
from linli.places.models import Building, Grid

NOT_WORKER = "只有登记为网格员的账号才能报到、巡查和走访。请联系社区在网格员名册中关联您的账号。"
# A phone's clock may run a little ahead of the server's.
CLOCK_SLACK = dt.timedelta(minutes=5)
VISIT_MINUTES_MAX = 480


def worker_of(actor) -> GridWorker:
    """The actor's own grid-worker record, or a refusal (403)."""
    worker = GridWorker.objects.filter(user_id=getattr(actor, "pk", None)).first() \
        if getattr(actor, "is_authenticated", False) else None
    if worker is None:
        raise Refused("not_grid_worker", NOT_WORKER, status=403)
    return worker


def _own_grid(worker, grid) -> Grid:
    pk = grid.pk if isinstance(grid, Grid) else grid
    found = worker.grids.filter(pk=pk).select_related("community").first() if str(pk or "").isdigit() else None
    if found is None:
        name = grid.name if isinstance(grid, Grid) else "所选网格"
        raise Refused("outside_grids", f"{name}不是您负责的网格，不能在此报到或巡查。您负责的网格："
                      + ("、".join(worker.grids.values_list("name", flat=True)) or "无") + "。", field="grid")
    return found


def _position(latitude, longitude, accuracy_m) -> dict:
    """The device location as given (all optional), checked; errors per field."""
    errors, out = {}, {}
    for name, value, low, high, label in (("latitude", latitude, -90, 90, "纬度"),
                                          ("longitude", longitude, -180, 180, "经度")):
        if value in (None, ""):
            out[name] = None
            continue
        try:
            number = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.000001"))
        except (decimal.InvalidOperation, ValueError):
            errors[name] = [f"{label}应为数字。"]
            continue
        if not low <= number <= high:
            errors[name] = [f"{label}应在 {low} 到 {high} 之间。"]
            continue
        out[name] = number
    if accuracy_m in (None, ""):
        out["accuracy_m"] = None
    else:
        try:
            out["accuracy_m"] = max(0, min(100_000, int(round(float(accuracy_m)))))
        except (TypeError, ValueError, OverflowError):
            errors["accuracy_m"] = ["定位精度应为米数。"]
    if not errors and (out["latitude"] is None) != (out["longitude"] is None):
        errors["latitude"] = ["纬度和经度须同时提供。"]
    if errors:
        raise ValidationError(errors)
    if out["latitude"] is None:
        out["accuracy_m"] = None
    return out


def _photo(upload, stage: str, saved: list) -> str:
    """Check and store one optional photo; its name goes to `saved` so a failed write removes it."""
    if not upload:
        return ""
    (content, kind), = photos.check([upload])
    name = photos.store(content, kind, stage, folder=f"gridwork/{clock.now():%Y/%m}")
    saved.append(name)
    return name


def _at(value, label: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError({label: ["时间格式不正确。"]}) from None
    if not isinstance(value, dt.datetime):
        raise ValidationError({label: ["时间格式不正确。"]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _checkin_by() -> dt.time:
    value = settings.LINLI_CHECKIN_BY
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


# --- check-in -------------------------------------------------------------------------------------

def check_in(*, actor, grid, latitude=None, longitude=None, accuracy_m=None, photo=None) -> CheckIn:
    """定时报到 at one of the worker's grids; one open check-in at a time."""
    worker = worker_of(actor)
    grid = _own_grid(worker, grid)
    position = _position(latitude, longitude, accuracy_m)
    saved: list[str] = []
    try:
        with transaction.atomic():
            GridWorker.objects.select_for_update().filter(pk=worker.pk).first()
            open_ = CheckIn.objects.filter(worker=worker, checked_out_at__isnull=True).select_related("grid").first()
            if open_ is not None:
                raise Refused("already_checked_in", f"您已于 {timezone.localtime(open_.checked_in_at):%m-%d %H:%M} 在"
                              f"{open_.grid.name}报到，尚未签退。请先签退再重新报到。", status=409)
            now = clock.now()
            local = timezone.localtime(now)
            first_today = not CheckIn.objects.filter(
                worker=worker, checked_in_at__date=local.date()).exists()
            return core.create(actor=actor, model=CheckIn, action="gridwork_check_in", data={
                "worker": worker, "grid": grid, "checked_in_at": now, **position,
                "on_time": first_today and local.time() <= _checkin_by(),
                "photo": _photo(photo, "checkin", saved)})
    except BaseException:
        photos.discard(saved)
        raise


def check_out(*, actor) -> CheckIn:
    worker = worker_of(actor)
    with transaction.atomic():
        open_ = CheckIn.objects.select_for_update().filter(worker=worker, checked_out_at__isnull=True).first()
        if open_ is None:
            raise Refused("not_checked_in", "您当前没有未签退的报到。", status=409)
        return core.update(actor=actor, instance=open_, data={"checked_out_at": clock.now()},
                           action="gridwork_check_out")


def open_check_in(worker) -> CheckIn | None:
    return CheckIn.objects.filter(worker=worker, checked_out_at__isnull=True).select_related("grid").first()


# --- patrols --------------------------------------------------------------------------------------

def _own_patrol(actor, patrol: Patrol, *, open_: bool = True) -> GridWorker:
    worker = worker_of(actor)
    require(patrol.worker_id == worker.pk, "只能操作自己的巡查记录。")
    if open_ and (patrol.ended_at is not None
                  or Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=False).exists()):
        raise Refused("patrol_ended", "这次巡查已经结束，不能再添加点位或发现。", status=409)
    return worker


def patrol_start(*, actor, grid, note: str = "") -> Patrol:
    worker = worker_of(actor)
    grid = _own_grid(worker, grid)
    with transaction.atomic():
        GridWorker.objects.select_for_update().filter(pk=worker.pk).first()
        running = Patrol.objects.filter(worker=worker, ended_at__isnull=True).first()
        if running is not None:
            raise Refused("patrol_running", f"您有一次巡查（{timezone.localtime(running.started_at):%H:%M} 开始）"
                          "尚未结束，请先结束它。", status=409)
        return core.create(actor=actor, model=Patrol, action="gridwork_patrol_start",
                           data={"worker": worker, "grid": grid, "started_at": clock.now(), "note": (note or "")[:200]})


def _building_on(patrol: Patrol, building):
    pk = building.pk if isinstance(building, Building) else building
    found = Building.objects.filter(pk=pk, grid_id=patrol.grid_id).select_related("compound").first() \
        if str(pk or "").isdigit() else None
    if found is None:
        raise Refused("building_outside_grid", f"所选楼栋不在{patrol.grid.name}内。", field="building")
    return found


def patrol_stop(*, actor, patrol: Patrol, building) -> PatrolStop:
    """Add a building to the route (tapping it again keeps the first arrival)."""
    _own_patrol(actor, patrol)
    building = _building_on(patrol, building)
    with transaction.atomic():
        Patrol.objects.select_for_update().filter(pk=patrol.pk).first()
        stop = PatrolStop.objects.filter(patrol=patrol, building=building).first()
        if stop is not None:
            return stop
        return core.create(actor=actor, model=PatrolStop, action="gridwork_patrol_stop",
                           data={"patrol": patrol, "building": building, "at": clock.now()})


def finding_record(*, actor, patrol: Patrol, text: str, building, category: str = "other", photo=None,
                   latitude=None, longitude=None, accuracy_m=None) -> Finding:
    """A problem seen on the way: text, place (a building of the route's grid) and an optional photo."""
    _own_patrol(actor, patrol)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = ["请写明发现的情况。"]
    elif len(text) > TEXT_MAX:
        errors["text"] = [f"发现情况不能超过 {TEXT_MAX} 个字（当前 {len(text)} 个）。"]
    category = str(category or "other")
    if not ServiceCategory.objects.filter(code=category, active=True).exists():
        errors["category"] = ["请选择有效的事项类别。"]
    if errors:
        raise ValidationError(errors)
    building = _building_on(patrol, building)
    position = _position(latitude, longitude, accuracy_m)
    saved: list[str] = []
    try:
        with transaction.atomic():
            PatrolStop.objects.get_or_create(patrol=patrol, building=building, defaults={"at": clock.now()})
            return core.create(actor=actor, model=Finding, action="gridwork_finding", data={
                "patrol": patrol, "building": building, "category": category, "text": text, "at": clock.now(),
                **position, "photo": _photo(photo, "finding", saved)})
    except BaseException:
        photos.discard(saved)
        raise


def patrol_end(*, actor, patrol: Patrol, ended_at=None, note: str = "") -> Patrol:
    """End a patrol now, or at the time given (a patrol recorded late); never before it started."""
    _own_patrol(actor, patrol)
    now = clock.now()
    ended_at = _at(ended_at, "ended_at") or now
    if ended_at < patrol.started_at:
        raise Refused("ends_before_start", f"结束时间不能早于开始时间（{timezone.localtime(patrol.started_at):%m-%d %H:%M}）。",
                      field="ended_at")
    if ended_at > now + CLOCK_SLACK:
        raise Refused("ends_in_future", "结束时间不能晚于现在。", field="ended_at")
    data = {"ended_at": ended_at}
    if note:
        data["note"] = note.strip()[:200]
    with transaction.atomic():
        locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if locked.ended_at is not None:
            raise Refused("patrol_ended", "这次巡查已经结束。", status=409)
        return core.update(actor=actor, instance=locked, data=data, action="gridwork_patrol_end")


def finding_to_case(*, actor, finding: Finding):
    """One tap: the finding becomes a case (channel 网格巡查) through the case service, photo included.

    Tapping again returns the case already filed."""
    worker = worker_of(actor)
    require(finding.patrol.worker_id == worker.pk or can_edit(actor), "只能转报自己巡查中的发现。")
    if finding.case_id:
        case = finding.case
        case.replayed = True
        return case
    building = finding.building
    intake = cases.Intake(
        category=finding.category, description=pii.original(finding, "text"), compound=building.compound_id,
        building=building.pk, latitude=finding.latitude, longitude=finding.longitude,
        address=f"{building.compound.name}{building.number}", channel=Channel.PATROL,
        contact_name=worker.name, contact_phone=worker.phone or "", client_key=f"gridwork-finding-{finding.pk}")
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.case_id:
            return locked.case
        files = []
        if locked.photo:
            handle = default_storage.open(locked.photo.name, "rb")
            files.append(File(handle, name=locked.photo.name.rsplit("/", 1)[-1]))
        try:
            case = cases.case_open(actor=actor, intake=intake, photo_files=files)
        finally:
            for handle in files:
                handle.close()
        core.update(actor=actor, instance=locked, data={"case": case}, action="gridwork_finding_case")
    return case


# --- visits ---------------------------------------------------------------------------------------

def _visit_fields(visited_at, minutes, purpose, notes, follow_up, follow_up_due) -> dict:
    errors = {}
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = None
    if minutes is None or not 1 <= minutes <= VISIT_MINUTES_MAX:
        errors["minutes"] = [f"用时应为 1 到 {VISIT_MINUTES_MAX} 分钟。"]
    if purpose not in Visit.Purpose.values:
        errors["purpose"] = ["请选择走访目的。"]
    notes, follow_up = (notes or "").strip(), (follow_up or "").strip()
    if len(notes) > TEXT_MAX:
        errors["notes"] = [f"走访记录不能超过 {TEXT_MAX} 个字。"]
    if len(follow_up) > 200:
        errors["follow_up"] = ["后续事项不能超过 200 个字。"]
    if follow_up_due and not follow_up:
        errors["follow_up"] = ["填写了期限，请同时写明后续事项。"]
    if errors:
        raise ValidationError(errors)
    return {"visited_at": visited_at, "minutes": minutes, "purpose": purpose, "notes": notes,
            "follow_up": follow_up, "follow_up_due": follow_up_due or None}


def visit_record(*, actor, household, visited_at=None, minutes=30, purpose="care", notes: str = "",
                 follow_up: str = "", follow_up_due=None) -> Visit:
    """走访 of a household in the worker's sight, logged at most LINLI_VISIT_BACKDATE_DAYS after it."""
    worker = worker_of(actor)
    # The caller found `household` through the actor's work area; checked again here for other callers.
    from linli.people.models import Household

    if not visible(Household.objects.filter(pk=household.pk), scope_for(actor).work_area()).exists():
        raise Refused("household_out_of_sight", "该户不在您的辖区内。", status=404)
    now = clock.now()
    visited_at = _at(visited_at, "visited_at") or now
    if visited_at > now + CLOCK_SLACK:
        raise Refused("visit_in_future", "走访时间不能晚于现在。", field="visited_at")
    limit = settings.LINLI_VISIT_BACKDATE_DAYS
    if visited_at < now - dt.timedelta(days=limit):
        raise Refused("backdated_too_far", f"走访须在 {limit} 天内登记；{timezone.localtime(visited_at):%Y-%m-%d}"
                      " 的走访已超过补登期限，未登记。", field="visited_at")
    data = _visit_fields(visited_at, minutes, purpose, notes, follow_up, follow_up_due)
    grid_id = household.dwelling.entrance.building.grid_id
    return core.create(actor=actor, model=Visit, action="gridwork_visit",
                       data={"worker": worker, "household": household, "grid_id": grid_id, "recorded_at": now, **data})


def follow_up_done(*, actor, visit: Visit) -> Visit:
    worker = worker_of(actor)
    require(visit.worker_id == worker.pk, "只能办结自己走访的后续事项。")
    if not visit.follow_up:
        raise Refused("no_follow_up", "这次走访没有后续事项。")
    if visit.follow_up_done_at:
        return visit
    return core.update(actor=actor, instance=visit, data={"follow_up_done_at": clock.now()},
                       action="gridwork_follow_up_done")


# --- tasks pushed down to grids (网格事项准入) ------------------------------------------------------

def task_push(*, actor, grid, matter: str, title: str, department: str, due_on=None) -> GridTask:
    """A department's task for a grid: only kinds on the admission list; anything else refused with why."""
    require(can_edit(actor) and scope_for(actor).is_officer, "只有社区、街道或区里的工作人员可以向网格派单。")
    if not visible(Grid.objects.filter(pk=grid.pk), scope_for(actor).unit_area()).exists():
        raise Refused("grid_out_of_sight", "该网格不在您的辖区内。", status=404)
    if admitted(matter) is None:
        raise Refused("task_not_admitted", refusal_reason(matter), field="matter")
    title, department = (title or "").strip(), (department or "").strip()
    errors = {}
    if not title:
        errors["title"] = ["请填写任务内容。"]
    if not department:
        errors["department"] = ["请填写派单部门。"]
    if errors:
        raise ValidationError(errors)
    return core.create(actor=actor, model=GridTask, action="gridwork_task_push", data={
        "grid": grid, "matter": matter, "title": title[:100], "department": department[:50], "due_on": due_on,
        "pushed_by": actor, "pushed_at": clock.now()})


def task_done(*, actor, task: GridTask) -> GridTask:
    worker = worker_of(actor)
    require(worker.grids.filter(pk=task.grid_id).exists(), "只能办结自己网格的任务。")
    if task.done_at:
        return task
    return core.update(actor=actor, instance=task, data={"done_at": clock.now()}, action="gridwork_task_done")


# --- visit plans ----------------------------------------------------------------------------------

def plan_set(*, actor, grid, care_tag, every_days: int = 30) -> VisitPlan:
    """The community sets how often a care group of a grid is visited (one plan per grid and group)."""
    require(can_edit(actor) and scope_for(actor).is_officer, "只有社区、街道或区里的工作人员可以制定走访计划。")
    if not visible(Grid.objects.filter(pk=grid.pk), scope_for(actor).unit_area()).exists():
        raise Refused("grid_out_of_sight", "该网格不在您的辖区内。", status=404)
    try:
        every_days = int(every_days)
    except (TypeError, ValueError):
        raise ValidationError({"every_days": ["走访周期应为 1 到 366 天。"]}) from None
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().filter(grid=grid, care_tag=care_tag).first()
        if plan is not None:
            return core.update(actor=actor, instance=plan, data={"every_days": every_days},
                               action="gridwork_plan_set")
        return core.create(actor=actor, model=VisitPlan, action="gridwork_plan_set", data={
            "grid": grid, "care_tag": care_tag, "every_days": every_days, "created_by": actor,
            "created_at": clock.now()})


# --- the trial period -----------------------------------------------------------------------------

def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _community_officer(actor, community) -> None:
    require(can_edit(actor) and scope_for(actor).covers_unit(community.code),
            "试用期考核由网格员所在社区（或上级街道、区）的工作人员办理。")


def trial_start(*, actor, worker: GridWorker, starts_on=None, trained_on=None) -> Trial:
    """A new worker's two-month trial, assessed by the community of their (first) grid."""
    grid = worker.grids.select_related("community").order_by("id").first()
    if grid is None:
        raise Refused("worker_without_grid", "该网格员还没有负责的网格，无法确定由哪个社区考核。")
    _community_officer(actor, grid.community)
    starts_on = starts_on or clock.today()
    with transaction.atomic():
        GridWorker.objects.select_for_update().filter(pk=worker.pk).first()
        if Trial.objects.filter(worker=worker, outcome__in=(Trial.Outcome.PENDING, Trial.Outcome.EXTENDED)).exists():
            raise Refused("trial_open", f"{worker.name}已在试用期中。", status=409)
        return core.create(actor=actor, model=Trial, action="gridwork_trial_start", data={
            "worker": worker, "community": grid.community, "starts_on": starts_on,
            "ends_on": _months_later(starts_on, TRIAL_MONTHS), "trained_on": trained_on})


def trial_assess(*, actor, trial: Trial, outcome: str, assessment: str = "", score=None) -> Trial:
    """The assessment at the end of the trial: confirmed, extended by a month, or replaced (调换)."""
    _community_officer(actor, trial.community)
    assessment = (assessment or "").strip()
    if outcome not in (Trial.Outcome.CONFIRMED, Trial.Outcome.EXTENDED, Trial.Outcome.REPLACED):
        raise ValidationError({"outcome": ["考核结果应为合格、延长试用或不合格调换。"]})
    if outcome != Trial.Outcome.CONFIRMED and not assessment:
        raise ValidationError({"assessment": ["延长试用或调换，请写明考核意见。"]})
    if score not in (None, ""):
        try:
            score = int(score)
        except (TypeError, ValueError):
            raise ValidationError({"score": ["考核得分应为 0 到 100。"]}) from None
    else:
        score = None
    with transaction.atomic():
        trial = Trial.objects.select_for_update().get(pk=trial.pk)
        if not trial.is_open:
            raise Refused("trial_closed", f"该试用期已考核（{trial.get_outcome_display()}）。", status=409)
        if outcome != Trial.Outcome.REPLACED and clock.today() < trial.ends_on:
            raise Refused("trial_not_over", f"试用期到 {trial.ends_on:%Y-%m-%d} 结束，届时再考核；"
                          "不合格的可随时调换。")
        data = {"outcome": outcome, "assessment": assessment[:300], "score": score, "assessed_by": actor,
                "assessed_at": clock.now()}
        if outcome == Trial.Outcome.EXTENDED:
            data["ends_on"] = _months_later(trial.ends_on, 1)
        return core.update(actor=actor, instance=trial, data=data, action="gridwork_trial_assess")


# --- 两长四员 -------------------------------------------------------------------------------------

def roster_appoint(*, actor, building, post: str, resident, entrance=None) -> RosterMember:
    """A resident of the building takes a post of its roster; the post's current holder must leave first."""
    require(can_edit(actor) and scope_for(actor).is_staff_scope, "只有网格员和社区工作人员可以调整两长四员。")
    if not visible(Building.objects.filter(pk=building.pk), scope_for(actor).work_area()).exists():
        raise Refused("building_out_of_sight", "该楼栋不在您的辖区内。", status=404)
    if post not in RosterMember.Post.values:
        raise ValidationError({"post": ["请选择职务。"]})
    lives_in = resident.household.dwelling.entrance
    if lives_in.building_id != building.pk:
        raise Refused("not_living_here", f"{resident.name}不住在这栋楼，两长四员应由本楼居民担任。", field="resident")
    if post == RosterMember.Post.UNIT_HEAD:
        entrance = entrance or lives_in
    else:
        entrance = None
    with transaction.atomic():
        Building.objects.select_for_update().filter(pk=building.pk).first()
        current = RosterMember.objects.filter(building=building, post=post, until__isnull=True, entrance=entrance)
        holder = current.select_related("resident").first()
        if holder is not None:
            raise Refused("post_taken", f"{holder.get_post_display()}现由{holder.resident.name}担任，请先办理卸任。",
                          status=409)
        return core.create(actor=actor, model=RosterMember, action="gridwork_roster_appoint", data={
            "building": building, "entrance": entrance, "post": post, "resident": resident, "since": clock.today()})


def roster_end(*, actor, member: RosterMember) -> RosterMember:
    require(can_edit(actor) and scope_for(actor).is_staff_scope, "只有网格员和社区工作人员可以调整两长四员。")
    if member.until is not None:
        return member
    return core.update(actor=actor, instance=member, data={"until": clock.today()}, action="gridwork_roster_end")


def training_record(*, actor, worker: GridWorker, course: str, held_on, hours, certificate: str = "") -> Training:
    """A course the worker attended, recorded by the community of their (first) grid or the units above."""
    grid = worker.grids.select_related("community").order_by("id").first()
    if grid is None:
        raise Refused("worker_without_grid", "该网格员还没有负责的网格，无法确定由哪个社区登记。")
    require(can_edit(actor) and scope_for(actor).covers_unit(grid.community.code),
            "培训记录由网格员所在社区（或上级街道、区）的工作人员登记。")
    if held_on is None:
        raise Refused("training_date_missing", "请填写培训日期。", field="held_on")
    if held_on > clock.today():
        raise Refused("training_in_future", "培训日期不能晚于今天。", field="held_on")
    try:
        hours = decimal.Decimal(str(hours))
    except (decimal.InvalidOperation, ValueError):
        raise Refused("bad_hours", "学时应为数字，如 2 或 1.5。", field="hours") from None
    with transaction.atomic():
        return core.create(actor=actor, model=Training, action="gridwork_training_record", data={
            "worker": worker, "grid": grid, "course": (course or "").strip(), "held_on": held_on, "hours": hours,
            "certificate": (certificate or "").strip(), "recorded_by": actor})
