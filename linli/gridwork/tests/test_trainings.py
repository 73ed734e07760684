"""Training records per worker: recorded by their community (or above), listed in sight, refusals write nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from linli.core import clock
from linli.core.errors import Forbidden
from linli.gridwork import selectors, services
from linli.gridwork.models import Training
from linli.people.tests.factories import GridWorkerFactory
from linli.testing import PERSONAS, refused, table_counts

pytestmark = pytest.mark.django_db
API = "/api/v1/gridwork/trainings"


def _record(world, worker, **extra):
    data = {"course": "网格员业务培训", "held_on": clock.today() - dt.timedelta(days=3), "hours": 4,
            "certificate": "结业证书 2026-118", **extra}
    return services.training_record(actor=world.user("community_secretary"), worker=worker, **data)


def test_a_community_records_its_workers_training_and_the_rules_refuse_the_rest(world, crew):
    worker, far = crew
    training = _record(world, worker)
    assert (training.grid_id, training.hours, training.recorded_by) == (world.grid1.pk, Decimal(4),
                                                                        world.user("community_secretary"))
    before = table_counts()
    with pytest.raises(Forbidden):  # far works in another street
        _record(world, far)
    with pytest.raises(Forbidden):
        services.training_record(actor=world.user("grid_worker"), worker=worker, course="自学", held_on=clock.today(),
                                 hours=1)
    with refused("training_in_future"):
        _record(world, worker, held_on=clock.today() + dt.timedelta(days=1))
    with refused("bad_hours"):
        _record(world, worker, hours="两小时")
    with pytest.raises(Exception, match="学时"):
        _record(world, worker, hours=0)
    with refused("worker_without_grid"):
        _record(world, GridWorkerFactory(name="无网格", grids=[]))
    assert table_counts() == {**before, "people.gridworker": before["people.gridworker"] + 1}


def test_the_list_leaves_out_what_is_out_of_sight(world, crew):
    worker, far = crew
    mine = _record(world, worker)
    theirs = Training.objects.create(worker=far, grid=world.grid4, course="安全培训", held_on=clock.today(), hours=2,
                                     recorded_by=world.user("admin"))
    seen = {p: {t.pk for t in selectors.training_list_visible_to(actor=world.user(p))}
            for p in ("grid_worker", "community_secretary", "district_officer", "outsider", "resident")}
    assert seen["grid_worker"] == seen["community_secretary"] == {mine.pk}
    assert seen["district_officer"] == {mine.pk, theirs.pk}
    assert mine.pk not in seen["outsider"] and theirs.pk in seen["outsider"]
    assert seen["resident"] == set()


PAGE = {"anonymous": 302, "resident": 403, "grid_worker": 200, "community_secretary": 200, "branch_secretary": 403,
        "property_staff": 403, "street_officer": 200, "district_officer": 200, "outsider": 200, "admin": 200}
# Who may record a training of grid1's worker (the community, the street, the district, the admin).
RECORD = {"anonymous": 401, "resident": 404, "grid_worker": 403, "community_secretary": 201, "branch_secretary": 404,
          "property_staff": 404, "street_officer": 201, "district_officer": 201, "outsider": 404, "admin": 201}


@pytest.mark.parametrize("persona", PERSONAS)
def test_training_pages_and_api_across_personas(world, crew, client_for, persona):
    worker, _far = crew
    client = client_for(persona)
    assert client.get(reverse("gridwork:trainings")).status_code == PAGE[persona]
    assert client.get(API).status_code == (401 if persona == "anonymous" else 200)
    before = table_counts()
    answer = client.post(API, {"worker_id": worker.pk, "course": "矛盾调解实务", "held_on": "2026-12-01", "hours": "3.5"},
                         content_type="application/json")
    assert answer.status_code == RECORD[persona], answer.content
    if answer.status_code == 201:
        assert answer.json()["worker_name"] == worker.name and Training.objects.get().hours == Decimal("3.5")
    else:
        assert table_counts() == before
    bad = client.post(API, {"worker_id": worker.pk, "course": "x", "held_on": "2026-13-01", "hours": "-1"},
                      content_type="application/json")
    assert bad.status_code in (401, 422)


def test_a_secretary_records_a_training_on_the_page(world, crew, client_for):
    worker, _far = crew
    page = client_for("community_secretary")
    answer = page.post(reverse("gridwork:trainings"), {"worker": worker.pk, "course": "入户走访技巧",
                                                       "held_on": "2026-12-02", "hours": "2", "certificate": ""})
    assert answer.status_code == 302
    assert "入户走访技巧" in page.get(reverse("gridwork:trainings")).content.decode()
    mine = client_for("grid_worker").get(reverse("gridwork:trainings")).content.decode()
    assert "入户走访技巧" in mine and "登记培训" not in mine
