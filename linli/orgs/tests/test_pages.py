import datetime as dt
import json

from django.urls import reverse

from linli.core import clock
from linli.orgs.models import PartyOrg, Position
from linli.orgs.tests.factories import PartyOrgFactory, PropertyCompanyFactory, PropertyServiceFactory


def test_cross_appointment_is_visible_from_both_organisations(world, orgs, client_for):
    # given: world.resident sits on the branch AND chairs the owners' committee of compound1
    client = client_for("branch_secretary")
    # when
    branch_page = client.get(reverse("orgs:partyorg_detail", args=[orgs.branch.pk]))
    owners_page = client.get(reverse("orgs:selforg_detail", args=[orgs.owners.pk]))
    api = client.get("/api/v1/positions", {"resident": world.resident.pk, "current": "true"})
    # then
    assert "张秀英" in branch_page.content.decode() and "支部委员" in branch_page.content.decode()
    assert "张秀英" in owners_page.content.decode() and "业委会主任" in owners_page.content.decode()
    held = {(p["party_org_id"], p["self_org_id"], p["role"]) for p in api.json()["items"]}
    assert held == {(orgs.branch.pk, None, "支部委员"), (None, orgs.owners.pk, "业委会主任")}


def test_ending_one_appointment_leaves_the_other(world, orgs, client_for):
    # given
    clock.freeze(dt.datetime(2025, 6, 1, 10, 0))
    client = client_for("grid_worker")
    back = reverse("orgs:partyorg_detail", args=[orgs.branch.pk])
    # when
    response = client.post(reverse("orgs:position_end", args=[orgs.branch_position.pk]), {"next": back})
    # then
    assert response.status_code == 302 and response["Location"] == back
    clock.advance(dt.timedelta(days=1))  # the end date is the last day in office
    api = client.get("/api/v1/positions", {"resident": world.resident.pk, "current": "true"}).json()
    assert [p["role"] for p in api["items"]] == ["业委会主任"]


def test_owners_committee_page_shows_the_three_carriages(world, orgs, client_for):
    # given
    company = PropertyCompanyFactory(name="康宁物业")
    PropertyServiceFactory(compound=world.compound1, company=company, start=dt.date(2024, 1, 1))
    # when
    page = client_for("community_secretary").get(reverse("orgs:selforg_detail", args=[orgs.owners.pk]))
    # then
    text = page.content.decode()
    assert "三驾马车" in text and "康宁小区党支部" in text and "康宁物业" in text


def test_partyorg_detail_shows_tree_members_and_compounds(world, orgs, client_for):
    # given
    PartyOrgFactory(name="一号楼党小组", level=PartyOrg.Level.GROUP, parent=orgs.branch, formation="",
                    community=world.community1, compounds=[world.compound1])
    # when
    page = client_for("community_secretary").get(reverse("orgs:partyorg_detail", args=[orgs.committee.pk]))
    # then
    text = page.content.decode()
    assert "康宁小区党支部" in text and "一号楼党小组" in text
    assert "level=branch" in text  # "add a sub-organisation" proposes the next level down


def test_partyorg_form_offers_only_what_the_actor_sees(world, orgs, client_for):
    # given
    PartyOrgFactory(name="南内环小区党支部", community=world.community3, compounds=[world.compound4])
    # when
    form = client_for("community_secretary").get(reverse("orgs:partyorg_create")).context["form"]
    # then
    assert list(form.fields["community"].queryset) == [world.community1]
    assert set(form.fields["compounds"].queryset) == {world.compound1, world.compound2}
    assert set(form.fields["parent"].queryset) == {orgs.committee, orgs.branch}


def test_branch_secretary_may_name_the_community_of_their_compound(world, orgs, client_for):
    # when
    form = client_for("branch_secretary").get(reverse("orgs:partyorg_create")).context["form"]
    # then
    assert list(form.fields["community"].queryset) == [world.community1]
    assert list(form.fields["compounds"].queryset) == [world.compound1]


def test_position_form_offers_residents_in_sight(world, orgs, client_for):
    # when
    form = client_for("branch_secretary").get(reverse("orgs:position_create"),
                                              {"party_org": orgs.branch.pk}).context["form"]
    # then
    assert set(form.fields["resident"].queryset) == {world.resident, world.neighbour}


def test_position_create_page_posts_to_the_organisation(world, orgs, client_for):
    # given
    client = client_for("branch_secretary")
    url = reverse("orgs:position_create") + f"?self_org={orgs.owners.pk}"
    # when
    response = client.post(url, {"resident": world.neighbour.pk, "role": "业委会委员", "start": "2025-01-01"})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:selforg_detail", args=[orgs.owners.pk])
    assert Position.objects.get(resident=world.neighbour).self_org == orgs.owners


def test_position_create_needs_one_organisation_in_the_query(world, orgs, client_for):
    # when
    none = client_for("admin").get(reverse("orgs:position_create"))
    two = client_for("admin").get(reverse("orgs:position_create"),
                                  {"party_org": orgs.branch.pk, "self_org": orgs.owners.pk})
    # then
    assert none.status_code == 404 and two.status_code == 404


def test_form_shows_service_errors_next_to_fields(world, orgs, client_for, counts):
    # given: a group under the committee skips a level
    before = counts()
    # when
    response = client_for("community_secretary").post(reverse("orgs:partyorg_create"), {
        "name": "越级党小组", "level": "group", "parent": orgs.committee.pk, "community": world.community1.pk,
        "compounds": [world.compound1.pk]})
    # then
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert counts() == before


def test_company_form_requires_the_first_compound(world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for("community_secretary").post(reverse("orgs:propertycompany_create"), {"name": "某物业"})
    # then
    assert response.status_code == 200
    assert "service_compound" in response.context["form"].errors
    assert counts() == before


def test_list_filters_and_pager(world, orgs, client_for):
    # given
    for n in range(35):
        PartyOrgFactory(name=f"测试党小组{n:02d}", level=PartyOrg.Level.GROUP, parent=orgs.branch, formation="",
                        community=world.community1, compounds=[world.compound1])
    client = client_for("community_secretary")
    # when
    first = client.get(reverse("orgs:partyorg_list"), {"level": "group"})
    second = client.get(reverse("orgs:partyorg_list"), {"level": "group", "page": 2})
    committee = client.get(reverse("orgs:partyorg_list"), {"level": "committee"})
    # then
    assert len(first.context["page"]) == 30 and len(second.context["page"]) == 5
    assert "level=group&page=2" in first.content.decode()
    assert [o.name for o in committee.context["page"]] == ["康宁社区党委"]


def test_api_validation_errors_use_api_field_names(world, orgs, client_for, counts):
    # given
    client = client_for("community_secretary")
    before = counts()
    # when
    response = client.post("/api/v1/party-orgs", json.dumps({
        "name": "越级党小组", "level": "group", "parent_id": orgs.committee.pk, "community_id": world.community1.pk,
        "compound_ids": [world.compound4.pk]}), content_type="application/json")
    company = client.post("/api/v1/property-companies", json.dumps({
        "name": "某物业", "service": {"compound_id": world.compound4.pk, "mode": "market", "start": "2025-01-01"}}),
        content_type="application/json")
    # then
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"compound_ids"}
    assert company.status_code == 400 and set(company.json()["errors"]) == {"service.compound_id"}
    assert counts() == before


def test_api_patch_ends_a_position_and_pagination_is_50(world, orgs, client_for):
    # given
    client = client_for("admin")
    for n in range(55):
        PartyOrgFactory(name=f"党小组{n:02d}", level=PartyOrg.Level.GROUP, parent=orgs.branch, formation="",
                        community=world.community1)
    # when
    page1 = client.get("/api/v1/party-orgs", {"level": "group"}).json()
    page2 = client.get("/api/v1/party-orgs", {"level": "group", "page": 2}).json()
    ended = client.patch(f"/api/v1/positions/{orgs.branch_position.pk}", json.dumps({"end": "2025-06-30"}),
                         content_type="application/json")
    # then
    assert page1["count"] == 55 and len(page1["items"]) == 50 and len(page2["items"]) == 5
    assert ended.status_code == 200 and ended.json()["end"] == "2025-06-30"
