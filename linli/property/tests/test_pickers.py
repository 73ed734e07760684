"""The area contract form names its compounds through the searched picker: nothing listed, forged ids
refused."""

from linli.places.tests.factories import CompoundFactory
from linli.property.models import AreaContract


def test_area_page_does_not_grow_with_the_compounds(world, client_for):
    # given
    client = client_for("street_officer")
    before = client.get("/property/areas/").content.decode()
    # when 60 more compounds are built in the street
    for n in range(60):
        CompoundFactory(community=world.community1, name=f"新小区{n}")
    after = client.get("/property/areas/").content.decode()
    # then
    assert after.count("<option") == before.count("<option")
    assert "新小区" not in after


def test_area_page_refuses_a_forged_compound(world, client_for, counts):
    # given
    before = counts()
    # when a compound of another street is posted beside one in sight
    response = client_for("street_officer").post("/property/areas/", {
        "name": "坞城片区", "compounds": [world.compound2.pk, world.compound4.pk], "provider_name": "坞城物业中心",
        "start": "2026-05-01"})
    # then
    assert response.status_code == 200
    assert "所选小区不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before
    assert not AreaContract.objects.exists()
