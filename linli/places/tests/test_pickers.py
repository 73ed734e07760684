"""The searched pickers of places: dwellings, entrances, compounds and grids within the actor's work area."""

import re

import pytest
from django.urls import reverse

from linli.places.tests.factories import CompoundFactory, DwellingFactory


def _options(response) -> set[int]:
    return {int(v) for v in re.findall(r'<input type="checkbox"[^>]* value="(\d+)"', response.content.decode())}


def _search(client, route, text, name="x", **extra):
    return client.get(reverse(route), {"name": name, f"{name}_q": text, **extra}, headers={"HX-Request": "true"})


def _far_dwelling(world):
    return world.far_resident.household.dwelling


def test_dwelling_picker_finds_by_words_of_the_address_in_sight_only(world, client_for):
    # given a dwelling in compound1 and world's dwellings 101/201 of 南内环小区 (compound4, street2)
    mine = DwellingFactory(entrance=world.resident.household.dwelling.entrance, number="1702")
    client = client_for("community_secretary")
    # when
    by_words = _search(client, "places:pick_dwellings", "康宁 1号楼 1702")
    far = _search(client, "places:pick_dwellings", "南内环")
    # then
    assert _options(by_words) == {mine.pk}
    assert "康宁小区 1号楼 1单元 1702" in by_words.content.decode()
    assert _options(far) == set()
    assert _far_dwelling(world).pk in _options(_search(client_for("outsider"), "places:pick_dwellings", "南内环"))


def test_entrance_picker_offers_only_entrances_in_sight(world, client_for):
    # when
    mine = _search(client_for("grid_worker"), "places:pick_entrances", "1单元")
    # then
    assert _options(mine) == {world.resident.household.dwelling.entrance_id}
    assert _far_dwelling(world).entrance_id not in _options(mine)


def test_compound_picker_offers_only_compounds_in_sight_and_caps_its_answer(world, client_for):
    # given more compounds in community1 than one answer holds
    for n in range(25):
        CompoundFactory(community=world.community1, name=f"康宁新区{n}")
    client = client_for("street_officer")
    # when
    many = _search(client, "places:pick_compounds", "康宁")
    far = _search(client, "places:pick_compounds", "南内环")
    by_community = _search(client, "places:pick_compounds", "双东社区")
    # then
    assert len(_options(many)) == 20 and "仅列出前 20 个" in many.content.decode()
    assert _options(far) == set()
    assert _options(by_community) == {world.compound3.pk}


def test_grid_picker_offers_only_grids_in_sight(world, client_for):
    # when
    mine = _search(client_for("community_secretary"), "places:pick_grids", "网格")
    # then
    assert _options(mine) == {world.grid1.pk, world.grid2.pk}


@pytest.mark.parametrize("route", ["places:pick_dwellings", "places:pick_entrances", "places:pick_compounds",
                                   "places:pick_grids"])
@pytest.mark.parametrize("params, status", [
    ({}, 400), ({"name": "x y"}, 400), ({"name": "x"}, 200), ({"name": "x", "x_q": "康" * 3000}, 200),
    ({"name": "x", "x_q": "康\x00"}, 400), ({"name": "x", "x_q": "% _ ' \" \\"}, 200),
])
def test_place_pickers_answer_bad_input_without_a_server_error(world, client_for, route, params, status):
    # when
    response = client_for("district_officer").get(reverse(route), params)
    # then
    assert response.status_code == status
    assert _options(response) == set()


def test_place_pickers_offer_a_resident_nothing(world, client_for):
    # when
    response = _search(client_for("resident"), "places:pick_dwellings", "康宁")
    # then
    assert response.status_code == 200 and _options(response) == set()
