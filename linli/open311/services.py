"""Writes behind the Open311 door: issuing keys and filing requests.

Filing goes through `linli.cases.services.case_open`, the same service as the pages and the JSON
API, so the timeline, audit, 1341 deadlines and notifications are the same whichever door is used.
The actor is the Linli user the key is bound to; the audit channel is "api" (set by the middleware
for /open311/).
"""

import decimal
import math
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from linli.accounts.scope import can_edit
from linli.cases import services as case_services
from linli.cases.access import intake_compounds
from linli.cases.models import Channel, Tier
from linli.core import audit, clock
from linli.core.access import require
from linli.open311.definitions import ATTRIBUTE_CODES, service_get, summary
from linli.open311.models import Open311Client, Open311Submission
from linli.places.models import Building, Compound

# A map point this far from every compound's centre is not taken to be in any of them.
NEAREST_METRES = 1000

# case_open's field names → the Open311 parameter a client should fix.
PARAMETERS = {
    "category": "service_code",
    "description": "description",
    "compound": "attribute[compound]",
    "building": "attribute[building]",
    "dwelling": "attribute[building]",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "contact_name": "first_name/last_name",
    "contact_phone": "phone",
    "tier": "attribute[urgency]",
    "channel": "service_code",
}


class InvalidKey(Exception):
    """No such key, a disabled one, or one bound to a user who can no longer act."""


def client_issue(*, actor, name: str, user, raw_key: str | None = None) -> tuple[Open311Client, str]:
    """A new key for a platform; the raw key is returned once and never stored."""
    # None is the operator at the command line, who already holds the server.
    require(actor is None or getattr(actor, "is_superuser", False), "只有系统管理员可以签发 Open311 密钥")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写接入平台名称。"]})
    if user is None or not can_edit(user):
        raise ValidationError({"user": ["密钥须绑定一个有辖区的工作人员账号。"]})
    raw = raw_key or secrets.token_urlsafe(24)
    with transaction.atomic():
        client = Open311Client.objects.create(name=name[:100], user=user, key_digest=Open311Client.digest_of(raw))
        audit.record(actor=actor, action="open311.client_issue", obj=client,
                     changes={"name": [None, client.name], "user": [None, user.pk]})
    return client, raw


def client_authenticate(raw_key: str | None) -> Open311Client:
    if not raw_key:
        raise InvalidKey()
    client = (Open311Client.objects.select_related("user")
              .filter(key_digest=Open311Client.digest_of(raw_key), active=True).first())
    if client is None or not client.user.is_active:
        raise InvalidKey()
    # A bookkeeping column, not a business change: no audit entry.
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=clock.now())
    return client


def _distance_m(lat1, lon1, lat2, lon2) -> float:
    # Equirectangular approximation: exact enough within a city.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


def _number(value):
    try:
        number = float(decimal.Decimal(str(value)))
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if math.isfinite(number) else None


def _locate(actor, data: dict, errors: dict):
    """The compound a request is about, from the most to the least precise way of naming it."""
    chosen = (data.get("attribute[compound]") or "").strip()
    if chosen:
        return chosen
    address_id = (data.get("address_id") or "").strip()
    if address_id:
        return address_id
    lat, lon = data.get("lat") or "", data.get("long") or ""
    if lat or lon:
        lat_n, lon_n = _number(lat), _number(lon)
        if lat_n is None or lon_n is None:
            return None  # case_open reports the bad coordinate
        near = [(c, _distance_m(lat_n, lon_n, float(c.latitude), float(c.longitude)))
                for c in intake_compounds(actor).filter(latitude__isnull=False, longitude__isnull=False)]
        near = [pair for pair in near if pair[1] <= NEAREST_METRES]
        if near:
            return min(near, key=lambda pair: pair[1])[0].pk
        errors["lat"] = [f"该位置 {NEAREST_METRES} 米内没有您可以反映诉求的小区，请用 attribute[compound] 指定小区。"]
        return None
    address = (data.get("address_string") or "").strip()
    if address:
        named = [c for c in intake_compounds(actor).only("id", "name") if c.name and c.name in address]
        if named:
            return max(named, key=lambda c: len(c.name)).pk
        errors["address_string"] = ["无法从地址中识别小区，请用 attribute[compound] 或 address_id 指定小区。"]
        return None
    errors["location"] = ["请提供位置：lat 和 long、address_string、address_id 或 attribute[compound] 之一。"]
    return None


def _building(actor, compound_id, number: str, errors: dict):
    number = (number or "").strip()
    if not number or compound_id in (None, ""):
        return None
    try:
        compound = intake_compounds(actor).filter(pk=int(compound_id)).first()
    except (TypeError, ValueError):
        return None
    if compound is None:
        return None  # case_open reports the compound; nothing is said about a compound out of sight
    building = Building.objects.filter(compound=compound, number=number).first()
    if building is None:
        errors["attribute[building]"] = [f"所选小区内没有楼栋“{number}”。"]
        return None
    return building.pk


def _in_jurisdiction(compound_id, jurisdiction) -> bool:
    try:
        pk = int(compound_id)
    except (TypeError, ValueError):
        return True  # case_open reports the malformed id
    return Compound.objects.filter(pk=pk, community__code__startswith=jurisdiction.prefix).exists()


def _open311_errors(exc: ValidationError) -> dict:
    raw = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return {PARAMETERS.get(field, field): messages for field, messages in raw.items()}


def request_submit(*, client: Open311Client, data: dict, jurisdiction=None) -> Open311Submission:
    """POST requests: validate what only Open311 carries, then file the case through case_open.

    Raises ValidationError keyed by Open311 parameter names; nothing is written unless all is valid.
    """
    actor = client.user
    errors: dict[str, list[str]] = {}
    compound = _locate(actor, data, errors)
    if jurisdiction is not None and compound not in (None, "") and not _in_jurisdiction(compound, jurisdiction):
        errors["address_id"] = ["所选小区不存在或不在 jurisdiction_id 所指的区县内。"]
        compound = None
    building = _building(actor, compound, data.get("attribute[building]"), errors)
    urgency = (data.get("attribute[urgency]") or "").strip()
    if urgency and urgency not in Tier.values:
        errors["attribute[urgency]"] = ["紧急程度无效，可选：" + "、".join(Tier.values) + "。"]
    email = (data.get("email") or "").strip()
    if email:
        try:
            EmailValidator(message="电子邮箱格式不正确。")(email)
        except ValidationError as exc:
            errors["email"] = exc.messages
    media_url = (data.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"], message="media_url 应为 http(s) 链接。")(media_url)
        except ValidationError as exc:
            errors["media_url"] = exc.messages
        if len(media_url) > 500:
            errors["media_url"] = ["media_url 不能超过 500 个字符。"]
    for field in ("account_id", "device_id"):
        if len(data.get(field) or "") > 100:
            errors[field] = [f"{field} 不能超过 100 个字符。"]
    description = (data.get("description") or "").strip()
    if not description:
        # Optional in GeoReport v2: the service's name is the summary when the service says what it is.
        category = service_get((data.get("service_code") or "").strip())
        if category is not None:
            description = summary(category) or ""
            if not description:
                errors["description"] = [f"“{category.name}”类诉求须写明要反映的具体问题。"]
    # Chinese order: family name first.
    name = f"{(data.get('last_name') or '').strip()}{(data.get('first_name') or '').strip()}"
    intake = case_services.Intake(
        category=(data.get("service_code") or "").strip(),
        description=description,
        compound=compound, building=building,
        latitude=data.get("lat") or None, longitude=data.get("long") or None,
        address=data.get("address_string") or "",
        channel=Channel.ONLINE, contact_name=name, contact_phone=data.get("phone") or "",
        tier=urgency if urgency in Tier.values else "",
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            case = case_services.case_open(actor=actor, intake=intake)
            submission = Open311Submission.objects.create(
                case=case, client=client,
                account_id=(data.get("account_id") or "").strip(), device_id=(data.get("device_id") or "").strip(),
                email=email, media_url=media_url,
                attributes={k: data[f"attribute[{k}]"] for k in ATTRIBUTE_CODES if data.get(f"attribute[{k}]")},
                at=case.requested_at,
            )
            audit.record(actor=actor, action="open311.submit", obj=submission,
                         object_repr=f"{client.name} → 诉求 #{case.pk}",
                         changes={"client": [None, client.pk], "case": [None, case.pk],
                                  "account_id": [None, submission.account_id]})
    except ValidationError as exc:
        raise ValidationError(_open311_errors(exc)) from None
    return submission
