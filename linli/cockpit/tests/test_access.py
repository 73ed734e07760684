"""Who sees which cockpit: officers their own nodes, out of sight is 404, others are refused; reads write nothing."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from linli.places.tests.factories import DistrictFactory
from linli.testing import table_counts


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _unit(pk):
    return reverse("cockpit:unit", args=[pk])


def _compound(pk):
    return reverse("cockpit:compound", args=[pk])


@pytest.mark.parametrize("persona, node, status", [
    ("district_officer", "district", 200),
    ("district_officer", "street2", 200),
    ("district_officer", "compound4", 200),
    ("street_officer", "street1", 200),
    ("street_officer", "compound3", 200),
    ("street_officer", "district", 404),
    ("street_officer", "street2", 404),
    ("street_officer", "community3", 404),
    ("street_officer", "compound4", 404),
    ("community_secretary", "community1", 200),
    ("community_secretary", "compound2", 200),
    ("community_secretary", "community2", 404),
    ("community_secretary", "compound3", 404),
    ("admin", "street2", 200),
    # not officers: the cockpit is refused whatever the node
    ("grid_worker", "compound1", 403),
    ("branch_secretary", "compound1", 403),
    ("resident", "compound1", 403),
    ("outsider", "community3", 403),
])
def test_each_persona_sees_only_the_cockpits_in_sight(client, world, persona, node, status):
    obj = getattr(world, node)
    url = _compound(obj.pk) if node.startswith("compound") else _unit(obj.pk)
    before = table_counts()
    assert _get(client, world.user(persona), url).status_code == status
    assert _get(client, world.user(persona), url + "map.json").status_code == status
    assert table_counts() == before


def test_an_absent_node_is_404_and_anonymous_goes_to_login(client, world):
    assert _get(client, world.user("district_officer"), _unit(999999)).status_code == 404
    assert _get(client, world.user("district_officer"), _compound(999999) + "map.json").status_code == 404
    client.logout()
    assert client.get(_unit(world.district.pk)).status_code == 302


def test_the_home_opens_the_officers_one_unit(client, world):
    response = _get(client, world.user("street_officer"), reverse("cockpit:home"))
    assert response.status_code == 200 and f"<h1>{world.street1.name}" in response.content.decode()
    assert _get(client, world.user("resident"), reverse("cockpit:home")).status_code == 403
    # the administrator watches every district: with one district, that one; with two, a list
    response = _get(client, world.user("admin"), reverse("cockpit:home"))
    assert response.status_code == 200 and f"<h1>{world.district.name}" in response.content.decode()
    other = DistrictFactory(code="140106000000", name="迎泽区")
    page = _get(client, world.user("admin"), reverse("cockpit:home")).content.decode()
    assert world.district.name in page and other.name in page and _unit(other.pk) in page


def locate(world):
    """Put the world's compounds on the map (the factories leave them without a location)."""
    for n, compound in enumerate((world.compound1, world.compound2, world.compound3, world.compound4)):
        compound.latitude, compound.longitude = Decimal("37.80") + n * Decimal("0.01"), Decimal("112.55") + n * Decimal("0.007")
        compound.save()


def test_a_street_officer_page_and_map_leave_out_the_other_street(client, world):
    locate(world)
    officer = world.user("street_officer")
    page = _get(client, officer, _unit(world.street1.pk)).content.decode()
    assert world.community1.name in page and world.community2.name in page
    assert world.street2.name not in page and world.community3.name not in page
    # the way up is not offered past the officer's own street
    assert _unit(world.district.pk) not in page
    geo = json.loads(_get(client, officer, _unit(world.street1.pk) + "map.json").content)
    names = {f["properties"]["name"] for f in geo["features"]}
    assert world.compound4.name not in names and world.community3.name not in names
    assert {world.compound1.name, world.compound3.name} <= names


def test_the_district_page_offers_every_figure_down_a_level_and_into_its_records(client, world):
    page = _get(client, world.user("district_officer"), _unit(world.district.pk)).content.decode()
    assert "?month=" in page and "rank=residents" in page
    assert _unit(world.street1.pk) in page and _unit(world.street2.pk) in page
    assert reverse("places:compound_list") + f"?district_id={world.district.pk}" in page
    assert reverse("cases:case_figures") + f"?unit={world.district.pk}" in page
    ranked = _get(client, world.user("district_officer"), _unit(world.district.pk) + "?rank=residents")
    assert "按“居民”排名" in ranked.content.decode()
    # a compound has no children: its figures open the records
    page = _get(client, world.user("district_officer"), _compound(world.compound1.pk)).content.decode()
    assert reverse("cases:case_list") + f"?compound={world.compound1.pk}&amp;status=all" in page
    assert _unit(world.community1.pk) in page  # the way back up


@pytest.mark.parametrize("query", ["?month=abc", "?month=2026-99", "?rank=<script>", "?month=" + "9" * 40])
def test_bad_parameters_are_never_a_server_error(client, world, query):
    assert _get(client, world.user("district_officer"), _unit(world.district.pk) + query).status_code == 200


def test_officers_get_the_cockpit_as_a_tab(client, world):
    for persona in ("district_officer", "street_officer", "community_secretary"):
        page = _get(client, world.user(persona), reverse("cases:case_list")).content.decode()
        assert f'href="{reverse("cockpit:home")}"' in page, persona
    page = _get(client, world.user("resident"), reverse("cases:my_cases")).content.decode()
    assert reverse("cockpit:home") not in page


def test_a_figures_records_are_the_lists_filtered_to_the_node(client, world):
    # the residents 65+ of street1 (张秀英 1956, 李建国 1949) and not 王磊 of street2
    client.force_login(world.user("district_officer"))
    page = client.get(_unit(world.street1.pk)).content.decode()
    link = reverse("people:resident_list") + f"?street={world.street1.code}&amp;elderly=1"
    assert link in page
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert world.resident.name in listed and world.neighbour.name in listed
    assert world.far_resident.name not in listed
    page = client.get(_compound(world.compound4.pk)).content.decode()
    link = reverse("people:resident_list") + f"?compound={world.compound4.pk}"
    assert f'href="{link}"' in page
    listed = client.get(link).content.decode()
    assert world.far_resident.name in listed and world.resident.name not in listed


def test_the_map_shows_the_stations_in_sight_and_not_another_streets(client, world):
    # given a station in community1 (street1, at its compound) and one in community3 (street2, own location)
    from linli.stations import services
    from linli.stations.tests.helpers import station

    locate(world)
    near = station(world)
    far = services.station_create(actor=world.user("district_officer"), community=world.community3, compound=None, name="南内环社区党群服务中心", kind="centre",
                  address="南内环街1号", latitude=Decimal("37.83"), longitude=Decimal("112.57"))
    officer = world.user("street_officer")
    # when the street1 officer and the district officer open the map data
    street = json.loads(_get(client, officer, _unit(world.street1.pk) + "map.json").content)
    district = json.loads(_get(client, world.user("district_officer"), _unit(world.district.pk) + "map.json").content)
    # then the street officer's map holds their station (at its compound) and not the other street's
    stations = {f["properties"]["id"]: f for f in street["features"] if f["properties"]["layer"] == "station"}
    assert list(stations) == [near.pk]
    compound1 = next(f for f in street["features"] if f["properties"]["layer"] == "compound"
                     and f["properties"]["id"] == world.compound1.pk)
    assert stations[near.pk]["geometry"] == compound1["geometry"]
    assert {f["properties"]["id"] for f in district["features"] if f["properties"]["layer"] == "station"} == {
        near.pk, far.pk}
