"""The rules of the register, the standard and its acceptance, and micro-wishes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from linli.cases.models import Notification
from linli.core import clock
from linli.core.errors import Forbidden, NotFound
from linli.stations import services
from linli.stations.catalogue import DEFAULT_CATALOGUE
from linli.stations.models import MicroWish, ServiceItem, Station, WishEvent
from linli.stations.tests.helpers import far_member, member, photo, station, wish
from linli.testing import refused

pytestmark = pytest.mark.django_db


def test_a_new_station_publishes_the_default_catalogue_of_6_categories_and_37_items(world):
    # when the community secretary registers a compound station
    made = station(world)
    # then it carries the default catalogue and the four-haves standard
    items = ServiceItem.objects.filter(station=made)
    assert items.count() == 37 == sum(len(i) for _c, i in DEFAULT_CATALOGUE)
    assert len(set(items.values_list("category", flat=True))) == 6
    assert made.standard == "four"
    # and a red position is built to the six haves
    red = station(world, name="康宁红色阵地", kind="red", compound=None)
    assert red.standard == "six" and len(red.checklist) == 6


def test_registering_outside_the_area_or_without_the_role_is_refused(world, counts):
    before = counts()
    with pytest.raises(Forbidden):
        services.station_create(actor=world.user("outsider"), community=world.community1, name="x",
                                kind="micro", address="x")
    with pytest.raises(Forbidden):
        services.station_create(actor=world.user("property_staff"), community=world.community1, name="x",
                                kind="micro", address="x")
    with refused("kind_invalid"):
        services.station_create(actor=world.user("community_secretary"), community=world.community1, name="x",
                                kind="palace", address="x")
    with pytest.raises(ValidationError):
        station(world, compound=world.compound3)  # compound3 is in community2
    assert counts() == before


def test_catalogue_and_timetable_are_edited_per_station(world, counts):
    made = station(world)
    secretary = world.user("community_secretary")
    services.service_add(actor=secretary, station=made, category="便民服务", name="代收快递")
    item = ServiceItem.objects.get(station=made, name="党费收缴")
    services.service_toggle(actor=secretary, item=item, active=False)
    assert ServiceItem.objects.filter(station=made, active=True).count() == 37
    services.slot_add(actor=secretary, station=made, weekday=0, opens=dt.time(9), closes=dt.time(17))
    services.slot_add(actor=secretary, station=made, weekday=5, opens=dt.time(18), closes=dt.time(20),
                      mode="staggered")
    services.station_update(actor=secretary, station=made, data={"on_call": True, "on_call_phone": "0351-1234567"})
    assert Station.objects.get(pk=made.pk).modes == ["定时", "错时", "随时"]
    before = counts()
    with refused("slot_overlap"):
        services.slot_add(actor=secretary, station=made, weekday=0, opens=dt.time(16), closes=dt.time(18))
    with refused("slot_invalid"):
        services.slot_add(actor=secretary, station=made, weekday=1, opens=dt.time(18), closes=dt.time(9))
    with refused("service_exists"):
        services.service_add(actor=secretary, station=made, category="便民服务", name="代收快递")
    assert counts() == before


def _evidence_all(world, made):
    for code, label in made.checklist:
        services.evidence_add(actor=world.user("community_secretary"), station=made, item=code,
                              text=f"{label}：已落实", photo=photo())


def test_acceptance_passes_only_when_every_item_is_met_and_evidenced(world, counts):
    made = station(world)
    officer = world.user("street_officer")
    codes = [c for c, _ in made.checklist]
    # a ticked item without evidence is refused, nothing written
    before = counts()
    with refused("evidence_missing"):
        services.inspect(actor=officer, station=made, met=codes)
    assert counts() == before
    _evidence_all(world, made)
    # an item not met: recorded, not passed
    failed = services.inspect(actor=officer, station=made, met=codes[:-1], note="服务清单未上墙")
    assert not failed.passed and Station.objects.get(pk=made.pk).accepted_on is None
    passed = services.inspect(actor=officer, station=made, met=codes)
    assert passed.passed and Station.objects.get(pk=made.pk).accepted_on == clock.today()
    # only street and district officers inspect
    with pytest.raises(Forbidden):
        services.inspect(actor=world.user("community_secretary"), station=made, met=codes)
    with pytest.raises(Forbidden):
        services.inspect(actor=world.user("outsider"), station=made, met=codes)


def test_a_resident_posts_a_member_claims_fulfils_and_the_resident_confirms(world):
    # given a station of compound1 and a Party member living in the same community
    made = station(world)
    claimer = member(world)
    # when the resident posts a wish
    posted = wish(world)
    assert (posted.status, posted.station, posted.compound) == ("open", made, world.compound1)
    # then the member claims it, fulfils it with a photo, and the resident confirms
    services.wish_claim(actor=claimer, wish=posted)
    assert Notification.objects.filter(user=world.user("resident"), text__contains="已有党员认领").exists()
    services.wish_fulfil(actor=claimer, wish=posted, note="送去了一副 300 度老花镜", photo_files=[photo()])
    done = services.wish_confirm(actor=world.user("resident"), wish=posted, note="谢谢")
    assert done.status == "confirmed" and done.photos.count() == 1
    assert list(WishEvent.objects.filter(wish=done).values_list("kind", flat=True)) == [
        "posted", "claimed", "fulfilled", "confirmed"]
    assert Notification.objects.filter(user=claimer, text__contains="已由心愿人确认").exists()


def test_a_wish_is_claimed_once_and_only_by_a_member_of_its_community(world, counts):
    posted = wish(world)
    first = member(world)
    other = far_member(world)
    before = counts()
    with pytest.raises(Forbidden):
        services.wish_claim(actor=other, wish=posted)  # a member of another community
    with pytest.raises(Forbidden):
        services.wish_claim(actor=world.user("grid_worker"), wish=posted)  # staff, not a member
    with refused("own_wish"):
        services.wish_claim(actor=world.user("resident"), wish=posted)
    assert counts() == before
    services.wish_claim(actor=first, wish=posted)
    # a second claim on the taken wish: refused, nothing written
    other_member = member(world, world.resident.household.members.exclude(pk=world.resident.pk).first()
                          or _second_resident(world), "member2")
    before = counts()
    with refused("wish_taken"):
        services.wish_claim(actor=other_member, wish=MicroWish.objects.get(pk=posted.pk))
    assert counts() == before


def _second_resident(world):
    from linli.people.tests.factories import ResidentFactory

    return ResidentFactory(household=world.household1, name="张小明")


def test_an_in_service_member_claims_in_the_community_they_dual_registered_with(world):
    # given a member living in community3 who dual-registered with community1
    claimer = far_member(world)
    claimer_member = world.far_resident.party_member
    claimer_member.category = "in_service"
    claimer_member.dual_registered_community = world.community1
    claimer_member.dual_registered_on = dt.date(2026, 3, 1)
    claimer_member.save()
    # then they may claim a wish of community1
    assert services.wish_claim(actor=claimer, wish=wish(world)).claimed_by == claimer


def test_fulfilling_needs_the_claimer_and_a_photo_and_confirming_needs_the_wisher(world, counts):
    posted = wish(world)
    claimer = member(world)
    before = counts()
    with refused("not_claimer"):
        services.wish_fulfil(actor=claimer, wish=posted, note="x", photo_files=[photo()])
    assert counts() == before
    services.wish_claim(actor=claimer, wish=posted)
    posted.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError):
        services.wish_fulfil(actor=claimer, wish=posted, note="送到了", photo_files=[])
    with pytest.raises(ValidationError):
        services.wish_fulfil(actor=claimer, wish=posted, note="送到了",
                             photo_files=[photo().__class__("a.png", b"%PDF-1.4 not a photo")])
    with refused("wish_not_fulfilled"):
        services.wish_confirm(actor=world.user("resident"), wish=posted)
    with refused("not_wisher"):
        services.wish_confirm(actor=claimer, wish=posted)
    assert counts() == before


def test_a_worker_posts_for_a_resident_of_their_area_only(world, counts):
    grid = world.user("grid_worker")
    posted = services.wish_post(actor=grid, resident=world.neighbour, title="想学用智能手机")
    assert posted.posted_by == grid and posted.resident == world.neighbour
    before = counts()
    with pytest.raises(NotFound):
        services.wish_post(actor=grid, resident=world.far_resident, title="x")
    with refused("not_resident"):
        services.wish_post(actor=world.user("street_officer"), title="x")
    with refused("required"):
        services.wish_post(actor=world.user("resident"), title="  ")
    assert counts() == before


def test_at_most_three_unfulfilled_wishes_per_resident(world, counts):
    for n in range(3):
        wish(world, f"心愿{n}")
    before = counts()
    with refused("too_many_wishes"):
        wish(world, "第四个")
    assert counts() == before


def test_phone_numbers_typed_into_a_wish_are_masked(world):
    posted = services.wish_post(actor=world.user("resident"), title="想要轮椅", body="请打 13812345678 联系我")
    assert "13812345678" not in posted.body
