import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from linli.core import clock
from linli.core.errors import Forbidden
from linli.core.models import AuditEntry
from linli.orgs import services
from linli.orgs.models import PartyOrg, Position, PropertyCompany, PropertyService
from linli.orgs.tests.factories import PartyOrgFactory


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_partyorg_create_records_compounds_in_the_audit(world, orgs):
    # given
    actor = world.user("community_secretary")
    # when
    group = services.partyorg_create(actor=actor, data={
        "name": "一号楼党小组", "level": "group", "parent": orgs.branch.pk, "community": world.community1,
        "compounds": [world.compound1.pk]})
    # then
    assert list(group.compounds.all()) == [world.compound1]
    entries = AuditEntry.objects.filter(object_type="orgs.partyorg", object_id=str(group.pk))
    assert {e.action for e in entries} == {"create", "update"}
    assert entries.get(action="update").changes == {"compounds": [[], [world.compound1.pk]]}


def test_partyorg_parent_level_is_checked(world, orgs):
    # given
    actor = world.user("community_secretary")
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partyorg_create(actor=actor, data={
            "name": "越级党小组", "level": "group", "parent": orgs.committee, "community": world.community1,
            "compounds": [world.compound1]})
    # then
    assert "parent" in _errors(excinfo)
    assert not PartyOrg.objects.filter(name="越级党小组").exists()


def test_partyorg_compounds_must_be_in_sight_and_in_its_community(world, orgs):
    # given
    actor = world.user("street_officer")
    # when: compound3 is in sight but belongs to community2
    with pytest.raises(ValidationError) as wrong_community:
        services.partyorg_create(actor=actor, data={
            "name": "联合党支部", "level": "branch", "formation": "joint", "parent": orgs.committee,
            "community": world.community1, "compounds": [world.compound1, world.compound3]})
    # when: compound4 is out of sight altogether
    with pytest.raises(ValidationError) as out_of_sight:
        services.partyorg_create(actor=actor, data={
            "name": "联合党支部", "level": "branch", "formation": "joint", "parent": orgs.committee,
            "community": world.community1, "compounds": [world.compound4.pk]})
    # then
    assert "compounds" in _errors(wrong_community)
    assert "不在您的辖区内" in _errors(out_of_sight)["compounds"][0]


def test_partyorg_community_out_of_sight_is_a_field_error(world):
    # given
    actor = world.user("outsider")
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partyorg_create(actor=actor, data={"name": "康宁社区党委", "level": "committee",
                                                    "community": world.community1.pk})
    # then
    assert list(_errors(excinfo)) == ["community"]


def test_a_branch_secretary_cannot_create_an_org_they_could_not_open(world, orgs, counts):
    # given: a branch secretary sees compound1 (and so may name community1), not the community itself
    actor = world.user("branch_secretary")
    before = counts()
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partyorg_create(actor=actor, data={
            "name": "无覆盖小区的党小组", "level": "group", "parent": orgs.branch, "community": world.community1})
    # then
    assert "compounds" in _errors(excinfo)
    assert counts() == before


def test_partyorg_update_keeps_compounds_the_actor_cannot_see(world, orgs):
    # given: the branch also covers compound2, outside the branch secretary's compound
    orgs.branch.compounds.add(world.compound2)
    actor = world.user("branch_secretary")
    # when
    services.partyorg_update(actor=actor, org=orgs.branch, data={"name": "康宁第一党支部",
                                                                 "compounds": [world.compound1]})
    # then
    orgs.branch.refresh_from_db()
    assert orgs.branch.name == "康宁第一党支部"
    assert set(orgs.branch.compounds.all()) == {world.compound1, world.compound2}


def test_partyorg_update_refuses_read_only_roles(world, orgs, counts):
    # given
    before = counts()
    # when / then
    with pytest.raises(Forbidden):
        services.partyorg_update(actor=world.user("property_staff"), org=orgs.branch, data={"name": "改名"})
    assert counts() == before


def test_with_property_formation_needs_a_company(world, orgs):
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partyorg_create(actor=world.user("community_secretary"), data={
            "name": "幸福苑物业联建党支部", "level": "branch", "formation": "with_property", "parent": orgs.committee,
            "community": world.community1, "compounds": [world.compound2]})
    # then
    assert "property_company" in _errors(excinfo)


def test_selforg_end_closes_the_term_today(world, orgs):
    # given
    clock.freeze(dt.datetime(2025, 6, 1, 10, 0))
    # when
    services.selforg_end(actor=world.user("branch_secretary"), selforg=orgs.owners)
    # then
    orgs.owners.refresh_from_db()
    assert orgs.owners.term_end == dt.date(2025, 6, 1)
    assert AuditEntry.objects.filter(action="end", object_type="orgs.selforg").count() == 1


def test_selforg_term_end_before_start_is_refused(world, orgs):
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.selforg_end(actor=world.user("branch_secretary"), selforg=orgs.owners, on=dt.date(2023, 1, 1))
    # then
    assert "term_end" in _errors(excinfo)
    orgs.owners.refresh_from_db()
    assert orgs.owners.term_end is None


def test_company_is_registered_with_its_first_service(world):
    # given
    actor = world.user("grid_worker")
    # when
    company = services.propertycompany_create(actor=actor, data={"name": "康宁红色物业"},
                                              service={"compound": world.compound1.pk, "mode": "red_property",
                                                       "start": dt.date(2025, 1, 1)})
    # then
    service = PropertyService.objects.get(company=company)
    assert service.compound == world.compound1


def test_company_without_a_service_is_refused_unless_the_actor_sees_everything(world, counts):
    # given
    before = counts()
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.propertycompany_create(actor=world.user("community_secretary"), data={"name": "无服务物业"})
    # then
    assert "service" in _errors(excinfo)
    assert counts() == before
    # when an administrator does it
    services.propertycompany_create(actor=world.user("admin"), data={"name": "无服务物业"})
    # then
    assert PropertyCompany.objects.filter(name="无服务物业").exists()


def test_company_first_service_errors_name_the_service_fields(world):
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.propertycompany_create(actor=world.user("community_secretary"), data={"name": "某物业"},
                                        service={"compound": world.compound4.pk, "mode": "market",
                                                 "start": dt.date(2025, 1, 1)})
    # then
    assert list(_errors(excinfo)) == ["service_compound"]
    assert not PropertyCompany.objects.filter(name="某物业").exists()


def test_property_service_needs_a_company_or_a_provider(world):
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.propertyservice_create(actor=world.user("community_secretary"), data={
            "compound": world.compound2, "mode": "self_managed", "start": dt.date(2025, 1, 1)})
    # then
    assert "company" in _errors(excinfo)


def test_property_service_end(world, orgs):
    # given
    clock.freeze(dt.datetime(2025, 6, 1, 10, 0))
    # when
    services.propertyservice_end(actor=world.user("community_secretary"), service=orgs.service)
    # then
    orgs.service.refresh_from_db()
    assert orgs.service.end == dt.date(2025, 6, 1)


def test_partner_community_must_be_seen_by_code(world, counts):
    # given: a grid worker sees compounds of community1, not the community's own registers
    before = counts()
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partner_create(actor=world.user("grid_worker"), data={
            "name": "某共建单位", "kind": "unit", "community": world.community1})
    # then
    assert "community" in _errors(excinfo)
    assert counts() == before


def test_position_needs_exactly_one_organisation(world, orgs, counts):
    # given
    actor = world.user("community_secretary")
    before = counts()
    # when
    with pytest.raises(ValidationError) as none:
        services.position_create(actor=actor, data={"resident": world.neighbour, "role": "委员",
                                                    "start": dt.date(2025, 1, 1)})
    with pytest.raises(ValidationError) as two:
        services.position_create(actor=actor, data={"resident": world.neighbour, "party_org": orgs.branch,
                                                    "self_org": orgs.owners, "role": "委员",
                                                    "start": dt.date(2025, 1, 1)})
    # then
    assert "任职必须且只能对应一个组织。" in none.value.messages
    assert "任职必须且只能对应一个组织。" in two.value.messages
    assert counts() == before


def test_position_resident_and_organisation_must_be_in_sight(world, orgs, counts):
    # given: the branch secretary sees compound1 only
    actor = world.user("branch_secretary")
    before = counts()
    # when
    with pytest.raises(ValidationError) as far_resident:
        services.position_create(actor=actor, data={"resident": world.far_resident.pk, "party_org": orgs.branch.pk,
                                                    "role": "委员", "start": dt.date(2025, 1, 1)})
    with pytest.raises(ValidationError) as far_org:
        services.position_create(actor=actor, data={"resident": world.neighbour.pk, "partner": orgs.partner.pk,
                                                    "role": "联络员", "start": dt.date(2025, 1, 1)})
    # then
    assert list(_errors(far_resident)) == ["resident"]
    assert list(_errors(far_org)) == ["partner"]
    assert counts() == before


def test_position_end_and_refusal(world, orgs, counts):
    # given
    clock.freeze(dt.datetime(2025, 6, 1, 10, 0))
    before = counts()
    # when a read-only role tries
    with pytest.raises(Forbidden):
        services.position_end(actor=world.user("property_staff"), position=orgs.branch_position)
    # then
    assert counts() == before
    # when an editor does it
    services.position_end(actor=world.user("grid_worker"), position=orgs.branch_position)
    # then
    assert Position.objects.get(pk=orgs.branch_position.pk).end == dt.date(2025, 6, 1)


def test_group_under_a_branch_of_another_community_is_refused(world, orgs):
    # given
    other = PartyOrgFactory(name="双东院落党支部", community=world.community2, compounds=[world.compound3])
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partyorg_create(actor=world.user("street_officer"), data={
            "name": "错挂党小组", "level": "group", "parent": other, "community": world.community1,
            "compounds": [world.compound1]})
    # then
    assert "parent" in _errors(excinfo)
