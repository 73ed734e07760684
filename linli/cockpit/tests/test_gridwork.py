"""The cockpit's grid work is the node's workers' month read from the rollups: equal to counting the
records, blind to the workers of other nodes, and in the same queries whatever the workers and records."""

import datetime as dt
import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cockpit import selectors
from linli.core import clock
from linli.gridwork import figures
from linli.gridwork.tests.conftest import NOW
from linli.gridwork.tests.test_rollups import _random_month
from linli.people.tests.factories import GridWorkerFactory

KEYS = {"grid_patrols": "patrols", "grid_findings": "findings", "grid_visits": "visits"}


def _grid_figures(officer, node, month: str) -> dict:
    return {f.key: f.value for f in selectors.cockpit(officer, node, month)["figures"] if f.key in (*KEYS, "grid_visit_share")}


def _counted(workers, month: dt.date, until: dt.datetime) -> dict:
    m = figures.total(figures.count_live(workers, month, until=until))
    share = None if m.visit_share is None else round(100 * m.visit_share, 1)
    return {**{key: getattr(m, attr) for key, attr in KEYS.items()}, "grid_visit_share": share}


def test_the_grid_work_of_a_node_equals_counting_its_workers_records(world):
    # given workers of grid1 (street1) and of grid4 (street2) with random work over November and December
    clock.freeze(NOW)
    near = [GridWorkerFactory(name=f"坞城网格员{i}", grids=[world.grid1]) for i in range(3)]
    far = [GridWorkerFactory(name=f"营盘网格员{i}", grids=[world.grid4]) for i in range(2)]
    _random_month(world, near + far, random.Random(23), n=160)
    officer = world.user("district_officer")
    street = selectors.node_in_sight(officer, "unit", world.street1.pk)
    district = selectors.node_in_sight(officer, "unit", world.district.pk)
    tomorrow = timezone.make_aware(dt.datetime.combine(NOW.date() + dt.timedelta(days=1), dt.time.min))
    for month, text in ((dt.date(2026, 12, 1), "2026-12"), (dt.date(2026, 11, 1), "2026-11")):
        # when / then: the street sees its own workers' records only, the district everyone's
        shown = _grid_figures(officer, street, text)
        assert shown == _counted(near, month, tomorrow), text
        assert shown != _counted(near + far, month, tomorrow), text
        assert _grid_figures(officer, district, text) == _counted(near + far, month, tomorrow), text
    assert _grid_figures(officer, district, "2026-11")["grid_patrols"] > 0


def test_the_grid_work_costs_the_same_queries_whatever_the_workers_and_records(world):
    # given the district's cockpit with one worker and a little work, then with twelve and much more
    clock.freeze(NOW)
    workers = [GridWorkerFactory(name="网格员甲", grids=[world.grid1])]
    _random_month(world, workers, random.Random(5), n=10)
    officer = world.user("district_officer")
    node = selectors.node_in_sight(officer, "unit", world.district.pk)
    selectors.cockpit(officer, node, "2026-12")
    with CaptureQueriesContext(connection) as before:
        selectors.cockpit(officer, node, "2026-12")
    workers += [GridWorkerFactory(name=f"网格员{i}", grids=[world.grid1 if i % 2 else world.grid4]) for i in range(11)]
    _random_month(world, workers, random.Random(6), n=200)
    selectors.cockpit(officer, node, "2026-12")  # the rollups catch up once
    # when
    with CaptureQueriesContext(connection) as after:
        shown = _grid_figures(officer, node, "2026-12")
    # then
    assert shown["grid_patrols"] > 0
    assert len(after) == len(before)


def test_the_streets_grid_work_is_each_streets_workers_and_can_be_ranked(world):
    # given workers of street1's grids, one serving two of them and street2's grid4 too, and of street2's
    clock.freeze(NOW)
    one = [GridWorkerFactory(name=f"坞城网格员{i}", grids=[world.grid1 if i % 2 else world.grid3]) for i in range(3)]
    both = GridWorkerFactory(name="两街网格员", grids=[world.grid1, world.grid2, world.grid4])
    two = [GridWorkerFactory(name=f"营盘网格员{i}", grids=[world.grid4]) for i in range(2)]
    _random_month(world, [*one, both, *two], random.Random(29), n=200)
    officer = world.user("district_officer")
    district = selectors.node_in_sight(officer, "unit", world.district.pk)
    tomorrow = timezone.make_aware(dt.datetime.combine(NOW.date() + dt.timedelta(days=1), dt.time.min))
    expected = {world.street1.pk: [*one, both], world.street2.pk: [both, *two]}
    for month, text in ((dt.date(2026, 12, 1), "2026-12"), (dt.date(2026, 11, 1), "2026-11")):
        # when
        page = selectors.cockpit(officer, district, text, rank="grid_patrols")
        # then: each street's figures are its own workers' records, the worker of both counting in each
        assert page["rank"] == "grid_patrols"
        for child in page["children"]:
            counted = _counted(expected[child.node.obj.pk], month, tomorrow)
            assert {key: child.values[key] for key in counted} == counted, (text, child.node.label)
        values = [c.values["grid_patrols"] for c in page["children"]]
        assert values == sorted(values, reverse=True) and sum(values) > 0
        assert {f.key: f.rankable for f in page["figures"]}["grid_patrols"]
    # a community's children are compounds, which grids may share: grid work is not ranked there
    community = selectors.node_in_sight(officer, "unit", world.community1.pk)
    page = selectors.cockpit(officer, community, "2026-12", rank="grid_patrols")
    assert page["rank"] is None
    assert all(c.values["grid_patrols"] is None for c in page["children"])
    assert not {f.key: f.rankable for f in page["figures"]}["grid_patrols"]


def test_the_streets_grid_work_costs_the_same_queries_whatever_the_streets(world):
    # given the district's cockpit with its two streets, then with four more, each with a worker at work
    from linli.places.tests.factories import CommunityFactory, GridFactory, StreetFactory

    clock.freeze(NOW)
    officer = world.user("district_officer")
    node = selectors.node_in_sight(officer, "unit", world.district.pk)
    selectors.cockpit(officer, node, "2026-12")
    with CaptureQueriesContext(connection) as before:
        page = selectors.cockpit(officer, node, "2026-12")
    children = len(page["children"])
    for i in range(4):
        street = StreetFactory(parent=world.district, code=f"1401050{10 + i}000", name=f"新街道{i}")
        grid = GridFactory(community=CommunityFactory(parent=street, name=f"新社区{i}"))
        GridWorkerFactory(name=f"新网格员{i}", grids=[grid])
    selectors.cockpit(officer, node, "2026-12")
    # when
    with CaptureQueriesContext(connection) as after:
        page = selectors.cockpit(officer, node, "2026-12")
    # then
    assert len(page["children"]) == children + 4
    assert all(c.values["grid_patrols"] == 0 for c in page["children"])
    assert len(after) == len(before)
