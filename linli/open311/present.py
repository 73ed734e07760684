"""Cases as Open311 service requests: field names, states and the public masking."""

import re

from django.utils import timezone

from linli.cases.models import Level, Status
from linli.core.validators import mask_id_number, mask_phone
from linli.open311.definitions import tier_notice
from linli.open311.selectors import open311_status

_ID_RE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")

_STATE_NOTES = {
    Status.NEW: "已受理，等待派单",
    Status.DISPATCHED: "已派单，等待承办人接单",
    Status.ACCEPTED: "承办人已接单，正在处理",
    Status.RETURNED: "承办人已退回，等待重新派单",
    Status.REOPENED: "反映人不满意，重新办理",
    Status.SOLVED: "已办结，等待反映人确认评价",
    Status.CLOSED: "已办结并关闭",
}


def mask_text(text: str) -> str:
    """Phone, ID numbers and e-mail addresses written into free text, masked for the public."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text or "")
    text = _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    return _EMAIL_RE.sub("***@***", text)


def w3c(moment) -> str | None:
    """ISO 8601 with the UTC offset, in the deployment's time zone."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def status_notes(case, *, public: bool) -> str:
    parts = [_STATE_NOTES.get(case.status, case.get_status_display())]
    if case.level != Level.COMPOUND:
        parts.append(f"已提级至{case.get_level_display()}办理")
    if case.is_open and case.supervised:
        parts.append("上级已督办")
    if case.is_open and case.overdue():
        parts.append(f"已超过{case.due_kind}时限")
    if case.status == Status.CLOSED and case.rating:
        parts.append(f"评价：{case.get_rating_display()}")
    text = "；".join(parts)
    if case.status in (Status.SOLVED, Status.CLOSED) and case.solution:
        text += f"。办理结果：{mask_text(case.solution) if public else case.solution}"
    return text


def agency(case) -> str:
    """Who holds the case: the body it was dispatched to, else the node at its current level."""
    if case.handling_body:
        return case.handling_body
    if case.level == Level.COMPOUND:
        return f"{case.compound.name}服务站"
    unit = case.compound.community
    while unit is not None and unit.level != case.level:
        unit = unit.parent
    return unit.name if unit is not None else case.get_level_display()


def address(case, *, public: bool) -> str:
    if public:
        # The place, never the household: no dwelling number, no free-text address from the reporter.
        place = case.compound.name + (f" {case.building.number}" if case.building_id else "")
        return f"{case.compound.address} {place}".strip() if case.compound.address else place
    return case.place_text()


def _coordinate(value):
    return float(value) if value is not None else None


def request_out(case, *, public: bool, notices: dict) -> dict:
    if case.tier not in notices:
        notices[case.tier] = tier_notice(case.tier)
    # A missing reverse one-to-one raises an AttributeError subclass, so getattr's default applies.
    submission = getattr(case, "open311", None)
    lat, lon = case.latitude, case.longitude
    if lat is None or lon is None:
        lat, lon = case.compound.latitude, case.compound.longitude
    return {
        "service_request_id": str(case.pk),
        "status": open311_status(case.status),
        "status_notes": status_notes(case, public=public),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": mask_text(case.description) if public else case.description,
        "agency_responsible": agency(case),
        "service_notice": notices[case.tier],
        "requested_datetime": w3c(case.requested_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.solve_by),
        "address": address(case, public=public),
        "address_id": str(case.compound_id),
        "zipcode": None,
        "lat": _coordinate(lat),
        "long": _coordinate(lon),
        "media_url": submission.media_url if submission is not None and submission.media_url else None,
    }

