"""Who may open and who may submit each places page, for every persona."""

import pytest
from django.urls import reverse

from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid
from linli.testing import PERSONAS


def expect(default, **overrides):
    return {p: overrides.get(p, default) for p in PERSONAS}


# --- who sees what (GET) ----------------------------------------------------------------------

STAFF_LIST = expect(200, anonymous=302, resident=403)
COMPOUND1_DETAIL = expect(200, anonymous=302, outsider=404, property_staff=404)
EDITOR_FORM = expect(200, anonymous=302, resident=403, property_staff=403)
COMPOUND1_EDIT = expect(200, anonymous=302, resident=403, outsider=404, property_staff=404)
GRID1_DETAIL = expect(200, anonymous=302, resident=403, branch_secretary=404, property_staff=404, outsider=404)
GRID1_EDIT = expect(200, anonymous=302, resident=404, branch_secretary=404, property_staff=404, outsider=404)
COMMUNITY1_DETAIL = expect(200, anonymous=302, resident=403, grid_worker=404, branch_secretary=404,
                           property_staff=404, outsider=404)
UNIT_FORM = expect(403, anonymous=302, district_officer=200, admin=200)
COMMUNITY1_EDIT = expect(404, anonymous=302, resident=403, community_secretary=403, street_officer=403,
                         district_officer=200, admin=200)
BUILDING1_EDIT = expect(200, anonymous=302, resident=404, outsider=404, property_staff=404)
BUILDING1_DETAIL = expect(200, anonymous=302, resident=403, outsider=404, property_staff=404)
DWELLING1_EDIT = expect(200, anonymous=302, resident=403, outsider=404, property_staff=404)


def _building1(world):
    return Building.objects.get(compound=world.compound1)


def _entrance1(world):
    return Entrance.objects.get(building__compound=world.compound1)


def _micro_grid1(world):
    return MicroGrid.objects.get_or_create(grid=world.grid1, name="一号微网格")[0]


PAGES = {
    "compound_list": (lambda w: reverse("places:compound_list"), STAFF_LIST),
    "compound_detail": (lambda w: reverse("places:compound_detail", args=[w.compound1.pk]), COMPOUND1_DETAIL),
    "compound_create": (lambda w: reverse("places:compound_create"), EDITOR_FORM),
    "compound_edit": (lambda w: reverse("places:compound_edit", args=[w.compound1.pk]), COMPOUND1_EDIT),
    "grid_list": (lambda w: reverse("places:grid_list"), STAFF_LIST),
    "grid_detail": (lambda w: reverse("places:grid_detail", args=[w.grid1.pk]), GRID1_DETAIL),
    "grid_create": (lambda w: reverse("places:grid_create"), EDITOR_FORM),
    "grid_edit": (lambda w: reverse("places:grid_edit", args=[w.grid1.pk]), GRID1_EDIT),
    "micro_grid_create": (lambda w: reverse("places:micro_grid_create", args=[w.grid1.pk]), GRID1_EDIT),
    "micro_grid_edit": (lambda w: reverse("places:micro_grid_edit", args=[_micro_grid1(w).pk]), GRID1_EDIT),
    "unit_list": (lambda w: reverse("places:unit_list"), STAFF_LIST),
    "unit_detail": (lambda w: reverse("places:unit_detail", args=[w.community1.pk]), COMMUNITY1_DETAIL),
    "unit_create": (lambda w: reverse("places:unit_create"), UNIT_FORM),
    "unit_edit": (lambda w: reverse("places:unit_edit", args=[w.community1.pk]), COMMUNITY1_EDIT),
    "building_detail": (lambda w: reverse("places:building_detail", args=[_building1(w).pk]), BUILDING1_DETAIL),
    "building_create": (lambda w: reverse("places:building_create", args=[w.compound1.pk]), COMPOUND1_EDIT),
    "building_edit": (lambda w: reverse("places:building_edit", args=[_building1(w).pk]), BUILDING1_EDIT),
    "entrance_create": (lambda w: reverse("places:entrance_create", args=[_building1(w).pk]), BUILDING1_EDIT),
    "entrance_edit": (lambda w: reverse("places:entrance_edit", args=[_entrance1(w).pk]), BUILDING1_EDIT),
    "dwelling_create": (lambda w: reverse("places:dwelling_create", args=[_entrance1(w).pk]), BUILDING1_EDIT),
    "dwelling_edit": (lambda w: reverse("places:dwelling_edit", args=[w.household1.dwelling_id]), DWELLING1_EDIT),
}


@pytest.mark.parametrize(("page", "persona"), [(page, p) for page in PAGES for p in PERSONAS])
def test_page_get_status_per_persona(world, client_for, counts, page, persona):
    # given
    url_of, expected = PAGES[page]
    url = url_of(world)
    before = counts()
    # when
    response = client_for(persona).get(url)
    # then
    assert response.status_code == expected[persona]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
    assert counts() == before


# --- who may write (POST) ---------------------------------------------------------------------
# "ok": redirected after a write; 200: the form comes back with an error and nothing is written;
# "login": anonymous is sent to the login page.

OK = "ok"
COMPOUND_CREATE = expect(OK, anonymous="login", resident=403, property_staff=403,
                         grid_worker=200, branch_secretary=200, outsider=200)
COMPOUND1_WRITE = expect(OK, anonymous="login", resident=403, outsider=404, property_staff=404)
GRID_CREATE = expect(OK, anonymous="login", resident=403, property_staff=403,
                     grid_worker=200, branch_secretary=200, outsider=200)
GRID1_WRITE = expect(OK, anonymous="login", resident=404, branch_secretary=404, property_staff=404, outsider=404)
UNIT_CREATE = expect(403, anonymous="login", district_officer=OK, admin=OK)
COMMUNITY1_WRITE = expect(404, anonymous="login", resident=403, community_secretary=403, street_officer=403,
                          district_officer=OK, admin=OK)
BUILDING_CREATE = expect(OK, anonymous="login", resident=403, outsider=404, property_staff=404,
                         branch_secretary=200)
BUILDING1_WRITE = expect(OK, anonymous="login", resident=404, outsider=404, property_staff=404)
DWELLING1_WRITE = expect(OK, anonymous="login", resident=403, outsider=404, property_staff=404)


def _compound_data(w):
    return {"community": w.community1.pk, "name": "新建小区", "kind": "planned", "build_year": "1995",
            "walled": "on"}


WRITES = {
    "compound_create": (lambda w: reverse("places:compound_create"), _compound_data, COMPOUND_CREATE,
                        lambda w: Compound.objects.filter(name="新建小区").exists()),
    "compound_edit": (lambda w: reverse("places:compound_edit", args=[w.compound1.pk]),
                      lambda w: {**_compound_data(w), "name": "康宁新苑"}, COMPOUND1_WRITE,
                      lambda w: Compound.objects.get(pk=w.compound1.pk).name == "康宁新苑"),
    "grid_create": (lambda w: reverse("places:grid_create"),
                    lambda w: {"community": w.community1.pk, "code": "140105001001009", "name": "康宁九网格"},
                    GRID_CREATE, lambda w: Grid.objects.filter(code="140105001001009").exists()),
    "grid_edit": (lambda w: reverse("places:grid_edit", args=[w.grid1.pk]),
                  lambda w: {"community": w.community1.pk, "code": w.grid1.code, "name": "康宁一网格（东）"},
                  GRID1_WRITE, lambda w: Grid.objects.get(pk=w.grid1.pk).name == "康宁一网格（东）"),
    "micro_grid_create": (lambda w: reverse("places:micro_grid_create", args=[w.grid1.pk]),
                          lambda w: {"name": "东片"}, GRID1_WRITE,
                          lambda w: MicroGrid.objects.filter(grid=w.grid1, name="东片").exists()),
    "micro_grid_edit": (lambda w: reverse("places:micro_grid_edit", args=[_micro_grid1(w).pk]),
                        lambda w: {"name": "西片"}, GRID1_WRITE,
                        lambda w: MicroGrid.objects.filter(grid=w.grid1, name="西片").exists()),
    "unit_create": (lambda w: reverse("places:unit_create"),
                    lambda w: {"level": "community", "parent": w.street1.pk, "code": "140105001009",
                               "name": "新建社区"},
                    UNIT_CREATE, lambda w: AdminUnit.objects.filter(code="140105001009").exists()),
    "unit_edit": (lambda w: reverse("places:unit_edit", args=[w.community1.pk]),
                  lambda w: {"code": w.community1.code, "name": "康宁里社区"}, COMMUNITY1_WRITE,
                  lambda w: AdminUnit.objects.get(pk=w.community1.pk).name == "康宁里社区"),
    "building_create": (lambda w: reverse("places:building_create", args=[w.compound1.pk]),
                        lambda w: {"number": "9号楼", "floors": "18", "grid": w.grid1.pk}, BUILDING_CREATE,
                        lambda w: Building.objects.filter(compound=w.compound1, number="9号楼").exists()),
    "building_edit": (lambda w: reverse("places:building_edit", args=[_building1(w).pk]),
                      lambda w: {"number": "1号楼", "floors": "11", "grid": w.grid1.pk}, BUILDING1_WRITE,
                      lambda w: _building1(w).floors == 11),
    "entrance_create": (lambda w: reverse("places:entrance_create", args=[_building1(w).pk]),
                        lambda w: {"number": "2单元"}, BUILDING1_WRITE,
                        lambda w: Entrance.objects.filter(building__compound=w.compound1, number="2单元").exists()),
    "entrance_edit": (lambda w: reverse("places:entrance_edit", args=[_entrance1(w).pk]),
                      lambda w: {"number": "一单元"}, BUILDING1_WRITE,
                      lambda w: _entrance1(w).number == "一单元"),
    "dwelling_create": (lambda w: reverse("places:dwelling_create", args=[_entrance1(w).pk]),
                        lambda w: {"number": "601", "floor": "6", "registered_area": "88.5"}, BUILDING1_WRITE,
                        lambda w: Dwelling.objects.filter(entrance=_entrance1(w), number="601").exists()),
    "dwelling_edit": (lambda w: reverse("places:dwelling_edit", args=[w.household1.dwelling_id]),
                      lambda w: {"number": "101", "floor": "3"}, DWELLING1_WRITE,
                      lambda w: Dwelling.objects.get(pk=w.household1.dwelling_id).floor == 3),
}


@pytest.mark.parametrize(("page", "persona"), [(page, p) for page in WRITES for p in PERSONAS])
def test_page_post_per_persona(world, client_for, counts, page, persona):
    # given
    url_of, data_of, expected, written = WRITES[page]
    url, data = url_of(world), data_of(world)
    before = counts()
    # when
    response = client_for(persona).post(url, data)
    # then
    outcome = expected[persona]
    if outcome == OK:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert written(world)
        assert counts()["core.auditentry"] == before["core.auditentry"] + 1
        return
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == outcome
    if outcome == 200:
        assert "errorlist" in response.content.decode()
    assert counts() == before
    assert not written(world)
