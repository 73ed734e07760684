"""The household list page and API: who may read it, what each one sees, and what it costs."""

import datetime as dt

import pytest
from django.urls import reverse

from linli.core import clock
from linli.people.models import Resident
from linli.people.tests.factories import HouseholdFactory, PartyMemberFactory, ResidentFactory, make_id_number
from linli.testing import PERSONAS

API = "/api/v1/households"


def row(*codes):
    assert len(codes) == len(PERSONAS)
    return dict(zip(PERSONAS, codes, strict=True))


#              anon resident grid  cs   branch prop street district outsider admin
PAGE = row(302, 403, 200, 200, 200, 200, 200, 200, 200, 200)
API_STATUS = row(401, 403, 200, 200, 200, 200, 200, 200, 200, 200)


def _ids(response) -> set[int]:
    return {h["id"] for h in response.json()["items"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_household_list_page_access(persona, world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for(persona).get(reverse("people:household_list"))
    # then
    assert response.status_code == PAGE[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    assert counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_household_list_api_access(persona, world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for(persona).get(API)
    # then
    assert response.status_code == API_STATUS[persona]
    assert counts() == before


def test_street_officer_sees_only_own_street(world, client_for):
    # given
    client = client_for("street_officer")
    far = world.far_resident.household
    # when
    page = client.get(reverse("people:household_list"))
    api = client.get(API)
    # then
    households = set(page.context["page"].object_list)
    assert world.household1 in households and far not in households
    assert world.household1.pk in _ids(api) and far.pk not in _ids(api)
    assert reverse("people:household_detail", args=[world.household1.pk]) in page.content.decode()


def test_grid_worker_sees_only_grid1(world, client_for):
    # given
    other_grid = HouseholdFactory(dwelling=world.compound2.buildings.get().entrances.get().dwellings.first())
    # when
    ids = _ids(client_for("grid_worker").get(API))
    # then
    assert ids == {world.household1.pk, world.neighbour.household_id}
    assert other_grid.pk not in ids


def test_counts_are_derived_and_data_masked(world, client_for):
    # given: household1 holds 张秀英 (born 1956), a Party member born 1950 and a child
    clock.freeze(dt.datetime(2026, 6, 1, 9, 0))
    elder = ResidentFactory(household=world.household1, name="张老汉", relation=Resident.Relation.SPOUSE,
                            id_number=make_id_number(40, born="19500315"))
    PartyMemberFactory(resident=elder)
    ResidentFactory(household=world.household1, name="张小明", relation=Resident.Relation.CHILD,
                    id_number=make_id_number(41, born="20150315"))
    client = client_for("community_secretary")
    # when
    page = client.get(reverse("people:household_list"))
    data = client.get(API).json()
    # then
    item = next(h for h in data["items"] if h["id"] == world.household1.pk)
    assert (item["member_count"], item["elderly_count"], item["party_member_count"]) == (3, 2, 1)
    assert item["head_name"] == "张秀英" and item["compound_name"] == world.compound1.name
    body = page.content.decode()
    for text in (world.resident.id_number, world.resident.phone, world.resident.id_number_masked):
        assert text not in body and text not in str(data)


def test_search_and_filters(world, client_for):
    # given
    client = client_for("district_officer")
    # when
    by_name = client.get(API, {"q": "王磊"})
    by_number = client.get(API, {"q": world.household1.number})
    by_compound = client.get(reverse("people:household_list"), {"compound": world.compound4.pk})
    by_street = client.get(API, {"street": world.street2.code})
    by_grid = client.get(API, {"grid": world.grid1.pk})
    # then
    assert _ids(by_name) == {world.far_resident.household_id}
    assert _ids(by_number) == {world.household1.pk}
    assert list(by_compound.context["page"].object_list) == [world.far_resident.household]
    assert _ids(by_street) == {world.far_resident.household_id}
    assert _ids(by_grid) == {world.household1.pk, world.neighbour.household_id}


def test_resident_list_links_to_household_list(world, client_for):
    # when
    body = client_for("grid_worker").get(reverse("people:resident_list")).content.decode()
    # then
    assert reverse("people:household_list") in body


@pytest.mark.parametrize("url", [lambda: reverse("people:household_list"), lambda: API])
def test_query_count_does_not_grow_with_households(url, world, client_for, django_assert_max_num_queries):
    # given: many households, each with members and a Party member
    for _ in range(15):
        household = HouseholdFactory(dwelling=world.household1.dwelling)
        PartyMemberFactory(resident=ResidentFactory(household=household))
        ResidentFactory(household=household, relation=Resident.Relation.CHILD)
    client = client_for("community_secretary")
    # when / then
    with django_assert_max_num_queries(12):
        response = client.get(url())
    assert response.status_code == 200
