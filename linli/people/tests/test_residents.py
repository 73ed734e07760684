import datetime as dt
import json

import pytest
from django.urls import reverse

from linli.core import clock
from linli.core.errors import Forbidden
from linli.core.models import AuditEntry
from linli.people import selectors, services
from linli.people.models import CareTag, Household, Resident
from linli.people.tests.factories import HouseholdFactory, PartyMemberFactory, ResidentFactory, make_id_number

VALID_ID = make_id_number(11, born="19770707")


def _body(response) -> str:
    return response.content.decode()


# Masking

@pytest.mark.parametrize("url", [
    lambda w: reverse("people:resident_list"),
    lambda w: reverse("people:resident_detail", args=[w.resident.pk]),
    lambda w: reverse("people:household_detail", args=[w.household1.pk]),
    lambda w: reverse("people:resident_edit", args=[w.resident.pk]),
    lambda w: "/api/v1/residents",
    lambda w: f"/api/v1/residents/{w.resident.pk}",
    lambda w: f"/api/v1/households/{w.household1.pk}",
])
def test_full_numbers_never_leave_without_unmasking(url, world, client_for):
    # given: the community secretary may unmask, but has not
    client = client_for("community_secretary")
    # when
    response = client.get(url(world))
    # then
    assert response.status_code == 200
    body = _body(response)
    assert world.resident.id_number not in body
    assert world.resident.phone not in body
    assert world.resident.id_number_masked in body
    assert world.resident.phone_masked in body


def test_api_output_carries_masked_and_derived_fields_only(world, client_for):
    # given
    clock.freeze(dt.datetime(2026, 6, 1, 9, 0))
    # when
    data = client_for("grid_worker").get(f"/api/v1/residents/{world.resident.pk}").json()
    # then
    assert "id_number" not in data and "phone" not in data and "birth_date" not in data
    assert "sensitive_tags" not in data
    assert data["id_number_masked"] == world.resident.id_number_masked
    assert data["phone_masked"] == world.resident.phone_masked
    assert data["gender"] == world.resident.gender
    assert data["age"] == world.resident.age
    assert data["is_elderly"] is (world.resident.age >= 65)


def test_resident_may_open_own_household_members_masked_but_not_neighbours(world, client_for):
    # given
    daughter = ResidentFactory(household=world.household1, name="张小红", relation="child")
    client = client_for("resident")
    # when
    own = client.get(reverse("people:resident_detail", args=[daughter.pk]))
    neighbour = client.get(reverse("people:resident_detail", args=[world.neighbour.pk]))
    # then
    assert own.status_code == 200
    assert daughter.id_number not in _body(own) and daughter.id_number_masked in _body(own)
    assert "查看完整信息" not in _body(own)
    assert neighbour.status_code == 404


def test_page_unmask_without_htmx_shows_full_values_once(world, client_for):
    # given
    client = client_for("grid_worker")
    detail = reverse("people:resident_detail", args=[world.resident.pk])
    # when
    response = client.post(reverse("people:resident_unmask", args=[world.resident.pk]))
    first = client.get(detail)
    second = client.get(detail)
    # then
    assert response.status_code == 302 and response["Location"] == detail
    assert world.resident.id_number in _body(first) and world.resident.phone in _body(first)
    assert world.resident.id_number not in _body(second)
    assert AuditEntry.objects.filter(action="unmask", object_id=str(world.resident.pk)).count() == 1


def test_unmask_outside_jurisdiction_is_404_and_unaudited(world, client_for):
    # given: the grid worker may unmask, but not in someone else's grid
    client = client_for("grid_worker")
    # when
    response = client.post(f"/api/v1/residents/{world.far_resident.pk}/unmask")
    # then
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="unmask").exists()


def test_unmask_get_is_not_allowed(world, client_for):
    # when
    response = client_for("grid_worker").get(reverse("people:resident_unmask", args=[world.resident.pk]))
    # then
    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="unmask").exists()


# Search through the lookup hash

def test_search_by_exact_id_number_uses_the_hash(world):
    # given
    actor = world.user("district_officer")
    # when
    exact = selectors.resident_list_visible_to(actor=actor, filters={"q": world.far_resident.id_number.lower()})
    partial = selectors.resident_list_visible_to(actor=actor, filters={"q": world.far_resident.id_number[:10]})
    # then
    assert list(exact) == [world.far_resident]
    assert "id_number_hash" in str(exact.query)
    assert list(partial) == []


def test_search_by_phone_on_page_and_api(world, client_for):
    # given
    client = client_for("community_secretary")
    # when
    page = client.get(reverse("people:resident_list"), {"q": world.neighbour.phone})
    api = client.get("/api/v1/residents", {"q": world.neighbour.phone}).json()
    # then
    assert "李建国" in _body(page) and "张秀英" not in _body(page)
    assert [r["name"] for r in api["items"]] == ["李建国"]


def test_search_never_finds_out_of_sight_residents(world, client_for):
    # when
    api = client_for("community_secretary").get("/api/v1/residents", {"q": world.far_resident.id_number}).json()
    # then
    assert api["count"] == 0


def test_search_by_name(world, client_for):
    # when
    api = client_for("street_officer").get("/api/v1/residents", {"q": "建国"}).json()
    # then
    assert [r["name"] for r in api["items"]] == ["李建国"]


# Validation

BAD_IDS = [
    ("14010519770707001", "身份证号码应为 18 位，当前为 17 位。"),
    ("14010519770707A01X", "身份证号码前 17 位须为数字，最后一位为数字或 X。"),
    (VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1"), "身份证号码校验位不正确，请核对。"),
    ("140105" + "19770230" + "0011", "身份证号码中的出生日期不存在。"),
]


@pytest.mark.parametrize("bad,message", BAD_IDS)
def test_bad_id_number_is_refused_with_its_message_on_the_page(bad, message, world, client_for, counts):
    # given
    if "出生日期" in message:
        from linli.core.validators import id_check_char
        bad = bad[:17] + id_check_char(bad[:17])
    before = counts()
    # when
    response = client_for("grid_worker").post(reverse("people:resident_create"), {
        "name": "错号", "id_number": bad, "household": world.household1.pk, "relation": "child",
        "status": "registered"})
    # then
    assert response.status_code == 200
    assert message in _body(response)
    assert counts() == before


def test_future_birth_date_is_refused(world):
    # given
    from linli.core.validators import id_check_char
    first17 = "140105" + "20300101" + "001"
    clock.freeze(dt.datetime(2026, 1, 1, 9, 0))
    # when / then
    with pytest.raises(services.ValidationError) as exc:
        services.resident_create(actor=world.user("admin"), name="未来", household=world.household1.pk,
                                 id_number=first17 + id_check_char(first17))
    assert exc.value.message_dict["id_number"] == ["身份证号码中的出生日期不合理。"]


@pytest.mark.parametrize("bad,message", BAD_IDS)
def test_bad_id_number_is_refused_by_the_api(bad, message, world, client_for, counts):
    # given
    if "出生日期" in message:
        from linli.core.validators import id_check_char
        bad = bad[:17] + id_check_char(bad[:17])
    before = counts()
    # when
    response = client_for("community_secretary").post("/api/v1/residents", json.dumps({
        "name": "错号", "id_number": bad, "household": world.household1.pk}), content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["id_number"] == [message]
    assert counts() == before


def test_bad_phone_is_refused_on_page_and_api(world, client_for, counts):
    # given
    client = client_for("community_secretary")
    message = "请输入有效的手机号（11 位，以 1 开头）或带区号的固定电话。"
    before = counts()
    # when
    page = client.post(reverse("people:resident_edit", args=[world.resident.pk]), {
        "name": "张秀英", "phone": "12345", "household": world.household1.pk, "relation": "head",
        "status": "registered"})
    api = client.patch(f"/api/v1/residents/{world.resident.pk}", json.dumps({"phone": "2345678"}),
                       content_type="application/json")
    # then
    assert page.status_code == 200 and message in _body(page)
    assert api.status_code == 400 and api.json()["errors"]["phone"] == [message]
    assert counts() == before


def test_duplicate_id_number_is_a_field_error(world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for("district_officer").post("/api/v1/residents", json.dumps({
        "name": "冒名", "id_number": world.far_resident.id_number, "household": world.household1.pk}),
        content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["id_number"] == ["该身份证号已登记在其他居民名下。"]
    assert counts() == before


def test_several_mistakes_are_reported_together(world, client_for):
    # when
    response = client_for("community_secretary").post("/api/v1/residents", json.dumps({
        "name": "多错", "id_number": "123", "phone": "1", "household": world.far_resident.household_id}),
        content_type="application/json")
    # then
    errors = response.json()["errors"]
    assert set(errors) == {"id_number", "phone", "household"}
    assert errors["household"] == ["所选户不存在或不在您的辖区内。"]


# Writes and their audit trail

def test_create_resident_in_a_new_household_at_a_visible_dwelling(world, client_for):
    # given
    dwelling = world.household1.dwelling.entrance.dwellings.exclude(pk=world.household1.dwelling_id).get()
    # when
    response = client_for("grid_worker").post("/api/v1/residents", json.dumps({
        "name": "周新", "id_number": VALID_ID, "phone": "13700000001", "dwelling": dwelling.pk,
        "household_number": "H77", "care_tags": []}), content_type="application/json")
    # then
    assert response.status_code == 201
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.household.dwelling == dwelling and resident.household.number == "H77"
    assert resident.id_number == VALID_ID and resident.birth_date == dt.date(1977, 7, 7)
    create = AuditEntry.objects.get(action="create", object_type="people.resident", object_id=str(resident.pk))
    assert VALID_ID not in json.dumps(create.changes, ensure_ascii=False)
    assert "13700000001" not in json.dumps(create.changes, ensure_ascii=False)
    assert AuditEntry.objects.filter(action="create", object_type="people.household").count() == 1


def test_new_household_needs_a_visible_dwelling(world, client_for, counts):
    # given
    far_dwelling = world.far_resident.household.dwelling
    before = counts()
    # when
    response = client_for("grid_worker").post("/api/v1/residents", json.dumps({
        "name": "周新", "dwelling": far_dwelling.pk}), content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["dwelling"] == ["所选房屋不存在或不在您的辖区内。"]
    assert counts() == before


def test_move_to_another_household_is_audited(world, client_for):
    # given
    target = world.neighbour.household
    # when
    response = client_for("community_secretary").patch(f"/api/v1/residents/{world.resident.pk}", json.dumps({
        "household": target.pk, "relation": "parent"}), content_type="application/json")
    # then
    assert response.status_code == 200
    world.resident.refresh_from_db()
    assert world.resident.household == target and world.resident.relation == "parent"
    move = AuditEntry.objects.get(action="move", object_id=str(world.resident.pk))
    assert move.changes["household"] == [world.household1.pk, target.pk]


def test_move_out_of_sight_is_refused(world, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for("community_secretary").patch(f"/api/v1/residents/{world.resident.pk}", json.dumps({
        "household": world.far_resident.household_id}), content_type="application/json")
    # then
    assert response.status_code == 400
    assert "household" in response.json()["errors"]
    assert counts() == before


def test_edit_keeps_numbers_when_left_blank_and_never_prefills_them(world, client_for):
    # given
    client = client_for("community_secretary")
    url = reverse("people:resident_edit", args=[world.resident.pk])
    # when
    form = client.get(url)
    saved = client.post(url, {"name": "张秀英", "id_number": "", "phone": "", "household": world.household1.pk,
                              "relation": "head", "status": "living"})
    # then
    assert world.resident.id_number not in _body(form)
    assert saved.status_code == 302
    world.resident.refresh_from_db()
    assert world.resident.status == "living"
    assert world.resident.id_number and world.resident.phone


def test_care_tags_are_set_and_audited(world, client_for):
    # given
    CareTag.objects.create(code="alone", name="独居")
    # when
    response = client_for("grid_worker").patch(f"/api/v1/residents/{world.resident.pk}", json.dumps({
        "care_tags": ["alone"]}), content_type="application/json")
    # then
    assert response.status_code == 200 and response.json()["care_tags"] == ["alone"]
    assert AuditEntry.objects.filter(action="update", object_id=str(world.resident.pk),
                                     changes__has_key="care_tags").exists()


def test_unknown_care_tag_is_a_field_error(world, client_for):
    # when
    response = client_for("grid_worker").patch(f"/api/v1/residents/{world.resident.pk}", json.dumps({
        "care_tags": ["nope"]}), content_type="application/json")
    # then
    assert response.status_code == 400 and "care_tags" in response.json()["errors"]


# Sensitive tags

@pytest.fixture
def tagged(world):
    services.resident_set_sensitive_tags(actor=world.user("community_secretary"), resident=world.resident, codes=["correction"])
    world.resident.refresh_from_db()
    return world.resident


def test_sensitive_tags_are_stored_encrypted_and_audited_redacted(tagged):
    # given
    from django.db import connection
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT sensitive_tags FROM people_resident WHERE id = %s", [tagged.pk])
        raw = cursor.fetchone()[0]
    # then
    assert "correction" not in raw
    entry = AuditEntry.objects.get(action="set_sensitive_tags")
    assert "correction" not in json.dumps(entry.changes)


@pytest.mark.parametrize("url", [
    lambda w: reverse("people:resident_detail", args=[w.resident.pk]),
    lambda w: reverse("people:resident_list"),
    lambda w: reverse("people:household_detail", args=[w.household1.pk]),
    lambda w: f"/api/v1/residents/{w.resident.pk}",
    lambda w: "/api/v1/residents",
])
@pytest.mark.parametrize("persona", ["street_officer", "grid_worker", "admin"])
def test_sensitive_tags_are_hidden_until_unmasked(url, persona, tagged, world, client_for):
    # when
    response = client_for(persona).get(url(world))
    # then
    assert response.status_code == 200
    assert "社区矫正" not in _body(response) and "correction" not in _body(response)


def test_sensitive_tags_show_after_unmasking_to_those_who_may(tagged, world, client_for):
    # when
    page = client_for("grid_worker").post(reverse("people:resident_unmask", args=[tagged.pk]),
                                          HTTP_HX_REQUEST="true")
    api = client_for("community_secretary").post(f"/api/v1/residents/{tagged.pk}/unmask")
    # then
    assert "社区矫正" in _body(page)
    assert api.json()["sensitive_tags"] == [{"code": "correction", "name": "社区矫正"}]


def test_street_officer_can_neither_unmask_nor_set_sensitive_tags(tagged, world, client_for, counts):
    # given
    client = client_for("street_officer")
    before = counts()
    # when
    unmask = client.post(reverse("people:resident_unmask", args=[tagged.pk]), HTTP_HX_REQUEST="true")
    setting = client.post(reverse("people:resident_sensitive_tags", args=[tagged.pk]), {"sensitive_tags": []})
    # then
    assert unmask.status_code == 403 and setting.status_code == 403
    assert "社区矫正" not in _body(unmask)
    assert counts() == before
    with pytest.raises(Forbidden):
        services.resident_create(actor=world.user("street_officer"), name="新", household=world.household1.pk,
                                 sensitive_tags=["mental"])


def test_grid_worker_sets_sensitive_tags_from_the_page(world, client_for):
    # when
    response = client_for("grid_worker").post(reverse("people:resident_sensitive_tags", args=[world.resident.pk]),
                                              {"sensitive_tags": ["mental", "rehabilitation"]})
    # then
    assert response.status_code == 302
    world.resident.refresh_from_db()
    assert world.resident.sensitive_tag_codes == ["mental", "rehabilitation"]


def test_unknown_sensitive_tag_is_refused(world):
    with pytest.raises(services.ValidationError) as exc:
        services.resident_set_sensitive_tags(actor=world.user("community_secretary"), resident=world.resident, codes=["drunk"])
    assert "sensitive_tags" in exc.value.message_dict


# Filters

def test_elderly_filter_follows_the_clock(world, client_for):
    # given: born 1961-05-01, 65 on 2026-05-01
    ResidentFactory(household=world.household1, name="钱老伯", relation="parent",
                    id_number=make_id_number(3, born="19610501"))
    client = client_for("grid_worker")

    def elderly_names():
        return {r["name"] for r in client.get("/api/v1/residents", {"elderly": "true"}).json()["items"]}

    # when / then
    clock.freeze(dt.datetime(2026, 4, 30, 12, 0))
    assert "钱老伯" not in elderly_names()
    clock.freeze(dt.datetime(2026, 5, 1, 12, 0))
    assert "钱老伯" in elderly_names()
    page = client.get(reverse("people:resident_list"), {"elderly": "0"})
    assert "钱老伯" not in _body(page)


def test_place_filters(world):
    # given
    actor = world.user("district_officer")

    def names(**filters):
        return {r.name for r in selectors.resident_list_visible_to(actor=actor, filters=filters)}

    # then
    assert names(community=world.community1.code) == {"张秀英", "李建国"}
    assert names(street=world.street2.code) == {"王磊"}
    assert names(district=world.district.code) == {"张秀英", "李建国", "王磊"}
    assert names(compound=world.compound4.pk) == {"王磊"}
    assert names(grid=world.grid1.pk) == {"张秀英", "李建国"}
    assert names(building=world.household1.dwelling.entrance.building_id) == {"张秀英", "李建国"}
    assert names(compound="x") == set()


def test_status_care_tag_and_party_member_filters(world, client_for):
    # given
    tag = CareTag.objects.create(code="empty_nest", name="空巢")
    world.neighbour.care_tags.add(tag)
    world.neighbour.status = Resident.Status.TENANT
    world.neighbour.save()
    PartyMemberFactory(resident=world.resident)
    client = client_for("community_secretary")

    def names(**params):
        return {r["name"] for r in client.get("/api/v1/residents", params).json()["items"]}

    # then
    assert names(status="tenant") == {"李建国"}
    assert names(care_tag="empty_nest") == {"李建国"}
    assert names(party_member="true") == {"张秀英"}
    assert names(party_member="false") == {"李建国"}


def test_list_is_paginated_by_fifty(world, client_for):
    # given
    household = HouseholdFactory(dwelling=world.household1.dwelling)
    ResidentFactory.create_batch(55, household=household, relation="other")
    # when
    first = client_for("grid_worker").get("/api/v1/residents").json()
    second = client_for("grid_worker").get("/api/v1/residents", {"page": 2}).json()
    # then
    assert first["count"] == 57 and len(first["items"]) == 50 and len(second["items"]) == 7


# Households

def test_household_page_and_api_derive_counts(world, client_for):
    # given
    clock.freeze(dt.datetime(2026, 6, 1, 9, 0))
    ResidentFactory(household=world.household1, name="张老太", relation="parent",
                    id_number=make_id_number(5, born="19400101", male=False))
    ResidentFactory(household=world.household1, name="张小宝", relation="grandchild",
                    id_number=make_id_number(6, born="20150301"))
    PartyMemberFactory(resident=world.resident)
    # when
    api = client_for("resident").get(f"/api/v1/households/{world.household1.pk}").json()
    page = client_for("resident").get(reverse("people:household_detail", args=[world.household1.pk]))
    # then
    assert api["member_count"] == 3 and api["elderly_count"] == 2 and api["party_member_count"] == 1
    assert [m["relation"] for m in api["members"]] == ["head", "parent", "grandchild"]
    assert "张老太" in _body(page) and "户主" in _body(page)


def test_household_create_page(world, client_for):
    # given
    dwelling = world.household1.dwelling.entrance.dwellings.exclude(pk=world.household1.dwelling_id).get()
    # when
    response = client_for("branch_secretary").post(reverse("people:household_create"),
                                                   {"dwelling": dwelling.pk, "number": "H88"})
    # then
    household = Household.objects.get(number="H88")
    assert response.status_code == 302 and response["Location"] == reverse("people:household_detail",
                                                                         args=[household.pk])


def test_unmasked_answers_are_not_cached(world, client_for):
    # when
    page = client_for("grid_worker").post(reverse("people:resident_unmask", args=[world.resident.pk]),
                                          HTTP_HX_REQUEST="true")
    api = client_for("grid_worker").post(f"/api/v1/residents/{world.resident.pk}/unmask")
    # then
    assert "no-store" in page["Cache-Control"]
    assert "no-store" in api["Cache-Control"]


def test_household_list_selector_is_scoped_and_filtered(world):
    # given
    actor = world.user("grid_worker")
    # when
    mine = selectors.household_list_visible_to(actor=actor, filters={})
    far = selectors.household_list_visible_to(actor=world.user("district_officer"),
                                              filters={"compound": world.compound4.pk})
    # then
    assert set(mine) == {world.household1, world.neighbour.household}
    assert list(far) == [world.far_resident.household]


def test_a_resident_update_inside_a_callers_transaction_fails_loudly(world, counts):
    # given a caller that would wrap the update in its own transaction (as the API once did)
    from django.db import transaction

    before = counts()
    # when / then
    with pytest.raises(RuntimeError), transaction.atomic():
        services.resident_update(actor=world.user("admin"), resident=world.resident, data={"status": "floating"},
                                 sensitive_tags=["correction"])
    world.resident.refresh_from_db()
    assert world.resident.status == Resident.Status.REGISTERED and counts() == before


def test_the_api_sets_fields_and_sensitive_tags_in_one_service(world, client_for):
    # given the resident's community secretary, who may set sensitive tags (the unmask rule)
    client = client_for("community_secretary")
    # when
    response = client.patch(f"/api/v1/residents/{world.resident.pk}",
                            json.dumps({"status": "floating", "sensitive_tags": ["correction"]}),
                            content_type="application/json")
    # then both parts are saved
    assert response.status_code == 200
    world.resident.refresh_from_db()
    assert world.resident.status == Resident.Status.FLOATING
    assert world.resident.sensitive_tag_codes == ["correction"]
