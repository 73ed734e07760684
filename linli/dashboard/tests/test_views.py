import pytest

from linli.testing import PERSONAS

OFFICERS = {"community_secretary", "street_officer", "district_officer", "outsider", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_indicators_page_is_for_officers_only(world, client_for, counts, persona):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get("/dashboard/indicators/")
    # then
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if persona in OFFICERS else 403)
    assert counts() == before


def test_district_officer_sees_the_district_and_its_streets(landscape, client_for):
    # given
    client = client_for("district_officer")
    # when
    response = client.get("/dashboard/indicators/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "小店区" in html and "坞城街道" in html and "营盘街道" in html
    assert "66.7%" in html  # party coverage 4/6
    assert "交叉任职率：在既有覆盖党组织" in html
    sections = response.context["sections"]
    assert [s["unit"].name for s in sections] == ["小店区"]
    assert [c.node.label for c in sections[0]["children"]] == ["坞城街道", "营盘街道"]


def test_street_officer_drills_into_a_community_and_sees_its_grids(landscape, client_for):
    # given
    w = landscape.world
    client = client_for("street_officer")
    # when
    response = client.get(f"/dashboard/indicators/?unit={w.community1.pk}")
    # then
    assert response.status_code == 200
    section = response.context["sections"][0]
    assert section["unit"] == w.community1
    assert section["indicators"].three_carriages.display == "50.0%"
    assert [c.node.label for c in section["children"]] == ["康宁一网格", "康宁二网格"]


def test_grid_drill_down(landscape, client_for):
    # given
    w = landscape.world
    client = client_for("district_officer")
    # when
    response = client.get(f"/dashboard/indicators/?grid={w.grid4.pk}")
    # then
    assert response.status_code == 200
    assert response.context["sections"][0]["indicators"].cross_appointment.display == "50.0%"


@pytest.mark.parametrize("param, target", [
    ("unit", "street2"), ("unit", "district"), ("unit", "community3"), ("grid", "grid4"), ("unit", "nonsense"),
])
def test_drill_down_out_of_sight_is_404(world, client_for, counts, param, target):
    # given: the street officer watches street1 only
    client = client_for("street_officer")
    pk = getattr(world, target).pk if hasattr(world, target) else target
    before = counts()
    # when
    response = client.get(f"/dashboard/indicators/?{param}={pk}")
    # then
    assert response.status_code == 404
    assert counts() == before


def test_api_indicators_for_a_unit(landscape, client_for):
    # given
    w = landscape.world
    client = client_for("street_officer")
    # when
    response = client.get(f"/api/v1/indicators?unit={w.street1.pk}")
    # then
    assert response.status_code == 200
    body = response.json()
    [section] = body["sections"]
    assert section["indicators"]["compounds"] == 4
    assert section["indicators"]["party_coverage"] == {"count": 2, "total": 4, "percent": "50.0", "display": "50.0%"}
    assert section["indicators"]["sanwu"] == 1
    assert [c["node"] for c in section["children"]] == ["康宁社区", "双东社区"]
    assert section["children"][1]["cross_appointment"]["display"] == "—"
    assert body["definition"].startswith("交叉任职率")


@pytest.mark.parametrize("persona, status", [
    ("resident", 403), ("grid_worker", 403), ("property_staff", 403), ("outsider", 404),
    ("street_officer", 200), ("district_officer", 200), ("admin", 200),
])
def test_api_indicators_access(world, client_for, counts, persona, status):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get(f"/api/v1/indicators?unit={world.community1.pk}")
    # then
    assert response.status_code == status
    assert counts() == before


def test_api_requires_authentication(world, client):
    # when
    response = client.get("/api/v1/indicators")
    # then
    assert response.status_code == 401
