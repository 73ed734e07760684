"""Visit plans: a care group of a grid visited every N days; the households overdue, for the worker and
the community."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.core import clock
from linli.core.errors import Forbidden
from linli.gridwork import selectors, services
from linli.gridwork.models import VisitPlan
from linli.people.models import CareTag
from linli.testing import PERSONAS, refused, table_counts

pytestmark = pytest.mark.django_db


def test_overdue_households_are_those_not_visited_within_the_period(world, alone):
    _, plan = alone
    worker = world.user("grid_worker")
    with clock.frozen(clock.now() - dt.timedelta(days=2)):
        services.visit_record(actor=worker, household=world.household1, minutes=30, purpose="care")
    status, = selectors.plan_status_visible_to(actor=worker, worker=worker.grid_worker)
    assert (status.total, status.on_schedule) == (2, 1)
    assert [h.pk for h in status.overdue] == [world.neighbour.household_id]
    clock.advance(dt.timedelta(days=29))
    status, = selectors.plan_status_visible_to(actor=world.user("community_secretary"))
    assert status.on_schedule == 0 and [h.pk for h in status.overdue] == [world.neighbour.household_id,
                                                                          world.household1.pk]
    assert selectors.plan_status_visible_to(actor=world.user("outsider")) == []


def test_setting_a_plan_again_changes_its_period(world, alone):
    tag, plan = alone
    again = services.plan_set(actor=world.user("community_secretary"), grid=world.grid1, care_tag=tag, every_days=14)
    assert again.pk == plan.pk and VisitPlan.objects.get().every_days == 14


def test_plan_rules(world, alone):
    tag, _ = alone
    before = table_counts()
    with pytest.raises(Forbidden):
        services.plan_set(actor=world.user("grid_worker"), grid=world.grid1, care_tag=tag)
    with refused("grid_out_of_sight"):
        services.plan_set(actor=world.user("community_secretary"), grid=world.grid4, care_tag=tag)
    with pytest.raises(ValidationError, match="走访周期"):
        services.plan_set(actor=world.user("community_secretary"), grid=world.grid2, care_tag=tag, every_days=0)
    assert table_counts() == before


def test_the_worker_sees_overdue_households_on_today_page(world, alone, client_for):
    shown = client_for("grid_worker").get(reverse("gridwork:today")).content.decode()
    assert "逾期未访：独居" in shown and "从未走访" in shown


@pytest.mark.parametrize("persona", PERSONAS)
def test_plans_page_and_api_across_personas(world, alone, client_for, persona):
    client = client_for(persona)
    page = client.get(reverse("gridwork:plans"))
    listed = client.get("/api/v1/gridwork/visit-plans")
    before = table_counts()
    written = client.post("/api/v1/gridwork/visit-plans", {"grid_id": world.grid2.pk, "care_tag": "living_alone"},
                          content_type="application/json")
    if persona == "anonymous":
        assert page.status_code == 302 and listed.status_code == 401 and written.status_code == 401
    elif persona in ("community_secretary", "street_officer", "district_officer", "admin"):
        assert page.status_code == 200 and listed.json()["count"] == 1
        assert written.status_code == 200 and written.json()["households"] == 0
        return
    elif persona == "outsider":
        assert page.status_code == 200 and listed.json()["count"] == 0 and written.status_code == 404
    else:
        assert page.status_code == 403
        assert listed.json()["count"] == (1 if persona == "grid_worker" else 0)
        assert written.status_code in (403, 404)
    assert table_counts() == before


def test_a_plan_for_an_unknown_care_tag_is_refused(world, alone, client_for):
    answer = client_for("community_secretary").post("/api/v1/gridwork/visit-plans",
                                                    {"grid_id": world.grid1.pk, "care_tag": "nope"},
                                                    content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (400, "unknown_care_tag")


def test_plan_status_reads_in_four_queries_whatever_the_number_of_plans(world, alone, django_assert_num_queries):
    tag, _plan = alone
    secretary = world.user("community_secretary")
    selectors.plan_status_visible_to(actor=secretary)  # the scope is cached from here on
    with django_assert_num_queries(4):
        one = selectors.plan_status_visible_to(actor=secretary)
    elderly, _ = CareTag.objects.get_or_create(code="elderly_alone", defaults={"name": "高龄"})
    world.neighbour.care_tags.add(elderly)
    services.plan_set(actor=secretary, grid=world.grid1, care_tag=elderly, every_days=7)
    services.plan_set(actor=secretary, grid=world.grid2, care_tag=tag, every_days=30)
    with django_assert_num_queries(4):
        three = selectors.plan_status_visible_to(actor=secretary)
    assert len(one) == 1 and len(three) == 3
    by_plan = {(s.plan.grid_id, s.plan.care_tag_id): s for s in three}
    assert (by_plan[world.grid1.pk, elderly.pk].total, by_plan[world.grid1.pk, tag.pk].total) == (1, 2)
    assert by_plan[world.grid2.pk, tag.pk].total == 0
    assert [h.pk for h in by_plan[world.grid1.pk, elderly.pk].overdue] == [world.neighbour.household_id]
