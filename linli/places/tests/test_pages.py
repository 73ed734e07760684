"""What the places pages show, and how their forms answer bad input."""

import pytest
from django.urls import reverse

from linli.places.models import AdminUnit, Dwelling
from linli.places.tests.factories import CompoundFactory


def test_compound_detail_shows_the_tree_with_derived_counts(world, client_for):
    # when
    response = client_for("grid_worker").get(reverse("places:compound_detail", args=[world.compound1.pk]))
    # then
    html = response.content.decode()
    assert "康宁小区" in html and "1号楼" in html and "1单元" in html
    assert "101" in html and "201" in html
    assert reverse("places:building_edit", args=[world.compound1.buildings.get().pk]) in html
    assert reverse("places:compound_edit", args=[world.compound1.pk]) in html


def test_resident_sees_public_facts_of_their_compound_only(world, client_for):
    # when
    response = client_for("resident").get(reverse("places:compound_detail", args=[world.compound1.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "康宁小区" in html and "建制小区" in html and "2005" in html
    assert "1单元" not in html and "编辑" not in html
    assert reverse("places:compound_edit", args=[world.compound1.pk]) not in html


@pytest.mark.parametrize(("persona", "shown"), [
    ("community_secretary", True), ("grid_worker", True), ("property_staff", False), ("district_officer", True),
])
def test_create_button_only_for_editors(world, client_for, persona, shown):
    html = client_for(persona).get(reverse("places:compound_list")).content.decode()
    assert (reverse("places:compound_create") in html) is shown


def test_unit_buttons_only_for_district_and_admin(world, client_for):
    html = client_for("street_officer").get(reverse("places:unit_detail", args=[world.community1.pk])).content.decode()
    assert reverse("places:unit_edit", args=[world.community1.pk]) not in html
    html = client_for("district_officer").get(reverse("places:unit_detail", args=[world.community1.pk])).content.decode()
    assert reverse("places:unit_edit", args=[world.community1.pk]) in html


def test_compound_list_filters_and_paginates(world, client_for):
    # given 35 more compounds in community2 (page size is 30)
    for n in range(35):
        CompoundFactory(community=world.community2, name=f"批量小区{n:02d}")
    client = client_for("street_officer")
    # when
    first = client.get(reverse("places:compound_list"), {"community": "140105001002"}).content.decode()
    second = client.get(reverse("places:compound_list"), {"community": "140105001002", "page": 2}).content.decode()
    # then
    assert "第 1 / 2 页，共 36 条" in first
    assert "?community=140105001002&page=2" in first
    assert "康宁小区" not in first and "康宁小区" not in second
    assert "批量小区34" in second


def test_search_box_finds_by_name(world, client_for):
    html = client_for("district_officer").get(reverse("places:compound_list"), {"q": "幸福"}).content.decode()
    assert "幸福苑" in html and "南内环小区" not in html


def test_building_expands_as_an_htmx_fragment_or_a_page(world, client_for):
    # given
    building = world.compound1.buildings.get()
    client = client_for("branch_secretary")
    url = reverse("places:building_detail", args=[building.pk])
    # when
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    page = client.get(url).content.decode()
    # then
    assert "101" in fragment and "<html" not in fragment
    assert "101" in page and "<html" in page


def test_unit_create_page_rejects_a_bad_code_in_chinese(world, client_for, counts):
    # given
    before = counts()
    # when: a well-formed 12-digit code under another street
    response = client_for("district_officer").post(reverse("places:unit_create"), {
        "level": "community", "parent": world.street1.pk, "code": "140105002009", "name": "新社区"})
    # then
    assert response.status_code == 200
    assert "区划代码必须以上级区划代码开头。" in response.content.decode()
    assert counts() == before


def test_unit_create_page_creates_a_community(world, client_for):
    response = client_for("admin").post(reverse("places:unit_create"), {
        "level": "community", "parent": world.street2.pk, "code": "140105002005", "name": "新社区"})
    unit = AdminUnit.objects.get(code="140105002005")
    assert response.status_code == 302 and response["Location"] == reverse("places:unit_detail", args=[unit.pk])
    assert unit.parent == world.street2


def test_dwelling_form_shows_model_errors_on_the_field(world, client_for, counts):
    # given an existing number in the same entrance
    dwelling = Dwelling.objects.get(pk=world.household1.dwelling_id)
    before = counts()
    # when
    response = client_for("community_secretary").post(
        reverse("places:dwelling_create", args=[dwelling.entrance_id]), {"number": "101", "floor": "1"})
    # then
    assert response.status_code == 200
    assert "已经存在" in response.content.decode()
    assert counts() == before


def test_compound_form_build_year_error_in_chinese(world, client_for, counts):
    before = counts()
    response = client_for("community_secretary").post(reverse("places:compound_create"), {
        "community": world.community1.pk, "name": "未来小区", "kind": "planned", "build_year": "2300"})
    assert "建成年份不合理。" in response.content.decode()
    assert counts() == before


def test_district_officer_filters_by_street(world, client_for):
    # when
    response = client_for("district_officer").get(reverse("places:compound_list"), {"street": "140105002000"})
    # then
    html = response.content.decode()
    assert 'name="street"' in html and "营盘街道" in html
    assert "南内环小区" in html and "康宁小区" not in html


def test_large_compounds_open_building_by_building(world, client_for, monkeypatch):
    # given a compound too large to show every dwelling at once
    monkeypatch.setattr("linli.places.views.TREE_INLINE_LIMIT", 1)
    building = world.compound1.buildings.get()
    # when
    html = client_for("grid_worker").get(reverse("places:compound_detail", args=[world.compound1.pk])).content.decode()
    # then: a plain link (works without JS) that htmx turns into an inline expansion
    url = reverse("places:building_detail", args=[building.pk])
    assert f'href="{url}"' in html and f'hx-get="{url}"' in html
    assert "1单元" not in html
