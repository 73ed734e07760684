import datetime as dt
import json

from django.urls import reverse

from linli.core.models import AuditEntry
from linli.orgs.tests.factories import PartyOrgFactory
from linli.people.models import GridWorker, PartyMember
from linli.people.tests.factories import GridWorkerFactory, PartyMemberFactory

JSON = "application/json"


# Party members

def test_register_in_service_member_with_dual_registration(world, client_for):
    # given
    branch = PartyOrgFactory(community=world.community1, compounds=[world.compound1])
    # when
    response = client_for("community_secretary").post("/api/v1/party-members", json.dumps({
        "resident": world.neighbour.pk, "category": "in_service", "home_branch": branch.pk,
        "employer": "山西省电力公司", "dual_registered_community": world.community1.pk,
        "dual_registered_on": "2025-03-01", "cared_households": [world.household1.pk]}), content_type=JSON)
    # then
    assert response.status_code == 201
    data = response.json()
    assert data["dual_registered_community_id"] == world.community1.pk
    assert data["cared_households"] == [world.household1.pk]
    assert world.neighbour.phone not in response.content.decode()
    member = PartyMember.objects.get(pk=data["id"])
    assert AuditEntry.objects.filter(object_type="people.partymember", object_id=str(member.pk)).count() == 2


def test_in_service_member_needs_a_dual_registration_community(world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for("community_secretary").post("/api/v1/party-members", json.dumps({
        "resident": world.neighbour.pk, "category": "in_service"}), content_type=JSON)
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["dual_registered_community"] == ["在职党员须登记双报到社区。"]
    assert counts() == before


def test_references_out_of_sight_are_field_errors(world, client_for, counts):
    # given
    far_branch = PartyOrgFactory(community=world.community3, compounds=[world.compound4])
    before = counts()
    # when
    response = client_for("community_secretary").post("/api/v1/party-members", json.dumps({
        "resident": world.far_resident.pk, "category": "retired", "home_branch": far_branch.pk,
        "dual_registered_community": world.community3.pk, "dual_registered_on": "2025-01-01",
        "cared_households": [world.far_resident.household_id]}), content_type=JSON)
    # then
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"resident", "home_branch", "dual_registered_community",
                                              "cared_households"}
    assert counts() == before


def test_a_resident_is_registered_as_member_once(world, client_for):
    # given
    PartyMemberFactory(resident=world.neighbour)
    # when
    response = client_for("community_secretary").post("/api/v1/party-members", json.dumps({
        "resident": world.neighbour.pk, "category": "retired"}), content_type=JSON)
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["resident"] == ["该居民已登记为党员。"]


def test_lost_contact_needs_a_search_record(world, client_for):
    # given
    member = PartyMemberFactory(resident=world.resident)
    client = client_for("grid_worker")
    url = f"/api/v1/party-members/{member.pk}"
    # when
    refused = client.patch(url, json.dumps({"lost_contact": True}), content_type=JSON)
    accepted = client.patch(url, json.dumps({"lost_contact": True,
                                             "search_record": "2026-03 电话停机，上门未遇，已联系原单位"}),
                            content_type=JSON)
    # then
    assert refused.status_code == 400
    assert refused.json()["errors"]["search_record"] == ["标记为失联党员时须填写查找记录。"]
    assert accepted.status_code == 200 and accepted.json()["lost_contact"] is True
    member.refresh_from_db()
    assert member.lost_contact and "上门未遇" in member.search_record


def test_party_member_list_filters(world, client_for):
    # given
    branch = PartyOrgFactory(community=world.community1, compounds=[world.compound1])
    PartyMemberFactory(resident=world.resident, category="retired", home_branch=branch, lost_contact=True,
                       search_record="查找中")
    PartyMemberFactory(resident=world.neighbour, category="in_service", dual_registered_community=world.community1,
                       dual_registered_on=dt.date(2025, 1, 1))
    PartyMemberFactory(resident=world.far_resident)
    client = client_for("street_officer")

    def names(**params):
        return {m["name"] for m in client.get("/api/v1/party-members", params).json()["items"]}

    # then
    assert names() == {"张秀英", "李建国"}
    assert names(category="in_service") == {"李建国"}
    assert names(lost_contact="true") == {"张秀英"}
    assert names(dual_community=world.community1.pk) == {"李建国"}
    assert names(branch=branch.pk) == {"张秀英"}
    assert names(q=world.neighbour.id_number) == {"李建国"}
    page = client.get(reverse("people:partymember_list"), {"lost_contact": "1"})
    assert "张秀英" in page.content.decode() and "李建国" not in page.content.decode()


def test_party_member_create_page_finds_resident_by_id_number_without_script(world, client_for, counts):
    # given a browser without JavaScript: the picker's search text is posted with the form
    client = client_for("branch_secretary")
    before = counts()
    # when the whole ID number is searched
    response = client.post(reverse("people:partymember_create"), {
        "resident_q": world.neighbour.id_number, "category": "retired"})
    # then the form comes back with the match to tick, and nothing is written yet
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="resident" value="{world.neighbour.pk}"' in page
    assert world.neighbour.id_number not in page
    assert counts() == before
    # when the match is ticked and the form sent again
    response = client.post(reverse("people:partymember_create"), {
        "resident": world.neighbour.pk, "category": "retired"})
    # then
    assert response.status_code == 302
    assert PartyMember.objects.get().resident == world.neighbour


def test_party_member_create_page_does_not_find_residents_out_of_sight(world, client_for, counts):
    # given
    before = counts()
    # when the ID number of someone elsewhere is searched
    response = client_for("branch_secretary").post(reverse("people:partymember_create"), {
        "resident_q": world.far_resident.id_number, "category": "retired"})
    # then
    assert response.status_code == 200
    assert "没有找到符合" in response.content.decode()
    assert f'value="{world.far_resident.pk}"' not in response.content.decode()
    assert counts() == before


def test_party_member_create_page_refuses_a_forged_resident_id(world, client_for, counts):
    # given
    before = counts()
    # when the id of a resident out of sight is posted by hand
    response = client_for("branch_secretary").post(reverse("people:partymember_create"), {
        "resident": world.far_resident.pk, "category": "retired"})
    # then
    assert response.status_code == 200
    assert "所选居民不存在或不在您的工作范围内" in response.content.decode()
    assert "王磊" not in response.content.decode()
    assert counts() == before


def test_party_member_create_page_out_of_sight_resident_param_is_404(world, client_for):
    # when
    response = client_for("branch_secretary").get(reverse("people:partymember_create"),
                                                  {"resident": world.far_resident.pk})
    # then
    assert response.status_code == 404


def test_party_member_edit_page_sets_cared_households(world, client_for):
    # given
    member = PartyMemberFactory(resident=world.resident)
    # when
    response = client_for("grid_worker").post(reverse("people:partymember_edit", args=[member.pk]), {
        "category": "retired", "cared_households": [world.neighbour.household_id]})
    # then
    assert response.status_code == 302
    assert list(member.cared_households.all()) == [world.neighbour.household]


# Grid workers

def test_grid_worker_create_needs_visible_grids(world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for("community_secretary").post("/api/v1/grid-workers", json.dumps({
        "name": "刘芳", "grids": [world.grid1.pk, world.grid4.pk]}), content_type=JSON)
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["grids"] == ["所选网格不存在或不在您的辖区内。"]
    assert counts() == before


def test_grid_worker_phone_is_validated_and_masked(world, client_for):
    # given
    client = client_for("community_secretary")
    # when
    bad = client.post("/api/v1/grid-workers", json.dumps({"name": "刘芳", "phone": "555", "grids": [world.grid1.pk]}),
                      content_type=JSON)
    good = client.post("/api/v1/grid-workers", json.dumps({
        "name": "刘芳", "phone": "13698765432", "kind": "assistant", "grids": [world.grid1.pk]}), content_type=JSON)
    # then
    assert bad.status_code == 400 and "phone" in bad.json()["errors"]
    assert good.status_code == 201
    assert good.json()["phone_masked"] == "136****5432"
    assert "13698765432" not in good.content.decode()
    page = client.get(reverse("people:gridworker_list"))
    assert "13698765432" not in page.content.decode() and "136****5432" in page.content.decode()


def test_grid_worker_update_keeps_grids_outside_the_actors_sight(world, client_for):
    # given: a worker serving grid1 (community1) and grid3 (community2)
    worker = GridWorkerFactory(grids=[world.grid1, world.grid3])
    # when: the grid-1 worker's community secretary moves them from grid1 to grid2
    response = client_for("community_secretary").patch(f"/api/v1/grid-workers/{worker.pk}", json.dumps({
        "grids": [world.grid2.pk]}), content_type=JSON)
    # then
    assert response.status_code == 200
    assert set(worker.grids.values_list("pk", flat=True)) == {world.grid2.pk, world.grid3.pk}


def test_grid_worker_list_filters(world, client_for):
    # given
    GridWorkerFactory(name="甲", kind="full_time", grids=[world.grid1])
    GridWorkerFactory(name="乙", kind="assistant", grids=[world.grid1, world.grid2])
    GridWorkerFactory(name="丙", grids=[world.grid4])
    client = client_for("community_secretary")

    def names(**params):
        return [w["name"] for w in client.get("/api/v1/grid-workers", params).json()["items"]]

    # then
    assert sorted(names()) == ["乙", "甲"]
    assert names(kind="assistant") == ["乙"]
    assert names(grid=world.grid2.pk) == ["乙"]
    assert sorted(names(grid=world.grid1.pk)) == ["乙", "甲"]


def test_grid_worker_edit_page(world, client_for):
    # given
    worker = GridWorkerFactory(name="甲", grids=[world.grid1])
    # when
    response = client_for("grid_worker").post(reverse("people:gridworker_edit", args=[worker.pk]), {
        "name": "甲", "kind": "part_time", "grids": [world.grid1.pk], "duties": "巡查\n走访", "phone": ""})
    # then
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.kind == GridWorker.Kind.PART_TIME and worker.duties == "巡查\n走访" and worker.phone
