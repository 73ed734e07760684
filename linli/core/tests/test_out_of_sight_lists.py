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
from linli.people import selectors as people
from linli.places import selectors as places
from linli.points import selectors as points
from linli.points import services as point_services

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
]


@pytest.mark.parametrize(("selector", "make", "insider"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_row_out_of_sight_is_not_listed(world, shop, selector, make, insider):
    # given a row in community1 that the insider lists
    row = make(world, shop)
    assert row.pk in {r.pk for r in selector(actor=world.user(insider), filters={})}
    # when the outsider of community3 asks the same list
    listed = {r.pk for r in selector(actor=world.user("outsider"), filters={})}
    # then the row is absent
    assert row.pk not in listed


@pytest.fixture
def shop(world):
    from linli.points.tests.conftest import shop as make_shop

    return make_shop.__wrapped__(world)
