"""Who sees and does what, across every persona, pages and API alike; nothing written on refusal."""

import pytest
from django.test import Client

from linli.stations import selectors, services
from linli.stations.models import MicroWish
from linli.stations.tests.helpers import far_member, member, photo, station, wish
from linli.testing import PERSONAS

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_an_open_wish_is_shown_to_members_of_its_community_and_staff_of_the_area_only(world):
    posted = wish(world)
    insider, outsider_member = member(world), far_member(world)
    sees = {persona: posted in selectors.wish_list_visible_to(actor=world.user(persona))
            for persona in PERSONAS if persona != "anonymous"}
    assert sees == {"resident": True, "grid_worker": True, "community_secretary": True, "branch_secretary": True,
                    "property_staff": False, "street_officer": True, "district_officer": True, "outsider": False,
                    "admin": True}
    assert posted in selectors.wish_list_visible_to(actor=insider)
    assert posted not in selectors.wish_list_visible_to(actor=outsider_member)
    # once another member has claimed it, it leaves the open list of the other members
    second = member(world, _another_resident(world), "member2")
    services.wish_claim(actor=insider, wish=posted)
    assert posted not in selectors.wish_list_visible_to(actor=second)
    assert posted in selectors.wish_list_visible_to(actor=insider)


def _another_resident(world):
    from linli.people.tests.factories import ResidentFactory

    return ResidentFactory(household=world.household1, name="张小明")


def test_the_member_sees_the_wish_without_the_residents_name(world):
    posted = wish(world)
    claimer = member(world)
    page = _client(claimer).get(f"/stations/wishes/{posted.pk}/")
    assert page.status_code == 200 and "张秀英" not in page.content.decode() and "认领这个心愿" in page.content.decode()
    answer = _client(claimer).get(f"/api/v1/wishes/{posted.pk}").json()
    assert answer["wisher"] is None and answer["title"] == "想要一副老花镜"
    assert _client(world.user("grid_worker")).get(f"/api/v1/wishes/{posted.pk}").json()["wisher"] == "张秀英"
    assert _client(world.user("resident")).get(f"/api/v1/wishes/{posted.pk}").json()["wisher"] == "张秀英"


EXPECTED_CLAIM = {"anonymous": 401, "resident": 400, "grid_worker": 403, "community_secretary": 403,
                  "branch_secretary": 403, "property_staff": 404, "street_officer": 403, "district_officer": 403,
                  "outsider": 404, "admin": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_claiming_over_the_api_across_personas_writes_nothing_when_refused(world, counts, persona):
    posted = wish(world)
    before = counts()
    answer = _client(world.user(persona)).post(f"/api/v1/wishes/{posted.pk}/claim")
    assert answer.status_code == {"resident": 403}.get(persona, EXPECTED_CLAIM[persona])
    assert counts() == before
    assert MicroWish.objects.get(pk=posted.pk).status == "open"


@pytest.mark.parametrize("persona", PERSONAS)
def test_station_pages_across_personas(world, counts, persona):
    made = station(world)
    client = _client(world.user(persona))
    expected_detail = {"anonymous": 302, "property_staff": 404, "outsider": 404}.get(persona, 200)
    assert client.get(f"/stations/{made.pk}/").status_code == expected_detail
    assert client.get("/stations/").status_code == (302 if persona == "anonymous" else 200)
    assert client.get("/stations/wishes/").status_code == (302 if persona == "anonymous" else 200)
    # writes: only the community office and the officers above it register and edit
    before = counts()
    answer = client.post(f"/stations/{made.pk}/staff/", {"name": "王敏", "role": "值班"})
    editors = {"community_secretary", "street_officer", "district_officer", "admin"}
    if persona in editors:
        assert answer.status_code == 302 and counts() != before
    else:
        assert answer.status_code in {"anonymous": (302,)}.get(persona, (403, 404))
        assert counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_inspecting_over_the_api_across_personas(world, counts, persona):
    made = station(world)
    for code, label in made.checklist:
        services.evidence_add(actor=world.user("community_secretary"), station=made, item=code, text=label)
    codes = [c for c, _ in made.checklist]
    before = counts()
    answer = _client(world.user(persona)).post(f"/api/v1/stations/{made.pk}/inspections", {"met": codes},
                                               content_type="application/json")
    if persona in ("street_officer", "district_officer", "admin"):
        assert answer.status_code == 201 and answer.json()["passed"] and answer.json()["accepted_on"]
    else:
        expected = {"anonymous": 401, "property_staff": 404, "outsider": 404}.get(persona, 403)
        assert answer.status_code == expected
        assert counts() == before


def test_the_whole_wish_over_the_api(world):
    claimer = member(world)
    resident = _client(world.user("resident"))
    made = resident.post("/api/v1/wishes", {"title": "想要一个助行器"}, content_type="application/json")
    assert made.status_code == 201
    pk = made.json()["id"]
    assert _client(claimer).post(f"/api/v1/wishes/{pk}/claim").json()["status"] == "claimed"
    fulfilled = _client(claimer).post(f"/api/v1/wishes/{pk}/fulfil", {"note": "已送到", "photos": photo()})
    assert fulfilled.status_code == 200 and fulfilled.json()["status"] == "fulfilled"
    confirmed = resident.post(f"/api/v1/wishes/{pk}/confirm", {"note": "谢谢"}, content_type="application/json")
    assert confirmed.json()["status"] == "confirmed"
    taken = _client(claimer).post(f"/api/v1/wishes/{pk}/claim")
    assert taken.status_code == 409 and taken.json()["code"] == "wish_taken"


def test_station_register_over_the_api(world):
    secretary = _client(world.user("community_secretary"))
    made = secretary.post("/api/v1/stations", {"community_id": world.community1.pk, "name": "康宁微站",
                                               "kind": "micro", "address": "康宁一网格", "grid_id": world.grid1.pk},
                          content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert secretary.post(f"/api/v1/stations/{pk}/slots", {"weekday": 5, "opens": "18:00", "closes": "20:00",
                                                           "mode": "staggered"},
                          content_type="application/json").status_code == 201
    detail = _client(world.user("resident")).get(f"/api/v1/stations/{pk}").json()
    assert detail["modes"] == ["错时"] and len(detail["checklist"]) == 4
    assert _client(world.user("resident")).get(f"/api/v1/stations/{pk}/services").json()["count"] == 37
    assert _client(world.user("outsider")).get(f"/api/v1/stations/{pk}").status_code == 404
    # a compound of another community is out of sight for the outsider and refused for the secretary
    other = secretary.post("/api/v1/stations", {"community_id": world.community1.pk, "name": "错站", "kind": "micro",
                                                "address": "x", "compound_id": world.compound4.pk},
                           content_type="application/json")
    assert other.status_code == 404


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/wishes", {"title": ""}),
    ("/api/v1/wishes", {"title": "x" * 61}),
    ("/api/v1/wishes", {"title": "想要", "resident_id": 2**70}),
    ("/api/v1/wishes", {"title": "想要\x00"}),
    ("/api/v1/stations", {"community_id": 1, "name": "x", "kind": "palace", "address": "x"}),
    ("/api/v1/stations", {"community_id": "abc"}),
    ("/api/v1/stations/999999999999/slots", {"weekday": 9, "opens": "25:00", "closes": "x"}),
    ("/api/v1/wishes/abc/claim", {}),
])
def test_bad_input_is_answered_never_with_a_500(world, counts, path, body):
    before = counts()
    answer = _client(world.user("community_secretary")).post(path, body, content_type="application/json")
    assert answer.status_code in (400, 403, 404, 422), answer.content
    assert counts() == before


def test_bad_input_on_pages_is_answered_never_with_a_500(world, counts):
    made = station(world)
    client = _client(world.user("community_secretary"))
    before = counts()
    assert client.post(f"/stations/{made.pk}/slots/", {"weekday": "9", "opens": "x"}).status_code == 302
    assert client.post(f"/stations/{made.pk}/evidence/", {"item": "nope", "text": ""}).status_code == 302
    assert client.post(f"/stations/{made.pk}/evidence/", {"item": "sign", "text": "标识",
                                                           "photo": photo().__class__("a.png", b"not a photo")}
                       ).status_code == 302
    assert client.get("/stations/99999999999999999999/").status_code == 404
    assert client.post("/stations/wishes/new/", {"title": ""}).status_code == 200
    assert counts() == before


def test_the_resident_posts_and_confirms_on_pages(world):
    claimer = member(world)
    resident = _client(world.user("resident"))
    answer = resident.post("/stations/wishes/new/", {"title": "想要一个助行器", "body": ""})
    posted = MicroWish.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/stations/wishes/{posted.pk}/"
    assert _client(claimer).post(f"/stations/wishes/{posted.pk}/claim/").status_code == 302
    _client(claimer).post(f"/stations/wishes/{posted.pk}/fulfil/", {"note": "送到了", "photos": photo()})
    assert MicroWish.objects.get().status == "fulfilled"
    photo_id = posted.photos.get().pk
    assert resident.get(f"/stations/wishes/{posted.pk}/photos/{photo_id}/").status_code == 200
    assert _client(world.user("outsider")).get(f"/stations/wishes/{posted.pk}/photos/{photo_id}/").status_code == 404
    resident.post(f"/stations/wishes/{posted.pk}/confirm/", {"note": "谢谢"})
    assert MicroWish.objects.get().status == "confirmed"


def test_indicators_count_stations_coverage_and_wishes(world):
    made = station(world)
    services.station_create(actor=world.user("street_officer"), name="双东红色阵地", kind="red",
                            community=world.community2, compound=world.compound3, address="双东院落")
    Station = type(made)
    Station.objects.filter(pk=made.pk).update(accepted_on="2026-01-05")
    wish(world)
    figures = selectors.indicators(actor=world.user("street_officer"))
    assert figures["stations"] == 2 and figures["accepted"] == 1 and figures["accepted_share"] == 50.0
    assert (figures["compounds_covered"], figures["compounds"]) == (2, 3)
    assert (figures["wishes_posted"], figures["wishes_open"]) == (1, 1)
    assert selectors.indicators(actor=world.user("outsider"))["stations"] == 0
    # per node: one community of the street
    one = selectors.indicators(actor=world.user("street_officer"), unit=world.community1)
    assert (one["stations"], one["compounds"], one["compounds_covered"]) == (1, 2, 1)
    client = _client(world.user("street_officer"))
    answer = client.get(f"/api/v1/stations/indicators?unit_id={world.community2.pk}").json()
    assert (answer["stations"], answer["accepted"]) == (1, 0)
    assert client.get(f"/api/v1/stations/indicators?unit_id={world.community3.pk}").status_code == 404
    assert client.get(f"/stations/indicators/?unit={world.community3.pk}").status_code == 404
    assert client.get("/stations/indicators/?unit=abc").status_code == 404
    assert _client(world.user("street_officer")).get("/stations/indicators/").status_code == 200
    assert _client(world.user("resident")).get("/stations/indicators/").status_code == 403


def test_the_staff_table_of_wishes_names_only_the_wishes_of_the_work_area(world):
    # given a grid worker of community3 who is also a Party member living in community1
    from linli.accounts.models import Assignment, Role

    worker = member(world)
    Assignment.objects.create(user=worker, role=Role.GRID_WORKER, grid=world.grid4)
    posted = wish(world)
    # then the wish is among the open wishes he may claim, but not in the staff table with the name
    assert posted in selectors.wish_list_visible_to(actor=worker)
    assert posted not in selectors.wish_list_visible_to(actor=worker, filters={"area": True})
    page = _client(worker).get("/stations/wishes/").content.decode()
    assert "想要一副老花镜" in page and "张秀英" not in page
