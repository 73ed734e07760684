"""Figures against hand-built cases whose every timestamp is known (clock frozen)."""

import datetime as dt

import pytest
from django.db import connection

from linli.cases import figures, rollups, services
from linli.cases.models import Case, Escalation, ServiceCategory, Status
from linli.cases.tests.conftest import START
from linli.core import clock
from linli.testing import PERSONAS

MIN = dt.timedelta(minutes=1)
NOW = START + dt.timedelta(days=2)
PERIOD = {"since": "2025-03-01", "until": "2025-03-05"}


def make(compound, tier="ordinary", at=START, *, accepted=None, solved=None, rating="", reopened=0,
         solve_by=None, status=None, escalations=()):
    """One case: `accepted`/`solved` in minutes after filing; deadlines from the tier's 1341 limits."""
    arrive_by, default_solve_by = services.deadlines(tier, at)
    if status is None:
        status = Status.CLOSED if rating and rating != "unsatisfied" else Status.SOLVED if solved else Status.NEW
    case = Case.objects.create(
        category=ServiceCategory.objects.get(code="sanitation"), tier=tier, description="测试", compound=compound,
        requested_at=at, updated_at=at, arrive_by=arrive_by, solve_by=solve_by or default_solve_by,
        accepted_at=at + accepted * MIN if accepted is not None else None,
        solved_at=at + solved * MIN if solved is not None else None, rating=rating, reopen_count=reopened,
        status=status)
    for reason in escalations:
        Escalation.objects.create(case=case, from_level="compound", to_level="community", reason=reason, at=at)
    return case


@pytest.fixture
def cases(world):
    """Six cases in street1 in the period, one in street2, one in street1 before the period."""
    clock.freeze(NOW)
    c = world
    make(c.compound1, accepted=5, solved=20, rating="satisfied")
    make(c.compound1, accepted=12, solved=40, rating="basic", escalations=["arrive"])  # late twice
    # unsatisfied, reopened with a fresh deadline, solved again in time
    make(c.compound1, accepted=8, solved=60, rating="unsatisfied", reopened=1, solve_by=START + 90 * MIN)
    make(c.compound1, escalations=["arrive"])  # nobody came: both deadlines long past
    make(c.compound2, "complex", accepted=3, solved=200, rating="satisfied")
    make(c.compound3, "complex", at=NOW - 5 * MIN)  # just filed: nothing due yet
    make(c.compound4, accepted=1, solved=10, rating="satisfied")  # another street
    make(c.compound1, at=START - dt.timedelta(days=30), accepted=1, solved=5)  # before the period


def test_street_figures_per_tier_and_per_community(world, cases):
    # when the street officer asks for the period
    f = figures.case_figures(actor=world.user("street_officer"), filters=PERIOD)
    # then the whole street: 6 cases, 3 of 5 arrivals and 3 of 5 solvings on time
    t = f.total
    assert (f.kind, f.label) == ("unit", "坞城街道")
    assert (t.cases, t.arrive_on_time, t.arrive_due, t.arrive_pct) == (6, 3, 5, 60.0)
    assert (t.solve_on_time, t.solve_due, t.solve_pct) == (3, 5, 60.0)
    # handling 20, 40, 60, 200 minutes: mean 80; 90th percentile at 0.9·3 = 2.7 → 60 + 0.7·140 = 158
    assert t.solved == 4 and t.handling_avg == 80 * MIN and t.handling_p90 == 158 * MIN
    assert (t.rated, t.satisfied, t.satisfaction_pct) == (4, 3, 75.0)
    assert (t.escalations, t.reopened) == (2, 1)
    # and per tier
    ordinary, complex_, major = f.tiers
    assert (ordinary.cases, ordinary.arrive_pct, ordinary.solve_pct) == (4, 50.0, 50.0)
    assert ordinary.handling_avg == 40 * MIN and ordinary.handling_p90 == 56 * MIN  # 40 + 0.8·20
    assert (ordinary.satisfaction_pct, ordinary.escalations, ordinary.reopened) == (66.7, 2, 1)
    assert (complex_.cases, complex_.arrive_due, complex_.arrive_pct, complex_.solve_pct) == (2, 1, 100.0, 100.0)
    assert complex_.handling_p90 == 200 * MIN and complex_.satisfaction_pct == 100.0
    assert (major.cases, major.arrive_pct, major.handling_avg, major.handling_p90) == (0, None, None, None)
    # and one row per community of the street
    assert f.children_label == "社区"
    assert [(r.label, r.cases, r.solved, r.escalations) for r in f.children] == [
        ("康宁社区", 5, 4, 2), ("双东社区", 1, 0, 0)]
    assert f.children[0].handling_p90 == 158 * MIN
    assert f.children[0].link == f"unit={world.community1.pk}"


def test_community_secretary_sees_compound_rows(world, cases):
    f = figures.case_figures(actor=world.user("community_secretary"), filters=PERIOD)
    assert f.label == "康宁社区" and f.children_label == "小区"
    assert [(r.label, r.cases, r.avg_minutes) for r in f.children] == [("幸福苑", 1, 200.0), ("康宁小区", 4, 40.0)]


def test_grid_and_compound_nodes(world, cases):
    officer = world.user("district_officer")
    grid = figures.case_figures(actor=officer, filters={**PERIOD, "grid": world.grid1.pk})
    assert (grid.kind, grid.total.cases, [r.label for r in grid.children]) == ("grid", 4, ["康宁小区"])
    compound = figures.case_figures(actor=officer, filters={**PERIOD, "compound": world.compound2.pk})
    assert (compound.total.cases, compound.total.solve_pct, compound.children) == (1, 100.0, [])
    # the grid worker starts at the grid
    assert figures.case_figures(actor=world.user("grid_worker"), filters=PERIOD).label == "康宁一网格"


def test_district_sees_both_streets_and_the_period_bounds(world, cases):
    officer = world.user("district_officer")
    f = figures.case_figures(actor=officer, filters=PERIOD)
    assert f.total.cases == 7 and [(r.label, r.cases) for r in f.children] == [("坞城街道", 6), ("营盘街道", 1)]
    # the period is inclusive of both days and counts by filing date
    earlier = figures.case_figures(actor=officer, filters={"since": "2025-02-01", "until": "2025-02-01"})
    assert earlier.total.cases == 1
    tier = figures.case_figures(actor=officer, filters={**PERIOD, "tier": "complex"})
    assert [r.key for r in tier.tiers] == ["complex"] and tier.total.cases == 2


def test_a_node_out_of_sight_is_not_found(world, cases):
    from linli.core.errors import NotFound

    with pytest.raises(NotFound):
        figures.case_figures(actor=world.user("community_secretary"), filters={"unit": world.street1.pk})
    with pytest.raises(NotFound):
        figures.case_figures(actor=world.user("outsider"), filters={"compound": world.compound1.pk})


@pytest.mark.parametrize("filters,field", [({"since": "03/01"}, "since"), ({"since": "2025-03-05", "until": "2025-03-01"},
                                                                           "since"), ({"tier": "x"}, "tier"),
                                           ({"unit": 1, "grid": 1}, "unit")])
def test_bad_filters_are_field_errors(world, filters, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        figures.case_figures(actor=world.user("district_officer"), filters=filters)
    assert field in caught.value.message_dict


def test_constant_number_of_queries(world, cases, django_assert_num_queries):
    # The district's figures come from the daily rollups plus the open cases: a fixed number of queries
    # once the rollups are current, however many cases there are.
    officer = world.user("district_officer")
    figures.case_figures(actor=officer, filters=PERIOD)  # scope cached on the user object, rollups refreshed
    queries = 10 if connection.vendor == "postgresql" else 9  # PostgreSQL also takes the refresh lock
    with django_assert_num_queries(queries):
        figures.case_figures(actor=officer, filters=PERIOD)
    for n in range(30):
        make(world.compound3 if n % 2 else world.compound4, accepted=n, solved=n + 1, rating="satisfied")
    rollups.refresh()
    with django_assert_num_queries(queries):
        after = figures.case_figures(actor=officer, filters=PERIOD)
    assert after.total.cases == 7 + 30


def test_p90_matches_percentile_cont_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's")
    clock.freeze(NOW)
    for minutes in (3, 7, 7, 12, 19, 30, 31, 45, 80, 81, 200, 13):
        make(world.compound1, accepted=1, solved=minutes)
    f = figures.case_figures(actor=world.user("district_officer"), filters=PERIOD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY solved_at - requested_at) FROM cases_case")
        expected = cursor.fetchone()[0]
    assert f.total.handling_p90 == expected


def test_figures_through_the_sweep_and_services(world, open_case, frozen):
    # given a case accepted late, escalated by the sweep and then solved, and another solved in time
    worker = world.user("grid_worker")
    late, quick = open_case(), open_case()
    for case in (late, quick):
        services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_accept(actor=worker, case=quick)
    clock.advance(11 * MIN)
    assert services.sla_sweep().escalated == 1
    services.case_accept(actor=worker, case=late)
    services.case_solve(actor=worker, case=quick, note="好了")
    clock.advance(9 * MIN)
    services.case_solve(actor=worker, case=late, note="好了")
    # when the community looks at the day
    f = figures.case_figures(actor=world.user("community_secretary"), filters={"since": "2025-03-03"})
    # then one of two arrivals was on time, both solved in time, handling 11 and 20 minutes
    t = f.total
    assert (t.arrive_on_time, t.arrive_due, t.solve_on_time, t.solve_due, t.escalations) == (1, 2, 2, 2, 1)
    assert t.handling_avg == dt.timedelta(minutes=15.5) and t.handling_p90 == dt.timedelta(minutes=19.1)


# ---------------------------------------------------------------- pages and API

FIGURES = {"anonymous": 302, "resident": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_figures_page_access(client_for, cases, persona, counts):
    before = counts()
    response = client_for(persona).get("/cases/figures/", PERIOD)
    assert response.status_code == FIGURES.get(persona, 200)
    assert counts() == before


def test_figures_page_shows_children_and_links_from_worklist(client_for, world, cases):
    client = client_for("street_officer")
    assert "/cases/figures/" in client.get("/cases/").content.decode()
    body = client.get("/cases/figures/", PERIOD).content.decode()
    assert "坞城街道" in body and "康宁社区" in body and "双东社区" in body and "60.0%" in body and "158.0" in body
    drill = client.get("/cases/figures/", {**PERIOD, "unit": world.community1.pk}).content.decode()
    assert "康宁小区" in drill and "幸福苑" in drill
    assert client.get("/cases/figures/", {"unit": world.district.pk}).status_code == 404


API = {"anonymous": 401, "resident": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_figures_api_access(client_for, cases, persona):
    response = client_for(persona).get("/api/v1/cases/figures", PERIOD)
    assert response.status_code == API.get(persona, 200)


def test_figures_api(client_for, world, cases):
    client = client_for("street_officer")
    data = client.get("/api/v1/cases/figures", PERIOD).json()
    assert data["node"] == "坞城街道" and data["since"] == "2025-03-01" and data["until"] == "2025-03-05"
    assert data["total"]["arrive_on_time_pct"] == 60.0 and data["total"]["handling_p90_minutes"] == 158.0
    assert data["total"]["handling_avg_minutes"] == 80.0 and data["total"]["satisfaction_pct"] == 75.0
    assert [t["key"] for t in data["tiers"]] == ["ordinary", "complex", "major"]
    assert data["children"][0] == {**data["children"][0], "label": "康宁社区", "unit": world.community1.pk, "cases": 5}
    assert client.get("/api/v1/cases/figures", {"compound": world.compound4.pk}).status_code == 404
    bad = client.get("/api/v1/cases/figures", {"since": "昨天"})
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
