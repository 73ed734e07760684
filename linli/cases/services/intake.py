"""Intake: filing a case (a resident online, or staff on someone's behalf), with the client's key
that makes a resent filing return the first case instead of a second one.

`case_open` is two steps: `_clean` checks everything and returns a `CleanIntake` (or raises with
every field's errors at once), and `_file` writes it in one transaction.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from linli.accounts.scope import can_edit
from linli.cases import catalogue, photos
from linli.cases.access import intake_buildings, intake_compounds, intake_dwellings
from linli.cases.models import (
    DESCRIPTION_MAX,
    Case,
    CaseEvent,
    CasePhoto,
    Channel,
    ServiceCategory,
    Tier,
    TierRule,
)
from linli.cases.routing import responsible_for
from linli.cases.services.common import _event, _link, deadlines
from linli.cases.services.notifications import notify
from linli.core import audit, clock, pii
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.scoping import scope_for
from linli.core.validators import validate_phone

STAFF_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN, Channel.PATROL, Channel.VISIT)


def catalogue_seed() -> tuple[int, int]:
    """Idempotent: adds the default categories and tier rules that are missing."""
    with transaction.atomic():
        return catalogue.seed(ServiceCategory, TierRule)


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


@dataclass(frozen=True)
class CleanIntake:
    """A filing that passed every check, with its references resolved to rows: what `_file` writes."""

    category: ServiceCategory
    tier: str
    channel: str
    description: str
    compound: object
    building: object
    dwelling: object
    latitude: object
    longitude: object
    address: str
    contact_name: str
    contact_phone: str
    checked_photos: list  # (upload, content type) pairs that photos.check accepted
    client_key: str | None  # the key as stored (under the user's id), None when the client sent none


def case_open(*, actor, intake: Intake, photo_files=()) -> Case:
    """File a case: a resident online for their own compound, or staff on someone's behalf."""
    require(getattr(actor, "is_authenticated", False), "请先登录")
    client_key = _client_key(actor, intake)
    if client_key is not None:
        earlier = Case.objects.filter(client_key=client_key).first()
        if earlier is not None:
            return _replay(earlier, intake)
    clean = _clean(actor, intake, photo_files, client_key)
    return _file(actor, clean, intake)


def _client_key(actor, intake: Intake) -> str | None:
    if not intake.client_key:
        return None
    key = str(intake.client_key).strip()
    if not key or len(key) > CLIENT_KEY_MAX or not key.isprintable():
        raise ValidationError({"client_key": [f"请求键应为 1 至 {CLIENT_KEY_MAX} 个可打印字符。"]})
    return f"{actor.pk}:{key}"


def _clean(actor, intake: Intake, photo_files, client_key) -> CleanIntake:
    """Who may file, then every field's check; all the field errors are raised together."""
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
    compound, building, dwelling = _clean_place(actor, intake, errors)
    latitude, longitude = _clean_position(intake, errors)
    address = (intake.address or "").strip()
    if len(address) > 200:
        errors["address"] = ["地址不能超过 200 个字。"]
    tier = _clean_tier(intake, category, staff, errors)
    contact_name, contact_phone = _clean_contact(actor, intake, bool(scope.resident_ids), staff, errors)
    try:
        checked = photos.check(photo_files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    if errors:
        raise ValidationError(errors)
    return CleanIntake(
        category=category, tier=tier, channel=intake.channel, description=description, compound=compound,
        building=building, dwelling=dwelling, latitude=latitude, longitude=longitude, address=address,
        contact_name=contact_name, contact_phone=contact_phone, checked_photos=checked, client_key=client_key,
    )


def _clean_place(actor, intake: Intake, errors):
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
    return compound, building, dwelling


def _clean_position(intake: Intake, errors):
    latitude = _decimal(intake.latitude, -90, 90, "latitude", "纬度", errors)
    longitude = _decimal(intake.longitude, -180, 180, "longitude", "经度", errors)
    if (latitude is None) != (longitude is None) and "latitude" not in errors and "longitude" not in errors:
        errors.setdefault("latitude", []).append("地图位置需要同时提供纬度和经度。")
    return latitude, longitude


def _clean_tier(intake: Intake, category, staff: bool, errors) -> str:
    default = category.default_tier if category else Tier.ORDINARY
    tier = intake.tier or default
    if tier not in Tier.values:
        errors["tier"] = ["分级无效。"]
    elif intake.tier and not staff:
        tier = default  # residents don't grade their own case
    return tier


def _clean_contact(actor, intake: Intake, resident: bool, staff: bool, errors) -> tuple[str, str]:
    if intake.channel == Channel.ONLINE and resident and not staff:
        # A resident filing for themselves is their own contact, whatever the form carried.
        resident = actor.resident
        return resident.name, resident.phone or ""
    contact_name = (intake.contact_name or "").strip()
    contact_phone = (intake.contact_phone or "").strip()
    if len(contact_name) > 50:
        errors["contact_name"] = ["联系人姓名不能超过 50 个字。"]
    if intake.channel == Channel.HOTLINE and not contact_phone:
        errors["contact_phone"] = ["热线诉求请记录来电号码，以便回访。"]
    if contact_phone:
        try:
            contact_phone = validate_phone(contact_phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages
    return contact_name, contact_phone


def _file(actor, clean: CleanIntake, intake: Intake) -> Case:
    """The case, its photos, the opening event, the audit entry and the notice, in one transaction."""
    now = clock.now()
    arrive_by, solve_by = deadlines(clean.tier, now)
    online = clean.channel == Channel.ONLINE
    saved: list[str] = []
    try:
        with transaction.atomic():
            case = Case.objects.create(
                category=clean.category, tier=clean.tier, channel=clean.channel, description=clean.description,
                compound=clean.compound, building=clean.building, dwelling=clean.dwelling,
                latitude=clean.latitude, longitude=clean.longitude, address=clean.address,
                reporter=actor if online else None,
                contact_name=clean.contact_name, contact_phone=clean.contact_phone,
                taken_by=actor if not online else None,
                requested_at=now, updated_at=now, arrive_by=arrive_by, solve_by=solve_by,
                client_key=clean.client_key,
            )
            for upload, kind in clean.checked_photos:
                name = photos.store(upload, kind, "intake")
                saved.append(name)
                CasePhoto.objects.create(case=case, stage=CasePhoto.Stage.INTAKE, file=name, content_type=kind,
                                         size=upload.size, uploaded_by=actor, at=now)
            _event(case, actor, CaseEvent.Kind.OPENED,
                   f"通过{case.get_channel_display()}受理，分级：{case.get_tier_display()}", at=now)
            audit.record(actor=actor, action="case.open", obj=case, object_repr=f"诉求 #{case.pk}",
                         changes=audit.diff({}, audit.snapshot(case)))
            notify(responsible_for(case), f"新诉求 #{case.pk}：{clean.category.name}，请及时接单或派单",
                   _link(case))
    except IntegrityError:
        photos.discard(saved)
        # The same key sent twice at once: the other request filed it first.
        earlier = Case.objects.filter(client_key=clean.client_key).first() if clean.client_key else None
        if earlier is None:
            raise
        return _replay(earlier, intake)
    except BaseException:
        # The rows are gone with the rollback; the files must go too, or they would be orphans.
        photos.discard(saved)
        raise
    case.replayed = False
    return case
