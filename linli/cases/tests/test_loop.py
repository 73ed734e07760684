import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from linli.cases import services
from linli.cases.models import Case, CaseEvent, Escalation, Notification, Rating, Status
from linli.core import clock
from linli.core.errors import Forbidden
from linli.core.models import AuditEntry

MIN = dt.timedelta(minutes=1)


def test_catalogue_is_seeded_and_seeding_is_idempotent(db):
    # given the data migration has run
    from linli.cases.models import ServiceCategory, TierRule

    before = ServiceCategory.objects.count()
    # when seeding again
    made = services.catalogue_seed()
    # then nothing is added twice and the categories are there
    assert made == (0, 0)
    assert before >= 10 and ServiceCategory.objects.filter(name="邻里纠纷").exists()
    assert TierRule.objects.count() == 3


@pytest.mark.parametrize("category,tier,solve_minutes", [
    ("sanitation", "ordinary", 30), ("safety-hazard", "complex", 240), ("renovation", "major", 24 * 60),
])
def test_deadlines_follow_the_tier_of_the_category(open_case, frozen, category, tier, solve_minutes):
    # when a case is filed
    case = open_case(category=category)
    # then the 1341 clock is set from the one clock
    assert case.tier == tier
    assert case.arrive_by == frozen + 10 * MIN
    assert case.solve_by == frozen + solve_minutes * MIN


def test_tier_rules_in_the_database_override_the_defaults(open_case, frozen):
    # given a deployment that gives ordinary cases an hour
    from linli.cases.models import TierRule

    TierRule.objects.filter(tier="ordinary").update(solve_minutes=60, arrive_minutes=15)
    # when a case is filed
    case = open_case()
    # then its deadlines use the configured limits
    assert (case.arrive_by, case.solve_by) == (frozen + 15 * MIN, frozen + 60 * MIN)


def test_retier_resets_deadlines_from_now(open_case, world, frozen):
    # given an ordinary case, 5 minutes later
    case = open_case()
    clock.advance(5 * MIN)
    # when staff re-tier it as complex
    services.case_retier(actor=world.user("grid_worker"), case=case, tier="complex")
    # then both deadlines count from now
    case.refresh_from_db()
    assert case.solve_by == frozen + 5 * MIN + 240 * MIN
    assert case.arrive_by == frozen + 15 * MIN


def test_full_loop_dispatch_accept_solve_confirm(open_case, world, django_capture_on_commit_callbacks):
    # given a case filed by the resident, whose user has an e-mail address
    resident = world.user("resident")
    resident.email = "zhang@example.cn"
    resident.save()
    worker = world.user("grid_worker")
    case = open_case()
    # when it is dispatched, accepted, solved and rated
    services.case_dispatch(actor=world.user("community_secretary"), case=case, assignee=worker)
    services.case_accept(actor=worker, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_solve(actor=worker, case=case, note="已清理楼道")
    services.case_confirm(actor=resident, case=case, rating=Rating.SATISFIED)
    # then it is closed, each step is on the timeline and in the audit log, and the resident was told
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == "satisfied"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["opened", "dispatched", "accepted", "solved", "confirmed"]
    actions = set(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"case.open", "case.dispatch", "case.accept", "case.solve", "case.confirm"} <= actions
    assert Notification.objects.filter(user=worker, text__contains="派单").exists()
    assert Notification.objects.filter(user=resident, text__contains="已办结").exists()
    assert [m.to for m in mail.outbox] == [["zhang@example.cn"]]


def test_email_is_not_sent_when_the_transaction_rolls_back(open_case, world, django_capture_on_commit_callbacks):
    # given a worker with an address
    worker = world.user("grid_worker")
    worker.email = "grid1@example.cn"
    worker.save()
    case = open_case()
    # when the dispatch is made inside a transaction that fails afterwards
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.case_dispatch(actor=world.user("community_secretary"), case=case, assignee=worker)
            raise RuntimeError
    # then no mail was queued
    assert callbacks == [] and mail.outbox == []


def test_unsatisfied_reopens_with_fresh_deadlines(open_case, world, frozen):
    # given a solved case an hour later
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_solve(actor=worker, case=case, note="处理完毕")
    clock.advance(60 * MIN)
    # when the resident is not satisfied
    services.case_confirm(actor=world.user("resident"), case=case, rating=Rating.UNSATISFIED, note="没有清理干净")
    # then it is reopened, counted, and its clock restarts
    case.refresh_from_db()
    assert case.status == Status.REOPENED and case.reopen_count == 1
    assert case.arrive_by == frozen + 70 * MIN and case.solve_by == frozen + 90 * MIN


def test_only_the_reporter_confirms(open_case, world):
    # given a solved case
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_solve(actor=worker, case=case, note="处理完毕")
    # when the worker tries to rate it
    # then it is refused
    with pytest.raises(Forbidden):
        services.case_confirm(actor=worker, case=case, rating="satisfied")


def test_return_needs_a_reason_and_is_staff_only_on_the_timeline(open_case, world):
    worker = world.user("grid_worker")
    case = open_case()
    services.case_dispatch(actor=world.user("community_secretary"), case=case, assignee=worker)
    with pytest.raises(ValidationError) as exc:
        services.case_return(actor=worker, case=case, reason="  ")
    assert "reason" in exc.value.message_dict
    services.case_return(actor=worker, case=case, reason="不属于本网格")
    case.refresh_from_db()
    assert case.status == Status.RETURNED and case.assignee is None
    assert case.events.get(kind=CaseEvent.Kind.RETURNED).staff_only


def test_transfer_moves_the_case_to_another_person(open_case, world):
    worker, secretary = world.user("grid_worker"), world.user("community_secretary")
    case = open_case()
    services.case_dispatch(actor=secretary, case=case, assignee=worker)
    services.case_accept(actor=worker, case=case)
    services.case_transfer(actor=worker, case=case, assignee=world.user("branch_secretary"), reason="需支部协调")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.assignee == world.user("branch_secretary")
    assert case.accepted_at is None


def test_assignee_must_see_the_case(open_case, world):
    # given a case in compound1
    case = open_case()
    # when it is dispatched to a worker of another street
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=world.user("district_officer"), case=case, assignee=world.user("outsider"))
    # then the assignee is refused and nothing changed
    assert "assignee" in exc.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_follow_up_call_rates_a_hotline_case(world, frozen):
    # given a hotline case, solved
    operator = world.user("district_officer")
    intake = services.Intake(category="facilities", description="路灯不亮", compound=world.compound2.pk,
                             channel="hotline", contact_name="赵大妈", contact_phone="13800138000")
    case = services.case_open(actor=operator, intake=intake)
    worker = world.user("grid_worker")
    services.case_dispatch(actor=operator, case=case, handling_body="幸福苑物业")
    services.case_solve(actor=worker, case=case, note="已更换灯泡")
    # when staff record the call-back with the caller's rating
    services.case_follow_up(actor=world.user("community_secretary"), case=case, note="回访满意", rating="basic")
    # then the case closes with that rating, and the contact stays encrypted in the table
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == "basic" and case.follow_up_note == "回访满意"
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("select contact_phone from cases_case where id = %s", [case.pk])
        assert cur.fetchone()[0].startswith("v1:")


def test_supervise_is_for_higher_levels(open_case, world, frozen):
    case = open_case()
    later = frozen + dt.timedelta(hours=2)
    # the grid worker (compound level) may not supervise a compound-level case
    with pytest.raises(Forbidden):
        services.case_supervise(actor=world.user("grid_worker"), case=case, deadline=later, note="尽快")
    # the community secretary may
    services.case_supervise(actor=world.user("community_secretary"), case=case, deadline=later, note="尽快办理")
    case.refresh_from_db()
    assert case.supervised and case.supervise_by == later and case.supervise_note == "尽快办理"


def test_duplicates_are_offered_and_following_makes_the_case_visible(open_case, world):
    # given the resident's open case
    case = open_case()
    neighbour_user = _user_for(world.neighbour)
    # when the neighbour looks for duplicates in the same compound and category
    found = list(services.possible_duplicates(actor=neighbour_user, compound_id=world.compound1.pk,
                                              category_code="sanitation"))
    # then the case is offered; following it puts it in the neighbour's sight
    assert found == [case]
    services.case_follow(actor=neighbour_user, case=case,
                         offer=services.follow_offer(actor=neighbour_user, cases=found))
    from linli.cases.access import case_get

    assert case_get(neighbour_user, case.pk) == case
    # and the far resident is offered nothing from another compound
    far = _user_for(world.far_resident, "far1")
    assert list(services.possible_duplicates(actor=far, compound_id=world.compound1.pk,
                                             category_code="sanitation")) == []


def _user_for(resident, username="neighbour1"):
    from linli.testing import make_user

    user = make_user(username, "resident")
    resident.user = user
    resident.save()
    return user


def test_escalation_record_is_unique_per_round_level_and_reason(open_case, world):
    case = open_case()
    services.case_escalate(actor=world.user("grid_worker"), case=case, note="需社区协调")
    case.refresh_from_db()
    assert case.level == "community"
    assert Escalation.objects.filter(case=case).count() == 1
    assert Case.objects.get(pk=case.pk).events.filter(kind="escalated").count() == 1
