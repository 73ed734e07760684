"""Proposals through their templates, from a case, with moderated comments; meetings and decisions."""

import datetime as dt

import pytest
from django.urls import reverse

from linli.cases import services as case_services
from linli.cases.models import Case, Channel
from linli.core.errors import Forbidden
from linli.council import selectors, services
from linli.council.models import Comment, ProcessTemplate, Proposal
from linli.testing import refused


def test_three_step_template_ends_after_the_assembly(estate, world):
    # given
    three = ProcessTemplate.objects.get(code="three_step")
    proposal = services.proposal_submit(actor=world.user("resident"), compound=world.compound1, title="t", body="b",
                                        template=three)
    # when
    for _ in range(3):
        proposal = services.proposal_advance(actor=world.user("branch_secretary"), proposal=proposal)
    # then
    assert proposal.status == Proposal.Status.DONE
    assert [e.to_step for e in proposal.events.all()] == ["居民提议", "委员会审议", "居民大会决议", "办结"]


def test_only_the_steps_movers_may_move_it(estate, world, counts):
    # given a five-step proposal the grid worker vetted, now at "consult by topic" (workers and secretaries)
    proposal = services.proposal_submit(actor=world.user("resident"), compound=world.compound1, title="t", body="b")
    proposal = services.proposal_advance(actor=world.user("grid_worker"), proposal=proposal)
    before = counts()
    # when / then the grid worker may not move this step
    with pytest.raises(Forbidden):
        services.proposal_advance(actor=world.user("grid_worker"), proposal=proposal)
    assert counts() == before


def test_a_big_matter_from_a_case_links_both_ways(estate, world):
    # given a resident's case
    case = case_services.case_open(actor=world.user("resident"), intake=case_services.Intake(
        category="sanitation", description="小区东侧空地长期堆放建筑垃圾", compound=world.compound1.pk,
        channel=Channel.ONLINE))
    # when
    proposal = services.proposal_from_case(actor=world.user("community_secretary"), case=case)
    # then
    assert proposal.case == case and proposal.source == Proposal.Source.CASE
    assert Case.objects.get(pk=case.pk).proposal_ref == proposal.ref
    with refused("case_already_proposed"):
        services.proposal_from_case(actor=world.user("community_secretary"), case=Case.objects.get(pk=case.pk))


def test_a_case_marked_for_the_council_on_the_case_page_becomes_its_proposal(estate, world, client_for):
    # given a case that staff sent to the council from the case page (reference still pending)
    case = case_services.case_open(actor=world.user("resident"), intake=case_services.Intake(
        category="sanitation", description="楼道堆物需集体清理", compound=world.compound1.pk,
        channel=Channel.ONLINE))
    case_services.case_to_council(actor=world.user("community_secretary"), case=case, note="涉及全体业主")
    assert Case.objects.get(pk=case.pk).proposal_ref == case_services.PROPOSAL_PENDING
    client = client_for("community_secretary")
    assert "立项为议事提案" in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    # when the secretary files it from the case page's button
    response = client.post(reverse("council:case_escalate", args=[case.pk]))
    # then the proposal exists and the case carries its reference
    proposal = Proposal.objects.get(case=case)
    assert response.status_code == 302 and response.url == reverse("council:proposal_detail", args=[proposal.pk])
    assert Case.objects.get(pk=case.pk).proposal_ref == proposal.ref


def test_hidden_comments_are_seen_by_organisers_only(estate, world):
    # given
    proposal = services.proposal_submit(actor=world.user("resident"), compound=world.compound1, title="t", body="b")
    comment = services.comment_add(actor=world.user("resident"), proposal=proposal, body="广告：专业开锁")
    # when
    services.comment_moderate(actor=world.user("branch_secretary"), comment=comment, hide=True, reason="广告")
    # then
    assert not selectors.comment_list_visible_to(actor=world.user("resident"), proposal=proposal, moderator=False)
    assert selectors.comment_list_visible_to(actor=world.user("branch_secretary"), proposal=proposal,
                                             moderator=True).get().status == Comment.Status.HIDDEN


def test_comments_closed_while_settling_the_draft(estate, world):
    # given a proposal at step 3 (settle: comments closed)
    proposal = services.proposal_submit(actor=world.user("resident"), compound=world.compound1, title="t", body="b")
    for _ in range(2):
        proposal = services.proposal_advance(actor=world.user("branch_secretary"), proposal=proposal)
    # when / then
    with refused("comments_closed"):
        services.comment_add(actor=world.user("resident"), proposal=proposal, body="还有意见")


def test_decision_progress_moves_forward_to_done(estate, world):
    # given
    secretary = world.user("branch_secretary")
    meeting = services.meeting_create(actor=secretary, title="联席会", compound=world.compound1,
                                      starts_at=services.clock.now())
    decision = services.decision_add(actor=secretary, meeting=meeting, text="修缮车棚", owner="物业",
                                     due_on=dt.date(2026, 6, 1))
    # when
    services.decision_progress(actor=secretary, decision=decision, percent=50, note="材料到场")
    with pytest.raises(Exception, match="不能倒退"):
        services.decision_progress(actor=secretary, decision=decision, percent=20, note="x")
    services.decision_progress(actor=secretary, decision=decision, percent=100, note="完工")
    # then
    decision.refresh_from_db()
    assert decision.done_on == services.clock.today()
    assert [m.percent for m in decision.milestones.all()] == [50, 100]


def test_residents_see_a_notice_only_during_its_period(estate, world):
    # given a notice that ended yesterday
    secretary = world.user("branch_secretary")
    proposal = services.proposal_submit(actor=secretary, compound=world.compound1, title="t", body="b")
    today = services.clock.today()
    notice = services.notice_publish(actor=secretary, proposal=proposal, starts_on=today - dt.timedelta(days=8),
                                     ends_on=today - dt.timedelta(days=1))
    # when / then
    assert not selectors.notice_list_visible_to(actor=world.user("resident")).filter(pk=notice.pk).exists()
    assert selectors.notice_list_visible_to(actor=secretary).filter(pk=notice.pk).exists()


def test_evaluation_only_after_execution(estate, world):
    # given
    secretary = world.user("branch_secretary")
    proposal = services.proposal_submit(actor=secretary, compound=world.compound1, title="t", body="b")
    notice = services.notice_publish(actor=secretary, proposal=proposal)
    # when / then
    with refused("not_implemented_yet"):
        services.evaluation_submit(actor=world.user("resident"), notice=notice, score="satisfied")
    services.notice_executed(actor=secretary, notice=notice)
    services.evaluation_submit(actor=world.user("resident"), notice=notice, score="basic")
    services.evaluation_submit(actor=world.user("resident"), notice=notice, score="satisfied")
    assert services.satisfaction(notice)["counts"] == {"satisfied": 1, "basic": 0, "unsatisfied": 0}


def test_a_proposal_from_a_case_shows_on_the_case_timeline(estate, world):
    # given a resident's case
    case = case_services.case_open(actor=world.user("resident"), intake=case_services.Intake(
        category="sanitation", description="小区南门路灯不亮", compound=world.compound1.pk, channel=Channel.ONLINE))
    # when the secretary makes it a proposal
    proposal = services.proposal_from_case(actor=world.user("community_secretary"), case=case)
    # then the case's timeline says so, for the staff who handle it
    from linli.cases.models import CaseEvent
    from linli.cases.selectors import case_timeline

    staff = world.user("community_secretary")
    texts = [e.text for e in case_timeline(actor=staff, case=case, staff=True)]
    assert any(proposal.ref in text for text in texts)
    event = CaseEvent.objects.get(case=case, text__contains=proposal.ref)
    assert event.actor == staff and event.kind == CaseEvent.Kind.NOTE
