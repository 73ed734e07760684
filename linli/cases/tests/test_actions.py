"""`available_actions` against the services: what a person is offered is exactly what they may do."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from linli.cases import actions, services
from linli.cases.access import case_get
from linli.cases.models import Case, Channel, Rating, Tier
from linli.core import clock
from linli.core.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db

PERSONAS = ("resident", "grid_worker", "community_secretary", "branch_secretary", "property_staff",
            "street_officer", "district_officer", "outsider", "admin")


@pytest.fixture
def cases_in_every_state(world, open_case):
    """One case per state the page treats differently, all in compound1."""
    admin, grid = world.user("admin"), world.user("grid_worker")
    by = {"handling_body": "物业服务中心"}
    made = {"new": open_case()}
    made["dispatched"] = services.case_dispatch(actor=admin, case=open_case(), assignee=grid)
    made["dispatched_unassigned"] = services.case_dispatch(actor=admin, case=open_case(), **by)
    made["accepted"] = services.case_accept(
        actor=grid, case=services.case_dispatch(actor=admin, case=open_case(), assignee=grid))
    made["returned"] = services.case_return(
        actor=grid, case=services.case_dispatch(actor=admin, case=open_case(), assignee=grid), reason="非本网格")
    solved = services.case_solve(actor=admin, case=services.case_dispatch(actor=admin, case=open_case(), **by),
                                 note="已清理")
    made["solved"] = solved
    made["closed"] = services.case_confirm(
        actor=world.user("resident"), rating=Rating.SATISFIED,
        case=services.case_solve(actor=admin, case=services.case_dispatch(actor=admin, case=open_case(), **by),
                                 note="已清理"))
    made["reopened"] = services.case_confirm(
        actor=world.user("resident"), rating=Rating.UNSATISFIED,
        case=services.case_solve(actor=admin, case=services.case_dispatch(actor=admin, case=open_case(), **by),
                                 note="已清理"))
    at_district = open_case()
    for _ in range(3):
        at_district = services.case_escalate(actor=admin, case=at_district, note="需上级协调")
    made["at_district"] = at_district
    made["council_pending"] = services.case_to_council(actor=admin, case=open_case(), note="涉及全体业主")
    made["council_linked"] = services.case_to_council(actor=admin, case=open_case(), note="涉及全体业主",
                                                      ref="YS-2025-001")
    made["hotline"] = services.case_open(actor=admin, intake=services.Intake(
        category="sanitation", description="来电反映楼道堆物", compound=world.compound1.pk,
        channel=Channel.HOTLINE, contact_phone="13800000000"))
    return made


def _inputs(case, name) -> dict:
    """Valid input for every action, so a refusal can only be about who and when."""
    return {
        "handling_body": "街道城管科", "reason": "不属本单位职责", "note": "已处理",
        # A call-back on a rated case records the call only: the rating is the reporter's to give.
        "rating": Rating.SATISFIED if name == "confirm" else "",
        "deadline": clock.now() + dt.timedelta(days=1),
        "tier": next(t for t in Tier.values if t != case.tier),
        "ref": "YS-2025-099" if case.proposal_ref == services.PROPOSAL_PENDING else "",
    }


def _try(actor, pk, name) -> bool:
    """Run one action through its service and undo it; True when the service carried it out."""
    with transaction.atomic():
        case = Case.objects.get(pk=pk)
        try:
            actions.run(actor, case, name, _inputs(case, name))
        except (Forbidden, ValidationError):
            done = False
        else:
            done = True
        transaction.set_rollback(True)
    return done


def test_every_offered_action_succeeds_and_every_withheld_one_is_refused(world, cases_in_every_state):
    tried = 0
    problems = []
    for persona in PERSONAS:
        actor = world.user(persona)
        for state, made in cases_in_every_state.items():
            try:
                case = case_get(actor, made.pk)
            except NotFound:
                continue
            # given what the page and the API offer this person on this case
            offered = set(actions.available_actions(actor, case))
            for name in actions.NAMES:
                # when the action is tried through its service
                done = _try(actor, case.pk, name)
                tried += 1
                # then the service agrees with the offer
                if done != (name in offered):
                    problems.append(f"{persona} · {state} · {name}: offered={name in offered} done={done}")
    assert not problems, "\n".join(problems)
    assert tried > 300  # the matrix really ran


def test_the_case_api_lists_the_actions_by_stable_name(world, client_for, cases_in_every_state):
    # given a dispatched case
    pk = cases_in_every_state["dispatched"].pk
    # when its assignee and its reporter read it
    worker = client_for("grid_worker").get(f"/api/v1/cases/{pk}").json()
    reporter = client_for("resident").get(f"/api/v1/cases/{pk}").json()
    # then each sees what they may do next
    assert worker["actions"] == actions.available_actions(world.user("grid_worker"), Case.objects.get(pk=pk))
    assert {"accept", "solve", "transfer", "return"} <= set(worker["actions"])
    assert reporter["actions"] == []


def test_the_case_page_offers_the_same_actions(world, client_for, cases_in_every_state):
    # given a solved case
    from django.urls import reverse

    pk = cases_in_every_state["solved"].pk
    # when its reporter opens the page
    page = client_for("resident").get(reverse("cases:case_detail", args=[pk])).content.decode()
    # then the confirm form is there and no staff action is
    assert actions.available_actions(world.user("resident"), Case.objects.get(pk=pk)) == ["confirm"]
    assert "确认评价" in page and "回访" not in page
