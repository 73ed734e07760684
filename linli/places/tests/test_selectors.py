import pytest

from linli.people.tests.factories import HouseholdFactory, ResidentFactory
from linli.places import selectors
from linli.places.tests.factories import (
    BuildingFactory,
    CompoundFactory,
    DwellingFactory,
    EntranceFactory,
    GridFactory,
)


def _names(qs):
    return sorted(c.name for c in qs)


ALL = ["南内环小区", "双东院落", "幸福苑", "康宁小区"]


@pytest.mark.parametrize(("persona", "expected"), [
    ("district_officer", ALL),
    ("admin", ALL),
    ("street_officer", ["双东院落", "幸福苑", "康宁小区"]),
    ("community_secretary", ["幸福苑", "康宁小区"]),
    ("grid_worker", ["康宁小区"]),
    ("branch_secretary", ["康宁小区"]),
    ("property_staff", ["幸福苑"]),
    ("outsider", ["南内环小区"]),
])
def test_compound_list_is_the_actors_jurisdiction(world, persona, expected):
    # when
    compounds = selectors.compound_list_visible_to(actor=world.user(persona), filters={})
    # then
    assert _names(compounds) == expected


@pytest.mark.parametrize(("filters", "expected"), [
    ({"q": "康宁"}, ["康宁小区"]),
    ({"street": "140105001000"}, ["双东院落", "幸福苑", "康宁小区"]),
    ({"street": "140105002"}, ["南内环小区"]),
    ({"community": "140105001002"}, ["双东院落"]),
    ({"district": "140105000000"}, ALL),
    ({"kind": "old_courtyard"}, ["双东院落"]),
    ({"kind": "no-such-kind"}, ALL),
    ({"old": "1"}, ["双东院落"]),
    ({"old": False}, ["南内环小区", "幸福苑", "康宁小区"]),
    ({"walled": "0"}, []),
    ({"walled": True}, ALL),
])
def test_compound_filters(world, filters, expected):
    # when
    compounds = selectors.compound_list_visible_to(actor=world.user("district_officer"), filters=filters)
    # then
    assert _names(compounds) == expected


def test_compound_filters_by_unit_id_and_grid(world):
    actor = world.user("district_officer")
    # when / then
    assert _names(selectors.compound_list_visible_to(actor=actor, filters={"community": str(world.community2.pk)})) \
        == ["双东院落"]
    assert _names(selectors.compound_list_visible_to(actor=actor, filters={"street_id": world.street2.pk})) \
        == ["南内环小区"]
    assert _names(selectors.compound_list_visible_to(actor=actor, filters={"district_id": world.district.pk})) == ALL
    assert _names(selectors.compound_list_visible_to(actor=actor, filters={"grid": world.grid2.pk})) == ["幸福苑"]


def test_filters_never_widen_the_jurisdiction(world):
    # given a grid worker of grid1 asking for another street
    actor = world.user("grid_worker")
    # when
    compounds = selectors.compound_list_visible_to(actor=actor, filters={"street": "140105002000"})
    # then
    assert list(compounds) == []


def test_compound_counts_are_derived_from_the_rows_below(world):
    # given compound1 has 1 building, 2 dwellings, 2 households, 2 residents (world); add one more of each
    building = BuildingFactory(compound=world.compound1, grid=world.grid1, number="2号楼")
    dwelling = DwellingFactory(entrance=EntranceFactory(building=building))
    household = HouseholdFactory(dwelling=dwelling)
    ResidentFactory(household=household)
    ResidentFactory(household=household, relation="spouse")
    # when
    compound = selectors.compound_list_visible_to(actor=world.user("admin"), filters={"q": "康宁"}).get()
    # then
    assert (compound.buildings_count, compound.dwellings_count, compound.households_count,
            compound.residents_count) == (2, 3, 3, 4)
    far = selectors.compound_list_visible_to(actor=world.user("admin"), filters={"q": "南内环"}).get()
    assert (far.buildings_count, far.dwellings_count, far.households_count, far.residents_count) == (1, 2, 1, 1)


def test_compound_list_counts_cost_one_query_whatever_the_length(world, django_assert_max_num_queries):
    # given many more compounds, each with a building and dwellings
    for n in range(15):
        compound = CompoundFactory(community=world.community1, name=f"测试小区{n}")
        entrance = EntranceFactory(building=BuildingFactory(compound=compound, grid=world.grid1))
        DwellingFactory.create_batch(2, entrance=entrance)
    actor = world.user("community_secretary")
    actor.refresh_from_db()
    # when / then: one query for the scope's assignments, one for the page of compounds
    with django_assert_max_num_queries(3):
        rows = [(c.community.name, c.buildings_count, c.dwellings_count, c.households_count, c.residents_count)
                for c in selectors.compound_list_visible_to(actor=actor, filters={})]
    assert len(rows) == 17


def test_compound_list_page_renders_without_n_plus_one(world, client_for, django_assert_max_num_queries):
    # given
    for n in range(20):
        compound = CompoundFactory(community=world.community1, name=f"页面小区{n}")
        BuildingFactory(compound=compound, grid=world.grid1)
    client = client_for("community_secretary")
    client.get("/places/compounds/")
    # when / then: the count stays flat however many rows the page holds
    with django_assert_max_num_queries(12):
        response = client.get("/places/compounds/")
    assert response.status_code == 200
    assert "页面小区19" in response.content.decode()


def test_grid_list_is_the_actors_jurisdiction_and_counts_compounds(world):
    # given a second compound with a building in grid1
    BuildingFactory(compound=CompoundFactory(community=world.community1), grid=world.grid1)
    # when
    by_worker = list(selectors.grid_list_visible_to(actor=world.user("grid_worker"), filters={}))
    by_street = list(selectors.grid_list_visible_to(actor=world.user("street_officer"), filters={}))
    # then
    assert [g.name for g in by_worker] == ["康宁一网格"]
    assert by_worker[0].compounds_count == 2 and by_worker[0].buildings_count == 2
    assert [g.name for g in by_street] == ["康宁一网格", "康宁二网格", "双东一网格"]
    community2 = selectors.grid_list_visible_to(actor=world.user("street_officer"), filters={"community": "140105001002"})
    assert [g.name for g in community2] == ["双东一网格"]


def test_unit_list_is_the_actors_jurisdiction(world):
    # when
    by_street = selectors.unit_list_visible_to(actor=world.user("street_officer"), filters={})
    communities = selectors.unit_list_visible_to(actor=world.user("district_officer"), filters={"level": "community"})
    # then
    assert [u.name for u in by_street] == ["坞城街道", "康宁社区", "双东社区"]
    assert [u.name for u in communities] == ["康宁社区", "双东社区", "南内环社区"]
    assert list(selectors.unit_list_visible_to(actor=world.user("grid_worker"), filters={})) == []


def test_dwelling_list_counts_households_and_residents(world):
    # when
    dwellings = list(selectors.dwelling_list_visible_to(actor=world.user("branch_secretary"),
                                                        filters={"compound": world.compound1.pk}))
    # then
    assert [(d.number, d.households_count, d.residents_count) for d in dwellings] == [("101", 1, 1), ("201", 1, 1)]
    assert list(selectors.dwelling_list_visible_to(actor=world.user("branch_secretary"),
                                                   filters={"compound": world.compound4.pk})) == []


def test_building_tree_hangs_entrances_and_dwellings_in_three_queries(world, django_assert_max_num_queries):
    # given
    actor = world.user("admin")
    buildings = list(selectors.building_list_visible_to(actor=actor, filters={"compound": world.compound1.pk}))
    GridFactory(community=world.community1)  # unrelated rows do not show up
    # when
    with django_assert_max_num_queries(3):
        tree = selectors.building_tree(actor=actor, buildings=buildings)
    # then
    assert [(e.number, [d.number for d in e.dwelling_list]) for e in tree[0].entrance_list] == [("1单元", ["101", "201"])]
    assert [d.households_count for d in tree[0].entrance_list[0].dwelling_list] == [1, 1]
