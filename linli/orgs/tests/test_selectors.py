import datetime as dt

import pytest

from linli.core import clock
from linli.core.errors import Forbidden
from linli.orgs import selectors
from linli.orgs.models import PartyOrg, PropertyService, SelfOrg
from linli.orgs.tests.factories import (
    PartnerUnitFactory,
    PartyOrgFactory,
    PositionFactory,
    PropertyCompanyFactory,
    PropertyServiceFactory,
    SelfOrgFactory,
)
from linli.people.tests.factories import PartyMemberFactory

TODAY = dt.datetime(2025, 6, 1, 9, 0)


def _names(queryset):
    return sorted(o.name for o in queryset)


def test_partyorg_filters(world, orgs):
    # given
    group = PartyOrgFactory(name="一号楼党小组", level=PartyOrg.Level.GROUP, parent=orgs.branch, formation="",
                            community=world.community1, compounds=[world.compound1])
    far = PartyOrgFactory(name="南内环小区党支部", community=world.community3, compounds=[world.compound4],
                          formation=PartyOrg.Formation.JOINT)
    actor = world.user("district_officer")

    def names(**filters):
        return _names(selectors.partyorg_list_visible_to(actor=actor, filters=filters))

    # then
    assert names(q="党小组") == [group.name]
    assert names(level="committee") == [orgs.committee.name]
    assert names(formation="joint") == [far.name]
    assert names(community=world.street2.code[:9]) == [far.name]
    assert names(community=world.community1.code) == sorted([orgs.committee.name, orgs.branch.name, group.name])
    assert names(compound=str(world.compound1.pk)) == sorted([orgs.branch.name, group.name])
    assert names(parent=orgs.branch.pk) == [group.name]
    assert names(level="nonsense") == names()  # an unknown choice is ignored
    assert names(compound="abc") == []  # a malformed id matches nothing


def test_partyorg_list_is_cut_to_the_actor(world, orgs):
    # given
    PartyOrgFactory(name="南内环小区党支部", community=world.community3, compounds=[world.compound4])
    # when
    secretary = _names(selectors.partyorg_list_visible_to(actor=world.user("community_secretary")))
    branch = _names(selectors.partyorg_list_visible_to(actor=world.user("branch_secretary")))
    outsider = _names(selectors.partyorg_list_visible_to(actor=world.user("outsider")))
    # then
    assert secretary == sorted([orgs.committee.name, orgs.branch.name])
    assert branch == [orgs.branch.name]  # the committee covers no compound of theirs
    assert outsider == ["南内环小区党支部"]


def test_lists_refuse_residents(world, orgs):
    # given
    resident = world.user("resident")
    # then
    for selector in (selectors.partyorg_list_visible_to, selectors.selforg_list_visible_to,
                     selectors.propertycompany_list_visible_to, selectors.propertyservice_list_visible_to,
                     selectors.partner_list_visible_to, selectors.position_list_visible_to):
        with pytest.raises(Forbidden):
            selector(actor=resident, filters={})


def test_selforg_active_term_follows_the_clock(world, orgs):
    # given
    clock.freeze(TODAY)
    old = SelfOrgFactory(compound=world.compound1, name="第一届业委会", term_start=dt.date(2019, 1, 1),
                         term_end=dt.date(2024, 12, 31))
    ends_today = SelfOrgFactory(compound=world.compound2, kind=SelfOrg.Kind.PROPERTY_COMMITTEE, name="幸福苑物管会",
                                term_start=dt.date(2023, 1, 1), term_end=dt.date(2025, 6, 1))
    actor = world.user("community_secretary")

    def names(**filters):
        return _names(selectors.selforg_list_visible_to(actor=actor, filters=filters))

    # then
    assert names(active="1") == sorted([orgs.owners.name, ends_today.name])
    assert names(active="0") == [old.name]
    assert names(kind="property_committee") == [ends_today.name]
    assert names(compound=world.compound1.pk) == sorted([orgs.owners.name, old.name])
    # when the clock moves a day
    clock.advance(dt.timedelta(days=1))
    # then
    assert names(active="1") == [orgs.owners.name]


def test_propertycompany_party_filter(world, orgs):
    # given
    red = PropertyCompanyFactory(name="红色物业", has_party_org=True)
    registered = PropertyCompanyFactory(name="登记党组织的物业", party_org=orgs.branch)
    for company in (red, registered):
        PropertyServiceFactory(compound=world.compound1, company=company)
    actor = world.user("community_secretary")

    def names(**filters):
        return _names(selectors.propertycompany_list_visible_to(actor=actor, filters=filters))

    # then
    assert names(party="with") == sorted([red.name, registered.name])
    assert names(party="without") == [orgs.company.name]
    assert names(q="红色") == [red.name]
    assert names(compound=world.compound2.pk) == [orgs.company.name]


def test_propertyservice_current_and_mode(world, orgs):
    # given
    clock.freeze(TODAY)
    ended = PropertyServiceFactory(compound=world.compound1, mode=PropertyService.Mode.SELF_MANAGED, company=None,
                                   provider_name="自管小组", start=dt.date(2020, 1, 1), end=dt.date(2025, 5, 31))
    actor = world.user("street_officer")

    def ids(**filters):
        return sorted(s.pk for s in selectors.propertyservice_list_visible_to(actor=actor, filters=filters))

    # then
    assert ids(current="1") == [orgs.service.pk]
    assert ids(current="0") == [ended.pk]
    assert ids(mode="self_managed") == [ended.pk]
    assert ids(compound=world.compound1.pk) == [ended.pk]
    assert ids(company=orgs.company.pk) == [orgs.service.pk]


def test_partner_filters(world, orgs):
    # given
    craft = PartnerUnitFactory(name="王师傅水电维修", kind="craftsperson", community=world.community2,
                               offer="水电维修")
    actor = world.user("street_officer")

    def names(**filters):
        return _names(selectors.partner_list_visible_to(actor=actor, filters=filters))

    # then
    assert names(kind="craftsperson") == [craft.name]
    assert names(community=world.community1.pk) == [orgs.partner.name]
    assert names(community=world.community2.code) == [craft.name]
    assert names(q="水电") == [craft.name]


def test_position_current_is_inclusive_of_today(world, orgs):
    # given
    clock.freeze(TODAY)
    ends_today = PositionFactory(resident=world.neighbour, party_org=orgs.branch, role="宣传委员",
                                 start=dt.date(2024, 1, 1), end=dt.date(2025, 6, 1))
    future = PositionFactory(resident=world.neighbour, self_org=orgs.owners, role="委员", start=dt.date(2025, 7, 1))
    ended = PositionFactory(resident=world.neighbour, self_org=orgs.owners, role="委员",
                            start=dt.date(2020, 1, 1), end=dt.date(2023, 12, 31))
    actor = world.user("branch_secretary")

    def ids(**filters):
        return sorted(p.pk for p in selectors.position_list_visible_to(actor=actor, filters=filters))

    # then
    current = sorted([orgs.branch_position.pk, orgs.owners_position.pk, ends_today.pk])
    assert ids(current="1") == current
    assert ids(current="0") == sorted([future.pk, ended.pk])
    assert ids(resident=world.neighbour.pk) == sorted([ends_today.pk, future.pk, ended.pk])
    assert ids(party_org=orgs.branch.pk) == sorted([orgs.branch_position.pk, ends_today.pk])
    assert ids(self_org=orgs.owners.pk, current="true") == [orgs.owners_position.pk]


def test_positions_are_in_sight_through_the_organisation(world, orgs):
    # given: the company's manager lives in compound4, far outside community1
    manager = PositionFactory(resident=world.far_resident, property_company=orgs.company, role="项目经理")
    # when
    secretary = selectors.position_list_visible_to(actor=world.user("community_secretary"), filters={})
    outsider = selectors.position_list_visible_to(actor=world.user("outsider"), filters={})
    # then
    assert manager in secretary
    assert manager in outsider  # the outsider sees compound4, where the manager lives
    assert orgs.branch_position not in outsider


def test_partyorg_tree_and_member_count(world, orgs):
    # given
    group = PartyOrgFactory(name="一号楼党小组", level=PartyOrg.Level.GROUP, parent=orgs.branch, formation="",
                            community=world.community1, compounds=[world.compound1])
    lead = PartyOrgFactory(name="张秀英党员中心户", level=PartyOrg.Level.LEAD_HOUSEHOLD, parent=group, formation="",
                           community=world.community1, compounds=[world.compound1])
    PartyMemberFactory(resident=world.resident, home_branch=orgs.branch)
    PartyMemberFactory(resident=world.neighbour, home_branch=orgs.branch)
    # when
    tree = selectors.partyorg_tree(world.user("community_secretary"), orgs.committee)
    # then
    assert tree == [(orgs.branch, [(group, [(lead, [])])])]
    assert selectors.partyorg_member_count(orgs.branch) == 2
    assert selectors.partyorg_member_count(orgs.committee) == 0


def test_compound_carriages(world, orgs):
    # given
    clock.freeze(TODAY)
    PropertyServiceFactory(compound=world.compound1, mode=PropertyService.Mode.RED_PROPERTY, company=None,
                           provider_name="社区领办物业", start=dt.date(2024, 1, 1))
    SelfOrgFactory(compound=world.compound1, name="上一届业委会", term_start=dt.date(2019, 1, 1),
                   term_end=dt.date(2023, 12, 31))
    # when
    one = selectors.compound_carriages(world.compound1)
    two = selectors.compound_carriages(world.compound2)
    four = selectors.compound_carriages(world.compound4)
    # then
    assert one["party_orgs"] == [orgs.branch]
    assert one["self_orgs"] == [orgs.owners]
    assert one["property_service"].provider_name == "社区领办物业"
    assert two["party_orgs"] == [] and two["self_orgs"] == []
    assert two["property_service"] == orgs.service
    assert four == {"party_orgs": [], "self_orgs": [], "property_service": None}


def test_compound_carriages_cut_to_an_actor(world, orgs):
    # when
    seen = selectors.compound_carriages(world.compound1, actor=world.user("outsider"))
    # then
    assert seen == {"party_orgs": [], "self_orgs": [], "property_service": None}


def test_partyorg_list_runs_from_the_top_level_down(world, orgs):
    # when
    levels = [o.level for o in selectors.partyorg_list_visible_to(actor=world.user("community_secretary"))]
    # then
    assert levels == ["committee", "branch"]
