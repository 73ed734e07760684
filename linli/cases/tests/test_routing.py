"""Every case has someone on its first line from the moment it is filed; the dispatch list offers exactly
the people the dispatch accepts; staff of the area take a waiting case in one tap."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from linli.accounts.models import Role
from linli.cases import actions, routing, selectors, services
from linli.cases.access import case_get
from linli.cases.models import Case, CaseEvent, Notification, Status
from linli.core import clock
from linli.core.errors import Forbidden, NotFound
from linli.core.models import AuditEntry
from linli.places.tests.factories import BuildingFactory
from linli.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def building3(world):
    """3号楼 of the resident's compound lies in the neighbouring grid (grid2), which has no worker."""
    return BuildingFactory(compound=world.compound1, grid=world.grid2, number="3号楼")


def _case_link(case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def _told(case) -> set[str]:
    return set(Notification.objects.filter(link=_case_link(case)).values_list("user__username", flat=True))


def _dispatch_accepted(actor, case, assignee) -> bool:
    with transaction.atomic():
        try:
            services.case_dispatch(actor=actor, case=Case.objects.get(pk=case.pk), assignee=assignee)
        except ValidationError as exc:
            assert exc.message_dict["assignee"] == ["承办人须为能看到该诉求所在小区的工作人员。"]
            done = False
        else:
            done = True
        transaction.set_rollback(True)
    return done


# ---------------------------------------------------------------- the first line


@pytest.mark.parametrize(("where", "first_line"), [
    # the grid worker of the grid the compound lies in (the case names no building)
    ("compound1", {"grid1"}),
    # 3号楼's grid has no worker: the compound's branch secretary
    ("building3", {"branch1"}),
    # no grid worker, and the compound's property staff may not edit: the community
    ("compound2", {"community1"}),
    # nobody in the grid, the compound or the community: the street
    ("compound3", {"street1"}),
    # the community's own worker
    ("compound4", {"outsider1"}),
])
def test_the_first_line_is_the_nearest_node_with_someone_and_only_they_are_told(
        world, open_case, building3, where, first_line):
    # given a case filed for that place (by the resident at home, by hotline elsewhere)
    if where in ("compound1", "building3"):
        case = open_case(building=building3.pk if where == "building3" else None)
    else:
        case = services.case_open(actor=world.user("admin"), intake=services.Intake(
            category="sanitation", description="楼道堆物", compound=getattr(world, where).pk, channel="hotline",
            contact_phone="13900000000"))
    # when its first line is worked out
    responsible = routing.responsible_for(case)
    # then it is the nearest node's staff, and only they were told at filing
    assert {u.username for u in responsible} == first_line
    assert _told(case) == first_line
    # and each of them sees the case in their work area and is offered to take it
    for user in responsible:
        assert case_get(user, case.pk) == case
        assert "take" in actions.available_actions(user, case)


def test_with_nobody_on_the_tree_the_administrators_hold_the_case(world, open_case):
    # given a district with no staff left but the system administrator
    from linli.accounts.models import Assignment

    Assignment.objects.exclude(role=Role.RESIDENT).delete()
    # when a case is filed
    case = open_case()
    # then the administrator holds it rather than nobody
    assert [u.username for u in routing.responsible_for(case)] == ["admin"]


def test_an_inactive_grid_worker_hands_the_first_line_up(world, open_case):
    # given the only grid worker's account is switched off
    worker = world.user("grid_worker")
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    # when a case is filed in his grid
    case = open_case()
    # then the compound's branch secretary holds it
    assert [u.username for u in routing.responsible_for(case)] == ["branch1"]


# ---------------------------------------------------------------- the dispatch list


def test_the_dispatch_list_offers_exactly_who_the_dispatch_accepts(world, open_case, building3):
    # given staff of every kind, in and out of the case's sight, a worker of 3号楼's grid among them
    grid2 = make_user("grid2", Role.GRID_WORKER, world.grid2)
    make_user("grid2off", Role.GRID_WORKER, world.grid2, is_active=False)
    make_user("committee1", Role.COMMITTEE_MEMBER, world.compound1)
    make_user("grid3", Role.GRID_WORKER, world.grid3)
    case = open_case(building=building3.pk)
    staff = [u for u in world.users.values() if u is not None and u.username != "resident1"]
    staff += list(type(grid2).objects.filter(username__in=["grid2", "grid2off", "committee1", "grid3"]))
    # when the community secretary opens the dispatch list
    offered = {u.username for u in selectors.assignee_candidates(case=case)}
    # then everyone offered can be given the case, and every staff member not offered is refused
    by = world.user("community_secretary")
    assert {u.username for u in staff if _dispatch_accepted(by, case, u)} == offered
    # (the grid worker of 3号楼 first; the worker of the other grid of the compound is not offered)
    assert offered == {"grid2", "branch1", "committee1", "community1", "street1", "district1", "admin"}
    assert selectors.assignee_candidates(case=case)[0].label == "grid2（网格员）"


def test_the_worker_of_another_grid_of_the_compound_is_neither_offered_nor_accepted(
        world, open_case, building3, client_for):
    # given resident1 files a case for 3号楼, which lies in another grid than grid1's
    case = open_case(building=building3.pk)
    # when branch1 opens its page and its dispatch list
    page = client_for("branch_secretary").get(_case_link(case)).content.decode()
    # then grid1 is not offered, and dispatching to him is refused as before
    grid1 = world.user("grid_worker")
    assert f'value="{grid1.pk}"' not in page
    with pytest.raises(ValidationError):
        services.case_dispatch(actor=world.user("branch_secretary"), case=case, assignee=grid1)
    # and branch1, who holds the case, takes it from the page
    assert client_for("branch_secretary").post(reverse("cases:case_action", args=[case.pk, "take"])).status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == world.user("branch_secretary")


# ---------------------------------------------------------------- taking a case


def test_the_grid_worker_takes_a_new_case_in_one_step(world, open_case, frozen, django_capture_on_commit_callbacks):
    # given a new case in the grid worker's grid
    case = open_case()
    worker = world.user("grid_worker")
    clock.advance(dt.timedelta(minutes=4))
    # when he takes it
    services.case_take(actor=worker, case=case, note="马上到")
    # then it is his and accepted, the arrival clock stopped, the solving one runs
    case.refresh_from_db()
    assert (case.status, case.assignee, case.level) == (Status.ACCEPTED, worker, "compound")
    assert case.dispatched_at == case.accepted_at == clock.now()
    assert case.due_at == case.solve_by
    # and the timeline, the audit log and the resident say so
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.OPENED, CaseEvent.Kind.ACCEPTED]
    assert case.events.last().text == "已接单，到场处理：马上到"
    assert AuditEntry.objects.filter(object_id=str(case.pk), action="case.take").exists()
    assert Notification.objects.filter(user=world.user("resident"), text__contains="已有人接单").exists()
    # and nobody can take it again, nor is it offered to anyone
    with pytest.raises(ValidationError):
        services.case_take(actor=world.user("branch_secretary"), case=case)
    assert "take" not in actions.available_actions(world.user("branch_secretary"), case)


def test_a_late_take_says_so(world, open_case, frozen):
    case = open_case()
    clock.advance(dt.timedelta(minutes=11))
    services.case_take(actor=world.user("grid_worker"), case=case)
    assert "已超过到场时限" in case.events.last().text


def test_a_returned_case_can_be_taken_again(world, open_case):
    # given a case dispatched to the grid worker and returned by him
    worker = world.user("grid_worker")
    case = services.case_dispatch(actor=world.user("community_secretary"), case=open_case(), assignee=worker)
    services.case_return(actor=worker, case=case, reason="非本人职责")
    # when the branch secretary takes it
    services.case_take(actor=world.user("branch_secretary"), case=case)
    # then it is hers
    case.refresh_from_db()
    assert (case.status, case.assignee) == (Status.ACCEPTED, world.user("branch_secretary"))


def test_a_grid_worker_neither_reads_nor_takes_a_case_outside_his_grid(world, open_case, building3, client_for):
    # given a case on 3号楼, in the neighbouring grid of the same compound
    case = open_case(building=building3.pk)
    worker = world.user("grid_worker")
    # then he cannot read it (404 on the page and the API) nor take it
    with pytest.raises(NotFound):
        case_get(worker, case.pk)
    assert client_for("grid_worker").get(_case_link(case)).status_code == 404
    assert client_for("grid_worker").post(reverse("cases:case_action", args=[case.pk, "take"])).status_code == 404
    assert client_for("grid_worker").post(f"/api/v1/cases/{case.pk}/take").status_code == 404
    assert "take" not in actions.available_actions(worker, case)
    with pytest.raises(Forbidden):
        services.case_take(actor=worker, case=case)
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_staff_who_reported_a_case_at_home_do_not_take_it(world):
    # given a grid worker of grid1 who lives in compound4 and reports a case there as a resident
    user = make_user("gridhome", Role.GRID_WORKER, world.grid1)
    world.far_resident.user = user
    world.far_resident.save()
    case = services.case_open(actor=user, intake=services.Intake(
        category="sanitation", description="楼下垃圾没人清", compound=world.compound4.pk))
    # then he reads his own case but is not offered to take it, and taking it is refused
    assert case_get(user, case.pk) == case
    assert "take" not in actions.available_actions(user, case)
    with pytest.raises(Forbidden):
        services.case_take(actor=user, case=case)


def test_staff_who_reported_a_case_at_home_are_not_dispatched_it(world):
    # given a grid worker of grid1 who lives in compound4 and reports a case there as a resident
    user = make_user("gridhome2", Role.GRID_WORKER, world.grid1)
    world.far_resident.user = user
    world.far_resident.save()
    case = services.case_open(actor=user, intake=services.Intake(
        category="sanitation", description="楼下垃圾没人清", compound=world.compound4.pk))
    # when an officer of that area tries to dispatch it to him
    with pytest.raises(ValidationError) as refused:
        services.case_dispatch(actor=world.user("admin"), case=case, assignee=user)
    # then it is refused: his home is not his work area, and the list never offered him
    assert "assignee" in refused.value.message_dict
    assert user not in selectors.assignee_candidates(case=case)
    case.refresh_from_db()
    assert case.assignee_id is None


def test_only_staff_who_may_edit_take_a_case(world):
    # given a property staff member who sees a case in their compound but edits nothing
    case = services.case_open(actor=world.user("admin"), intake=services.Intake(
        category="sanitation", description="楼道堆物", compound=world.compound2.pk, channel="hotline",
        contact_phone="13900000000"))
    staff = world.user("property_staff")
    assert case_get(staff, case.pk) == case
    # then taking it is neither offered nor allowed
    assert "take" not in actions.available_actions(staff, case)
    with pytest.raises(Forbidden):
        services.case_take(actor=staff, case=case)


def test_taking_through_the_api(world, open_case, client_for):
    # given a new case in the grid worker's grid
    case = open_case()
    # when he takes it through the API
    response = client_for("grid_worker").post(f"/api/v1/cases/{case.pk}/take", json.dumps({}),
                                              content_type="application/json")
    # then it is accepted and what he may do next is listed
    body = response.json()
    assert response.status_code == 200 and body["status"] == Status.ACCEPTED
    assert "take" not in body["actions"] and "solve" in body["actions"]
