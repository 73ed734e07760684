"""Every organisation API operation, for every persona: the status, and that refused writes write nothing."""

import json

import pytest

from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.orgs.tests.conftest import EDITORS, SEE_COMMUNITY1, SEE_COMPOUND1, SEE_COMPOUND2, STAFF
from linli.testing import PERSONAS

API = "/api/v1"
SEE_OWNERS = SEE_COMPOUND1 | {"resident"}
# A position is in sight through its holder or its organisation: the owners' committee is the resident's own.
SEE_OWNERS_POSITION = SEE_OWNERS


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


COLLECTIONS = ["party-orgs", "self-orgs", "property-companies", "property-services", "partners", "positions"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_list_operations_are_for_staff(collection, persona, orgs, client_for):
    # when
    response = client_for(persona).get(f"{API}/{collection}")
    # then
    expected = 401 if persona == "anonymous" else 200 if persona in STAFF else 403
    assert response.status_code == expected
    if expected == 200:
        assert set(response.json()) == {"items", "count"}


ITEMS = [
    ("party-orgs", "branch", SEE_COMPOUND1),
    ("self-orgs", "owners", SEE_OWNERS),
    ("property-companies", "company", SEE_COMPOUND2),
    ("property-services", "service", SEE_COMPOUND2),
    ("partners", "partner", SEE_COMMUNITY1),
    ("positions", "owners_position", SEE_OWNERS_POSITION),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("collection", "target", "sight"), ITEMS)
def test_detail_operations_answer_404_out_of_sight(collection, target, sight, persona, orgs, client_for):
    # given
    obj = getattr(orgs, target)
    # when
    response = client_for(persona).get(f"{API}/{collection}/{obj.pk}")
    # then
    expected = 401 if persona == "anonymous" else 200 if persona in sight else 404
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == obj.pk


PATCHES = [
    ("party-orgs", "branch", SEE_COMPOUND1, {"name": "康宁小区第一党支部"}),
    ("self-orgs", "owners", SEE_OWNERS, {"term_end": "2027-01-01"}),
    ("property-companies", "company", SEE_COMPOUND2, {"credit_code": "91140105MA0KXXXX1X"}),
    ("property-services", "service", SEE_COMPOUND2, {"collection_rate": "92.50"}),
    ("partners", "partner", SEE_COMMUNITY1, {"offer": "义诊、健康讲座"}),
    ("positions", "owners_position", SEE_OWNERS_POSITION, {"role": "业委会副主任"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("collection", "target", "sight", "data"), PATCHES)
def test_patch_operations(collection, target, sight, data, persona, orgs, client_for, counts):
    # given
    obj = getattr(orgs, target)
    before = counts()
    # when
    response = _patch(client_for(persona), f"{API}/{collection}/{obj.pk}", data)
    # then
    if persona == "anonymous":
        expected = 401
    elif persona not in sight:
        expected = 404
    else:
        expected = 200 if persona in EDITORS else 403
    assert response.status_code == expected
    if expected == 200:
        assert counts()["core.auditentry"] == before["core.auditentry"] + 1
        field, value = next(iter(data.items()))
        assert str(response.json()[field]) == value
    else:
        assert counts() == before


def _creates(world, orgs):
    """(collection, payload, model, personas for whom it succeeds)."""
    return {
        "party-orgs": ({"name": "康宁小区一号楼党小组", "level": "group", "parent_id": orgs.branch.pk,
                        "community_id": world.community1.pk, "compound_ids": [world.compound1.pk]},
                       PartyOrg, SEE_COMPOUND1),
        "self-orgs": ({"kind": "property_committee", "compound_id": world.compound1.pk, "name": "康宁小区物管会",
                       "term_start": "2025-01-01"}, SelfOrg, SEE_COMPOUND1),
        "property-companies": ({"name": "康宁红色物业", "service": {
            "compound_id": world.compound1.pk, "mode": "red_property", "start": "2025-01-01"}},
            PropertyCompany, SEE_COMPOUND1),
        "property-services": ({"compound_id": world.compound2.pk, "mode": "self_managed",
                               "provider_name": "幸福苑自管小组", "start": "2025-01-01"}, PropertyService,
                              SEE_COMPOUND2),
        "partners": ({"name": "康宁能工巧匠", "kind": "craftsperson", "community_id": world.community1.pk},
                     PartnerUnit, SEE_COMMUNITY1),
        "positions": ({"resident_id": world.neighbour.pk, "party_org_id": orgs.branch.pk, "role": "组织委员",
                       "start": "2025-01-01"}, Position, SEE_COMPOUND1),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_create_operations(collection, persona, world, orgs, client_for, counts):
    # given
    payload, model, able = _creates(world, orgs)[collection]
    before = counts()
    # when
    response = _post(client_for(persona), f"{API}/{collection}", payload)
    # then
    if persona in EDITORS and persona in able:
        assert response.status_code == 201, response.json()
        assert model.objects.count() == before[model._meta.label_lower] + 1
        assert counts()["core.auditentry"] > before["core.auditentry"]
        return
    expected = 401 if persona == "anonymous" else 403 if persona not in EDITORS else 400
    assert response.status_code == expected
    if expected == 400:
        body = response.json()
        assert body["detail"] and body["errors"]
    assert counts() == before
