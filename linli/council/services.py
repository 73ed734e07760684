"""Every write in the council: proposals and their steps, comments, meetings, ballots, notices.

Each service checks who may act (Forbidden → 403), validates its input (ValidationError with field
errors, or `Refused` with a reason for votes and moves the rules do not allow), writes through
`core.services` (audited) in one transaction.
"""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from linli.accounts.models import Role
from linli.accounts.scope import can_edit, can_unmask
from linli.cases.services import PROPOSAL_PENDING, case_link_proposal
from linli.core import audit, clock
from linli.core import services as core
from linli.core.access import require
from linli.core.errors import Refused
from linli.core.scoping import scope_for, visible
from linli.council import electorate, tally
from linli.council.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Choice,
    Comment,
    CostShare,
    Decision,
    Evaluation,
    Matter,
    Meeting,
    MeetingSeries,
    Milestone,
    Notice,
    Ownership,
    ProcessTemplate,
    Proposal,
    ProposalEvent,
    Rule,
    Vote,
    Voter,
)
from linli.places.models import AdminUnit, Compound

NOT_EDITOR = "您无权执行此操作。"
NOTICE_DAYS = 7
ATTACHMENT_MAX = 10 * 1024 * 1024


# --- helpers --------------------------------------------------------------------------------------

def require_editor(actor) -> None:
    require(can_edit(actor), NOT_EDITOR)


def compounds_for(actor):
    """Compounds the actor may raise matters in: a resident's home, a staff member's jurisdiction."""
    scope = scope_for(actor)
    if scope.is_staff_scope:
        return visible(Compound.objects.all(), scope)
    return Compound.objects.filter(id__in=scope.home_compound_ids)


def _compound(actor, compound) -> Compound:
    pk = getattr(compound, "pk", compound)
    found = compounds_for(actor).filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationError({"compound": "请选择您所在或负责的小区。"})
    return found


def _resident(actor):
    scope = scope_for(actor)
    if not scope.resident_ids:
        return None
    from linli.people.models import Resident

    return Resident.objects.get(pk=scope.resident_ids[0])


def may_moderate(actor, proposal) -> bool:
    """Organisers: staff who edit and can see the proposal's compound."""
    return can_edit(actor) and scope_for(actor).is_staff_scope and visible(
        Compound.objects.filter(pk=proposal.compound_id), scope_for(actor)).exists()


def may_move(actor, proposal) -> bool:
    """The current step's movers (by role) within their jurisdiction; admins always."""
    scope = scope_for(actor)
    if proposal.status != Proposal.Status.ACTIVE:
        return False
    if scope.everything:
        return True
    return bool(scope.roles & set(proposal.step.movers)) and may_moderate(actor, proposal)


# --- proposals ------------------------------------------------------------------------------------

def default_template() -> ProcessTemplate:
    return ProcessTemplate.objects.get(code="five_step")


@transaction.atomic
def proposal_submit(*, actor, compound, title: str, body: str, template=None, source: str = "resident",
                    organisation: str = "", urgent: bool = False, case=None) -> Proposal:
    scope = scope_for(actor)
    require(bool(scope.resident_ids) or can_edit(actor), "只有本小区居民或工作人员可以提出议题。")
    compound = _compound(actor, compound)
    template = template or default_template()
    if not can_edit(actor):
        # A resident proposes in their own name; organisations and cases come in through staff.
        source, organisation, case = Proposal.Source.RESIDENT, "", None
    if source == Proposal.Source.ORGANISATION and not organisation.strip():
        raise ValidationError({"organisation": "组织提议须填写提议组织名称。"})
    if case is not None and case.compound_id != compound.pk:
        raise ValidationError({"case": "诉求不在该小区。"})
    first = template.steps.order_by("order").first()
    proposal = core.create(actor=actor, model=Proposal, data={
        "compound": compound, "template": template, "step": first, "title": title.strip(), "body": body.strip(),
        "source": Proposal.Source.CASE if case is not None else source, "organisation": organisation.strip(),
        "case": case, "proposer": actor, "urgent": urgent, "created_at": clock.now(), "updated_at": clock.now(),
    })
    ProposalEvent.objects.create(proposal=proposal, actor=actor, to_step=first.name, text="提出议题")
    if case is not None:
        # The cases side keeps a reference back to the proposal.
        case_link_proposal(actor=actor, case=case, ref=proposal.ref)
    return proposal


def proposal_from_case(*, actor, case, template=None, title: str = "", body: str = "") -> Proposal:
    """A big matter (大事) from the closed loop becomes a proposal; the case keeps the link."""
    require_editor(actor)
    # A case marked "pending" on the case page is waiting for exactly this step.
    if case.proposal_ref and case.proposal_ref != PROPOSAL_PENDING:
        raise Refused("case_already_proposed", f"该诉求已转为议事提案 {case.proposal_ref}。", status=409)
    return proposal_submit(actor=actor, compound=case.compound, template=template,
                           title=title or f"诉求转议：{case.category.name}", body=body or case.description,
                           source=Proposal.Source.CASE, case=case)


@transaction.atomic
def proposal_advance(*, actor, proposal, note: str = "") -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("step").get(pk=proposal.pk)
    if proposal.status != Proposal.Status.ACTIVE:
        raise Refused("proposal_closed", "该议题已办结或已退回，不能再推进。", status=409)
    require(may_move(actor, proposal), f"“{proposal.step.name}”这一步不由您推进。")
    current = proposal.step
    following = proposal.template.steps.filter(order__gt=current.order).order_by("order").first()
    data = {"updated_at": clock.now()}
    if following is None:
        data["status"] = Proposal.Status.DONE
        to_name = "办结"
    else:
        data["step"] = following
        to_name = following.name
    core.update(actor=actor, instance=proposal, data=data, action="council_advance")
    ProposalEvent.objects.create(proposal=proposal, actor=actor, from_step=current.name, to_step=to_name,
                                 text=note.strip())
    return proposal


@transaction.atomic
def proposal_reject(*, actor, proposal, reason: str) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("step").get(pk=proposal.pk)
    require(may_move(actor, proposal), f"“{proposal.step.name}”这一步不由您处理。")
    if proposal.step.order != 1:
        raise Refused("wrong_step", "只有在审核把关环节才能退回议题。", status=409)
    if not reason.strip():
        raise ValidationError({"reason": "请写明不予立项的理由。"})
    core.update(actor=actor, instance=proposal, data={"status": Proposal.Status.REJECTED, "updated_at": clock.now()},
                action="council_reject")
    ProposalEvent.objects.create(proposal=proposal, actor=actor, from_step=proposal.step.name, to_step="不予立项",
                                 text=reason.strip())
    return proposal


@transaction.atomic
def comment_add(*, actor, proposal, body: str) -> Comment:
    scope = scope_for(actor)
    residents_here = proposal.compound_id in scope.home_compound_ids
    require(residents_here or may_moderate(actor, proposal), "只有本小区居民和工作人员可以发表意见。")
    if proposal.status != Proposal.Status.ACTIVE or not proposal.step.comments_open:
        raise Refused("comments_closed", "当前环节不接受意见。", status=409)
    if not body.strip():
        raise ValidationError({"body": "请填写意见。"})
    return core.create(actor=actor, model=Comment, data={
        "proposal": proposal, "author": actor, "body": body.strip(), "step": proposal.step.name, "at": clock.now()})


@transaction.atomic
def proposal_unmask(*, actor, proposal) -> dict:
    """ID numbers and phones typed into the proposal and its comments, as typed; audited as "unmask"."""
    from linli.core import pii
    from linli.core.access import get_visible

    # Living in the compound gives sight of its proposals, not the right to unmask them: work only.
    proposal = get_visible(Proposal.objects.all(), scope_for(actor).work_area(), proposal.pk)
    require(can_unmask(actor, proposal), "您没有查看完整身份证号和电话的权限。")
    revealed = pii.reveal(actor=actor, obj=proposal, names=["body"], related=["comments.body"],
                           object_repr=proposal.ref)
    return {"id": proposal.pk, "body": revealed["body"],
            "comments": [{"id": c.pk, "body": pii.original(c, "body")}
                         for c in proposal.comments.all() if pii.has_original(c, "body")]}


@transaction.atomic
def comment_moderate(*, actor, comment, hide: bool, reason: str = "") -> Comment:
    require(may_moderate(actor, comment.proposal), "只有组织者可以处理意见。")
    if hide and not reason.strip():
        raise ValidationError({"reason": "屏蔽意见须写明理由。"})
    status = Comment.Status.HIDDEN if hide else Comment.Status.SHOWN
    return core.update(actor=actor, instance=comment, data={
        "status": status, "moderated_by": actor, "moderation_reason": reason.strip() if hide else ""},
        action="council_moderate")


# --- meetings -------------------------------------------------------------------------------------

def _community(actor, community) -> AdminUnit:
    pk = getattr(community, "pk", community)
    found = visible(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNITY, pk=pk), scope_for(actor)).first()
    if found is None:
        raise ValidationError({"community": "请选择您负责的社区。"})
    return found


def _place(actor, community, compound):
    """(community, compound) of a meeting: a compound implies its community."""
    if compound:
        compound = _compound(actor, compound)
        return compound.community, compound
    if not community:
        raise ValidationError({"community": "请选择社区或小区。"})
    return _community(actor, community), None


@transaction.atomic
def series_create(*, actor, kind: str, name: str, first_at, community=None, compound=None, location: str = "",
                  duration_minutes: int = 90, until=None) -> MeetingSeries:
    require_editor(actor)
    community, compound = _place(actor, community, compound)
    return core.create(actor=actor, model=MeetingSeries, data={
        "community": community, "compound": compound, "kind": kind, "name": name, "first_at": first_at,
        "location": location, "duration_minutes": duration_minutes, "until": until})


@transaction.atomic
def meeting_create(*, actor, title: str, starts_at, series=None, community=None, compound=None,
                   location: str = "", kind: str = "other") -> Meeting:
    require_editor(actor)
    if series is not None:
        community, compound = series.community, series.compound
        location, kind = location or series.location, series.kind
    else:
        community, compound = _place(actor, community, compound)
    return core.create(actor=actor, model=Meeting, data={
        "series": series, "community": community, "compound": compound, "title": title, "starts_at": starts_at,
        "location": location, "kind": kind})


@transaction.atomic
def agenda_add(*, actor, meeting, proposal=None, topic: str = "") -> AgendaItem:
    require_editor(actor)
    if proposal is not None and proposal.compound.community_id != meeting.community_id:
        raise ValidationError({"proposal": "提案不在本次会议的社区。"})
    topic = topic.strip() or (proposal.title if proposal is not None else "")
    if not topic:
        raise ValidationError({"topic": "请填写议程或选择提案。"})
    order = meeting.agenda.count() + 1
    return core.create(actor=actor, model=AgendaItem, data={"meeting": meeting, "proposal": proposal,
                                                             "topic": topic, "order": order})


@transaction.atomic
def attendance_add(*, actor, meeting, name: str, capacity: str = "", present: bool = True) -> Attendance:
    require_editor(actor)
    return core.create(actor=actor, model=Attendance, data={"meeting": meeting, "name": name.strip(),
                                                             "capacity": capacity.strip(), "present": present})


@transaction.atomic
def minutes_save(*, actor, meeting, minutes: str) -> Meeting:
    require_editor(actor)
    return core.update(actor=actor, instance=meeting, data={"minutes": minutes}, action="council_minutes")


@transaction.atomic
def decision_add(*, actor, meeting, text: str, owner: str, due_on, proposal=None) -> Decision:
    require_editor(actor)
    if proposal is not None and proposal.compound.community_id != meeting.community_id:
        raise ValidationError({"proposal": "提案不在本次会议的社区。"})
    return core.create(actor=actor, model=Decision, data={"meeting": meeting, "text": text.strip(),
                                                           "owner": owner.strip(), "due_on": due_on,
                                                           "proposal": proposal})


@transaction.atomic
def decision_progress(*, actor, decision, percent: int, note: str, on=None) -> Milestone:
    require_editor(actor)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": "进度应在 0 到 100 之间。"})
    if percent < decision.percent:
        raise ValidationError({"percent": f"进度不能倒退（当前 {decision.percent}%）。"})
    on = on or clock.today()
    milestone = core.create(actor=actor, model=Milestone, data={"decision": decision, "on": on, "percent": percent,
                                                                 "note": note.strip(), "recorded_by": actor})
    core.update(actor=actor, instance=decision, data={"percent": percent,
                                                      "done_on": on if percent == 100 else None},
                action="council_progress")
    return milestone


# --- owners -------------------------------------------------------------------------------------

@transaction.atomic
def ownership_add(*, actor, dwelling, resident, since=None) -> Ownership:
    """Register a resident as an owner of a dwelling they do not live in; both must be in sight."""
    require_editor(actor)
    scope = scope_for(actor)
    require(scope.is_staff_scope, NOT_EDITOR)
    from linli.people.models import Resident
    from linli.places.models import Dwelling

    if not visible(Dwelling.objects.filter(pk=dwelling.pk), scope).exists():
        raise ValidationError({"dwelling": "房屋不在您的辖区。"})
    if not visible(Resident.objects.filter(pk=resident.pk), scope).exists():
        raise ValidationError({"resident": "居民不在您的辖区。"})
    return core.create(actor=actor, model=Ownership, data={"dwelling": dwelling, "resident": resident,
                                                            "since": since})


# --- ballots --------------------------------------------------------------------------------------

def _cost_split(entrance, cost_total, split):
    """[(dwelling, amount)] checked against the entrance and the total."""
    if not split:
        return []
    dwellings = {d.pk: d for d in entrance.dwellings.all()}
    rows, errors = [], []
    for item in split:
        try:
            pk, amount = int(item["dwelling_id"]), Decimal(str(item["amount"]))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            errors.append("分摊明细格式有误。")
            continue
        if pk not in dwellings:
            errors.append(f"房屋 {pk} 不在该单元。")
        elif amount < 0:
            errors.append("分摊金额不能为负。")
        else:
            rows.append((dwellings[pk], amount))
    if errors:
        raise ValidationError({"cost_split": errors})
    if cost_total is None or sum(a for _, a in rows) != Decimal(cost_total):
        raise ValidationError({"cost_split": "各户分摊金额之和须等于总费用。"})
    return rows


@transaction.atomic
def ballot_open(*, actor, compound, title: str, question: str, rule: str, closes_at, matter: str = "ordinary",
                proposal=None, entrance=None, party_org=None, threshold_percent: int = 80, cost_total=None,
                cost_split=None) -> Ballot:
    require_editor(actor)
    require(scope_for(actor).is_staff_scope, NOT_EDITOR)
    compound = _compound(actor, compound)
    errors = {}
    if rule not in Rule.values:
        errors["rule"] = "未知的表决规则。"
    if matter not in Matter.values:
        errors["matter"] = "未知的事项类别。"
    if closes_at is None or closes_at <= clock.now():
        errors["closes_at"] = "截止时间须晚于现在。"
    if entrance is not None and (getattr(entrance, "building", None) is None
                                 or entrance.building.compound_id != compound.pk):
        errors["entrance"] = "单元不在该小区。"
    if rule == Rule.ENTRANCE_OWNERS and entrance is None:
        errors["entrance"] = "单元业主表决须指定单元。"
    if rule == Rule.PARTY_MEMBERS and party_org is None:
        errors["party_org"] = "党员表决须指定党支部。"
    if rule == Rule.HOUSEHOLD_CONSENT and not 50 <= int(threshold_percent or 0) <= 100:
        errors["threshold_percent"] = "同意比例应在 50% 到 100% 之间。"
    if proposal is not None and proposal.compound_id != compound.pk:
        errors["proposal"] = "提案不在该小区。"
    if cost_total not in (None, ""):
        try:
            if Decimal(str(cost_total)) < 0:
                errors["cost_total"] = "总费用不能为负数。"
        except InvalidOperation:
            errors["cost_total"] = "总费用应为金额数字。"
    if errors:
        raise ValidationError(errors)
    shares = _cost_split(entrance, cost_total, cost_split) if entrance is not None else []
    ballot = core.create(actor=actor, model=Ballot, data={
        "compound": compound, "proposal": proposal, "entrance": entrance, "party_org": party_org,
        "title": title.strip(), "question": question.strip(), "rule": rule,
        "matter": Matter.MAJOR if rule == Rule.ENTRANCE_OWNERS else matter,
        "threshold_percent": threshold_percent or 80, "cost_total": cost_total, "opened_at": clock.now(),
        "closes_at": closes_at, "opened_by": actor})
    specs = electorate.build(ballot)
    if not specs:
        raise ValidationError({"rule": "按该规则没有任何表决人，请核对房屋、住户或党员登记。"})
    voters = Voter.objects.bulk_create([Voter(ballot=ballot, key=s.key, label=s.label, area=s.area) for s in specs])
    Voter.dwellings.through.objects.bulk_create([
        Voter.dwellings.through(voter_id=v.pk, dwelling_id=d) for v, s in zip(voters, specs, strict=True)
        for d in s.dwelling_ids])
    Voter.residents.through.objects.bulk_create([
        Voter.residents.through(voter_id=v.pk, resident_id=r) for v, s in zip(voters, specs, strict=True)
        for r in s.resident_ids])
    CostShare.objects.bulk_create([CostShare(ballot=ballot, dwelling=d, amount=a) for d, a in shares])
    audit.record(actor=actor, action="council_electorate", obj=ballot,
                 changes={"voters": [None, len(specs)], "cost_shares": [None, len(shares)]})
    return ballot


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def check_attachment(upload) -> str:
    """The extension of a signed form or a scan: PDF, JPEG or PNG by its first bytes; else Refused."""
    if upload is None:
        return ""
    size = getattr(upload, "size", 0) or 0
    upload.seek(0)
    kind = _sniff(upload.read(8))
    upload.seek(0)
    if not size or size > ATTACHMENT_MAX or kind is None:
        raise Refused("attachment_invalid", "附件须为 10 MB 以内的 PDF、JPEG 或 PNG 扫描件。")
    return kind


def _store(upload, kind: str) -> str:
    name = f"council/votes/{clock.now():%Y/%m}/{uuid.uuid4().hex}.{kind}"
    upload.seek(0)
    return default_storage.save(name, upload)


@transaction.atomic
def vote_cast(*, actor, ballot, choice: str, voter=None, channel: str = "online", proxy_name: str = "",
              attachment=None) -> Vote:
    """One vote per voter, changeable until close. Refused (nothing written) with the reason when
    the ballot is closed, the voter is not in the electorate, a proxy has no signed form, a paper
    vote has no scan, or staff enter a second paper ballot for a voter who already voted."""
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.status != Ballot.Status.OPEN or clock.now() >= ballot.closes_at:
        raise Refused("ballot_closed", "表决已截止，不再接受投票。", status=409)
    if choice not in Choice.values:
        raise Refused("choice_invalid", "请选择同意、不同意或弃权。")
    if channel not in Vote.Channel.values:
        raise Refused("channel_invalid", "未知的投票方式。")
    if channel == Vote.Channel.ONLINE:
        resident = _resident(actor)
        found = ballot.voters.filter(residents=resident).first() if resident else None
        if found is None:
            raise Refused("not_in_electorate", "您不在本次表决的表决人名单中。", status=403)
        voter, kind = found, ""
    else:
        require(can_edit(actor) and scope_for(actor).is_staff_scope, "只有工作人员可以录入纸质选票或委托投票。")
        if voter is None or voter.ballot_id != ballot.pk:
            raise Refused("not_in_electorate", "该表决人不在本次表决的表决人名单中。", status=403)
        if channel == Vote.Channel.PROXY and (attachment is None or not proxy_name.strip()):
            raise Refused("proxy_form_missing", "书面委托投票须填写受托人并上传委托人签名的委托书。")
        if channel == Vote.Channel.PAPER and attachment is None:
            raise Refused("scan_missing", "纸质选票须附扫描件。")
        kind = check_attachment(attachment)
        if ballot.votes.filter(voter=voter).exists():
            raise Refused("already_voted", "该表决人已经投票，不能再录入第二张选票；如需改票，请本人在截止前修改。", status=409)
    existing = ballot.votes.filter(voter=voter).first()
    now = clock.now()
    if existing is not None:
        # A changed vote replaces the first one; the audit log keeps what it was.
        before = existing.choice
        existing.choice, existing.channel, existing.cast_by = choice, channel, actor
        existing.changed_at, existing.changes = now, existing.changes + 1
        existing.save()
        audit.record(actor=actor, action="council_vote_change", obj=existing,
                     changes={"choice": [before, choice], "voter": [voter.pk, voter.pk]})
        return existing
    vote = Vote.objects.create(ballot=ballot, voter=voter, choice=choice, channel=channel, cast_by=actor,
                               proxy_name=proxy_name.strip(), attachment=_store(attachment, kind) if kind else "",
                               cast_at=now, changed_at=now)
    # Audited by hand: the generic snapshot does not serialise the attachment (a file field).
    audit.record(actor=actor, action="council_vote", obj=vote, changes={
        "voter": [None, voter.pk], "choice": [None, choice], "channel": [None, channel],
        "attachment": [None, vote.attachment.name or ""]})
    return vote


def live_tally(ballot) -> dict:
    choices = dict(ballot.votes.values_list("voter_id", "choice"))
    voters = [(v.area, choices.get(v.pk)) for v in ballot.voters.order_by("pk")]
    return tally.explain(tally.Ballot(ballot.rule, ballot.matter, ballot.threshold_percent), voters)


def ballot_tally(ballot) -> dict:
    """The frozen result once closed; the running count before."""
    return ballot.result if ballot.result is not None else live_tally(ballot)


@transaction.atomic
def ballot_close(*, actor, ballot) -> Ballot:
    require_editor(actor)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.status != Ballot.Status.OPEN:
        raise Refused("ballot_closed", "表决已经结束。", status=409)
    result = live_tally(ballot)
    result["closed_at"] = clock.now().isoformat()
    return core.update(actor=actor, instance=ballot, data={
        "status": Ballot.Status.CLOSED, "closed_at": clock.now(), "result": result, "passed": result["passed"]},
        action="council_close")


# --- notices --------------------------------------------------------------------------------------

def _notice_text(ballot) -> str:
    outcome = "通过" if ballot.passed else "未通过"
    return f"“{ballot.title}”表决已于 {ballot.closed_at:%Y年%m月%d日} 结束，结果：{outcome}。\n{ballot.question}"


@transaction.atomic
def notice_publish(*, actor, ballot=None, proposal=None, title: str = "", body: str = "", starts_on=None,
                   ends_on=None) -> Notice:
    require_editor(actor)
    if ballot is not None:
        if ballot.status != Ballot.Status.CLOSED:
            raise Refused("ballot_still_open", "表决结束后才能公示结果。", status=409)
        proposal = proposal or ballot.proposal
        compound = ballot.compound
        title = title or f"{ballot.title}表决结果公示"
        body = body or _notice_text(ballot)
    elif proposal is not None:
        compound = proposal.compound
        title = title or f"{proposal.title}公示"
        body = body or proposal.body
    else:
        raise ValidationError({"ballot": "请指定公示的表决或提案。"})
    require(may_moderate(actor, proposal) if proposal is not None else
            visible(Compound.objects.filter(pk=compound.pk), scope_for(actor)).exists(), NOT_EDITOR)
    starts_on = starts_on or clock.today()
    ends_on = ends_on or starts_on + dt.timedelta(days=NOTICE_DAYS)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "公示结束日期不能早于开始日期。"})
    return core.create(actor=actor, model=Notice, data={
        "compound": compound, "ballot": ballot, "proposal": proposal, "title": title, "body": body,
        "starts_on": starts_on, "ends_on": ends_on, "published_at": clock.now(), "published_by": actor})


@transaction.atomic
def notice_executed(*, actor, notice, on=None) -> Notice:
    require_editor(actor)
    return core.update(actor=actor, instance=notice, data={"executed_on": on or clock.today()},
                       action="council_executed")


@transaction.atomic
def evaluation_submit(*, actor, notice, score: str, note: str = "") -> Evaluation:
    resident = _resident(actor)
    require(resident is not None and notice.compound_id in scope_for(actor).home_compound_ids,
            "只有本小区居民可以评价。")
    if notice.executed_on is None:
        raise Refused("not_implemented_yet", "事项实施完成后才能评价。", status=409)
    if score not in Evaluation.Score.values:
        raise ValidationError({"score": "请选择满意、基本满意或不满意。"})
    existing = Evaluation.objects.filter(notice=notice, resident=resident).first()
    if existing is not None:
        return core.update(actor=actor, instance=existing, data={"score": score, "note": note.strip(),
                                                                  "at": clock.now()})
    return core.create(actor=actor, model=Evaluation, data={"notice": notice, "resident": resident, "score": score,
                                                             "note": note.strip(), "at": clock.now()})


def satisfaction(notice) -> dict:
    rows = list(notice.evaluations.values_list("score", flat=True))
    counts = {s: rows.count(s) for s in Evaluation.Score.values}
    total = len(rows)
    happy = counts["satisfied"] + counts["basic"]
    return {"total": total, "counts": counts, "labels": dict(Evaluation.Score.choices),
            "rate": f"{happy * 100 // total}%" if total else "—"}


ROLE_NAMES = dict(Role.choices)
