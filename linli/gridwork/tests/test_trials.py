"""The two-month trial and its assessment by the community: confirmed, extended, replaced."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.core import clock
from linli.core.errors import Forbidden
from linli.gridwork import selectors, services
from linli.gridwork.models import Trial
from linli.people.tests.factories import GridWorkerFactory
from linli.testing import PERSONAS, refused, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(world, crew):
    return GridWorkerFactory(name="周助理", kind="assistant", grids=[world.grid1], started_on=clock.today())


def test_a_trial_lasts_two_months_and_is_assessed_at_its_end(world, newcomer):
    secretary = world.user("community_secretary")
    trial = services.trial_start(actor=secretary, worker=newcomer, starts_on=dt.date(2026, 12, 31),
                                 trained_on=dt.date(2026, 12, 30))
    assert trial.ends_on == dt.date(2027, 2, 28) and trial.community == world.community1
    with refused("trial_open"):
        services.trial_start(actor=secretary, worker=newcomer)
    with refused("trial_not_over"):
        services.trial_assess(actor=secretary, trial=trial, outcome="confirmed")
    clock.freeze(clock.now().replace(year=2027, month=2, day=28))
    extended = services.trial_assess(actor=secretary, trial=trial, outcome="extended", assessment="走访记录不全",
                                     score=70)
    assert extended.outcome == "extended" and extended.ends_on == dt.date(2027, 3, 28) and extended.score == 70
    clock.freeze(clock.now().replace(month=3, day=28))
    done = services.trial_assess(actor=secretary, trial=extended, outcome="confirmed", score=88)
    assert done.outcome == "confirmed" and done.assessed_by == secretary
    with refused("trial_closed"):
        services.trial_assess(actor=secretary, trial=done, outcome="replaced", assessment="x")


def test_an_unfit_worker_may_be_replaced_before_the_end_with_a_reason(world, newcomer):
    secretary = world.user("community_secretary")
    trial = services.trial_start(actor=secretary, worker=newcomer)
    with pytest.raises(ValidationError):
        services.trial_assess(actor=secretary, trial=trial, outcome="replaced")
    with pytest.raises(ValidationError):
        services.trial_assess(actor=secretary, trial=trial, outcome="fired", assessment="x")
    replaced = services.trial_assess(actor=secretary, trial=trial, outcome="replaced", assessment="多次未按时报到")
    assert replaced.outcome == "replaced"
    summary = selectors.trial_summary(selectors.trial_list_visible_to(actor=secretary))
    assert (summary["total"], summary["replaced"]) == (1, 1)


@pytest.mark.parametrize("persona", ["grid_worker", "outsider", "branch_secretary", "resident"])
def test_only_the_community_and_above_run_trials(world, newcomer, persona):
    before = table_counts()
    with pytest.raises(Forbidden):
        services.trial_start(actor=world.user(persona), worker=newcomer)
    assert table_counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_trials_page_and_api_across_personas(world, newcomer, client_for, persona):
    trial = services.trial_start(actor=world.user("community_secretary"), worker=newcomer)
    client = client_for(persona)
    page = client.get(reverse("gridwork:trials"))
    listed = client.get("/api/v1/gridwork/trials")
    before = table_counts()
    assessed = client.post(f"/api/v1/gridwork/trials/{trial.pk}/assess",
                           {"outcome": "replaced", "assessment": "不胜任"}, content_type="application/json")
    if persona in ("community_secretary", "street_officer", "district_officer", "admin"):
        assert page.status_code == 200 and "周助理" in page.content.decode() and listed.json()["count"] == 1
        assert assessed.status_code == 200 and assessed.json()["outcome"] == "replaced"
        return
    if persona == "anonymous":
        assert page.status_code == 302 and listed.status_code == 401
    else:
        assert page.status_code in (200, 403) and listed.json()["count"] == 0
        assert "周助理" not in page.content.decode()
    assert assessed.status_code in (401, 404)
    assert table_counts() == before


def test_trials_page_starts_and_assesses(world, newcomer, client_for):
    page = client_for("community_secretary")
    page.post(reverse("gridwork:trials"), {"worker": newcomer.pk})
    trial = Trial.objects.get()
    answer = page.post(reverse("gridwork:trial_assess", args=[trial.pk]), {"outcome": "confirmed"}, follow=True)
    assert "届时再考核" in answer.content.decode() and Trial.objects.get().outcome == "pending"
