"""Escalation (提级) by hand and by the SLA sweep, which also closes solved cases left unconfirmed."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from linli.accounts.scope import can_edit
from linli.cases import rollups
from linli.cases.access import officers_at
from linli.cases.models import (
    OPEN_STATUSES,
    UNACCEPTED_STATUSES,
    Case,
    CaseEvent,
    Escalation,
    Level,
    Status,
    next_level,
)
from linli.cases.services.common import _event, _link, _lock, _reason, _require_status, _save, deadlines
from linli.cases.services.notifications import notify, notify_many
from linli.core import audit, clock, pii
from linli.core.access import require
from linli.core.channel import get_channel


def autoclose_after() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "LINLI_CASE_AUTOCLOSE_HOURS", 72))


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
