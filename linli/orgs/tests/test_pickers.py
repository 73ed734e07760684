"""Organisation forms name people and compounds through the searched picker: nothing listed, forged
ids refused."""

from django.urls import reverse

from linli.orgs.models import PartyOrg, Position
from linli.people.tests.factories import HouseholdFactory, ResidentFactory
from linli.places.tests.factories import CompoundFactory


def test_position_page_does_not_grow_with_the_residents(world, orgs, client_for):
    # given
    client = client_for("community_secretary")
    url = reverse("orgs:position_create") + f"?party_org={orgs.branch.pk}"
    before = client.get(url).content.decode()
    # when 60 more residents are registered in sight
    for _ in range(60):
        ResidentFactory(household=HouseholdFactory(dwelling=world.resident.household.dwelling), name="新居民")
    after = client.get(url).content.decode()
    # then
    assert after.count("<option") == before.count("<option")
    assert "新居民" not in after and len(after) == len(before)


def test_position_page_refuses_a_forged_resident(world, orgs, client_for, counts):
    # given
    before = counts()
    # when
    response = client_for("branch_secretary").post(
        reverse("orgs:position_create") + f"?party_org={orgs.branch.pk}",
        {"resident": world.far_resident.pk, "role": "支部委员", "start": "2025-01-01"})
    # then
    assert response.status_code == 200
    assert "所选居民不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before
    assert not Position.objects.filter(resident=world.far_resident).exists()


def test_party_org_page_does_not_grow_with_the_compounds(world, orgs, client_for):
    # given
    client = client_for("street_officer")
    before = client.get(reverse("orgs:partyorg_create")).content.decode()
    # when 60 more compounds are built in the street
    for n in range(60):
        CompoundFactory(community=world.community1, name=f"新小区{n}")
    after = client.get(reverse("orgs:partyorg_create")).content.decode()
    # then the compounds are searched, not listed
    assert after.count('type="checkbox"') == before.count('type="checkbox"')
    assert "新小区" not in after


def test_party_org_page_refuses_a_forged_compound(world, orgs, client_for, counts):
    # given
    before = counts()
    # when a compound of another street is posted
    response = client_for("community_secretary").post(reverse("orgs:partyorg_create"), {
        "name": "新支部", "level": "branch", "parent": orgs.committee.pk, "community": world.community1.pk,
        "formation": "standalone", "compounds": [world.compound4.pk]})
    # then
    assert response.status_code == 200
    assert "所选小区不存在或不在您的工作范围内" in response.content.decode()
    assert counts() == before
    assert not PartyOrg.objects.filter(name="新支部").exists()


def test_party_org_page_keeps_its_compounds_as_chips(world, orgs, client_for):
    # when
    page = client_for("community_secretary").get(reverse("orgs:partyorg_edit", args=[orgs.branch.pk])).content.decode()
    # then
    assert f'name="compounds" value="{world.compound1.pk}" checked' in page
    assert page.count('name="compounds" value=') == 1
