"""Who may unmask what (docs/ARCHITECTURE.md, "Sensitive personal data"), for every persona.

Allowed: the full value and exactly one audit row, nothing else written. Refused: 403 (in sight, but
not where the actor's work needs full values) or 404 (out of sight), and nothing written at all.
"""

import pytest
from django.urls import reverse

from linli.accounts.models import Role
from linli.accounts.scope import can_unmask
from linli.cases import services as case_services
from linli.cases.models import Channel
from linli.core.models import AuditEntry
from linli.testing import PERSONAS, make_user


def row(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


#              anon resident grid  cs   branch prop street district outsider admin
NEAR = row(401, 403, 200, 200, 403, 404, 403, 403, 404, 403)
FAR = row(401, 404, 404, 404, 404, 404, 404, 403, 200, 403)
NEAR_CASE = row(401, 404, 200, 200, 403, 404, 403, 403, 404, 403)
FAR_CASE = row(401, 404, 404, 404, 404, 404, 404, 403, 200, 403)


def _written(before: dict, after: dict) -> dict:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def _assert_outcome(response, expected, before, after, subject, field, value):
    assert response.status_code == expected
    if expected == 200:
        assert response.json()[field] == value
        assert response["Cache-Control"] == "no-store"
        assert _written(before, after) == {"core.auditentry": 1}
        entry = AuditEntry.objects.latest("pk")
        assert (entry.action, entry.object_id) == ("unmask", str(subject.pk))
    else:
        assert _written(before, after) == {}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("target", "expected"), [("resident", NEAR), ("far_resident", FAR)])
def test_unmasking_a_resident_over_the_api(persona, target, expected, world, client_for, counts):
    # given
    resident = getattr(world, target)
    before = counts()
    # when
    response = client_for(persona).post(f"/api/v1/residents/{resident.pk}/unmask")
    # then
    _assert_outcome(response, expected[persona], before, counts(), resident, "id_number", resident.id_number)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unmasking_a_resident_on_the_page(persona, world, client_for, counts):
    # given
    before = counts()
    # when (htmx: the fragment with the full values comes back at once)
    response = client_for(persona).post(reverse("people:resident_unmask", args=[world.resident.pk]),
                                        headers={"HX-Request": "true"})
    # then
    expected = NEAR[persona]
    if persona == "anonymous":
        assert response.status_code == 302 and counts() == before
        return
    assert response.status_code == expected
    if expected == 200:
        assert world.resident.id_number in response.content.decode()
        assert _written(before, counts()) == {"core.auditentry": 1}
    else:
        assert world.resident.id_number not in response.content.decode()
        assert counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("place", "expected"), [("compound1", NEAR_CASE), ("compound4", FAR_CASE)])
def test_unmasking_a_reporters_contact(persona, place, expected, world, client_for, counts):
    # given a hotline call taken for that compound
    compound = getattr(world, place)
    taker = world.user("grid_worker" if place == "compound1" else "outsider")
    case = case_services.case_open(actor=taker, intake=case_services.Intake(
        category="sanitation", description="垃圾站满溢", compound=compound.pk, channel=Channel.HOTLINE,
        contact_name="赵大明", contact_phone="13912345678"))
    before = counts()
    # when
    response = client_for(persona).post(f"/api/v1/cases/{case.pk}/unmask")
    # then
    _assert_outcome(response, expected[persona], before, counts(), case, "contact_phone", "13912345678")


def test_the_unmask_button_is_offered_exactly_to_those_allowed(world, client_for):
    # given
    url = reverse("people:resident_detail", args=[world.resident.pk])
    # when / then
    for persona in ("grid_worker", "community_secretary", "street_officer", "district_officer", "branch_secretary",
                    "admin"):
        page = client_for(persona).get(url).content.decode()
        assert (reverse("people:resident_unmask", args=[world.resident.pk]) in page) == (NEAR[persona] == 200)


def test_another_role_or_a_home_elsewhere_does_not_widen_unmasking(world):
    # given a grid worker of grid4 who is also branch secretary of compound1 (where they may read)
    user = make_user("double1", Role.GRID_WORKER, world.grid4)
    user.assignments.create(role=Role.BRANCH_SECRETARY, compound=world.compound1)
    # then they unmask in their grid only
    assert can_unmask(user) is True
    assert can_unmask(user, world.far_resident) is True
    assert can_unmask(user, world.resident) is False


def test_no_permission_or_superuser_flag_unmasks(world):
    # given the administrator, and a district officer given every model permission
    from django.contrib.auth.models import Permission

    officer = world.user("district_officer")
    officer.user_permissions.set(Permission.objects.filter(codename="view_sensitive"))
    officer = type(officer).objects.get(pk=officer.pk)
    # then neither works with one person's file, so neither unmasks
    assert can_unmask(world.user("admin"), world.resident) is False
    assert can_unmask(officer) is False
    assert can_unmask(None) is False
