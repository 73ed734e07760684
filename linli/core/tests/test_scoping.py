import pytest

from linli.core.scoping import scope_for, visible
from linli.people.models import Resident
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Grid

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(str(x) for x in qs)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_officer", ["南内环小区", "双东院落", "幸福苑", "康宁小区"]),
        ("street_officer", ["双东院落", "幸福苑", "康宁小区"]),
        ("community_secretary", ["幸福苑", "康宁小区"]),
        ("grid_worker", ["康宁小区"]),
        ("branch_secretary", ["康宁小区"]),
        ("property_staff", ["幸福苑"]),
        ("outsider", ["南内环小区"]),
        ("resident", ["康宁小区"]),
        ("admin", ["南内环小区", "双东院落", "幸福苑", "康宁小区"]),
    ],
)
def test_each_persona_sees_the_compounds_below_its_nodes_only(world, persona, expected):
    scope = scope_for(world.user(persona))
    assert names(visible(Compound.objects.all(), scope)) == sorted(expected)


def test_anonymous_sees_nothing(world):
    scope = scope_for(None)
    for model in (AdminUnit, Grid, Compound, Building, Dwelling, Resident):
        assert not visible(model.objects.all(), scope).exists()


def test_street_officer_sees_units_below_the_street_only(world):
    scope = scope_for(world.user("street_officer"))
    assert names(visible(AdminUnit.objects.all(), scope)) == sorted(["坞城街道", "双东社区", "康宁社区"])


def test_grid_worker_sees_residents_of_its_grid_only(world):
    scope = scope_for(world.user("grid_worker"))
    assert names(visible(Resident.objects.all(), scope)) == ["张秀英", "李建国"]
    assert names(visible(Grid.objects.all(), scope)) == ["康宁一网格"]


def test_resident_sees_own_household_only(world):
    scope = scope_for(world.user("resident"))
    assert names(visible(Resident.objects.all(), scope)) == ["张秀英"]
    assert list(visible(Dwelling.objects.all(), scope)) == [world.household1.dwelling]


def test_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    user = world.user("street_officer")
    scope_for(user)
    with django_assert_num_queries(0):
        scope_for(user)


def test_a_prefix_never_leaks_into_a_sibling_with_a_longer_code(world):
    # given a street 140105011 whose code starts like street 140105001's prefix "140105001"? It does not:
    # prefixes are compared at the unit's own length, so "1401050010" ≠ sibling "1401050110".
    from linli.places.tests.factories import CommunityFactory, CompoundFactory, StreetFactory

    other_street = StreetFactory(parent=world.district, code="140105011000", name="其他街道")
    CompoundFactory(community=CommunityFactory(parent=other_street, code="140105011001"), name="邻街小区")
    scope = scope_for(world.user("street_officer"))
    assert "邻街小区" not in names(visible(Compound.objects.all(), scope))
