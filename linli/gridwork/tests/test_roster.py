"""两长四员: residents of a building take its posts; one holder a post; across personas."""

import pytest
from django.urls import reverse

from linli.core.errors import Forbidden
from linli.gridwork import selectors, services
from linli.gridwork.models import RosterMember
from linli.testing import PERSONAS, refused, table_counts

pytestmark = pytest.mark.django_db


def _building(world):
    return world.household1.dwelling.entrance.building


def test_residents_of_the_building_take_its_posts_one_holder_each(world, crew):
    staff = world.user("grid_worker")
    head = services.roster_appoint(actor=staff, building=_building(world), post="building_head", resident=world.resident)
    unit = services.roster_appoint(actor=staff, building=_building(world), post="unit_head", resident=world.neighbour)
    assert unit.entrance == world.neighbour.household.dwelling.entrance and head.entrance is None
    before = table_counts()
    with refused("post_taken"):
        services.roster_appoint(actor=staff, building=_building(world), post="building_head", resident=world.neighbour)
    with refused("not_living_here"):
        services.roster_appoint(actor=staff, building=_building(world), post="safety", resident=world.far_resident)
    with refused("building_out_of_sight"):
        services.roster_appoint(actor=staff, building=world.far_resident.household.dwelling.entrance.building,
                                post="safety", resident=world.far_resident)
    with pytest.raises(Forbidden):
        services.roster_appoint(actor=world.user("resident"), building=_building(world), post="safety",
                                resident=world.resident)
    assert table_counts() == before
    services.roster_end(actor=staff, member=head)
    again = services.roster_appoint(actor=staff, building=_building(world), post="building_head",
                                    resident=world.neighbour)
    assert again.pk != head.pk and RosterMember.objects.filter(until__isnull=True).count() == 2


def test_roster_lists_leave_out_other_places(world, crew):
    member = services.roster_appoint(actor=world.user("grid_worker"), building=_building(world), post="policy",
                                     resident=world.resident)
    assert member in selectors.roster_list_visible_to(actor=world.user("community_secretary"))
    assert member not in selectors.roster_list_visible_to(actor=world.user("outsider"))
    buildings = selectors.roster_buildings(actor=world.user("grid_worker"))
    assert [b.households for b in buildings] == [2]
    assert not selectors.roster_buildings(actor=world.user("outsider")).filter(pk=_building(world).pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_roster_pages_and_api_across_personas(world, crew, client_for, persona):
    client = client_for(persona)
    building = _building(world)
    listing = client.get(reverse("gridwork:roster"))
    detail = client.get(reverse("gridwork:roster_building", args=[building.pk]))
    before = table_counts()
    written = client.post("/api/v1/gridwork/roster", {"building_id": building.pk, "post": "safety",
                                                      "resident_id": world.resident.pk},
                          content_type="application/json")
    # the compound's Party branch secretary keeps its buildings' roster too
    if persona in ("grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
                   "admin"):
        assert listing.status_code == 200 and detail.status_code == 200 and "张秀英" in detail.content.decode()
        assert written.status_code == 201, written.content
        return
    if persona == "anonymous":
        assert listing.status_code == 302 and written.status_code == 401
    else:
        assert detail.status_code in (403, 404) and written.status_code in (403, 404)
    assert table_counts() == before


def test_roster_page_appoints_and_ends(world, crew, client_for):
    page = client_for("grid_worker")
    url = reverse("gridwork:roster_building", args=[_building(world).pk])
    page.post(url, {"post": "building_head", "resident": world.resident.pk})
    member = RosterMember.objects.get()
    assert "楼栋长 张秀英" in page.get(reverse("gridwork:roster")).content.decode()
    answer = page.post(url, {"post": "building_head", "resident": world.neighbour.pk}, follow=True)
    assert "请先办理卸任" in answer.content.decode()
    answer = page.post(url, {"post": "safety", "resident": world.far_resident.pk}, follow=True)
    assert "请从本楼居民中选择" in answer.content.decode()
    page.post(reverse("gridwork:roster_end", args=[member.pk]))
    assert RosterMember.objects.get().until is not None
