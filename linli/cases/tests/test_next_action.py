"""The case page puts the next action first, as one button or one open form; the others fold away below."""

import pytest
from django.urls import reverse

from linli.cases import services

pytestmark = pytest.mark.django_db


def _case_link(case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def _actions_card(page: str) -> str:
    return page[page.index('id="case-actions"'):page.index("<h2>办理记录</h2>")]


def test_the_grid_workers_next_action_is_one_button_and_the_rest_fold_away(world, open_case, client_for):
    # given a new case in the grid worker's grid, on his home page
    case = open_case()
    worker = client_for("grid_worker")
    home = worker.get("/").content.decode()
    assert _case_link(case) in home[home.index('id="work-now"'):]
    # when he opens it
    page = worker.get(_case_link(case)).content.decode()
    # then taking it is the one plain button on top, dispatching and the rest are folded below
    actions_card = _actions_card(page)
    top = actions_card[:actions_card.index("</form>")]
    assert 'class="stacked next-action"' in top and ">接单</button>" in top and "<textarea" not in top
    assert "<summary>派单</summary>" in actions_card and "<summary>接单</summary>" not in actions_card
    # when he taps it
    response = worker.post(reverse("cases:case_action", args=[case.pk, "take"]))
    assert response.status_code == 302
    # then solving is what comes next, an open form with the result to write
    page = worker.get(_case_link(case)).content.decode()
    actions_card = _actions_card(page)
    top = actions_card[:actions_card.index("</form>")]
    assert ">办结</button>" in top and 'name="note"' in top
    assert "接单" not in actions_card


def test_the_compounds_secretary_takes_in_one_tap_what_no_grid_worker_holds(world, open_case, client_for):
    # given resident1's case on 3号楼, whose grid has no worker
    from linli.places.tests.factories import BuildingFactory

    building = BuildingFactory(compound=world.compound1, grid=world.grid2, number="3号楼")
    case = open_case(building=building.pk)
    # when the branch secretary opens it
    page = _actions_card(client_for("branch_secretary").get(_case_link(case)).content.decode())
    # then taking it is her one button
    top = page[:page.index("</form>")]
    assert 'class="stacked next-action"' in top and ">接单</button>" in top


def test_others_get_no_button_pushed_at_them(world, open_case, client_for):
    # given a new case the grid worker holds
    case = open_case()
    # when the branch secretary of the compound opens it
    page = client_for("branch_secretary").get(_case_link(case)).content.decode()
    # then she may take it (a plain secondary button) or dispatch it, but nothing is put first
    assert "next-action" not in page
    assert '<button type="submit" class="secondary">接单</button>' in page
    assert "<summary>派单</summary>" in page


def test_the_reporter_confirms_from_an_open_form(world, open_case, client_for):
    # given the resident's case, solved
    case = open_case()
    worker = world.user("grid_worker")
    services.case_take(actor=worker, case=case)
    services.case_solve(actor=worker, case=case, note="已清理")
    # when the resident opens it
    page = client_for("resident").get(_case_link(case)).content.decode()
    # then rating it is the open form on top
    top = _actions_card(page)
    top = top[:top.index("</form>")]
    assert "next-action" in top and 'name="rating"' in top and ">确认评价</button>" in top
