"""The API of grid work across personas: what each may do, nothing written on refusal, bad input 4xx."""

import datetime as dt

import pytest

from linli.cases.models import Case
from linli.core import clock
from linli.gridwork import services
from linli.gridwork.models import CheckIn, Finding, Patrol, Visit
from linli.gridwork.tests.conftest import building_of, photo
from linli.testing import PERSONAS, table_counts

pytestmark = pytest.mark.django_db
API = "/api/v1/gridwork"


def test_the_day_through_the_api(world, crew, client_for):
    api = client_for("grid_worker")
    answer = api.post(f"{API}/check-ins", {"grid_id": world.grid1.pk, "latitude": "37.81", "longitude": "112.55",
                                           "accuracy_m": 15, "photo": photo()})
    assert answer.status_code == 201, answer.content
    assert answer.json()["on_time"] and answer.json()["has_photo"] and answer.json()["accuracy_m"] == 15
    patrol = api.post(f"{API}/patrols", {"grid_id": world.grid1.pk}, content_type="application/json").json()
    stop = api.post(f"{API}/patrols/{patrol['id']}/stops", {"building_id": building_of(world.grid1).pk},
                    content_type="application/json")
    assert stop.status_code == 201 and stop.json()["stops"][0]["building"].endswith("1号楼")
    finding = api.post(f"{API}/patrols/{patrol['id']}/findings",
                       {"text": "消防通道堆放杂物", "building_id": building_of(world.grid1).pk,
                        "category": "safety-hazard", "photo": photo()})
    assert finding.status_code == 201, finding.content
    case = api.post(f"{API}/findings/{finding.json()['id']}/case")
    assert case.status_code == 201 and Case.objects.get(pk=case.json()["case_id"]).channel == "patrol"
    assert api.post(f"{API}/findings/{finding.json()['id']}/case").status_code == 200
    clock.advance(dt.timedelta(minutes=30))
    assert api.post(f"{API}/patrols/{patrol['id']}/end", {}, content_type="application/json").status_code == 200
    visit = api.post(f"{API}/visits", {"household_id": world.household1.pk, "minutes": 45, "purpose": "care",
                                       "notes": "身体不错", "follow_up": "代办医保", "follow_up_due": "2026-12-14"},
                     content_type="application/json")
    assert visit.status_code == 201, visit.content
    clock.advance(dt.timedelta(hours=7))
    assert api.post(f"{API}/check-out").status_code == 200
    mine = api.get(f"{API}/figures/me").json()
    assert (mine["patrols"], mine["findings"], mine["findings_to_cases"], mine["visits"]) == (1, 1, 1, 1)
    assert mine["visit_minutes"] == 45 and mine["working_minutes"] == 450 and mine["punctuality"] == 1.0


@pytest.mark.parametrize("persona", PERSONAS)
def test_check_in_across_personas_only_the_registered_worker(world, crew, client_for, persona):
    before = table_counts()
    answer = client_for(persona).post(f"{API}/check-ins", {"grid_id": world.grid1.pk})
    if persona == "grid_worker":
        assert answer.status_code == 201
        return
    assert answer.status_code in (401, 403)
    assert table_counts() == before


def test_refusals_answer_their_code_and_write_nothing(world, crew, client_for):
    api = client_for("grid_worker")
    before = table_counts()
    answer = api.post(f"{API}/check-ins", {"grid_id": world.grid2.pk})
    assert (answer.status_code, answer.json()["code"]) == (400, "outside_grids")
    far_visit = api.post(f"{API}/visits", {"household_id": world.far_resident.household_id, "minutes": 30},
                         content_type="application/json")
    assert far_visit.status_code == 404
    late = api.post(f"{API}/visits", {"household_id": world.household1.pk, "minutes": 30,
                                      "visited_at": (clock.now() - dt.timedelta(days=30)).isoformat()},
                    content_type="application/json")
    assert (late.status_code, late.json()["code"]) == (400, "backdated_too_far")
    assert table_counts() == before
    api.post(f"{API}/check-ins", {"grid_id": world.grid1.pk})
    before = table_counts()
    again = api.post(f"{API}/check-ins", {"grid_id": world.grid1.pk})
    assert (again.status_code, again.json()["code"]) == (409, "already_checked_in")
    patrol = services.patrol_start(actor=world.user("grid_worker"), grid=world.grid1)
    before = table_counts()
    early = api.post(f"{API}/patrols/{patrol.pk}/end", {"ended_at": (clock.now() - dt.timedelta(hours=1)).isoformat()},
                     content_type="application/json")
    assert (early.status_code, early.json()["code"]) == (400, "ends_before_start")
    assert table_counts() == before


def test_another_workers_patrol_is_out_of_sight_or_not_mine(world, crew, client_for):
    _, far = crew
    patrol = Patrol.objects.create(worker=far, grid=world.grid4, started_at=clock.now())
    before = table_counts()
    assert client_for("grid_worker").post(f"{API}/patrols/{patrol.pk}/end", {}, content_type="application/json") \
        .status_code == 404
    assert client_for("district_officer").post(f"{API}/patrols/{patrol.pk}/end", {},
                                               content_type="application/json").status_code == 403
    assert table_counts() == before


@pytest.mark.parametrize("body", [
    {"grid_id": "abc"}, {"grid_id": 2**70}, {"grid_id": 1, "latitude": "north"}, {"grid_id": 1, "latitude": 300},
    {"grid_id": 1, "accuracy_m": -5}, {},
])
def test_bad_check_in_input_is_a_4xx_never_a_500(world, crew, client_for, body):
    before = table_counts()
    answer = client_for("grid_worker").post(f"{API}/check-ins", body)
    assert 400 <= answer.status_code < 500
    assert table_counts() == before


@pytest.mark.parametrize("path, body", [
    ("/visits", {"household_id": "x"}), ("/visits", {"household_id": 1, "minutes": 0}),
    ("/visits", {"household_id": 1, "visited_at": "yesterday"}), ("/visits", {"household_id": 1, "purpose": "x" * 99}),
    ("/patrols", {"grid_id": None}), ("/patrols/1/stops", {"building_id": -1}),
    ("/patrols/99999999999999999999/end", {}), ("/tasks", {"grid_id": 1, "matter": "fee_collection"}),
])
def test_bad_json_input_is_a_4xx_never_a_500(world, crew, client_for, path, body):
    before = table_counts()
    answer = client_for("grid_worker").post(API + path, body, content_type="application/json")
    assert 400 <= answer.status_code < 500, answer.content
    assert table_counts() == before


def test_a_bad_month_is_422(world, crew, client_for):
    assert client_for("grid_worker").get(f"{API}/figures/me?month=2026-13").status_code == 422
    assert client_for("community_secretary").get(f"{API}/figures?month=x").status_code == 422


def test_team_figures_are_for_officers_and_count_their_workers_only(world, crew, client_for):
    worker, far = crew
    services.check_in(actor=world.user("grid_worker"), grid=world.grid1)
    services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=300, purpose="care")
    clock.advance(dt.timedelta(hours=8))
    services.check_out(actor=world.user("grid_worker"))
    Visit.objects.create(worker=far, household=world.far_resident.household, grid=world.grid4, visited_at=clock.now(),
                         minutes=20, purpose="care")
    answer = client_for("community_secretary").get(f"{API}/figures")
    assert answer.status_code == 200
    body = answer.json()
    assert [row["name"] for row in body["items"]] == [worker.name]
    assert body["total"]["visits"] == 1 and body["items"][0]["meets_visit_rule"] is True
    assert body["grids"][0]["name"] == "康宁一网格"
    district = client_for("district_officer").get(f"{API}/figures").json()
    assert district["total"]["visits"] == 2 and len(district["items"]) == 2
    for persona in ("grid_worker", "resident", "branch_secretary", "property_staff"):
        assert client_for(persona).get(f"{API}/figures").status_code == 403


@pytest.mark.parametrize("kind", ["check-ins", "patrols", "findings", "visits", "tasks"])
def test_lists_leave_out_rows_of_other_places(world, crew, client_for, kind):
    _, far = crew
    patrol = Patrol.objects.create(worker=far, grid=world.grid4, started_at=clock.now())
    CheckIn.objects.create(worker=far, grid=world.grid4)
    Finding.objects.create(patrol=patrol, building=building_of(world.grid4), text="井盖缺失")
    Visit.objects.create(worker=far, household=world.far_resident.household, grid=world.grid4, visited_at=clock.now(),
                         minutes=20, purpose="care")
    from linli.gridwork.models import GridTask

    GridTask.objects.create(grid=world.grid4, matter="policy", title="宣传", department="民政",
                            pushed_by=world.user("district_officer"))
    assert client_for("district_officer").get(f"{API}/{kind}").json()["count"] == 1
    for persona in ("grid_worker", "community_secretary", "street_officer", "resident"):
        answer = client_for(persona).get(f"{API}/{kind}")
        assert answer.status_code == 200 and answer.json()["count"] == 0, persona


def test_duties_and_admission_list(world, client_for):
    body = client_for("grid_worker").get(f"{API}/duties").json()
    assert len(body["grid_worker"]) == 8 and len(body["assistant"]) == 6 and body["admitted"] and body["not_admitted"]
