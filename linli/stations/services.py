"""Every write of the stations domain: the register, the standard and its acceptance, micro-wishes.

Rules that say no raise `Refused` (nothing written). A wish is claimed by one conditional UPDATE
(`status = open` in its WHERE clause), so of any number of members claiming at the same moment
exactly one changes the row and the others are told it is taken.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.scope import can_edit
from linli.cases import photos
from linli.cases.services import notify
from linli.core import clock, pii
from linli.core import services as core_services
from linli.core.access import require
from linli.core.errors import NotFound, Refused
from linli.core.scoping import scope_for, visible
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit, Compound
from linli.stations.catalogue import DEFAULT_CATALOGUE, items_of
from linli.stations.models import (
    Errand,
    Evidence,
    Inspection,
    InspectionItem,
    MicroWish,
    Need,
    NeedEvent,
    PartnerStaff,
    Project,
    ProjectEvent,
    ProjectOwner,
    Resource,
    ServiceItem,
    Slot,
    StaffMember,
    Station,
    StationCase,
    WishEvent,
    WishPhoto,
)

INSPECTOR_ROLES = frozenset({"street_officer", "district_officer"})
NOT_REGISTRAR = "只有本社区（或上级）的工作人员可以登记和维护服务站。"
NOT_INSPECTOR = "只有街道（或区级）干部可以验收服务站。"
STANDARD_FIELDS = ("name", "kind", "compound", "grid", "address", "latitude", "longitude", "rooms", "on_call",
                   "on_call_phone", "standard")


# --- who may -------------------------------------------------------------------------------------

def may_register(actor, community) -> bool:
    """Community workers and secretaries, street and district officers, for communities of their area."""
    scope = scope_for(actor)
    return can_edit(actor) and scope.work_area().covers_unit(community.code)


def may_inspect(actor, station) -> bool:
    scope = scope_for(actor)
    if scope.everything:
        return True
    return bool(scope.roles & INSPECTOR_ROLES) and scope.work_area().covers_unit(station.community.code)


def member_of(actor) -> PartyMember | None:
    """The actor's own Party-member record (through their resident record), if any and not lost."""
    ids = scope_for(actor).resident_ids
    if not ids:
        return None
    return (PartyMember.objects.filter(resident_id__in=ids, lost_contact=False)
            .select_related("resident__household__dwelling__entrance__building__compound").first())


def member_communities(member: PartyMember | None) -> set[int]:
    if member is None:
        return set()
    found = {member.resident.household.dwelling.entrance.building.compound.community_id}
    if member.dual_registered_community_id:
        found.add(member.dual_registered_community_id)
    return found


def may_claim(actor, wish) -> bool:
    return wish.community_id in member_communities(member_of(actor)) and wish.resident.user_id != actor.pk


def is_area_staff(actor, wish) -> bool:
    """Staff whose work area holds the wish: they see who made it and may post for a resident."""
    scope = scope_for(actor).work_area()
    return scope.is_staff_scope and visible(MicroWish.objects.filter(pk=wish.pk), scope).exists()


# --- the register --------------------------------------------------------------------------------

def _clean_text(value, field, label, limit):
    text = (value or "").strip()
    if not text:
        raise Refused("required", f"请填写{label}。", field=field)
    if len(text) > limit:
        raise Refused("too_long", f"{label}不能超过 {limit} 个字。", field=field)
    return text


@transaction.atomic
def station_create(*, actor, community, name, kind, address, compound=None, grid=None, standard="",
                   catalogue=True, **extra) -> Station:
    if community is None or community.level != AdminUnit.Level.COMMUNITY:
        raise Refused("community_required", "请选择服务站所属社区。", field="community")
    require(may_register(actor, community), NOT_REGISTRAR)
    if kind not in Station.Kind.values:
        raise Refused("kind_invalid", "请选择服务站类型。", field="kind")
    if Station.objects.filter(community=community, name=(name or "").strip()).exists():
        raise Refused("station_exists", "本社区已有同名服务站。", status=409, field="name")
    standard = standard or (Station.Standard.SIX if kind in (Station.Kind.CENTRE, Station.Kind.RED)
                            else Station.Standard.FOUR)
    data = {"community": community, "name": _clean_text(name, "name", "名称", 100), "kind": kind,
            "address": _clean_text(address, "address", "地址", 200), "compound": compound, "grid": grid,
            "standard": standard, "created_at": clock.now(),
            **{k: v for k, v in extra.items() if k in STANDARD_FIELDS}}
    station = core_services.create(actor=actor, model=Station, data=data)
    if catalogue:
        ServiceItem.objects.bulk_create([
            ServiceItem(station=station, category=category, name=item, position=n)
            for n, (category, item) in enumerate((c, i) for c, items in DEFAULT_CATALOGUE for i in items)])
    return station


def _editable(actor, station) -> Station:
    require(may_register(actor, station.community), NOT_REGISTRAR)
    return Station.objects.select_for_update().get(pk=station.pk)


@transaction.atomic
def station_update(*, actor, station, data: dict) -> Station:
    locked = _editable(actor, station)
    changes = {k: v for k, v in data.items() if k in STANDARD_FIELDS}
    if "standard" in changes and changes["standard"] != locked.standard and locked.accepted_on:
        raise Refused("accepted_standard", "已验收的服务站不能更改建设标准。", field="standard")
    return core_services.update(actor=actor, instance=locked, data=changes)


@transaction.atomic
def slot_add(*, actor, station, weekday, opens: dt.time, closes: dt.time, mode=Slot.Mode.SCHEDULED) -> Slot:
    _editable(actor, station)
    if mode not in Slot.Mode.values:
        raise Refused("mode_invalid", "请选择定时或错时。", field="mode")
    if weekday not in range(7):
        raise Refused("weekday_invalid", "请选择星期。", field="weekday")
    if opens is None or closes is None or opens >= closes:
        raise Refused("slot_invalid", "结束时间须晚于开始时间。", field="closes")
    if Slot.objects.filter(station=station, weekday=weekday, opens__lt=closes, closes__gt=opens).exists():
        raise Refused("slot_overlap", "与已有开放时段重叠。", status=409, field="opens")
    return core_services.create(actor=actor, model=Slot, data={
        "station": station, "weekday": weekday, "opens": opens, "closes": closes, "mode": mode})


@transaction.atomic
def slot_remove(*, actor, slot) -> None:
    _editable(actor, slot.station)
    core_services.delete(actor=actor, instance=slot)


@transaction.atomic
def staff_add(*, actor, station, name, role, hours="") -> StaffMember:
    _editable(actor, station)
    return core_services.create(actor=actor, model=StaffMember, data={
        "station": station, "name": _clean_text(name, "name", "姓名", 50), "role": _clean_text(role, "role", "岗位", 50),
        "hours": (hours or "").strip()[:100]})


@transaction.atomic
def staff_remove(*, actor, member) -> None:
    _editable(actor, member.station)
    core_services.delete(actor=actor, instance=member)


@transaction.atomic
def service_add(*, actor, station, category, name) -> ServiceItem:
    _editable(actor, station)
    category = _clean_text(category, "category", "大类", 30)
    name = _clean_text(name, "name", "服务事项", 60)
    if ServiceItem.objects.filter(station=station, category=category, name=name).exists():
        raise Refused("service_exists", "该服务事项已在清单中。", status=409, field="name")
    last = ServiceItem.objects.filter(station=station).order_by("-position").values_list("position", flat=True).first()
    return core_services.create(actor=actor, model=ServiceItem, data={
        "station": station, "category": category, "name": name, "position": (last or 0) + 1})


@transaction.atomic
def service_toggle(*, actor, item, active: bool) -> ServiceItem:
    _editable(actor, item.station)
    return core_services.update(actor=actor, instance=item, data={"active": bool(active)})


# --- the standard and acceptance -----------------------------------------------------------------

@transaction.atomic
def evidence_add(*, actor, station, item, text, photo=None) -> Evidence:
    checked = photos.check([photo] if photo else [])
    locked = _editable(actor, station)
    if item not in dict(items_of(locked.standard)):
        raise Refused("item_invalid", f"请选择“{locked.get_standard_display()}”中的一项。", field="item")
    data = {"station": locked, "item": item, "text": _clean_text(pii.masked(text or ""), "text", "佐证说明", 300),
            "at": clock.now(), "by": actor}
    saved = []
    try:
        if checked:
            upload, kind = checked[0]
            name = photos.store(upload, kind, "evidence", folder=f"stations/{clock.now():%Y/%m}")
            saved.append(name)
            data.update(photo=name, content_type=kind)
        return core_services.create(actor=actor, model=Evidence, data=data)
    except BaseException:
        photos.discard(saved)
        raise


@transaction.atomic
def inspect(*, actor, station, met: list[str], note: str = "") -> Inspection:
    """Record an inspection. It passes only when every item of the standard is met and evidenced;
    passing sets the station's acceptance date (what the station award requires)."""
    require(may_inspect(actor, station), NOT_INSPECTOR)
    locked = Station.objects.select_for_update().get(pk=station.pk)
    codes = [code for code, _label in items_of(locked.standard)]
    unknown = set(met or []) - set(codes)
    if unknown:
        raise Refused("item_invalid", "验收项不属于该服务站的建设标准。", field="met")
    evidenced = set(Evidence.objects.filter(station=locked).values_list("item", flat=True))
    ticked = set(met or [])
    passed = all(code in ticked and code in evidenced for code in codes)
    if ticked - evidenced:
        labels = "、".join(label for code, label in items_of(locked.standard) if code in ticked - evidenced)
        raise Refused("evidence_missing", f"以下各项尚无佐证材料，不能认定达标：{labels}。", field="met")
    now = clock.now()
    inspection = core_services.create(actor=actor, model=Inspection, data={
        "station": locked, "inspector": actor, "at": now, "standard": locked.standard, "passed": passed,
        "note": pii.masked((note or "").strip())[:300]})
    InspectionItem.objects.bulk_create([InspectionItem(inspection=inspection, item=code, met=code in ticked)
                                        for code in codes])
    if passed and locked.accepted_on is None:
        core_services.update(actor=actor, instance=locked, data={"accepted_on": clock.today()}, action="station.accept")
    return inspection


# --- micro-wishes --------------------------------------------------------------------------------

def _wish_link(wish) -> str:
    return f"/stations/wishes/{wish.pk}/"


def _event(wish, actor, kind, note=""):
    WishEvent.objects.create(wish=wish, kind=kind, actor=actor, at=clock.now(), note=note[:300])


def _compound_of(resident) -> Compound:
    return resident.household.dwelling.entrance.building.compound


@transaction.atomic
def wish_post(*, actor, title, body="", resident=None) -> MicroWish:
    """A resident posts their own wish; a worker of the area may post one on a resident's behalf."""
    scope = scope_for(actor)
    if resident is None:
        own = Resident.objects.filter(pk__in=scope.resident_ids).select_related(
            "household__dwelling__entrance__building__compound").first()
        if own is None:
            raise Refused("not_resident", "只有登记在册的居民可以发布微心愿，或由工作人员代为发布。")
        resident = own
    else:
        require(can_edit(actor), "只有工作人员可以代居民发布微心愿。")
        if not visible(Resident.objects.filter(pk=resident.pk), scope.work_area()).exists():
            raise NotFound()
    title = _clean_text(title, "title", "心愿", 60)
    body = pii.masked((body or "").strip())
    if len(body) > 500:
        raise Refused("too_long", "说明不能超过 500 个字。", field="body")
    compound = _compound_of(resident)
    open_count = MicroWish.objects.filter(resident=resident, status__in=(MicroWish.Status.OPEN, MicroWish.Status.CLAIMED))
    if open_count.count() >= 3:
        raise Refused("too_many_wishes", "同一位居民最多同时有 3 个未实现的微心愿。", status=409)
    station = (Station.objects.filter(compound=compound).first()
               or Station.objects.filter(community=compound.community, kind=Station.Kind.CENTRE).first())
    wish = core_services.create(actor=actor, model=MicroWish, data={
        "community": compound.community, "compound": compound, "resident": resident, "station": station,
        "title": pii.masked(title), "body": body, "posted_by": actor, "posted_at": clock.now()},
        action="wish.post")
    _event(wish, actor, WishEvent.Kind.POSTED, "代居民发布" if resident.user_id != actor.pk else "")
    return wish


def _transition(actor, wish, expected, data, action):
    """Change the wish only if it is still in the expected state, so two at once cannot both pass."""
    return core_services.update_where(actor=actor, instance=wish, where={"status": expected}, data=data,
                                      action=action)


@transaction.atomic
def wish_claim(*, actor, wish) -> MicroWish:
    if wish.resident.user_id == actor.pk:
        raise Refused("own_wish", "不能认领自己的微心愿。", status=403)
    require(may_claim(actor, wish), "只有本社区的党员可以认领微心愿。")
    now = clock.now()
    done = _transition(actor, wish, MicroWish.Status.OPEN,
                       {"status": MicroWish.Status.CLAIMED, "claimed_by": actor, "claimed_at": now}, "wish.claim")
    if done is None:
        raise Refused("wish_taken", "这个微心愿已被其他党员认领或已结束。", status=409)
    _event(done, actor, WishEvent.Kind.CLAIMED)
    notify([done.resident.user, done.posted_by], f"您的微心愿“{done.title}”已有党员认领", _wish_link(done))
    return done


def wish_fulfil(*, actor, wish, note, photo_files=()) -> MicroWish:
    if wish.claimed_by_id != actor.pk:
        raise Refused("not_claimer", "只有认领人可以登记心愿实现。", status=403)
    note = _clean_text(pii.masked(note or ""), "note", "实现情况", 300)
    checked = photos.check(photo_files)
    if not checked:
        raise ValidationError({"photos": ["请上传一张心愿实现的照片。"]})
    saved: list[str] = []
    try:
        with transaction.atomic():
            now = clock.now()
            done = _transition(actor, wish, MicroWish.Status.CLAIMED,
                               {"status": MicroWish.Status.FULFILLED, "fulfilled_at": now, "fulfil_note": note},
                               "wish.fulfil")
            if done is None:
                raise Refused("wish_not_claimed", "当前状态不能登记实现。", status=409)
            for upload, kind in checked:
                name = photos.store(upload, kind, "wish", folder=f"stations/{now:%Y/%m}")
                saved.append(name)
                WishPhoto.objects.create(wish=done, file=name, content_type=kind, size=upload.size,
                                         uploaded_by=actor, at=now)
            _event(done, actor, WishEvent.Kind.FULFILLED, note)
            notify([done.resident.user, done.posted_by], f"您的微心愿“{done.title}”已实现，请确认", _wish_link(done))
    except BaseException:
        photos.discard(saved)
        raise
    return done


@transaction.atomic
def wish_confirm(*, actor, wish, note="") -> MicroWish:
    if actor.pk not in (wish.resident.user_id, wish.posted_by_id):
        raise Refused("not_wisher", "只有心愿人（或代为发布的工作人员）可以确认。", status=403)
    done = _transition(actor, wish, MicroWish.Status.FULFILLED,
                       {"status": MicroWish.Status.CONFIRMED, "confirmed_at": clock.now()}, "wish.confirm")
    if done is None:
        raise Refused("wish_not_fulfilled", "心愿尚未登记实现，暂不能确认。", status=409)
    _event(done, actor, WishEvent.Kind.CONFIRMED, pii.masked((note or "").strip()))
    notify([done.claimed_by], f"您认领的微心愿“{done.title}”已由心愿人确认，感谢您！", _wish_link(done))
    return done


@transaction.atomic
def wish_withdraw(*, actor, wish) -> MicroWish:
    if actor.pk not in (wish.resident.user_id, wish.posted_by_id):
        raise Refused("not_wisher", "只有心愿人（或代为发布的工作人员）可以撤回。", status=403)
    done = _transition(actor, wish, MicroWish.Status.OPEN, {"status": MicroWish.Status.WITHDRAWN}, "wish.withdraw")
    if done is None:
        raise Refused("wish_taken", "心愿已被认领，不能撤回。", status=409)
    _event(done, actor, WishEvent.Kind.WITHDRAWN)
    return done


# --- the need and resource lists: order → dispatch → accept → rate --------------------------------

NOT_DISPATCHER = "只有本社区的工作人员可以维护资源清单和派单。"


def may_dispatch(actor, community) -> bool:
    return may_register(actor, community)


def _need_link(need) -> str:
    return f"/stations/needs/{need.pk}/"


def _need_event(need, actor, kind, note=""):
    NeedEvent.objects.create(need=need, kind=kind, actor=actor, at=clock.now(), note=note[:300])


def _handler_of(community, handler) -> bool:
    """A login that may take the community's orders: a resident of it, a member dual-registered with it,
    or the staff of one of its partner units (`PartnerStaff`)."""
    return (Resident.objects.filter(user=handler, household__dwelling__entrance__building__compound__community=community)
            .exists() or PartyMember.objects.filter(resident__user=handler, dual_registered_community=community).exists()
            or PartnerStaff.objects.filter(user=handler, community=community, active=True).exists())


@transaction.atomic
def resource_create(*, actor, community, kind, name, offer, handler, capacity=4, available="", partner=None) -> Resource:
    require(may_dispatch(actor, community), NOT_DISPATCHER)
    if kind not in Resource.Kind.values:
        raise Refused("kind_invalid", "请选择资源类型。", field="kind")
    if handler is None or not handler.is_active:
        raise Refused("handler_required", "请指定接单账号。", field="handler")
    if not _handler_of(community, handler):
        raise Refused("handler_outside", "接单账号须为本社区居民，或向本社区双报到的党员。", field="handler")
    if partner is not None and partner.community_id != community.pk:
        raise Refused("partner_outside", "该共建单位不在本社区。", field="partner")
    staff = PartnerStaff.objects.filter(user=handler, active=True).first()
    if staff is not None and partner is not None and staff.partner_id != partner.pk:
        raise Refused("handler_other_partner", "接单账号属于另一家共建单位。", field="handler")
    return core_services.create(actor=actor, model=Resource, data={
        "community": community, "kind": kind, "name": _clean_text(name, "name", "提供方", 100),
        "offer": _clean_text(offer, "offer", "可提供的服务", 300), "handler": handler, "capacity": capacity,
        "available": (available or "").strip()[:100], "partner": partner})


@transaction.atomic
def need_post(*, actor, title="", body="", resident=None, source=Need.Source.RESIDENT, service=None) -> Need:
    """A resident orders on their phone; a worker records one from a visit or a case for a resident.
    Ordering an item of a station's catalogue makes it a proxy errand 帮办代办 of that station."""
    scope = scope_for(actor)
    if resident is None:
        resident = Resident.objects.filter(pk__in=scope.resident_ids).select_related(
            "household__dwelling__entrance__building__compound").first()
        if resident is None:
            raise Refused("not_resident", "只有登记在册的居民可以点单，或由工作人员代为登记。")
        source = Need.Source.RESIDENT
    else:
        require(can_edit(actor), "只有工作人员可以代居民登记需求。")
        if not visible(Resident.objects.filter(pk=resident.pk), scope.work_area()).exists():
            raise NotFound()
        if source not in Need.Source.values:
            raise Refused("source_invalid", "请选择需求来源。", field="source")
    compound = _compound_of(resident)
    station = None
    if service is not None:
        station = service.station
        if station.community_id != compound.community_id or not service.active:
            raise Refused("service_outside", "只能点本社区服务站清单中正在提供的事项。", field="service")
        title = title or service.name
    need = core_services.create(actor=actor, model=Need, data={
        "community": compound.community, "compound": compound, "resident": resident, "source": source,
        "service": service, "station": station,
        "title": pii.masked(_clean_text(title, "title", "需求", 60)), "body": pii.masked((body or "").strip())[:500],
        "posted_by": actor, "posted_at": clock.now()}, action="need.order")
    _need_event(need, actor, NeedEvent.Kind.ORDERED, need.get_source_display())
    return need


def _need_step(actor, need, expected, data, action):
    return core_services.update_where(actor=actor, instance=need, where={"status__in": expected}, data=data,
                                      action=action)


@transaction.atomic
def need_dispatch(*, actor, need, resource) -> Need:
    require(may_dispatch(actor, need.community), NOT_DISPATCHER)
    if resource is None or resource.community_id != need.community_id or not resource.active:
        raise Refused("resource_outside", "只能派给本社区资源清单中在册的资源。", field="resource")
    month = clock.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    taken = Need.objects.filter(resource=resource, dispatched_at__gte=month).exclude(pk=need.pk).count()
    if taken >= resource.capacity:
        raise Refused("resource_full", f"“{resource.name}”本月已接 {taken} 单，达到可接单数。", status=409,
                      field="resource")
    done = _need_step(actor, need, (Need.Status.OPEN,), {
        "status": Need.Status.DISPATCHED, "resource": resource, "dispatched_at": clock.now()}, "need.dispatch")
    if done is None:
        raise Refused("need_not_open", "该需求已派单或已办理。", status=409)
    _need_event(done, actor, NeedEvent.Kind.DISPATCHED, f"派给 {resource.name}")
    notify([resource.handler], f"派单：{done.title}（{done.compound.name}）", _need_link(done))
    return done


def _require_handler(actor, need):
    if need.resource_id is None or need.resource.handler_id != actor.pk:
        raise Refused("not_dispatched_to_you", "该需求没有派给您，不能接单或办理。", status=403)


@transaction.atomic
def need_accept(*, actor, need) -> Need:
    _require_handler(actor, need)
    done = _need_step(actor, need, (Need.Status.DISPATCHED,),
                      {"status": Need.Status.ACCEPTED, "accepted_at": clock.now()}, "need.accept")
    if done is None:
        raise Refused("need_not_dispatched", "该需求当前不能接单。", status=409)
    _need_event(done, actor, NeedEvent.Kind.ACCEPTED)
    notify([done.resident.user, done.posted_by], f"您的需求“{done.title}”已由{done.resource.name}接单", _need_link(done))
    return done


@transaction.atomic
def need_decline(*, actor, need, reason) -> Need:
    _require_handler(actor, need)
    reason = _clean_text(pii.masked(reason or ""), "reason", "拒单原因", 300)
    name = need.resource.name
    done = _need_step(actor, need, (Need.Status.DISPATCHED,),
                      {"status": Need.Status.OPEN, "resource": None, "dispatched_at": None}, "need.decline")
    if done is None:
        raise Refused("need_not_dispatched", "该需求当前不能拒单。", status=409)
    _need_event(done, actor, NeedEvent.Kind.DECLINED, f"{name}：{reason}")
    notify([done.posted_by], f"{name}未能接单“{done.title}”，请重新派单", _need_link(done))
    return done


@transaction.atomic
def need_done(*, actor, need, result) -> Need:
    _require_handler(actor, need)
    result = _clean_text(pii.masked(result or ""), "result", "办理结果", 300)
    done = _need_step(actor, need, (Need.Status.ACCEPTED,),
                      {"status": Need.Status.DONE, "done_at": clock.now(), "result": result}, "need.done")
    if done is None:
        raise Refused("need_not_accepted", "请先接单再登记办理结果。", status=409)
    _need_event(done, actor, NeedEvent.Kind.DONE, result)
    notify([done.resident.user], f"您的需求“{done.title}”已办理，请评价", _need_link(done))
    return done


@transaction.atomic
def need_rate(*, actor, need, rating, note="") -> Need:
    if need.resident.user_id != actor.pk:
        raise Refused("not_orderer", "只有点单的居民可以评价。", status=403)
    if rating not in range(1, 6):
        raise Refused("rating_invalid", "请打 1 到 5 星。", field="rating")
    done = _need_step(actor, need, (Need.Status.DONE,), {
        "status": Need.Status.RATED, "rating": rating, "rating_note": pii.masked((note or "").strip())[:300]},
        "need.rate")
    if done is None:
        raise Refused("need_not_done", "需求尚未办理，暂不能评价。", status=409)
    _need_event(done, actor, NeedEvent.Kind.RATED, f"{rating} 星")
    notify([done.resource.handler], f"“{done.title}”获得 {rating} 星评价", _need_link(done))
    return done


# --- partner staff: logins with a narrow role -----------------------------------------------------

USERNAME_MAX = 150


@transaction.atomic
def partner_staff_add(*, actor, partner, name, username, password) -> PartnerStaff:
    """Open a login for a partner unit's staff member. It holds no assignment and no resident record,
    so it sees only the resources it is made the handler of and the needs dispatched to them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    if partner is None:
        raise Refused("partner_required", "请选择共建单位。", field="partner")
    require(may_dispatch(actor, partner.community), NOT_DISPATCHER)
    name = _clean_text(name, "name", "姓名", 50)
    username = _clean_text(username, "username", "登录名", USERNAME_MAX)
    if not username.isascii() or not all(c.isalnum() or c in "._-@" for c in username):
        raise Refused("username_invalid", "登录名只能包含字母、数字和 . _ - @。", field="username")
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise Refused("username_taken", "该登录名已被使用，请换一个。", status=409, field="username")
    try:
        validate_password(password or "")
    except ValidationError as exc:
        raise Refused("password_weak", "初始密码不符合要求：" + "；".join(exc.messages), field="password") from None
    user = user_model.objects.create_user(username=username, password=password, display_name=name)
    return core_services.create(actor=actor, model=PartnerStaff, data={
        "user": user, "partner": partner, "community": partner.community, "name": name, "created_at": clock.now()},
        action="partner_staff.add")


@transaction.atomic
def partner_staff_deactivate(*, actor, staff) -> PartnerStaff:
    """Close a partner staff member's login: the needs already dispatched to them stay on record."""
    require(may_dispatch(actor, staff.community), NOT_DISPATCHER)
    if not staff.active:
        raise Refused("already_closed", "该账号已停用。", status=409)
    type(staff.user).objects.filter(pk=staff.user_id).update(is_active=False)
    return core_services.update(actor=actor, instance=staff, data={"active": False}, action="partner_staff.close")


# --- cases handled by a station --------------------------------------------------------------------

NOT_STATION_WORKER = "只有辖区内的工作人员可以在服务站受理诉求和登记帮办代办。"


def may_work_at(actor, station) -> bool:
    """Staff who may act for the station: editors whose work area holds it."""
    return can_edit(actor) and visible(Station.objects.filter(pk=station.pk), scope_for(actor).work_area()).exists()


def _link_case(actor, station, case, how) -> StationCase:
    if StationCase.objects.filter(case=case).exists():
        raise Refused("case_linked", "该诉求已由服务站承办。", status=409)
    return core_services.create(actor=actor, model=StationCase, data={
        "case": case, "station": station, "how": how, "at": clock.now(), "by": actor}, action="station.case")


@transaction.atomic
def station_case_file(*, actor, station, intake, photo_files=()) -> StationCase:
    """A case filed at the station's window: the case services file it, and it points at the station."""
    from linli.cases.services import case_open

    require(may_work_at(actor, station), NOT_STATION_WORKER)
    case = case_open(actor=actor, intake=intake, photo_files=photo_files)
    if case.compound.community_id != station.community_id:
        raise Refused("case_outside", "该诉求不在本服务站所在社区。", field="compound")
    return _link_case(actor, station, case, StationCase.How.FILED)


@transaction.atomic
def station_case_assign(*, actor, station, case, note="") -> StationCase:
    """Dispatch a case to the station (承办单位 = the station) and make it point at the station."""
    from linli.cases.models import HandlerKind
    from linli.cases.services import case_dispatch

    require(may_work_at(actor, station), NOT_STATION_WORKER)
    if case.compound.community_id != station.community_id:
        raise Refused("case_outside", "只能把本社区的诉求派给本社区的服务站。", field="case")
    if StationCase.objects.filter(case=case).exists():
        raise Refused("case_linked", "该诉求已由服务站承办。", status=409)
    case_dispatch(actor=actor, case=case, handler_kind=HandlerKind.STATION, handling_body=station.name[:100],
                  note=pii.masked((note or "").strip())[:200])
    return _link_case(actor, station, case, StationCase.How.ASSIGNED)


# --- co-building projects 共建项目清单 --------------------------------------------------------------

def _project_link(project) -> str:
    return f"/stations/projects/{project.pk}/"


def _project_event(project, actor, kind, note=""):
    ProjectEvent.objects.create(project=project, kind=kind, actor=actor, at=clock.now(), note=note[:300])


@transaction.atomic
def project_create(*, actor, community, title, starts_on, ends_on, body="", compound=None, need=None) -> Project:
    """Turn a need (or an idea of the community) into a co-building project."""
    if community is None or community.level != AdminUnit.Level.COMMUNITY:
        raise Refused("community_required", "请选择项目所在社区。", field="community")
    require(may_dispatch(actor, community), NOT_DISPATCHER)
    if need is not None and need.community_id != community.pk:
        raise Refused("need_outside", "只能把本社区的需求转为共建项目。", field="need")
    if compound is None and need is not None:
        compound = need.compound
    if starts_on is None or ends_on is None:
        raise Refused("dates_required", "请填写开始日期和计划完成日期。", field="starts_on")
    if ends_on < starts_on:
        raise Refused("dates_invalid", "计划完成日期不能早于开始日期。", field="ends_on")
    project = core_services.create(actor=actor, model=Project, data={
        "community": community, "compound": compound, "need": need,
        "title": pii.masked(_clean_text(title, "title", "项目名称", 80)),
        "body": pii.masked((body or "").strip())[:1000], "starts_on": starts_on, "ends_on": ends_on,
        "created_by": actor, "created_at": clock.now()}, action="project.create")
    _project_event(project, actor, ProjectEvent.Kind.CREATED, f"由需求“{need.title}”转入" if need else "")
    if need is not None:
        notify([need.resident.user, need.posted_by], f"您的需求“{need.title}”已转为共建项目“{project.title}”",
               _project_link(project))
    return project


@transaction.atomic
def project_owner_add(*, actor, project, name="", partner=None, user=None, part="") -> ProjectOwner:
    """An owner: a partner unit of the community, or a person (with a login, who then sees the project)."""
    require(may_dispatch(actor, project.community), NOT_DISPATCHER)
    if project.status in (Project.Status.DONE, Project.Status.CANCELLED):
        raise Refused("project_closed", "项目已结束，不能再增加责任方。", status=409)
    if partner is not None and partner.community_id != project.community_id:
        raise Refused("partner_outside", "该共建单位不在本社区。", field="partner")
    name = (name or "").strip() or (partner.name if partner else "") or (user.display_name or user.username if user else "")
    owner = core_services.create(actor=actor, model=ProjectOwner, data={
        "project": project, "name": _clean_text(name, "name", "责任方", 100), "partner": partner, "user": user,
        "part": pii.masked((part or "").strip())[:100]}, action="project.owner")
    _project_event(project, actor, ProjectEvent.Kind.OWNER, f"{owner.name}" + (f"：{owner.part}" if owner.part else ""))
    if user is not None:
        notify([user], f"您已成为共建项目“{project.title}”的责任方", _project_link(project))
    return owner


def _owners(project) -> list:
    return [o.user for o in project.owners.select_related("user") if o.user_id]


@transaction.atomic
def project_start(*, actor, project) -> Project:
    require(may_dispatch(actor, project.community), NOT_DISPATCHER)
    if not project.owners.exists():
        raise Refused("owners_required", "请先确定项目责任方，再开始实施。", status=409)
    done = core_services.update_where(actor=actor, instance=project, where={"status": Project.Status.PLANNED},
                                      data={"status": Project.Status.ONGOING}, action="project.start")
    if done is None:
        raise Refused("project_not_planned", "项目已开始或已结束。", status=409)
    _project_event(done, actor, ProjectEvent.Kind.STARTED)
    notify(_owners(done), f"共建项目“{done.title}”开始实施", _project_link(done))
    return done


@transaction.atomic
def project_finish(*, actor, project, result) -> Project:
    require(may_dispatch(actor, project.community), NOT_DISPATCHER)
    result = pii.masked(_clean_text(result, "result", "项目成效", 500))
    done = core_services.update_where(actor=actor, instance=project, where={"status": Project.Status.ONGOING},
                                      data={"status": Project.Status.DONE, "result": result,
                                            "finished_at": clock.now()}, action="project.finish")
    if done is None:
        raise Refused("project_not_ongoing", "只有实施中的项目可以登记完成。", status=409)
    _project_event(done, actor, ProjectEvent.Kind.DONE, result)
    users = _owners(done) + ([done.need.resident.user] if done.need_id else [])
    notify(users, f"共建项目“{done.title}”已完成", _project_link(done))
    return done


@transaction.atomic
def project_cancel(*, actor, project, reason) -> Project:
    require(may_dispatch(actor, project.community), NOT_DISPATCHER)
    reason = pii.masked(_clean_text(reason, "reason", "终止原因", 300))
    done = core_services.update_where(
        actor=actor, instance=project, where={"status__in": (Project.Status.PLANNED, Project.Status.ONGOING)},
        data={"status": Project.Status.CANCELLED, "result": reason, "finished_at": clock.now()},
        action="project.cancel")
    if done is None:
        raise Refused("project_closed", "项目已结束。", status=409)
    _project_event(done, actor, ProjectEvent.Kind.CANCELLED, reason)
    notify(_owners(done), f"共建项目“{done.title}”已终止", _project_link(done))
    return done


# --- proxy errands 帮办代办 ---------------------------------------------------------------------

@transaction.atomic
def errand_record(*, actor, station, service, resident, result, outcome=Errand.Outcome.DONE) -> Errand:
    """Record an errand the station did for a resident: an item of its own catalogue, for a resident of
    its community, with the result."""
    require(may_work_at(actor, station), NOT_STATION_WORKER)
    if service is None or service.station_id != station.pk or not service.active:
        raise Refused("service_outside", "请选择本服务站清单中正在提供的事项。", field="service")
    if resident is None or not visible(Resident.objects.filter(pk=resident.pk), scope_for(actor).work_area()).exists():
        raise NotFound()
    if _compound_of(resident).community_id != station.community_id:
        raise Refused("resident_outside", "服务对象须为本服务站所在社区的居民。", field="resident")
    if outcome not in Errand.Outcome.values:
        raise Refused("outcome_invalid", "请选择办理结果。", field="outcome")
    errand = core_services.create(actor=actor, model=Errand, data={
        "station": station, "service": service, "resident": resident, "done_by": actor, "done_at": clock.now(),
        "outcome": outcome, "result": pii.masked(_clean_text(result, "result", "办理情况", 300))},
        action="errand.record")
    if resident.user_id:
        notify([resident.user], f"{station.name}已为您办理“{service.name}”：{errand.get_outcome_display()}",
               f"/stations/{station.pk}/")
    return errand
