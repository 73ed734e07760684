"""Every places API operation, for every persona: status, and nothing written when refused."""

import json

import pytest

from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid
from linli.testing import PERSONAS

API = "/api/v1"


def expect(default, **overrides):
    return {p: overrides.get(p, default) for p in PERSONAS}


def _building1(w):
    return Building.objects.get(compound=w.compound1)


def _entrance1(w):
    return Entrance.objects.get(building__compound=w.compound1)


# --- reads ------------------------------------------------------------------------------------

STAFF_LIST = expect(200, anonymous=401, resident=403)
COMPOUND1 = expect(200, anonymous=401, outsider=404, property_staff=404)
COMMUNITY1 = expect(200, anonymous=401, resident=403, grid_worker=404, branch_secretary=404,
                    property_staff=404, outsider=404)
GRID1 = expect(200, anonymous=401, resident=403, branch_secretary=404, property_staff=404, outsider=404)
IN_COMPOUND1 = expect(200, anonymous=401, resident=403, outsider=404, property_staff=404)

READS = {
    "compound_list": (lambda w: "/compounds", STAFF_LIST),
    "compound_detail": (lambda w: f"/compounds/{w.compound1.pk}", COMPOUND1),
    "unit_list": (lambda w: "/units", STAFF_LIST),
    "unit_detail": (lambda w: f"/units/{w.community1.pk}", COMMUNITY1),
    "grid_list": (lambda w: "/grids", STAFF_LIST),
    "grid_detail": (lambda w: f"/grids/{w.grid1.pk}", GRID1),
    "building_list": (lambda w: f"/buildings?compound={w.compound1.pk}", STAFF_LIST),
    "building_detail": (lambda w: f"/buildings/{_building1(w).pk}", IN_COMPOUND1),
    "entrance_list": (lambda w: "/entrances", STAFF_LIST),
    "entrance_detail": (lambda w: f"/entrances/{_entrance1(w).pk}", IN_COMPOUND1),
    "dwelling_list": (lambda w: f"/dwellings?compound={w.compound1.pk}", STAFF_LIST),
    "dwelling_detail": (lambda w: f"/dwellings/{w.household1.dwelling_id}", IN_COMPOUND1),
}


@pytest.mark.parametrize(("op", "persona"), [(op, p) for op in READS for p in PERSONAS])
def test_api_read_status_per_persona(world, client_for, counts, op, persona):
    # given
    path_of, expected = READS[op]
    before = counts()
    # when
    response = client_for(persona).get(API + path_of(world))
    # then
    assert response.status_code == expected[persona], response.content
    assert counts() == before
    if response.status_code in (403, 404):
        assert "康宁" not in response.content.decode()


# --- writes -----------------------------------------------------------------------------------
# 400 here means the reference (community, grid…) is outside the actor's sight: a field error.

COMPOUND_CREATE = expect(201, anonymous=401, resident=403, property_staff=403,
                         grid_worker=400, branch_secretary=400, outsider=400)
COMPOUND1_WRITE = expect(200, anonymous=401, resident=403, outsider=404, property_staff=404)
GRID_CREATE = expect(201, anonymous=401, resident=403, property_staff=403,
                     grid_worker=400, branch_secretary=400, outsider=400)
GRID1_WRITE = expect(200, anonymous=401, resident=404, branch_secretary=404, property_staff=404, outsider=404)
UNIT_CREATE = expect(403, anonymous=401, district_officer=201, admin=201)
COMMUNITY1_WRITE = expect(404, anonymous=401, resident=403, community_secretary=403, street_officer=403,
                          district_officer=200, admin=200)
BUILDING_CREATE = expect(201, anonymous=401, resident=403, property_staff=403,
                         outsider=400, branch_secretary=400)
IN_COMPOUND1_CREATE = expect(201, anonymous=401, resident=403, property_staff=403, outsider=400)
IN_COMPOUND1_WRITE = expect(200, anonymous=401, resident=404, outsider=404, property_staff=404)
DWELLING1_WRITE = expect(200, anonymous=401, resident=403, outsider=404, property_staff=404)

WRITES = {
    "compound_create": ("post", lambda w: "/compounds",
                        lambda w: {"community": w.community1.pk, "name": "新建小区", "kind": "planned"},
                        COMPOUND_CREATE, lambda w: Compound.objects.filter(name="新建小区").exists()),
    "compound_update": ("patch", lambda w: f"/compounds/{w.compound1.pk}", lambda w: {"name": "康宁新苑"},
                        COMPOUND1_WRITE, lambda w: Compound.objects.get(pk=w.compound1.pk).name == "康宁新苑"),
    "unit_create": ("post", lambda w: "/units",
                    lambda w: {"level": "community", "parent": w.street1.pk, "code": "140105001009",
                               "name": "新建社区"},
                    UNIT_CREATE, lambda w: AdminUnit.objects.filter(code="140105001009").exists()),
    "unit_update": ("patch", lambda w: f"/units/{w.community1.pk}", lambda w: {"name": "康宁里社区"},
                    COMMUNITY1_WRITE, lambda w: AdminUnit.objects.get(pk=w.community1.pk).name == "康宁里社区"),
    "grid_create": ("post", lambda w: "/grids",
                    lambda w: {"community": w.community1.pk, "code": "140105001001009", "name": "康宁九网格"},
                    GRID_CREATE, lambda w: Grid.objects.filter(code="140105001001009").exists()),
    "grid_update": ("patch", lambda w: f"/grids/{w.grid1.pk}", lambda w: {"name": "康宁一网格（东）"},
                    GRID1_WRITE, lambda w: Grid.objects.get(pk=w.grid1.pk).name == "康宁一网格（东）"),
    "building_create": ("post", lambda w: "/buildings",
                        lambda w: {"compound": w.compound1.pk, "number": "9号楼", "grid": w.grid1.pk},
                        BUILDING_CREATE,
                        lambda w: Building.objects.filter(compound=w.compound1, number="9号楼").exists()),
    "building_update": ("patch", lambda w: f"/buildings/{_building1(w).pk}", lambda w: {"floors": 11},
                        IN_COMPOUND1_WRITE, lambda w: _building1(w).floors == 11),
    "entrance_create": ("post", lambda w: "/entrances",
                        lambda w: {"building": _building1(w).pk, "number": "2单元"}, IN_COMPOUND1_CREATE,
                        lambda w: Entrance.objects.filter(building__compound=w.compound1, number="2单元").exists()),
    "entrance_update": ("patch", lambda w: f"/entrances/{_entrance1(w).pk}", lambda w: {"number": "一单元"},
                        IN_COMPOUND1_WRITE, lambda w: _entrance1(w).number == "一单元"),
    "dwelling_create": ("post", lambda w: "/dwellings",
                        lambda w: {"entrance": _entrance1(w).pk, "number": "601", "floor": 6}, IN_COMPOUND1_CREATE,
                        lambda w: Dwelling.objects.filter(entrance=_entrance1(w), number="601").exists()),
    "dwelling_update": ("patch", lambda w: f"/dwellings/{w.household1.dwelling_id}", lambda w: {"floor": 3},
                        DWELLING1_WRITE, lambda w: Dwelling.objects.get(pk=w.household1.dwelling_id).floor == 3),
}


@pytest.mark.parametrize(("op", "persona"), [(op, p) for op in WRITES for p in PERSONAS])
def test_api_write_status_per_persona(world, client_for, counts, op, persona):
    # given
    method, path_of, data_of, expected, written = WRITES[op]
    client = client_for(persona)
    path, body = API + path_of(world), json.dumps(data_of(world))
    before = counts()
    # when
    response = getattr(client, method)(path, body, content_type="application/json")
    # then
    assert response.status_code == expected[persona], response.content
    if response.status_code in (200, 201):
        assert written(world)
        assert counts()["core.auditentry"] == before["core.auditentry"] + 1
        return
    assert counts() == before
    assert not written(world)
    if response.status_code == 400:
        errors = response.json()["errors"]
        assert any("辖区" in message for messages in errors.values() for message in messages)
