"""Every list selector leaves out what the actor must not see (the "Alice, Bob, Charlie" pattern).

Each case makes a row in community1 that an insider lists, then asks the same selector as the
outsider (a community worker of community3, street2): the row must be absent. The access matrices
check lists by status code only; these check the rows.
"""

import datetime as dt

import pytest

from linli.cases import selectors as cases
from linli.cases import services as case_services
from linli.cases.models import Channel
from linli.council import selectors as council
from linli.council import services as council_services
from linli.orgs import selectors as orgs
from linli.orgs.tests.factories import (
    PartnerUnitFactory,
    PartyOrgFactory,
    PositionFactory,
    PropertyServiceFactory,
    SelfOrgFactory,
)
from linli.people import selectors as people
from linli.people.tests.factories import GridWorkerFactory, PartyMemberFactory
from linli.places import selectors as places
from linli.points import selectors as points
from linli.points import services as point_services
from linli.property import selectors as property_
from linli.property import services as property_services
from linli.stations import selectors as stations
from linli.stations import services as station_services

pytestmark = pytest.mark.django_db


def _case(world, shop):
    return case_services.case_open(actor=world.user("resident"), intake=case_services.Intake(
        category="sanitation", description="楼道堆满杂物，影响通行", compound=world.compound1.pk,
        channel=Channel.ONLINE))


def _proposal(world, shop):
    return council_services.proposal_submit(actor=world.user("resident"), compound=world.compound1,
                                            title="增设充电桩", body="小区电动车多，建议增设充电桩。")


def _ballot(world, shop):
    return council_services.ballot_open(actor=world.user("branch_secretary"), compound=world.compound1,
                                        title="筹集维修资金", question="是否同意续筹维修资金", rule="owners_278",
                                        closes_at=shop.window.closes_at - dt.timedelta(days=1))


def _award(world, shop):
    return point_services.award_grant(actor=world.user("grid_worker"), key="seed", rule=shop.volunteer,
                                      resident=world.resident, quantity="3", source_type="volunteer")


def _redemption(world, shop):
    _award(world, shop)
    return point_services.redemption_create(actor=world.user("resident"), goods=shop.soap, key="seed-r")


def _comment(world, shop):
    return council_services.comment_add(actor=world.user("resident"), proposal=_proposal(world, shop), body="赞成。")


def _meeting(world, shop):
    return council_services.meeting_create(actor=world.user("community_secretary"), title="邻里议事",
                                           starts_at=shop.window.closes_at, community=world.community1)


def _series(world, shop):
    return council_services.series_create(actor=world.user("community_secretary"), kind="forum", name="议事厅",
                                          first_at=shop.window.closes_at, community=world.community1)


def _resource(world, shop):
    return property_services.resource_create(actor=world.user("branch_secretary"), compound=world.compound1,
                                             kind="parking", name="地面车位")


def _account(world, shop):
    PropertyServiceFactory(compound=world.compound1, mode="trust", start=dt.date(2025, 12, 1))
    return property_services.account_open(actor=world.user("branch_secretary"), compound=world.compound1,
                                          opened_on=dt.date(2026, 1, 1))


def _contract(world, shop):
    return property_services.contract_create(actor=world.user("branch_secretary"), resource=_resource(world, shop),
                                             counterparty="某广告公司", start=dt.date(2026, 1, 1), amount="500.00")


def _budget(world, shop):
    return property_services.budget_create(actor=world.user("community_secretary"), unit=world.community1,
                                           year=2026, kind="party_building", amount="10000.00")


def _gridworker(world, shop):
    return GridWorkerFactory(grids=[world.grid1])


def _position(world, shop):
    return PositionFactory(resident=world.resident, party_org=PartyOrgFactory(community=world.community1))


def _station(world, shop):
    return station_services.station_create(actor=world.user("community_secretary"), community=world.community1,
                                           compound=world.compound1, name="康宁小区党群服务站", kind="compound",
                                           address="3号楼一层")


def _need(world, shop):
    return station_services.need_post(actor=world.user("resident"), title="需要上门理发")


def _resource_entry(world, shop):
    return station_services.resource_create(actor=world.user("community_secretary"), community=world.community1,
                                            kind="member", name="张秀英", offer="教用智能手机",
                                            handler=world.user("resident"))


def _wish(world, shop):
    return station_services.wish_post(actor=world.user("resident"), title="想要一副老花镜")


CASES = [
    # (selector, the row in community1, a persona who lists it)
    (places.unit_list_visible_to, lambda w, s: w.community1, "community_secretary"),
    (places.grid_list_visible_to, lambda w, s: w.grid1, "grid_worker"),
    (places.compound_list_visible_to, lambda w, s: w.compound1, "grid_worker"),
    (places.building_list_visible_to, lambda w, s: w.household1.dwelling.entrance.building, "grid_worker"),
    (places.entrance_list_visible_to, lambda w, s: w.household1.dwelling.entrance, "grid_worker"),
    (places.dwelling_list_visible_to, lambda w, s: w.household1.dwelling, "grid_worker"),
    (people.resident_list_visible_to, lambda w, s: w.resident, "grid_worker"),
    (people.household_list_visible_to, lambda w, s: w.household1, "grid_worker"),
    (cases.case_list_visible_to, _case, "grid_worker"),
    (council.proposal_list_visible_to, _proposal, "branch_secretary"),
    (council.ballot_list_visible_to, _ballot, "branch_secretary"),
    (points.rule_list_visible_to, lambda w, s: s.volunteer, "community_secretary"),
    (points.goods_list_visible_to, lambda w, s: s.soap, "community_secretary"),
    (points.window_list_visible_to, lambda w, s: s.window, "community_secretary"),
    (points.award_list_visible_to, _award, "community_secretary"),
    (points.redemption_list_visible_to, _redemption, "community_secretary"),
    (people.partymember_list_visible_to, lambda w, s: PartyMemberFactory(resident=w.resident), "grid_worker"),
    (people.gridworker_list_visible_to, _gridworker, "community_secretary"),
    (council.notice_list_visible_to, lambda w, s: council_services.notice_publish(
        actor=w.user("branch_secretary"), proposal=_proposal(w, s), title="公示", body="公示内容"), "branch_secretary"),
    (council.meeting_list_visible_to, _meeting, "community_secretary"),
    (council.series_list_visible_to, _series, "community_secretary"),
    (orgs.partyorg_list_visible_to, lambda w, s: PartyOrgFactory(community=w.community1), "community_secretary"),
    (orgs.selforg_list_visible_to, lambda w, s: SelfOrgFactory(compound=w.compound1), "grid_worker"),
    (orgs.propertyservice_list_visible_to, lambda w, s: PropertyServiceFactory(compound=w.compound1), "grid_worker"),
    (orgs.propertycompany_list_visible_to, lambda w, s: PropertyServiceFactory(compound=w.compound1).company,
     "grid_worker"),
    (orgs.partner_list_visible_to, lambda w, s: PartnerUnitFactory(community=w.community1), "community_secretary"),
    (orgs.position_list_visible_to, _position, "grid_worker"),
    (property_.resource_list_visible_to, _resource, "branch_secretary"),
    (property_.contract_list_visible_to, _contract, "branch_secretary"),
    (property_.account_list_visible_to, _account, "branch_secretary"),
    (property_.budget_list_visible_to, _budget, "community_secretary"),
    (stations.station_list_visible_to, _station, "branch_secretary"),
    (stations.wish_list_visible_to, _wish, "grid_worker"),
    (stations.need_list_visible_to, _need, "grid_worker"),
    (stations.resource_list_visible_to, _resource_entry, "community_secretary"),
    (stations.project_list_visible_to, lambda world, shop: _project(world), "community_secretary"),
    (stations.errand_list_visible_to, lambda world, shop: _errand(world), "grid_worker"),
    (stations.station_case_list_visible_to, lambda world, shop: _station_case(world, shop), "community_secretary"),
    (stations.partner_staff_list_visible_to, lambda world, shop: _partner_staff(world), "community_secretary"),
]


def _project(world):
    from linli.core import clock

    return station_services.project_create(actor=world.user("community_secretary"), community=world.community1,
                                           title="加装楼道扶手", starts_on=clock.today(), ends_on=clock.today())


def _errand(world):
    from linli.stations.tests.helpers import station

    home = station(world)
    return station_services.errand_record(actor=world.user("grid_worker"), station=home,
                                          service=home.services.first(), resident=world.resident, result="已办结")


def _station_case(world, shop):
    from linli.stations.tests.helpers import station

    return station_services.station_case_assign(actor=world.user("community_secretary"), station=station(world),
                                                case=_case(world, shop))


def _partner_staff(world):
    from linli.stations.tests.helpers import partner_login

    return partner_login(world)[0].partner_staff


@pytest.mark.parametrize(("selector", "make", "insider"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_row_out_of_sight_is_not_listed(world, shop, selector, make, insider):
    # given a row in community1 that the insider lists
    row = make(world, shop)
    assert row.pk in {r.pk for r in selector(actor=world.user(insider), filters={})}
    # when the outsider of community3 asks the same list
    listed = {r.pk for r in selector(actor=world.user("outsider"), filters={})}
    # then the row is absent
    assert row.pk not in listed


def test_a_comment_out_of_sight_is_not_listed(world, shop):
    # given a resident's comment on a proposal in compound1
    comment = _comment(world, shop)
    proposal = comment.proposal
    assert comment in council.comment_list_visible_to(actor=world.user("branch_secretary"), proposal=proposal,
                                                      moderator=True)
    # when / then the outsider's list of the same proposal's comments leaves it out
    assert comment not in council.comment_list_visible_to(actor=world.user("outsider"), proposal=proposal,
                                                          moderator=True)


def test_station_parts_and_wishes_out_of_sight_are_not_listed(world, shop):
    # given a station of compound1 with a slot and its catalogue, and a wish of its resident
    station = _station(world, shop)
    station_services.slot_add(actor=world.user("community_secretary"), station=station, weekday=0,
                              opens=dt.time(9), closes=dt.time(12))
    wish = _wish(world, shop)
    resident, outsider = world.user("resident"), world.user("outsider")
    assert stations.slot_list_visible_to(actor=resident, station=station).count() == 1
    assert stations.service_list_visible_to(actor=resident, station=station).count() == 37
    # then the outsider lists none of them
    assert stations.slot_list_visible_to(actor=outsider, station=station).count() == 0
    assert stations.service_list_visible_to(actor=outsider, station=station).count() == 0
    assert wish not in stations.wish_list_visible_to(actor=outsider)


@pytest.fixture
def shop(world):
    from linli.points.tests.conftest import shop as make_shop

    return make_shop.__wrapped__(world)


# Grid work: the rows of a grid worker of grid1 (community1), listed by their community's secretary.
def _grid_worker(world):
    from linli.people.models import GridWorker

    worker = GridWorker.objects.filter(user=world.user("grid_worker")).first()
    return worker or GridWorkerFactory(user=world.user("grid_worker"), grids=[world.grid1])


def _check_in(world, shop):
    from linli.gridwork import services as gridwork_services

    _grid_worker(world)
    return gridwork_services.check_in(actor=world.user("grid_worker"), grid=world.grid1)


def _patrol(world, shop):
    from linli.gridwork import services as gridwork_services

    _grid_worker(world)
    return gridwork_services.patrol_start(actor=world.user("grid_worker"), grid=world.grid1)


def _finding(world, shop):
    from linli.gridwork import services as gridwork_services

    return gridwork_services.finding_record(actor=world.user("grid_worker"), patrol=_patrol(world, shop),
                                            text="楼道堆物", building=world.household1.dwelling.entrance.building)


def _visit(world, shop):
    from linli.gridwork import services as gridwork_services

    _grid_worker(world)
    return gridwork_services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=30,
                                          purpose="care")


def _task(world, shop):
    from linli.gridwork import services as gridwork_services

    return gridwork_services.task_push(actor=world.user("community_secretary"), grid=world.grid1, matter="policy",
                                       title="医保政策宣传", department="医保局")


def _gridwork_cases():
    from linli.gridwork import selectors as gridwork

    return [
        (gridwork.checkin_list_visible_to, _check_in),
        (gridwork.patrol_list_visible_to, _patrol),
        (gridwork.finding_list_visible_to, _finding),
        (gridwork.visit_list_visible_to, _visit),
        (gridwork.task_list_visible_to, _task),
        (gridwork.workers_visible_to, lambda w, s: _grid_worker(w)),
    ]


@pytest.mark.parametrize(("selector", "make"), _gridwork_cases(), ids=[c[0].__name__ for c in _gridwork_cases()])
def test_a_grid_work_row_out_of_sight_is_not_listed(world, shop, selector, make):
    # given a row of grid1's worker that the community's secretary and the worker list
    row = make(world, shop)
    for insider in ("community_secretary", "grid_worker"):
        assert row.pk in {r.pk for r in selector(actor=world.user(insider))}
    # when the outsider of community3 (and a resident of grid1) ask the same list, then it is absent
    for persona in ("outsider", "resident"):
        assert row.pk not in {r.pk for r in selector(actor=world.user(persona))}


def test_volunteer_rows_out_of_sight_are_not_listed(world, shop):
    from linli.core import clock
    from linli.volunteers import selectors as volunteers
    from linli.volunteers import services as volunteer_services
    from linli.volunteers.tests import helpers

    # given a team of community1 with an activity, a member signed up and a dual registration
    clock.freeze(helpers.NOW)
    team = helpers.team(world)
    act = helpers.activity(world, team)
    user = helpers.volunteer(world)
    helpers.join(world, team, resident=world.neighbour)
    signed = volunteer_services.sign_up(actor=user, activity=act)
    member = PartyMemberFactory(resident=world.neighbour, category="in_service", employer="市税务局机关党支部")
    registration = volunteer_services.dual_register(actor=user, member=member, community=world.community1)
    lists = [(volunteers.team_list_visible_to, team), (volunteers.activity_list_visible_to, act),
             (volunteers.attendance_list_visible_to, signed), (volunteers.registration_list_visible_to, registration)]
    for selector, row in lists:
        # the community's secretary lists it; the outsider of community3 and another resident do not
        assert row.pk in {r.pk for r in selector(actor=world.user("community_secretary"))}
        for persona in ("outsider", "resident"):
            assert row.pk not in {r.pk for r in selector(actor=world.user(persona))}, (selector.__name__, persona)
    joined = volunteers.member_list_visible_to(actor=world.user("community_secretary"), team=team).get()
    assert joined.pk not in {r.pk for r in volunteers.member_list_visible_to(actor=world.user("outsider"), team=team)}
