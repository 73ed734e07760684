"""The searched pickers of residents and households: what they find, what they never show, and the
forms that use them instead of listing everyone."""

import re

import pytest
from django.urls import reverse

from linli.core.picker import MAX_PICKED, MAX_QUERY, MAX_RESULTS
from linli.people.models import PartyMember, Resident
from linli.people.tests.factories import HouseholdFactory, PartyMemberFactory, ResidentFactory
from linli.places.tests.factories import DwellingFactory

RESIDENTS = reverse("people:pick_residents")
HOUSEHOLDS = reverse("people:pick_households")


def _options(response) -> set[int]:
    return {int(v) for v in re.findall(r'<input type="checkbox"[^>]* value="(\d+)"', response.content.decode())}


def _search(client, url, text, name="resident", **extra):
    return client.get(url, {"name": name, f"{name}_q": text, **extra}, headers={"HX-Request": "true"})


def _in_compound1(world, n: int, **fields) -> list:
    """n residents, each in a household of a new dwelling of compound1 (so every table grows)."""
    entrance = world.resident.household.dwelling.entrance
    return [ResidentFactory(household=HouseholdFactory(dwelling=DwellingFactory(entrance=entrance, number=f"9{i:03d}")),
                            **fields) for i in range(n)]


# The endpoint: matches within sight, masked, capped

def test_resident_picker_finds_by_name_only_within_the_work_area(world, client_for):
    # given a 王 in the grid worker's grid; 王磊 (world.far_resident) lives in another street
    wang = _in_compound1(world, 1, name="王芳")[0]
    # when
    response = _search(client_for("grid_worker"), RESIDENTS, "王")
    # then
    assert response.status_code == 200
    assert _options(response) == {wang.pk}
    assert "王磊" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_resident_picker_finds_by_id_number_and_phone_tails_and_shows_only_masked_digits(world, client_for):
    # given
    client = client_for("community_secretary")
    neighbour = world.neighbour
    # when the last four digits of the ID number, then of the phone, then the whole phone are searched
    by_id_tail = _search(client, RESIDENTS, neighbour.id_number[-4:])
    by_phone_tail = _search(client, RESIDENTS, neighbour.phone[-4:])
    by_phone = _search(client, RESIDENTS, neighbour.phone)
    # then each finds the neighbour, and the page carries no whole number
    for response in (by_id_tail, by_phone_tail, by_phone):
        assert neighbour.pk in _options(response)
        page = response.content.decode()
        assert neighbour.id_number not in page and neighbour.phone not in page
        assert f"身份证尾号 {neighbour.id_number[-4:]}" in page


def test_resident_picker_never_finds_someone_out_of_sight_by_number(world, client_for):
    # given the outsider's community is community3, where 王磊 lives; the grid worker's is not
    far = world.far_resident
    client = client_for("grid_worker")
    # when
    responses = [_search(client, RESIDENTS, text) for text in (far.id_number, far.id_number[-4:], far.phone)]
    # then
    assert all(far.pk not in _options(r) for r in responses)
    assert _options(_search(client_for("outsider"), RESIDENTS, far.id_number)) == {far.pk}


def test_resident_picker_offers_a_staff_member_nothing_of_their_own_home_outside_work(world, client_for):
    # given the resident persona: her own household is in her sight, but she manages nothing
    # when
    response = _search(client_for("resident"), RESIDENTS, "张秀英")
    # then
    assert response.status_code == 200
    assert _options(response) == set()
    assert "没有找到符合的居民" in response.content.decode()


def test_resident_picker_caps_its_answer(world, client_for):
    # given more namesakes than one answer holds
    _in_compound1(world, MAX_RESULTS + 5, name="赵敏")
    # when
    response = _search(client_for("grid_worker"), RESIDENTS, "赵敏")
    # then
    assert len(_options(response)) == MAX_RESULTS
    assert f"仅列出前 {MAX_RESULTS} 个" in response.content.decode()


@pytest.mark.parametrize("params, status", [
    ({}, 400),                                          # no field name
    ({"name": "a b<script>"}, 400),                     # not a field name
    ({"name": "x" * 65}, 400),                          # too long for one
    ({"name": "resident"}, 200),                        # no text: nothing searched
    ({"name": "resident", "resident_q": "   "}, 200),
    ({"name": "resident", "resident_q": "张" * 5000}, 200),
    ({"name": "resident", "resident_q": "张\x00"}, 400),  # NUL: refused before any view
    ({"name": "resident", "resident_q": "%_\\'\""}, 200),
])
def test_resident_picker_handles_bad_input_without_a_server_error(world, client_for, params, status):
    # when
    response = client_for("community_secretary").get(RESIDENTS, params)
    # then
    assert response.status_code == status
    if status == 200:
        assert _options(response) == set()


def test_resident_picker_says_when_the_text_is_too_long(world, client_for):
    # when
    response = _search(client_for("community_secretary"), RESIDENTS, "张" * (MAX_QUERY + 1))
    # then
    assert f"不超过 {MAX_QUERY} 个字" in response.content.decode()


def test_pickers_are_for_signed_in_people_and_only_read(world, client_for):
    # when
    anonymous = client_for("anonymous").get(RESIDENTS, {"name": "resident", "resident_q": "张"})
    posted = client_for("grid_worker").post(RESIDENTS, {"name": "resident", "resident_q": "张"})
    # then
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert posted.status_code == 405


def test_household_picker_finds_by_place_and_member_within_sight_and_narrows_to_a_compound(world, client_for):
    # given a household of compound2 (same community) and the far household
    other = HouseholdFactory(dwelling=DwellingFactory(entrance__building__compound=world.compound2), number="H-幸福")
    client = client_for("community_secretary")
    # when
    by_member = _search(client, HOUSEHOLDS, "李建国", name="cared_households")
    by_place = _search(client, HOUSEHOLDS, "幸福苑", name="cared_households")
    narrowed = _search(client, HOUSEHOLDS, "H", name="cared_households", compound=world.compound1.pk)
    far = _search(client, HOUSEHOLDS, "王磊", name="cared_households")
    bad = _search(client, HOUSEHOLDS, "H", name="cared_households", compound="abc")
    # then
    assert _options(by_member) == {world.neighbour.household_id}
    assert _options(by_place) == {other.pk}
    assert other.pk not in _options(narrowed) and world.household1.pk in _options(narrowed)
    assert _options(far) == set()
    assert bad.status_code == 200 and _options(bad) == set()


# The forms: no list of everyone, forged ids refused

@pytest.mark.parametrize("url", [
    lambda w: reverse("people:partymember_create"),
    lambda w: reverse("people:resident_create"),
    lambda w: reverse("people:resident_edit", args=[w.neighbour.pk]),
    lambda w: reverse("people:household_create"),
])
def test_people_forms_do_not_grow_with_the_registry(world, client_for, url):
    # given the page as it is
    client = client_for("community_secretary")
    before = client.get(url(world)).content.decode()
    # when 60 more residents (and their households) are registered in sight
    _in_compound1(world, 60, name="新居民")
    after = client.get(url(world)).content.decode()
    # then the page offers not one more option, and names none of them
    assert after.count("<option") == before.count("<option")
    assert after.count('type="checkbox"') == before.count('type="checkbox"')
    assert "新居民" not in after
    assert abs(len(after) - len(before)) < 200  # the form key and CSRF token differ between renders


def test_party_member_form_refuses_a_forged_cared_household(world, client_for, counts):
    # given
    member = PartyMemberFactory(resident=world.resident)
    before = counts()
    # when the household of someone in another street is posted
    response = client_for("community_secretary").post(reverse("people:partymember_edit", args=[member.pk]), {
        "category": "retired", "cared_households": [world.far_resident.household_id]})
    # then
    assert response.status_code == 200
    assert "所选户不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before


def test_party_member_form_shows_its_cared_households_as_chips(world, client_for):
    # given
    member = PartyMemberFactory(resident=world.resident)
    member.cared_households.set([world.neighbour.household])
    # when
    page = client_for("community_secretary").get(reverse("people:partymember_edit", args=[member.pk])).content.decode()
    # then the chosen household is posted back by its chip, nothing else is listed
    assert f'name="cared_households" value="{world.neighbour.household_id}" checked' in page
    assert page.count('name="cared_households" value=') == 1


@pytest.mark.parametrize("url, data", [
    (lambda w: reverse("people:resident_create"),
     lambda w: {"name": "赵新", "household": w.far_resident.household_id, "relation": "other", "status": "living"}),
    (lambda w: reverse("people:resident_create"),
     lambda w: {"name": "赵新", "dwelling": w.far_resident.household.dwelling_id, "relation": "head",
                "status": "living"}),
    (lambda w: reverse("people:resident_edit", args=[w.neighbour.pk]),
     lambda w: {"name": "李建国", "household": w.far_resident.household_id, "relation": "head", "status": "living",
                "id_number": "", "phone": ""}),
    (lambda w: reverse("people:household_create"),
     lambda w: {"dwelling": w.far_resident.household.dwelling_id, "number": "H9"}),
])
def test_people_forms_refuse_a_forged_place(world, client_for, counts, url, data):
    # given
    before = counts()
    # when
    response = client_for("community_secretary").post(url(world), data(world))
    # then
    assert response.status_code == 200
    assert "不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999999", "1.5"])
def test_party_member_form_refuses_ids_that_name_no_row(world, client_for, counts, value):
    # given
    before = counts()
    # when
    response = client_for("community_secretary").post(reverse("people:partymember_create"), {
        "resident": value, "category": "retired"})
    # then
    assert response.status_code == 200
    assert "所选居民不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before


def test_party_member_form_takes_a_bounded_number_of_households(world, client_for, counts):
    # given
    member = PartyMemberFactory(resident=world.resident)
    before = counts()
    # when more ids are posted than anyone ticks
    response = client_for("community_secretary").post(reverse("people:partymember_edit", args=[member.pk]), {
        "category": "retired", "cared_households": [str(n) for n in range(1, MAX_PICKED + 2)]})
    # then
    assert f"一次最多选择 {MAX_PICKED} 个户" in response.content.decode()
    assert counts() == before


def test_party_member_form_takes_one_resident(world, client_for, counts):
    # given a browser without JavaScript that ticked two matches
    before = counts()
    # when
    response = client_for("community_secretary").post(reverse("people:partymember_create"), {
        "resident": [world.resident.pk, world.neighbour.pk], "category": "retired"})
    # then
    assert "只能选择一个居民" in response.content.decode()
    assert counts() == before


def test_party_member_form_keeps_a_waiting_search_from_saving(world, client_for, counts):
    # given a resident already chosen and a new search typed but not yet ticked (no JavaScript)
    member = PartyMemberFactory(resident=world.resident)
    before = counts()
    # when
    response = client_for("community_secretary").post(reverse("people:partymember_edit", args=[member.pk]), {
        "category": "retired", "cared_households": [world.household1.pk], "cared_households_q": "李建国"})
    # then the form comes back with the match to tick and the chip kept
    page = response.content.decode()
    assert response.status_code == 200
    assert "请在下方的搜索结果中勾选户，再提交。" in page
    assert f'name="cared_households" value="{world.neighbour.household_id}"' in page
    assert f'name="cared_households" value="{world.household1.pk}" checked' in page
    assert counts() == before


def test_resident_edit_moves_to_a_household_chosen_with_the_picker(world, client_for):
    # given
    target = HouseholdFactory(dwelling=DwellingFactory(entrance__building__compound=world.compound2))
    # when
    response = client_for("community_secretary").post(reverse("people:resident_edit", args=[world.neighbour.pk]), {
        "name": "李建国", "household": target.pk, "relation": "head", "status": "living", "id_number": "",
        "phone": ""})
    # then
    assert response.status_code == 302
    assert Resident.objects.get(pk=world.neighbour.pk).household == target
    assert not PartyMember.objects.exists()
