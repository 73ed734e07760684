"""What every case service shares: the timeline event, the audited save, the row lock, the case's
address, the 1341 deadlines, and the two checks most actions start with."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.cases.models import Case, CaseEvent, TierRule
from linli.core import audit, clock
from linli.core.channel import get_channel


def deadlines(tier: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    arrive, solve = TierRule.limits(tier)
    return start + arrive, start + solve


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


def _lock(case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


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
