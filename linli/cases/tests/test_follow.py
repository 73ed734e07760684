"""Following a case: only what the duplicate check offered, never a private category, and a follower
reads the case's status and public result, nothing of the other resident's."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from linli.accounts.services import token_issue
from linli.cases import services
from linli.cases.models import CaseFollower, CasePhoto, Status
from linli.cases.tests.conftest import JPEG
from linli.core import clock
from linli.core.errors import NotFound
from linli.testing import PASSWORD, PERSONAS, make_user

OFFER = re.compile(r'name="offer" value="([^"]+)"')


@pytest.fixture
def neighbour(world):
    """The resident's neighbour in compound1, with an account."""
    user = make_user("neighbour1", "resident")
    world.neighbour.user = user
    world.neighbour.save()
    client = Client()
    client.force_login(user)
    return user, client


def _offer_on_page(client, world):
    """What a resident sees before filing: the duplicates, and the note that lets them follow one."""
    page = client.post("/cases/new/", {"category": "sanitation", "description": "楼道杂物",
                                       "compound": world.compound1.pk})
    assert page.status_code == 200
    found = OFFER.findall(page.content.decode())
    return found[0] if found else ""


def test_the_duplicate_check_offers_the_case_and_its_note_lets_the_neighbour_follow(open_case, neighbour, world):
    # given the resident's open case
    case = open_case()
    user, client = neighbour
    # when the neighbour starts filing the same matter and follows the offered case
    offer = _offer_on_page(client, world)
    response = client.post(f"/cases/{case.pk}/follow/", {"offer": offer})
    # then
    assert offer and response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert CaseFollower.objects.filter(case=case, user=user).exists()


def test_the_htmx_duplicate_check_carries_the_note_too(open_case, neighbour, world):
    # given
    case = open_case()
    user, client = neighbour
    # when
    part = client.get("/cases/duplicates/", {"compound": world.compound1.pk, "category": "sanitation"})
    offer = OFFER.findall(part.content.decode())[0]
    # then
    assert client.post(f"/cases/{case.pk}/follow/", {"offer": offer}).status_code == 302
    assert CaseFollower.objects.filter(case=case, user=user).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_following_by_id_alone_is_not_found_for_everyone(persona, open_case, client_for, counts):
    # given an open case; ids are sequential, so anyone can guess it
    case = open_case()
    before = counts()
    # when
    response = client_for(persona).post(f"/cases/{case.pk}/follow/")
    # then
    assert response.status_code == (302 if persona == "anonymous" else 404)
    if persona == "anonymous":
        assert response["Location"].startswith("/login/")
    assert counts() == before


def test_a_note_for_another_case_another_user_or_a_forged_one_finds_nothing(open_case, neighbour, world,
                                                                             counts):
    # given two open cases of different categories; the neighbour was offered only the first
    offered = open_case()
    other = open_case(category="facilities", description="路灯坏了")
    user, client = neighbour
    offer = _offer_on_page(client, world)
    residents_note = services.follow_offer(actor=world.user("resident"), cases=[offered, other])
    before = counts()
    # when / then
    assert client.post(f"/cases/{other.pk}/follow/", {"offer": offer}).status_code == 404
    assert client.post(f"/cases/{offered.pk}/follow/", {"offer": residents_note}).status_code == 404
    assert client.post(f"/cases/{offered.pk}/follow/", {"offer": offer[:-2] + "xx"}).status_code == 404
    assert counts() == before


def test_the_note_expires_by_the_clock(open_case, neighbour, world, frozen, counts):
    # given
    case = open_case()
    user, client = neighbour
    offer = _offer_on_page(client, world)
    before = counts()
    # when an hour and a minute later
    clock.advance(dt.timedelta(minutes=61))
    response = client.post(f"/cases/{case.pk}/follow/", {"offer": offer}, follow=True)
    # then the resident is sent back to check again, with a sentence saying why
    assert response.redirect_chain[-1][0] == "/cases/new/"
    assert services.OFFER_EXPIRED in response.content.decode()
    assert counts() == before


def test_a_private_category_is_never_offered_nor_followed(open_case, neighbour, world, counts):
    # given the resident's request for help for the elderly (it is about one person, not a place)
    case = open_case(category="elderly-help", description="独居老人需要助餐")
    user, client = neighbour
    # when the neighbour picks the same category on the filing page
    part = client.get("/cases/duplicates/", {"compound": world.compound1.pk, "category": "elderly-help"})
    # then nothing is offered
    assert part.status_code == 200 and OFFER.findall(part.content.decode()) == []
    assert f"#{case.pk}" not in part.content.decode()
    assert list(services.possible_duplicates(actor=user, compound_id=world.compound1.pk,
                                             category_code="elderly-help")) == []
    # and a note that did name it (made before the category was private) follows nothing either
    before = counts()
    stale = services.follow_offer(actor=user, cases=[case])
    assert client.post(f"/cases/{case.pk}/follow/", {"offer": stale}).status_code == 404
    with pytest.raises(NotFound):
        services.case_follow(actor=user, case=case, offer=stale)
    assert counts() == before


@pytest.fixture
def followed(open_case, neighbour, world):
    """The resident's case with a private place, a staff-only note, a public note and a result; the neighbour follows it."""
    case = open_case(description="3单元楼道堆满杂物，我是张秀英", contact_name="张秀英", contact_phone="13912345678",
                     address="康宁小区1号楼3单元")
    user, client = neighbour
    offer = _offer_on_page(client, world)
    services.case_follow(actor=user, case=case, offer=offer)
    worker = world.user("grid_worker")
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_return(actor=worker, case=case, reason="内部原因甲乙丙")
    services.case_dispatch(actor=worker, case=case, assignee=worker, note="请物业配合清理")
    services.case_solve(actor=worker, case=case, note="杂物已清运完毕")
    case.refresh_from_db()
    return case, user, client


PRIVATE_BITS = ["3单元楼道堆满杂物", "张秀英", "13912345678", "1号楼3单元", "内部原因甲乙丙", "请物业配合清理"]


def test_a_follower_reads_status_and_result_on_the_page(followed):
    # given
    case, user, client = followed
    # when
    page = client.get(f"/cases/{case.pk}/")
    body = page.content.decode()
    # then
    assert page.status_code == 200
    assert case.get_status_display() in body and "杂物已清运完毕" in body
    for bit in PRIVATE_BITS:
        assert bit not in body
    assert "办理记录" not in body


def test_a_follower_reads_status_and_result_over_the_api(followed, world):
    # given
    case, user, _ = followed
    raw, _ = token_issue(username=user.username, password=PASSWORD)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    # when
    detail = api.get(f"/api/v1/cases/{case.pk}").json()
    listed = api.get("/api/v1/cases").json()["items"]
    # then
    assert detail["status"] == Status.SOLVED and detail["solution"] == "杂物已清运完毕"
    assert detail["events"] == [] and detail["description"] == "" and detail["contact_phone"] == ""
    assert detail["address"] == "" and detail["dwelling_id"] is None and detail["building_id"] is None
    assert [row["id"] for row in listed] == [case.pk]
    assert listed[0]["description"] == "" and listed[0]["address"] == ""
    text = str(detail) + str(listed)
    for bit in PRIVATE_BITS:
        assert bit not in text


def test_a_follower_gets_no_photo_and_the_reporter_still_reads_everything(followed, client_for, world):
    # given a photo of the resident's stairwell
    case, user, client = followed
    name = default_storage.save("cases/test/intake-photo.jpg", ContentFile(JPEG))
    photo = CasePhoto.objects.create(case=case, stage=CasePhoto.Stage.INTAKE, file=name, content_type="image/jpeg",
                                     size=len(JPEG), uploaded_by=world.user("resident"), at=clock.now())
    url = f"/cases/{case.pk}/photos/{photo.pk}/"
    # when
    reporter_page = client_for("resident").get(f"/cases/{case.pk}/").content.decode()
    worker_page = client_for("grid_worker").get(f"/cases/{case.pk}/").content.decode()
    # then the reporter reads their own words and the public timeline; staff read the staff note
    assert "3单元楼道堆满杂物" in reporter_page and "办理记录" in reporter_page
    assert "内部原因甲乙丙" not in reporter_page
    assert "内部原因甲乙丙" in worker_page
    assert client.get(url).status_code == 404
    assert client_for("resident").get(url).status_code == 200
