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
    `memo` keeps the tier limits and the officers of each node for the whole sweep. On PostgreSQL
    the batch is (id, level, compound id) rows and one statement writes it all (`_escalate_batch_pg`).
    """
    if connection.vendor == "postgresql":
        return _escalate_batch_pg(rows, now, memo)
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


# ---------------------------------------------------------------- the sweep on PostgreSQL, set-wise

# Python's datetime.isoformat() of a UTC value, as the audit log writes before/after values.
_ISO = ("(to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        "extract(microseconds FROM {0}) %% 1000000 = 0 THEN '' ELSE to_char({0} AT TIME ZONE 'UTC', '.US') END "
        "|| '+00:00')")

_BREACHED_SQL = ("level <> 'district' AND ((status = ANY(%(waiting)s) AND arrive_by < %(now)s) "
                 "OR (status = %(accepted)s AND solve_by < %(now)s))")

_LOCK_BATCH_SQL = f"""
SELECT id, level, compound_id FROM {{case}} WHERE id > %(last)s AND {_BREACHED_SQL}
 ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
"""

_ESCALATE_SQL = f"""
WITH tiers AS (
    SELECT * FROM unnest(%(tier)s::text[], %(tier_arrive)s::timestamptz[], %(tier_solve)s::timestamptz[],
                         %(tier_arrive_iso)s::text[], %(tier_solve_iso)s::text[])
        AS t(tier, arrive_by, solve_by, arrive_iso, solve_iso)),
steps AS (
    SELECT * FROM unnest(%(step_from)s::text[], %(step_to)s::text[], %(step_reason)s::text[],
                         %(step_event)s::text[], %(step_notice)s::text[])
        AS s(from_level, to_level, reason, event_text, notice_text)),
officers AS (
    SELECT * FROM unnest(%(officer_level)s::text[], %(officer_compound)s::int[], %(officer_user)s::int[])
        AS o(level, compound_id, user_id)),
b AS (
    SELECT c.id, c.level, c.tier, c.reopen_count, c.compound_id, c.assignee_id, c.arrive_by, c.solve_by,
           c.updated_at, c.status = ANY(%(waiting)s) AS waiting
      FROM {{case}} c WHERE c.id = ANY(%(ids)s::bigint[]) AND {_BREACHED_SQL.replace("level", "c.level")}),
esc AS (
    INSERT INTO {{escalation}} (case_id, cycle, from_level, to_level, reason, deadline, at, actor_id, note)
    SELECT b.id, b.reopen_count, b.level, s.to_level, s.reason,
           CASE WHEN b.waiting THEN b.arrive_by ELSE b.solve_by END, %(now)s, NULL, ''
      FROM b JOIN steps s ON s.from_level = b.level AND s.reason = CASE WHEN b.waiting THEN 'arrive' ELSE 'solve' END
    ON CONFLICT (case_id, cycle, from_level, reason) DO NOTHING
    RETURNING case_id, to_level, reason),
e AS (
    SELECT b.*, esc.to_level, s.event_text, s.notice_text, t.arrive_by AS new_arrive_by, t.solve_by AS new_solve_by,
           t.arrive_iso, t.solve_iso, {_ISO.format("b.arrive_by")} AS old_arrive_iso,
           {_ISO.format("b.solve_by")} AS old_solve_iso, {_ISO.format("b.updated_at")} AS old_updated_iso
      FROM esc JOIN b ON b.id = esc.case_id JOIN tiers t ON t.tier = b.tier
      JOIN steps s ON s.from_level = b.level AND s.reason = esc.reason),
moved AS (
    UPDATE {{case}} c SET level = e.to_level, solve_by = e.new_solve_by, updated_at = %(now)s,
           arrive_by = CASE WHEN e.waiting THEN e.new_arrive_by ELSE c.arrive_by END
      FROM e WHERE c.id = e.id),
events AS (
    INSERT INTO {{event}} (case_id, at, actor_id, kind, text_original, text, staff_only, channel)
    SELECT e.id, %(now)s, NULL, 'escalated', '', e.event_text, false, %(channel)s FROM e),
audit AS (
    INSERT INTO {{audit}} (at, actor_id, actor_repr, action, object_type, object_id, object_repr, changes, channel)
    SELECT %(written)s, NULL, %(actor_repr)s, 'case.escalate', %(object_type)s, e.id::text, '诉求 #' || e.id,
           jsonb_build_object('level', jsonb_build_array(e.level, e.to_level))
           || CASE WHEN e.waiting AND e.old_arrive_iso IS DISTINCT FROM e.arrive_iso
                   THEN jsonb_build_object('arrive_by', jsonb_build_array(e.old_arrive_iso, e.arrive_iso))
                   ELSE '{{{{}}}}'::jsonb END
           || CASE WHEN e.old_solve_iso IS DISTINCT FROM e.solve_iso
                   THEN jsonb_build_object('solve_by', jsonb_build_array(e.old_solve_iso, e.solve_iso))
                   ELSE '{{{{}}}}'::jsonb END
           || CASE WHEN e.old_updated_iso IS DISTINCT FROM %(now_iso)s
                   THEN jsonb_build_object('updated_at', jsonb_build_array(e.old_updated_iso, %(now_iso)s::text))
                   ELSE '{{{{}}}}'::jsonb END,
           %(channel)s
      FROM e),
told AS (
    SELECT e.id AS case_id, e.notice_text, r.user_id
      FROM e CROSS JOIN LATERAL (
               SELECT e.assignee_id AS user_id WHERE e.assignee_id IS NOT NULL
               UNION
               SELECT o.user_id FROM officers o WHERE o.level = e.to_level AND o.compound_id = e.compound_id) r
      JOIN {{user}} u ON u.id = r.user_id AND u.is_active),
notices AS (
    INSERT INTO {{notification}} (user_id, text, link, created_at, read_at)
    SELECT told.user_id, left('诉求 #' || told.case_id || ' ' || told.notice_text, 300),
           %(link_head)s || told.case_id || %(link_tail)s, %(written)s, NULL
      FROM told ORDER BY told.case_id, told.user_id
    RETURNING id, user_id)
SELECT (SELECT count(*) FROM esc),
       (SELECT array_agg(n.id ORDER BY n.id) FROM notices n JOIN {{user}} u ON u.id = n.user_id WHERE u.email <> '')
"""


def _tables() -> dict:
    from linli.accounts.models import User
    from linli.cases.models import Notification
    from linli.core.models import AuditEntry

    models = {"case": Case, "escalation": Escalation, "event": CaseEvent, "audit": AuditEntry,
              "notification": Notification, "user": User}
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


def _sweep_params(now) -> dict:
    """What every batch of one sweep shares: the deadlines per tier, the texts per step, the link."""
    from linli.cases.models import Tier

    why = {Escalation.Reason.ARRIVE: "超过到场时限未接单", Escalation.Reason.SOLVE: "超过办结时限未办结"}
    tiers = {tier: deadlines(tier, now) for tier in Tier.values}
    steps = [(level, next_level(level), reason, text) for level in Level.values if next_level(level)
             for reason, text in why.items()]
    head, _, tail = _link_pattern().partition("%d")
    return {
        "now": now, "now_iso": now.isoformat(), "waiting": list(UNACCEPTED_STATUSES), "accepted": Status.ACCEPTED,
        "tier": list(tiers), "tier_arrive": [a for a, _ in tiers.values()], "tier_solve": [s for _, s in tiers.values()],
        "tier_arrive_iso": [a.isoformat() for a, _ in tiers.values()],
        "tier_solve_iso": [s.isoformat() for _, s in tiers.values()],
        "step_from": [s[0] for s in steps], "step_to": [s[1] for s in steps], "step_reason": [s[2] for s in steps],
        "step_event": [f"{text}，由{Level(a).label}提级至{Level(b).label}" for a, b, _, text in steps],
        "step_notice": [f"{text}，已提级至{Level(b).label}" for _, b, _, text in steps],
        "channel": get_channel(), "actor_repr": "系统", "object_type": Case._meta.label_lower,
        "link_head": head, "link_tail": tail,
    }


def _officers(nodes, memo: dict) -> tuple[list, list, list]:
    """The officers told about a step up from each (level, compound) of a batch, as three columns."""
    from linli.places.models import Compound

    levels, compounds, users = [], [], []
    for level, compound_id in nodes:
        target = next_level(level)
        if target is None:
            continue
        key = ("officers", target, compound_id)
        if key not in memo:
            # Above the compound the officers depend on the compound's units only, not on the building.
            probe = Case(compound=Compound.objects.select_related("community").get(pk=compound_id))
            memo[key] = list(officers_at(probe, target).values_list("pk", flat=True))
        for user_id in memo[key]:
            levels.append(target)
            compounds.append(compound_id)
            users.append(user_id)
    return levels, compounds, users


def _locked_batches_pg(now, batch_size):
    """Like `_locked_batches`, on PostgreSQL: each batch as (id, level, compound id) rows, locked."""
    params = {"now": now, "waiting": list(UNACCEPTED_STATUSES), "accepted": Status.ACCEPTED, "limit": batch_size}
    sql = _LOCK_BATCH_SQL.format(**_tables())
    last = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {**params, "last": last})
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield rows


def _escalate_batch_pg(rows, now, memo: dict) -> int:
    """The escalations of one locked batch on PostgreSQL, in one statement whatever its size.

    Writes what `_escalate_batch` writes row by row: the escalations (the unique key makes a repeat
    a no-op), the cases moved up with fresh deadlines, the timeline events, the audit entries and
    the notices to the assignee and the officers of each place (looked up once per sweep).
    """
    if "sql" not in memo:
        memo["sql"], memo["params"] = _ESCALATE_SQL.format(**_tables()), _sweep_params(now)
    levels, compounds, users = _officers({(level, compound_id) for _, level, compound_id in rows}, memo)
    with connection.cursor() as cursor:
        cursor.execute(memo["sql"], {**memo["params"], "ids": [pk for pk, *_ in rows], "written": clock.now(),
                                     "officer_level": levels, "officer_compound": compounds, "officer_user": users})
        count, mail_ids = cursor.fetchone()
    if mail_ids:
        from linli.cases.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(notification_ids=mail_ids))
    return count


# Escalations written by one sweep past which the table's planner statistics are renewed.
ANALYZE_AFTER = 10_000


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
    postgres = connection.vendor == "postgresql"
    batches = _locked_batches_pg(now, batch_size) if postgres else _locked_batches(candidates, batch_size)
    for rows in batches:
        # Overdue is re-checked on the locked rows: another sweep may have moved them meanwhile.
        result.escalated += _escalate_batch(rows, now, memo)
    if postgres and result.escalated >= ANALYZE_AFTER:
        # The rollups below read the escalations per case: with statistics from before the sweep
        # the planner takes a table of many thousand rows for an empty one.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Escalation._meta.db_table)}")
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
