"""Every figure on the cockpit equals the same figure counted from the records, over random data."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from linli.cases.models import OPEN_STATUSES, UNACCEPTED_STATUSES, Case, ServiceCategory, Status
from linli.cases.tests.test_figures import make
from linli.cockpit import selectors
from linli.core import clock
from linli.orgs.models import PropertyService
from linli.people.models import Household, PartyMember, Resident
from linli.places.models import Compound

NOW = timezone.make_aware(dt.datetime(2026, 5, 20, 15, 0))


def _random_cases(world, seed, n=120):
    rng = random.Random(seed)
    compounds = [world.compound1, world.compound2, world.compound3, world.compound4]
    for _ in range(n):
        # anywhere from 14 months back to an hour ago: this month, last month, last year and the trend
        at = NOW - dt.timedelta(minutes=rng.randrange(60, 430 * 1440))
        tier = rng.choice(["ordinary", "ordinary", "complex", "major"])
        accepted = rng.choice([None, rng.randrange(1, 40)])
        solved = accepted + rng.randrange(1, 3000) if accepted is not None and rng.random() < 0.7 else None
        if solved is not None and at + dt.timedelta(minutes=solved) > NOW:
            solved = None
        rating = rng.choice(["", "satisfied", "basic", "unsatisfied"]) if solved is not None else ""
        if solved is None:
            status = Status.ACCEPTED if accepted is not None else rng.choice([Status.NEW, Status.DISPATCHED])
        else:
            status = Status.CLOSED if rating else Status.SOLVED
        make(rng.choice(compounds), tier, at, accepted=accepted, solved=solved, rating=rating, status=status,
             escalations=rng.sample(["arrive", "solve", "manual"], rng.randrange(0, 3)))


def _random_services(world, seed):
    rng = random.Random(seed)
    for compound in (world.compound1, world.compound2, world.compound3, world.compound4):
        if rng.random() < 0.6:
            start = dt.date(2025, rng.randrange(1, 13), 1)
            end = rng.choice([None, dt.date(2026, 5, rng.randrange(1, 28))])
            PropertyService.objects.create(compound=compound, mode="company", provider_name="某物业",
                                           start=start, end=end)


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _counted_cases(compounds, since, until) -> dict:
    """The case figures of the period, straight from the cases, by the figures' definitions."""
    now = clock.now()
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    rows = Case.objects.filter(compound__in=compounds, requested_at__gte=start, requested_at__lt=end)
    f = dict.fromkeys(("cases", "arrive_due", "arrive_on", "solve_due", "solve_on", "rated", "satisfied",
                       "escalations", "solved"), 0)
    minutes = 0.0
    for case in rows.prefetch_related("escalations"):
        reasons = [e.reason for e in case.escalations.all()]
        f["cases"] += 1
        f["escalations"] += len(reasons)
        arrive_settled = case.accepted_at is not None or "arrive" in reasons
        if arrive_settled or (case.status in UNACCEPTED_STATUSES and case.arrive_by < now):
            f["arrive_due"] += 1
        if case.accepted_at is not None and case.accepted_at <= case.arrive_by and "arrive" not in reasons:
            f["arrive_on"] += 1
        solve_settled = case.solved_at is not None or "solve" in reasons
        if solve_settled or (case.status in OPEN_STATUSES and case.solve_by < now):
            f["solve_due"] += 1
        if case.solved_at is not None and case.solved_at <= case.solve_by and "solve" not in reasons:
            f["solve_on"] += 1
        if case.solved_at is not None:
            f["solved"] += 1
            minutes += (case.solved_at - case.requested_at).total_seconds() / 60
        if case.rating:
            f["rated"] += 1
            f["satisfied"] += case.rating in ("satisfied", "basic")
    return {"cases": f["cases"], "arrive_pct": _pct(f["arrive_on"], f["arrive_due"]),
            "solve_pct": _pct(f["solve_on"], f["solve_due"]), "satisfaction_pct": _pct(f["satisfied"], f["rated"]),
            "avg_minutes": round(minutes / f["solved"], 1) if f["solved"] else None, "escalations": f["escalations"]}


def _counted_registry(compounds, today) -> dict:
    ids = [c.pk for c in compounds]
    residents = Resident.objects.filter(household__dwelling__entrance__building__compound__in=ids)
    born_before = today.replace(year=today.year - 65)
    served = {s.compound_id for s in PropertyService.objects.filter(compound__in=ids, start__lte=today)
              if s.end is None or s.end >= today}
    return {
        "compounds": len(ids),
        "residents": residents.count(),
        "elderly": sum(1 for r in residents if r.birth_date and r.birth_date <= born_before),
        "households": Household.objects.filter(dwelling__entrance__building__compound__in=ids).count(),
        "party_members": PartyMember.objects.filter(resident__in=residents).count(),
        "property_coverage": _pct(len(served), len(ids)),
    }


def _compounds_of(node) -> list:
    if node.kind == "compound":
        return [node.obj]
    return list(Compound.objects.filter(community__code__startswith=node.obj.prefix))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_equals_counting_the_records(world, seed):
    # given random cases over fourteen months and random property services
    clock.freeze(NOW)
    _random_cases(world, seed)
    _random_services(world, seed)
    officer = world.user("district_officer")
    for node in (selectors.node_in_sight(officer, "unit", world.district.pk),
                 selectors.node_in_sight(officer, "unit", world.street1.pk),
                 selectors.node_in_sight(officer, "unit", world.community1.pk),
                 selectors.node_in_sight(officer, "compound", world.compound2.pk)):
        # when the district officer opens the node's cockpit
        page = selectors.cockpit(officer, node, "2026-05")
        compounds = _compounds_of(node)
        figures = {f.key: f for f in page["figures"]}
        # then each case figure of each period is the one counted from the cases
        for index, period in enumerate(page["periods"]):
            counted = _counted_cases(compounds, period.since, period.until)
            for key, value in counted.items():
                assert figures[key].values[index] == value, (node.label, period.label, key)
        # the registry and property figures are the ones counted from the register
        registry = _counted_registry(compounds, NOW.date())
        for key, value in registry.items():
            assert figures[key].value == value, (node.label, key)
        # every child's figures, too
        for child in page["children"]:
            counted = {**_counted_cases(_compounds_of(child.node), page["periods"][0].since, page["periods"][0].until),
                       **_counted_registry(_compounds_of(child.node), NOW.date())}
            for key, value in counted.items():
                assert child.values[key] == value, (child.node.label, key)
        # and every month of the trend
        assert len(page["trend"]) == selectors.TREND_MONTHS
        for month in page["trend"]:
            until = min(selectors._month_end(month.month), NOW.date())
            counted = _counted_cases(compounds, month.month, until)
            assert (month.cases, month.solve_pct, month.arrive_pct, month.satisfaction_pct) == (
                counted["cases"], counted["solve_pct"], counted["arrive_pct"], counted["satisfaction_pct"])
            assert sum(month.by_tier.values()) == month.cases


def test_periods_are_this_month_the_same_days_before_and_a_year_ago():
    today = dt.date(2026, 3, 31)
    now, previous, last_year = selectors.periods(dt.date(2026, 3, 1), today)
    assert (now.since, now.until) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # February has fewer days: the previous period stops at its end
    assert (previous.since, previous.until) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert (last_year.since, last_year.until) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    # a month in progress compares the same days
    now, previous, _ = selectors.periods(dt.date(2026, 5, 1), dt.date(2026, 5, 20))
    assert (now.until, previous.until) == (dt.date(2026, 5, 20), dt.date(2026, 4, 20))


@pytest.mark.parametrize("value, expected", [
    ("2026-04", dt.date(2026, 4, 1)), ("2027-01", dt.date(2026, 5, 1)), ("abc", dt.date(2026, 5, 1)),
    ("", dt.date(2026, 5, 1)), ("2026-13", dt.date(2026, 5, 1)), ("1-1", dt.date(2026, 5, 1)),
    ("99999999999999999999-1", dt.date(2026, 5, 1)),
])
def test_a_month_asked_for_is_read_safely(value, expected):
    assert selectors.parse_month(value, dt.date(2026, 5, 20)) == expected


def test_ranking_puts_the_largest_first_and_the_empty_last(world):
    clock.freeze(NOW)
    officer = world.user("district_officer")
    node = selectors.node_in_sight(officer, "unit", world.district.pk)
    page = selectors.cockpit(officer, node, rank="residents")
    values = [c.values["residents"] for c in page["children"]]
    assert values == sorted(values, reverse=True) and page["rank_label"] == "居民"
    # an unknown figure ranks nothing
    assert selectors.cockpit(officer, node, rank="nope")["rank"] is None


def test_the_trend_by_category_equals_counting_the_cases(world):
    # given random cases in two categories over fourteen months
    clock.freeze(NOW)
    _random_cases(world, 5, n=80)
    water = ServiceCategory.objects.exclude(code="sanitation").first()
    moved = list(Case.objects.order_by("pk").values_list("pk", flat=True)[::3])
    # a change of category after the rollups exist is marked and refreshed too
    officer = world.user("district_officer")
    selectors.cockpit(officer, selectors.node_in_sight(officer, "unit", world.district.pk), "2026-05")
    Case.objects.filter(pk__in=moved).update(category=water)
    for kind, obj in (("unit", world.district), ("unit", world.street2), ("compound", world.compound1)):
        node = selectors.node_in_sight(officer, kind, obj.pk)
        trend = selectors.cockpit(officer, node, "2026-05")["trend"]
        compounds = _compounds_of(node)
        for month in trend:
            start = timezone.make_aware(dt.datetime.combine(month.month, dt.time.min))
            end = timezone.make_aware(dt.datetime.combine(selectors._shift(month.month, 1), dt.time.min))
            cases = Case.objects.filter(compound__in=compounds, requested_at__gte=start, requested_at__lt=end)
            counted = {name: cases.filter(category__name=name).count() for name in month.by_category}
            assert month.by_category == counted, (node.label, month.month)
            assert sum(month.by_category.values()) == month.cases
        assert any(month.by_category.get(water.name) for month in trend)


def test_a_nodes_queries_do_not_grow_with_its_children(world):
    # given the community cockpit of community1, then the same with eight more compounds in it
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.places.tests.factories import CompoundFactory

    clock.freeze(NOW)
    officer = world.user("district_officer")
    node = selectors.node_in_sight(officer, "unit", world.community1.pk)
    selectors.cockpit(officer, node, "2026-05")
    with CaptureQueriesContext(connection) as before:
        page = selectors.cockpit(officer, node, "2026-05")
    children = len(page["children"])
    for i in range(8):
        CompoundFactory(community=world.community1, name=f"新建小区{i}")
    selectors.cockpit(officer, node, "2026-05")
    # when
    with CaptureQueriesContext(connection) as after:
        page = selectors.cockpit(officer, node, "2026-05")
    # then
    assert len(page["children"]) == children + 8
    assert len(after) == len(before)


def test_a_nodes_queries_do_not_grow_with_its_history(world):
    # given the district cockpit with a few cases, then with many more over fourteen months
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock.freeze(NOW)
    _random_cases(world, 11, n=10)
    officer = world.user("district_officer")
    node = selectors.node_in_sight(officer, "unit", world.district.pk)
    selectors.cockpit(officer, node, "2026-05")
    with CaptureQueriesContext(connection) as before:
        selectors.cockpit(officer, node, "2026-05")
    _random_cases(world, 12, n=150)
    selectors.cockpit(officer, node, "2026-05")  # the rollups catch up once
    # when
    with CaptureQueriesContext(connection) as after:
        page = selectors.cockpit(officer, node, "2026-05")
    # then
    assert sum(m.cases for m in page["trend"]) > 100
    assert len(after) == len(before)
