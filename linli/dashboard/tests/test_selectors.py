from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.dashboard import selectors
from linli.dashboard.selectors import Ratio, indicators, node_for_grid, node_for_unit
from linli.people import rollups


def _ratios(ind):
    return {
        "coverage": (ind.party_coverage.count, ind.party_coverage.total),
        "three": (ind.three_carriages.count, ind.three_carriages.total),
        "cross": (ind.cross_appointment.count, ind.cross_appointment.total),
        "companies": (ind.companies_with_party_org.count, ind.companies_with_party_org.total),
        "sanwu": ind.sanwu,
    }


def _totals(ind):
    return {
        "compounds": ind.compounds,
        "kinds": {code: n for code, _label, n in ind.compounds_by_kind},
        "buildings": ind.buildings, "dwellings": ind.dwellings, "households": ind.households,
        "residents": ind.residents, "elderly": ind.elderly,
        "members": {code: n for code, _label, n in ind.party_members_by_category},
        "grids": ind.grids, "grid_workers": ind.grid_workers,
    }


def test_community_with_full_coverage(landscape):
    # given
    node = node_for_unit(landscape.world.community1)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (2, 2), "three": (1, 2), "cross": (1, 1), "companies": (1, 2), "sanwu": 0}
    assert _totals(ind) == {
        "compounds": 2, "kinds": {"planned": 2, "old_courtyard": 0, "scattered": 0},
        "buildings": 2, "dwellings": 4, "households": 2, "residents": 2, "elderly": 2,
        "members": {"resident": 0, "floating": 1, "in_service": 0, "retired": 0},
        "grids": 2, "grid_workers": 1,
    }
    assert ind.party_coverage.display == "100.0%"
    assert ind.three_carriages.display == "50.0%"


def test_community_without_organisations_shows_dashes_not_errors(landscape):
    # given: community2 holds c3 (三无) and c5 (has a department, self-org not started yet)
    node = node_for_unit(landscape.world.community2)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (0, 2), "three": (0, 2), "cross": (0, 0), "companies": (0, 0), "sanwu": 1}
    assert ind.party_coverage.display == "0.0%"
    assert ind.cross_appointment.display == "—"
    assert ind.companies_with_party_org.display == "—"
    assert ind.cross_appointment.fraction is None


def test_community_where_cross_appointment_needs_the_same_time_and_the_serving_company(landscape):
    # given: c4 has a party org and a self-org but nobody sits in both at once; W links P2 and C at c6
    node = node_for_unit(landscape.world.community3)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (2, 2), "three": (1, 2), "cross": (1, 2), "companies": (1, 1), "sanwu": 0}
    assert _totals(ind) == {
        "compounds": 2, "kinds": {"planned": 1, "old_courtyard": 0, "scattered": 1},
        "buildings": 2, "dwellings": 3, "households": 2, "residents": 5, "elderly": 2,
        "members": {"resident": 1, "floating": 0, "in_service": 1, "retired": 1},
        "grids": 1, "grid_workers": 1,
    }


def test_street(landscape):
    # given
    node = node_for_unit(landscape.world.street1)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (2, 4), "three": (1, 4), "cross": (1, 1), "companies": (1, 2), "sanwu": 1}
    assert _totals(ind) == {
        "compounds": 4, "kinds": {"planned": 2, "old_courtyard": 2, "scattered": 0},
        "buildings": 4, "dwellings": 7, "households": 2, "residents": 2, "elderly": 2,
        "members": {"resident": 0, "floating": 1, "in_service": 0, "retired": 0},
        "grids": 3, "grid_workers": 2,
    }
    assert ind.three_carriages.display == "25.0%"


def test_district(landscape):
    # given
    node = node_for_unit(landscape.world.district)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (4, 6), "three": (2, 6), "cross": (2, 3), "companies": (2, 3), "sanwu": 1}
    assert _totals(ind) == {
        "compounds": 6, "kinds": {"planned": 3, "old_courtyard": 2, "scattered": 1},
        "buildings": 6, "dwellings": 10, "households": 4, "residents": 7, "elderly": 4,
        "members": {"resident": 1, "floating": 1, "in_service": 1, "retired": 1},
        "grids": 4, "grid_workers": 2,
    }
    assert ind.party_members == 4
    assert ind.party_coverage.fraction == Fraction(2, 3)
    assert ind.party_coverage.display == "66.7%"
    assert ind.three_carriages.display == "33.3%"


def test_grid(landscape):
    # given: grid4 holds the buildings of c4 and c6
    node = node_for_grid(landscape.world.grid4)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (2, 2), "three": (1, 2), "cross": (1, 2), "companies": (1, 1), "sanwu": 0}
    assert (ind.compounds, ind.buildings, ind.residents, ind.elderly, ind.grids, ind.grid_workers) == (2, 2, 5, 2, 1, 1)


def test_grid_with_a_sanwu_compound(landscape):
    # given
    node = node_for_grid(landscape.world.grid3)
    # when
    ind = indicators(node)
    # then
    assert _ratios(ind) == {"coverage": (0, 2), "three": (0, 2), "cross": (0, 0), "companies": (0, 0), "sanwu": 1}


def test_a_day_later_the_service_that_ended_today_no_longer_counts(landscape):
    # given: B's service at c2 ends on 2025-06-15 and Z turns 65 on 2025-06-16
    import datetime as dt

    from linli.core import clock
    clock.freeze(dt.datetime(2025, 6, 16, 9, 0))
    # when
    ind = indicators(node_for_unit(landscape.world.district))
    # then
    assert _ratios(ind)["companies"] == (2, 2)
    assert ind.elderly == 5


@pytest.mark.parametrize("persona, compounds", [
    ("district_officer", 6), ("street_officer", 4), ("community_secretary", 2), ("grid_worker", 1),
    ("branch_secretary", 1), ("admin", 6), ("resident", 0),
])
def test_actor_area_is_their_jurisdiction(landscape, persona, compounds):
    # given
    actor = landscape.world.user(persona)
    # when
    ind = selectors.indicators_for_actor(actor=actor)
    # then
    assert ind.compounds == compounds


def test_query_count_does_not_grow_with_the_area(landscape):
    # given
    small, large = node_for_unit(landscape.world.community1), node_for_unit(landscape.world.district)
    rollups.refresh()  # the registry's writes are counted once, by whichever read comes first
    # when
    with CaptureQueriesContext(connection) as q_small:
        indicators(small)
    with CaptureQueriesContext(connection) as q_large:
        indicators(large)
    # then
    assert len(q_small) == len(q_large) <= 12


def test_ratio_rounds_half_up_to_one_place():
    assert Ratio(1, 8).display == "12.5%"
    assert Ratio(1, 3).display == "33.3%"
    assert Ratio(2, 3).display == "66.7%"
    assert Ratio(0, 0).display == "—"
    assert Ratio(1, 3).fraction == Fraction(1, 3)


def _compound_nodes(landscape):
    from linli.core.scoping import Scope
    from linli.places.models import Compound

    return [selectors.Node(label=c.name, scope=Scope(compound_ids=(c.pk,)))
            for c in Compound.objects.order_by("pk")]


@pytest.mark.parametrize("kind", ["communities", "grids", "compounds"])
def test_indicators_of_several_nodes_equal_each_node_alone(landscape, kind):
    # given: the three communities and the compounds share nothing; grid3 and grid4 may share compounds
    w = landscape.world
    nodes = {"communities": [node_for_unit(u) for u in (w.community1, w.community2, w.community3)],
             "grids": [node_for_grid(g) for g in (w.grid1, w.grid2, w.grid3, w.grid4)],
             "compounds": _compound_nodes(landscape)}[kind]
    # when
    together = selectors.indicators_of(nodes)
    # then
    assert [i.as_dict() for i in together] == [indicators(n).as_dict() for n in nodes]
    assert sum(i.compounds for i in together) >= 6


def test_indicators_of_children_do_not_grow_in_queries_with_the_children(landscape):
    # given
    w = landscape.world
    one = [node_for_unit(w.community1)]
    three = [node_for_unit(u) for u in (w.community1, w.community2, w.community3)]
    six = _compound_nodes(landscape)
    selectors.indicators_of(one)  # the registry's writes are counted once, by whichever read comes first
    # when
    with CaptureQueriesContext(connection) as q_one:
        selectors.indicators_of(one)
    with CaptureQueriesContext(connection) as q_three:
        result = selectors.indicators_of(three)
    with CaptureQueriesContext(connection) as q_first:
        selectors.indicators_of(six[:1])
    with CaptureQueriesContext(connection) as q_six:
        compounds = selectors.indicators_of(six)
    # then
    assert [r.compounds for r in result] == [2, 2, 2]
    assert [r.compounds for r in compounds] == [1] * 6
    assert len(q_one) == len(q_three) <= 12
    assert len(q_first) == len(q_six) <= 12


@pytest.mark.parametrize("level", ["district", "street1", "street2", "community1", "community2", "community3"])
def test_a_node_read_with_its_children_equals_the_node_alone(landscape, level):
    # given a unit and its children (streets, communities, or a community's compounds)
    from linli.places.models import AdminUnit, Compound

    w = landscape.world
    unit = getattr(w, level)
    if unit.level == AdminUnit.Level.COMMUNITY:
        children = [selectors.Node(c.name, selectors.Scope(compound_ids=(c.pk,)))
                    for c in Compound.objects.filter(community=unit)]
    else:
        children = [node_for_unit(u) for u in unit.children.all()]
    # when
    node, of_children = selectors.indicators_with_children(node_for_unit(unit), children)
    # then the node's figures are those read on their own, and so are the children's
    assert node.as_dict() == indicators(node_for_unit(unit)).as_dict()
    assert [i.as_dict() for i in of_children] == [indicators(c).as_dict() for c in children]
    # and with a child missing (out of sight), the node is still read whole
    if len(children) > 1:
        node, _ = selectors.indicators_with_children(node_for_unit(unit), children[:1])
        assert node.as_dict() == indicators(node_for_unit(unit)).as_dict()
