"""Places API behaviour: pagination, filters, schemas, validation errors."""

import json

import pytest

from linli.places.models import AdminUnit, Compound
from linli.places.tests.factories import CompoundFactory

API = "/api/v1"


def _post(client, path, data):
    return client.post(API + path, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(("persona", "count"), [
    ("district_officer", 4), ("street_officer", 3), ("community_secretary", 2), ("grid_worker", 1),
])
def test_compound_list_counts_per_jurisdiction(world, client_for, persona, count):
    body = client_for(persona).get(f"{API}/compounds").json()
    assert body["count"] == count and len(body["items"]) == count


def test_compound_list_pages_by_fifty(world, client_for):
    # given
    for n in range(55):
        CompoundFactory(community=world.community2, name=f"批量{n:02d}")
    client = client_for("district_officer")
    # when
    first = client.get(f"{API}/compounds").json()
    second = client.get(f"{API}/compounds", {"page": 2}).json()
    # then
    assert first["count"] == 59 and len(first["items"]) == 50 and len(second["items"]) == 9


@pytest.mark.parametrize(("params", "names"), [
    ({"community": "140105001001"}, ["幸福苑", "康宁小区"]),
    ({"street": "140105002000"}, ["南内环小区"]),
    ({"district": "140105000000", "kind": "old_courtyard"}, ["双东院落"]),
    ({"q": "康宁"}, ["康宁小区"]),
    ({"old": "true"}, ["双东院落"]),
])
def test_compound_list_filters(world, client_for, params, names):
    body = client_for("district_officer").get(f"{API}/compounds", params).json()
    assert sorted(i["name"] for i in body["items"]) == sorted(names)


def test_compound_list_filter_by_grid(world, client_for):
    body = client_for("district_officer").get(f"{API}/compounds", {"grid": world.grid2.pk}).json()
    assert [i["name"] for i in body["items"]] == ["幸福苑"]


def test_compound_detail_has_derived_counts(world, client_for):
    body = client_for("resident").get(f"{API}/compounds/{world.compound1.pk}").json()
    assert body["name"] == "康宁小区" and body["kind_name"] == "建制小区" and body["community_code"] == "140105001001"
    assert (body["buildings_count"], body["dwellings_count"], body["households_count"], body["residents_count"]) \
        == (1, 2, 2, 2)


def test_dwelling_and_building_lists_filter_by_compound(world, client_for):
    client = client_for("street_officer")
    dwellings = client.get(f"{API}/dwellings", {"compound": world.compound3.pk}).json()
    buildings = client.get(f"{API}/buildings", {"compound": world.compound4.pk}).json()
    assert dwellings["count"] == 2 and {d["households_count"] for d in dwellings["items"]} == {0}
    assert buildings["count"] == 0  # compound4 is in the other street


def test_bad_admin_code_is_a_chinese_field_error(world, client_for, counts):
    # given
    before = counts()
    # when: 12 digits, but not under the chosen street
    response = _post(client_for("district_officer"), "/units", {
        "level": "community", "parent": world.street1.pk, "code": "140105002009", "name": "新社区"})
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"code": ["区划代码必须以上级区划代码开头。"]}
    assert counts() == before


def test_malformed_admin_code_is_refused(world, client_for, counts):
    before = counts()
    response = _post(client_for("admin"), "/units", {
        "level": "community", "parent": world.street1.pk, "code": "14010500100X", "name": "新社区"})
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == ["区划代码应为 12 位数字。"]
    assert counts() == before


def test_unit_create_returns_the_new_unit(world, client_for):
    response = _post(client_for("district_officer"), "/units", {
        "level": "street", "parent": world.district.pk, "code": "140105005000", "name": "新街道"})
    assert response.status_code == 201
    assert response.json()["level_name"] == "街道/乡镇"
    assert AdminUnit.objects.get(code="140105005000").parent == world.district


def test_wrong_types_answer_422(world, client_for, counts):
    before = counts()
    response = _post(client_for("admin"), "/compounds", {"community": "not-a-number", "name": "x", "kind": "planned"})
    assert response.status_code == 422
    assert counts() == before


def test_compound_patch_changes_only_the_given_fields(world, client_for):
    response = client_for("community_secretary").patch(
        f"{API}/compounds/{world.compound1.pk}", json.dumps({"build_year": 1990}), content_type="application/json")
    assert response.status_code == 200 and response.json()["is_old"] is True
    compound = Compound.objects.get(pk=world.compound1.pk)
    assert (compound.name, compound.build_year) == ("康宁小区", 1990)


def test_compound_patch_model_error_is_400(world, client_for, counts):
    before = counts()
    response = client_for("community_secretary").patch(
        f"{API}/compounds/{world.compound1.pk}", json.dumps({"build_year": 1800}), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "数据校验未通过", "field": None,
                               "errors": {"build_year": ["建成年份不合理。"]}}
    assert counts() == before


def test_api_is_tagged_di(world, client_for):
    schema = client_for("admin").get(f"{API}/openapi.json").json()
    tags = {op["tags"][0] for path, item in schema["paths"].items() if path.startswith("/api/v1/compounds")
            for op in item.values()}
    assert tags == {"地"}
