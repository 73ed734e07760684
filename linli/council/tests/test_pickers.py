"""The ballot form names an entrance through the searched picker: nothing listed, forged ids refused."""

from linli.council.models import Ballot
from linli.places.tests.factories import EntranceFactory

NEW = "/council/ballots/new/"


def _ballot(world, **extra):
    return {"compound": world.compound1.pk, "title": "加装电梯", "question": "是否同意", "rule": "entrance_owners",
            "matter": "ordinary", "threshold_percent": 80, "closes_at": "2026-05-20T18:00", **extra}


def test_ballot_page_does_not_grow_with_the_entrances(world, estate, client_for):
    # given
    client = client_for("community_secretary")
    before = client.get(NEW).content.decode()
    # when 60 more entrances are added to the building
    building = estate.entrance.building
    for n in range(60):
        EntranceFactory(building=building, number=f"新{n}单元")
    after = client.get(NEW).content.decode()
    # then
    assert after.count("<option") == before.count("<option")
    assert "新1单元" not in after


def test_ballot_page_refuses_a_forged_entrance(world, estate, client_for, counts):
    # given an entrance of another street
    far = world.far_resident.household.dwelling.entrance
    before = counts()
    # when
    response = client_for("branch_secretary").post(NEW, _ballot(world, entrance=far.pk))
    # then
    assert response.status_code == 200
    assert "所选单元不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before
    assert not Ballot.objects.exists()
