"""A Party org's covered compounds, as each caller may know them through the API."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.orgs.models import PartyOrg
from linli.orgs.tests.factories import PartyOrgFactory

API = "/api/v1"


def test_compound_ids_are_only_those_in_the_callers_sight(world, client_for):
    # given: an org covering compound1 (grid1) and compound3 (community2, out of the grid worker's sight)
    org = PartyOrgFactory(community=world.community1, compounds=[world.compound1, world.compound3])
    # when
    worker = client_for("grid_worker").get(f"{API}/party-orgs/{org.pk}").json()
    admin = client_for("admin").get(f"{API}/party-orgs/{org.pk}").json()
    # then
    assert worker["compound_ids"] == [world.compound1.pk]
    assert admin["compound_ids"] == sorted([world.compound1.pk, world.compound3.pk])


def test_list_shows_only_visible_compound_ids_without_a_query_per_org(world, client_for):
    # given
    client = client_for("grid_worker")
    org = PartyOrgFactory(community=world.community1, compounds=[world.compound1, world.compound3])
    client.get(f"{API}/party-orgs")  # warm up the session and auth lookups
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/party-orgs")
    for n in range(3):
        PartyOrgFactory(community=world.community1, name=f"加挂{n}", compounds=[world.compound1, world.compound2])
    # when
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{API}/party-orgs").json()
    # then
    ids = {item["id"]: item["compound_ids"] for item in body["items"]}
    assert ids[org.pk] == [world.compound1.pk]
    assert body["count"] == 4
    assert all(compound_ids == [world.compound1.pk] for compound_ids in ids.values())
    assert len(many) == len(one)


def test_update_by_a_caller_keeps_the_compounds_they_cannot_see(world, client_for):
    # given: compound2 is in community1 too, but out of the grid worker's sight
    org = PartyOrgFactory(community=world.community1, compounds=[world.compound1, world.compound2])
    # when
    response = client_for("grid_worker").patch(f"{API}/party-orgs/{org.pk}",
                                               json.dumps({"name": "康宁联合党支部",
                                                           "compound_ids": [world.compound1.pk]}),
                                               content_type="application/json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["compound_ids"] == [world.compound1.pk]
    org = PartyOrg.objects.get(pk=org.pk)
    assert org.name == "康宁联合党支部"
    assert set(org.compounds.values_list("pk", flat=True)) == {world.compound1.pk, world.compound2.pk}
