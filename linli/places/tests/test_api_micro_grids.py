"""Micro-grid API: every operation for every persona, and the audited create/update path."""

import json

import pytest

from linli.core.models import AuditEntry
from linli.places.models import MicroGrid
from linli.places.tests.factories import MicroGridFactory
from linli.testing import PERSONAS

API = "/api/v1"


def expect(default, **overrides):
    return {p: overrides.get(p, default) for p in PERSONAS}


@pytest.fixture
def micro_grid(world):
    return MicroGridFactory(grid=world.grid1, name="康宁一号微网格")


# --- reads ------------------------------------------------------------------------------------

STAFF_LIST = expect(200, anonymous=401, resident=403)
IN_GRID1 = expect(200, anonymous=401, resident=403, branch_secretary=404, property_staff=404, outsider=404)
# Whoever sees grid1 lists its micro-grid; other staff get an empty page.
LISTS_IT = {p for p in PERSONAS if IN_GRID1[p] == 200}

READS = {
    "list": (lambda m: f"/micro-grids?grid={m.grid_id}", STAFF_LIST),
    "detail": (lambda m: f"/micro-grids/{m.pk}", IN_GRID1),
}


@pytest.mark.parametrize(("op", "persona"), [(op, p) for op in READS for p in PERSONAS])
def test_micro_grid_read_status_per_persona(micro_grid, client_for, counts, op, persona):
    # given
    path_of, expected = READS[op]
    before = counts()
    # when
    response = client_for(persona).get(API + path_of(micro_grid))
    # then
    assert response.status_code == expected[persona], response.content
    assert counts() == before
    if response.status_code == 200:
        body = response.json()
        ids = [i["id"] for i in body["items"]] if op == "list" else [body["id"]]
        assert ids == ([micro_grid.pk] if persona in LISTS_IT else [])


# --- writes -----------------------------------------------------------------------------------
# 400 here means the chosen grid is outside the actor's sight: a field error.

CREATE = expect(201, anonymous=401, resident=403, property_staff=403, branch_secretary=400, outsider=400)
UPDATE = expect(200, anonymous=401, resident=404, branch_secretary=404, property_staff=404, outsider=404)

WRITES = {
    "create": ("post", lambda m: "/micro-grids", lambda m: {"grid": m.grid_id, "name": "新建微网格"}, CREATE,
               lambda m: MicroGrid.objects.filter(name="新建微网格").exists()),
    "update": ("patch", lambda m: f"/micro-grids/{m.pk}", lambda m: {"name": "康宁东微网格"}, UPDATE,
               lambda m: MicroGrid.objects.get(pk=m.pk).name == "康宁东微网格"),
}


@pytest.mark.parametrize(("op", "persona"), [(op, p) for op in WRITES for p in PERSONAS])
def test_micro_grid_write_status_per_persona(micro_grid, client_for, counts, op, persona):
    # given
    method, path_of, data_of, expected, written = WRITES[op]
    client = client_for(persona)
    path, body = API + path_of(micro_grid), json.dumps(data_of(micro_grid))
    before = counts()
    # when
    response = getattr(client, method)(path, body, content_type="application/json")
    # then
    assert response.status_code == expected[persona], response.content
    if response.status_code in (200, 201):
        assert written(micro_grid)
        assert counts()["core.auditentry"] == before["core.auditentry"] + 1
        return
    assert counts() == before
    assert not written(micro_grid)
    if response.status_code == 400:
        assert list(response.json()["errors"]) == ["grid"]
        assert "辖区" in response.json()["errors"]["grid"][0]


def test_micro_grid_moved_to_an_unseen_grid_is_a_field_error(world, micro_grid, client_for, counts):
    # given: the grid worker sees grid1 only
    before = counts()
    # when
    response = client_for("grid_worker").patch(f"{API}/micro-grids/{micro_grid.pk}",
                                               json.dumps({"grid": world.grid3.pk}),
                                               content_type="application/json")
    # then
    assert response.status_code == 400
    assert "辖区" in response.json()["errors"]["grid"][0]
    assert counts() == before
    assert MicroGrid.objects.get(pk=micro_grid.pk).grid_id == world.grid1.pk


def test_micro_grid_create_then_update_is_audited(world, client_for):
    # given
    client = client_for("community_secretary")
    # when
    created = client.post(f"{API}/micro-grids", json.dumps({"grid": world.grid2.pk, "name": "幸福苑北"}),
                          content_type="application/json")
    pk = created.json()["id"]
    updated = client.patch(f"{API}/micro-grids/{pk}", json.dumps({"name": "幸福苑北区"}),
                           content_type="application/json")
    listed = client.get(f"{API}/micro-grids", {"grid": world.grid2.pk}).json()
    # then
    assert created.status_code == 201
    assert created.json() == {"id": pk, "grid_id": world.grid2.pk, "grid_name": world.grid2.name,
                              "name": "幸福苑北", "buildings_count": 0}
    assert updated.status_code == 200 and updated.json()["name"] == "幸福苑北区"
    assert MicroGrid.objects.get(pk=pk).name == "幸福苑北区"
    assert listed["count"] == 1 and listed["items"][0]["id"] == pk
    entries = AuditEntry.objects.filter(object_id=str(pk)).order_by("pk")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"name": ["幸福苑北", "幸福苑北区"]}
