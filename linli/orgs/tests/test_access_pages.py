"""Every organisation page, for every persona: the status, and that refused writes write nothing."""

import pytest
from django.urls import reverse

from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.orgs.tests.conftest import EDITORS, SEE_COMMUNITY1, SEE_COMPOUND1, SEE_COMPOUND2, STAFF
from linli.testing import PERSONAS

SEE_OWNERS = SEE_COMPOUND1 | {"resident"}  # a resident sees the self-organisations of their own compound


def list_status(persona):
    if persona == "anonymous":
        return 302
    return 200 if persona in STAFF else 403


def read_status(persona, sight):
    if persona == "anonymous":
        return 302
    return 200 if persona in sight else 404


def form_status(persona):
    if persona == "anonymous":
        return 302
    return 200 if persona in EDITORS else 403


def edit_status(persona, sight, ok=200):
    if persona == "anonymous":
        return 302
    if persona not in sight:
        return 404
    return ok if persona in EDITORS else 403


LISTS = ["orgs:partyorg_list", "orgs:selforg_list", "orgs:propertycompany_list", "orgs:partner_list"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", LISTS)
def test_list_pages_are_for_staff(name, persona, orgs, client_for):
    # given
    client = client_for(persona)
    # when
    response = client.get(reverse(name), {"q": "康宁"})
    # then
    assert response.status_code == list_status(persona)


DETAILS = [
    ("orgs:partyorg_detail", "branch", SEE_COMPOUND1),
    ("orgs:selforg_detail", "owners", SEE_OWNERS),
    ("orgs:propertycompany_detail", "company", SEE_COMPOUND2),
    ("orgs:partner_detail", "partner", SEE_COMMUNITY1),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "target", "sight"), DETAILS)
def test_detail_pages_answer_404_out_of_sight(name, target, sight, persona, orgs, client_for):
    # given
    client = client_for(persona)
    # when
    response = client.get(reverse(name, args=[getattr(orgs, target).pk]))
    # then
    assert response.status_code == read_status(persona, sight)


CREATE_FORMS = ["orgs:partyorg_create", "orgs:selforg_create", "orgs:propertycompany_create",
                "orgs:propertyservice_create", "orgs:partner_create"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", CREATE_FORMS)
def test_create_forms_are_for_editors(name, persona, orgs, client_for):
    # given
    client = client_for(persona)
    # when
    response = client.get(reverse(name))
    # then
    assert response.status_code == form_status(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_position_form_needs_an_editor_who_sees_the_organisation(persona, orgs, client_for):
    # given
    client = client_for(persona)
    # when
    response = client.get(reverse("orgs:position_create"), {"party_org": orgs.branch.pk})
    # then
    expected = 302 if persona == "anonymous" else 403 if persona not in EDITORS else \
        200 if persona in SEE_COMPOUND1 else 404
    assert response.status_code == expected


EDIT_FORMS = [
    ("orgs:partyorg_edit", "branch", SEE_COMPOUND1),
    ("orgs:selforg_edit", "owners", SEE_OWNERS),
    ("orgs:propertycompany_edit", "company", SEE_COMPOUND2),
    ("orgs:propertyservice_edit", "service", SEE_COMPOUND2),
    ("orgs:partner_edit", "partner", SEE_COMMUNITY1),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "target", "sight"), EDIT_FORMS)
def test_edit_forms_are_for_editors_who_see_the_record(name, target, sight, persona, orgs, client_for):
    # given
    client = client_for(persona)
    # when
    response = client.get(reverse(name, args=[getattr(orgs, target).pk]))
    # then
    assert response.status_code == edit_status(persona, sight)


def _create_cases(world, orgs):
    """(url name, query, POST data, model, personas for whom it succeeds)."""
    return {
        "partyorg": ("orgs:partyorg_create", "", {
            "name": "康宁小区一号楼党小组", "level": "group", "parent": orgs.branch.pk,
            "community": world.community1.pk, "compounds": [world.compound1.pk]}, PartyOrg, SEE_COMPOUND1),
        "selforg": ("orgs:selforg_create", "", {
            "kind": "property_committee", "compound": world.compound1.pk, "name": "康宁小区物管会",
            "term_start": "2025-01-01"}, SelfOrg, SEE_COMPOUND1),
        "company": ("orgs:propertycompany_create", "", {
            "name": "康宁红色物业", "service_compound": world.compound1.pk, "service_mode": "red_property",
            "service_start": "2025-01-01"}, PropertyCompany, SEE_COMPOUND1),
        "service": ("orgs:propertyservice_create", "", {
            "compound": world.compound2.pk, "mode": "self_managed", "provider_name": "幸福苑自管小组",
            "start": "2025-01-01"}, PropertyService, SEE_COMPOUND2),
        "partner": ("orgs:partner_create", "", {
            "name": "康宁能工巧匠", "kind": "craftsperson", "community": world.community1.pk}, PartnerUnit,
            SEE_COMMUNITY1),
        "position": ("orgs:position_create", f"?party_org={orgs.branch.pk}", {
            "resident": world.neighbour.pk, "role": "组织委员", "start": "2025-01-01"}, Position, SEE_COMPOUND1),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", ["partyorg", "selforg", "company", "service", "partner", "position"])
def test_create_posts(case, persona, world, orgs, client_for, counts):
    # given
    name, query, data, model, able = _create_cases(world, orgs)[case]
    client = client_for(persona)
    before = counts()
    # when
    response = client.post(reverse(name) + query, data)
    # then
    if persona in EDITORS and persona in able:
        assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
        assert model.objects.count() == before[model._meta.label_lower] + 1
        assert counts()["core.auditentry"] > before["core.auditentry"]
        return
    if persona == "anonymous":
        expected = 302
    elif persona not in EDITORS:
        expected = 403
    elif case == "position":
        expected = 404  # the organisation itself is out of sight
    else:
        expected = 200  # the form comes back with "out of your jurisdiction" errors
    assert response.status_code == expected
    assert counts() == before


EDIT_POSTS = [
    ("orgs:partyorg_edit", "branch", SEE_COMPOUND1, lambda w, o: {
        "name": "康宁小区第一党支部", "parent": o.committee.pk, "community": w.community1.pk,
        "formation": "standalone", "compounds": [w.compound1.pk]}),
    ("orgs:selforg_edit", "owners", SEE_OWNERS, lambda w, o: {
        "kind": "owners_committee", "compound": w.compound1.pk, "name": "康宁小区第二届业委会",
        "term_start": "2024-01-01"}),
    ("orgs:propertycompany_edit", "company", SEE_COMPOUND2, lambda w, o: {"name": "幸福苑物业管理有限公司"}),
    ("orgs:propertyservice_edit", "service", SEE_COMPOUND2, lambda w, o: {
        "compound": w.compound2.pk, "mode": "market", "company": o.company.pk, "start": "2023-01-01",
        "fee_rate": "1.20"}),
    ("orgs:partner_edit", "partner", SEE_COMMUNITY1, lambda w, o: {
        "name": "康宁共建单位（医院）", "kind": "unit", "community": w.community1.pk}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "target", "sight", "data"), EDIT_POSTS)
def test_edit_posts(name, target, sight, data, persona, world, orgs, client_for, counts):
    # given
    obj = getattr(orgs, target)
    client = client_for(persona)
    before = counts()
    # when
    response = client.post(reverse(name, args=[obj.pk]), data(world, orgs))
    # then
    expected = edit_status(persona, sight, ok=302)
    assert response.status_code == expected
    if expected == 302 and persona != "anonymous":
        assert counts()["core.auditentry"] == before["core.auditentry"] + 1
    else:
        assert counts() == before
        obj.refresh_from_db()
        assert str(obj) == str(type(obj).objects.get(pk=obj.pk))


@pytest.mark.parametrize("persona", PERSONAS)
def test_position_end(persona, orgs, client_for, counts):
    # given
    position = orgs.branch_position
    client = client_for(persona)
    before = counts()
    # when
    response = client.post(reverse("orgs:position_end", args=[position.pk]))
    # then
    expected = edit_status(persona, SEE_COMPOUND1, ok=302)
    assert response.status_code == expected
    position.refresh_from_db()
    if expected == 302 and persona != "anonymous":
        assert position.end is not None
    else:
        assert position.end is None
        assert counts() == before


@pytest.mark.parametrize("persona", ["grid_worker", "admin"])
def test_position_end_refuses_get(persona, orgs, client_for):
    # when
    response = client_for(persona).get(reverse("orgs:position_end", args=[orgs.branch_position.pk]))
    # then
    assert response.status_code == 405
