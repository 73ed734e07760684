"""Demo council data in resident1's compound: meeting series and a held meeting with decisions, proposals
at different steps of both templates, a closed owners' ballot with its notice, and an open ballot."""

import datetime as dt

from django.utils import timezone

from linli.core import clock
from linli.core.scoping import scope_for
from linli.council import services
from linli.council.models import Ballot, ProcessTemplate, Proposal, Vote


def _get(context, name, default=None):
    if isinstance(context, dict):
        return context.get(name, default)
    return getattr(context, name, default)


def _actor(users, compound):
    for name in ("branch1", "community1", "admin"):
        user = users.get(name)
        if user is not None and (scope_for(user).everything or compound.pk in scope_for(user).compound_ids
                                 or any(compound.community.code.startswith(p) for p in scope_for(user).unit_prefixes)):
            return user
    return None


def populate(context) -> int:
    if Proposal.objects.exists():
        return 0
    users = _get(context, "users", {}) or {}
    resident_user = users.get("resident1")
    resident = getattr(resident_user, "resident", None) if resident_user is not None else None
    if resident is None:
        return 0
    compound = resident.household.dwelling.entrance.building.compound
    staff = _actor(users, compound)
    if staff is None:
        return 0
    rng = _get(context, "rng")
    now = clock.now()
    start = timezone.make_aware(dt.datetime.combine(clock.today() + dt.timedelta(days=(3 - clock.today().weekday())
                                                                                    % 7), dt.time(19, 0)))
    forum = services.series_create(actor=staff, kind="forum", name=f"{compound.name}邻里议事厅", compound=compound,
                                   first_at=start, location="邻里议事厅")
    services.series_create(actor=staff, kind="joint", name=f"{compound.name}支部与自管委联席会", compound=compound,
                           first_at=start + dt.timedelta(days=1), location="党群服务站")
    # The enlarged Party committee meets for the whole community: a community-level actor sets it up.
    services.series_create(actor=users.get("community1") or users["admin"], kind="committee", name=f"{compound.community.name}大党委季度会议",
                           community=compound.community, first_at=start + dt.timedelta(days=14),
                           location="社区党群服务中心", duration_minutes=120)

    five = ProcessTemplate.objects.get(code="five_step")
    three = ProcessTemplate.objects.get(code="three_step")
    parking = services.proposal_submit(actor=resident_user, compound=compound, title="规范小区停车秩序",
                                       body="晚间车辆占用消防通道，建议划定车位、设置临时停车区。")
    services.proposal_advance(actor=staff, proposal=parking, note="属于小区公共事务，予以立项")
    services.comment_add(actor=resident_user, proposal=parking, body="建议东侧空地改为临时停车区。")
    lights = services.proposal_submit(actor=staff, compound=compound, title="楼道照明改造", template=three,
                                      body="部分楼道灯损坏，建议统一更换为声控节能灯。", source="organisation",
                                      organisation=f"{compound.name}自管委")
    services.proposal_advance(actor=staff, proposal=lights)
    fund = services.proposal_submit(actor=staff, compound=compound, title="续筹专项维修资金", template=five,
                                    body="外墙保温层脱落，维修资金余额不足，拟按每平方米 20 元续筹。",
                                    source="organisation", organisation="小区党支部")
    for _ in range(3):
        services.proposal_advance(actor=staff, proposal=fund)

    meeting = services.meeting_create(actor=staff, series=forum, title=f"{forum.name}（第1次）",
                                      starts_at=start - dt.timedelta(days=7))
    services.agenda_add(actor=staff, meeting=meeting, proposal=parking)
    services.agenda_add(actor=staff, meeting=meeting, proposal=fund)
    for name, capacity in (("支部书记", "小区党支部"), ("自管委主任", "自管委"), ("物业经理", "物业服务企业"),
                           (resident.name, "居民代表")):
        services.attendance_add(actor=staff, meeting=meeting, name=name, capacity=capacity)
    services.minutes_save(actor=staff, meeting=meeting,
                          minutes="一、停车秩序：同意先行划线试点。\n二、维修资金：提交业主共同决定。")
    decision = services.decision_add(actor=staff, meeting=meeting, proposal=parking, text="东侧空地划线设临时车位",
                                     owner="物业经理", due_on=clock.today() + dt.timedelta(days=30))
    services.decision_progress(actor=staff, decision=decision, percent=30, note="完成测量和方案")

    # The maintenance-fund ballot: held and closed, its notice up, executed and rated.
    ballot = services.ballot_open(actor=staff, compound=compound, proposal=fund, title="续筹专项维修资金",
                                  question=fund.body, rule="owners_278", matter="major",
                                  closes_at=now + dt.timedelta(days=1))
    voters = list(ballot.voters.order_by("pk"))
    mine = ballot.voters.filter(residents=resident).first()
    votes = []
    for voter in voters:
        if voter == mine or (rng.random() if rng else 0.5) < 0.15:
            continue
        choice = "agree" if (rng.random() if rng else 0.1) < 0.85 else "disagree"
        # Demo owners have no logins: their online votes are recorded directly.
        votes.append(Vote(ballot=ballot, voter=voter, choice=choice, cast_at=now, changed_at=now))
    Vote.objects.bulk_create(votes)
    if mine is not None:
        services.vote_cast(actor=resident_user, ballot=ballot, choice="agree")
    ballot = services.ballot_close(actor=staff, ballot=ballot)
    notice = services.notice_publish(actor=staff, ballot=ballot)
    services.notice_executed(actor=staff, notice=notice)
    services.evaluation_submit(actor=resident_user, notice=notice, score="satisfied", note="公开透明")
    services.proposal_advance(actor=staff, proposal=fund)

    services.ballot_open(actor=staff, compound=compound, proposal=lights, title="楼道照明改造方案",
                         question=lights.body, rule="household_consent", closes_at=now + dt.timedelta(days=10))
    context.add("议事提案", 3)
    context.add("议事会议", 1)
    context.add("表决", Ballot.objects.count())
    context.add("公示", 1)
    return 3 + 1 + Ballot.objects.count() + 1
