"""The points, council, stations and grid-work figures of the cockpit equal counting the records."""

import datetime as dt
import random

from django.utils import timezone

from linli.cockpit import selectors
from linli.core import clock
from linli.council.models import Ballot, Decision, Meeting
from linli.people.tests.factories import HouseholdFactory, ResidentFactory
from linli.places.models import Compound
from linli.places.tests.factories import BuildingFactory, DwellingFactory, EntranceFactory
from linli.points.models import Account, Award, Redemption, Transfer
from linli.points.tests.factories import GoodsFactory, PointRuleFactory, WindowFactory

NOW = timezone.make_aware(dt.datetime(2026, 5, 20, 15, 0))
COMPOUNDS = ("compound1", "compound2", "compound3", "compound4")


def _at(rng) -> dt.datetime:
    # this month, the month before, a year ago and in between
    return NOW - dt.timedelta(minutes=rng.randrange(60, 400 * 1440))


def _household(compound):
    entrance = EntranceFactory(building=BuildingFactory(compound=compound))
    return HouseholdFactory(dwelling=DwellingFactory(entrance=entrance))


def _random_activity(world, seed) -> None:
    rng = random.Random(seed)
    for name in COMPOUNDS:
        compound = getattr(world, name)
        community = compound.community
        rule = PointRuleFactory(community=community)
        household = _household(compound)
        resident = ResidentFactory(household=household)
        issuing = Account.objects.get_or_create(kind="issuing", community=community)[0]
        shop = Account.objects.get_or_create(kind="shop", community=community)[0]
        goods = GoodsFactory(community=community)
        window = WindowFactory(community=community, opens_at=NOW - dt.timedelta(days=500), closes_at=NOW)
        for i in range(rng.randrange(3, 9)):
            status = rng.choice(["booked", "booked", "pending", "rejected"])
            Award.objects.create(key=f"{name}-a{i}", rule=rule, household=household, points=rng.choice([5, 10, -3]),
                                 status=status, decided_at=None if status == "pending" else _at(rng))
        for i in range(rng.randrange(1, 5)):
            transfer = Transfer.objects.create(key=f"{name}-t{i}", kind="reserve", source=issuing, target=shop,
                                               amount=10, reason="兑换")
            Redemption.objects.create(key=f"{name}-r{i}", goods=goods, window=window, resident=resident,
                                      points=rng.choice([10, 20]), reserve_transfer=transfer, created_at=_at(rng),
                                      status=rng.choice(["reserved", "completed", "cancelled"]))
        for i in range(rng.randrange(1, 5)):
            meeting = Meeting.objects.create(community=community, compound=compound, title=f"议事{i}",
                                             starts_at=_at(rng))
            for j in range(rng.randrange(0, 3)):
                Decision.objects.create(meeting=meeting, text=f"决定{j}", owner="某人", due_on=NOW.date())
        for i in range(rng.randrange(0, 4)):
            Ballot.objects.create(compound=compound, title=f"表决{i}", question="是否同意", rule="owners_278",
                                  opened_at=_at(rng), closes_at=NOW)
    # a community-wide meeting (no compound): the community's figure, none of its compounds'
    Meeting.objects.create(community=world.community1, title="社区议事", starts_at=NOW - dt.timedelta(days=2))


def _bounds(period):
    return (timezone.make_aware(dt.datetime.combine(period.since, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(period.until + dt.timedelta(days=1), dt.time.min)))


def _counted(node, period) -> dict:
    if node.kind == "compound":
        compounds, community = [node.obj.pk], None
    else:
        compounds = list(Compound.objects.filter(community__code__startswith=node.obj.prefix).values_list("pk", flat=True))
        community = node.obj.prefix
    start, end = _bounds(period)

    def inside(at):
        return at is not None and start <= at < end

    def meeting_in(m):
        return (m.compound_id in compounds) if community is None else m.community.code.startswith(community)

    meetings = [m for m in Meeting.objects.all() if meeting_in(m) and inside(m.starts_at)]
    return {
        "points_issued": sum(a.points for a in Award.objects.filter(status="booked")
                             if a.household.dwelling.entrance.building.compound_id in compounds
                             and inside(a.decided_at)),
        "points_redeemed": sum(r.points for r in Redemption.objects.exclude(status="cancelled")
                               if r.resident.household.dwelling.entrance.building.compound_id in compounds
                               and inside(r.created_at)),
        "meetings": len(meetings),
        "decisions": sum(Decision.objects.filter(meeting=m).count() for m in meetings),
        "ballots": sum(1 for b in Ballot.objects.all() if b.compound_id in compounds and inside(b.opened_at)),
    }


def test_points_and_council_figures_equal_counting_the_records(world):
    # given random awards, redemptions, meetings, decisions and ballots over fourteen months
    clock.freeze(NOW)
    _random_activity(world, 7)
    officer = world.user("district_officer")
    for kind, obj in (("unit", world.district), ("unit", world.street1), ("unit", world.community1),
                      ("compound", world.compound2)):
        node = selectors.node_in_sight(officer, kind, obj.pk)
        # when the officer opens the node's cockpit
        page = selectors.cockpit(officer, node, "2026-05")
        figures = {f.key: f for f in page["figures"]}
        # then each figure of each period is the one counted from the records
        for index, period in enumerate(page["periods"]):
            for key, value in _counted(node, period).items():
                assert figures[key].values[index] == value, (node.label, period.label, key)
        # and each child's, this period
        for child in page["children"]:
            for key, value in _counted(child.node, page["periods"][0]).items():
                assert child.values[key] == value, (child.node.label, key)
    # the community's own meeting counts for the community and for none of its compounds
    community = selectors.cockpit(officer, selectors.node_in_sight(officer, "unit", world.community1.pk), "2026-05")
    own = {f.key: f for f in community["figures"]}["meetings"].value
    assert own == sum(c.values["meetings"] for c in community["children"]) + 1


def test_a_child_can_be_ranked_by_points_and_the_stations_and_grid_work_are_the_domains(world):
    clock.freeze(NOW)
    _random_activity(world, 3)
    officer = world.user("district_officer")
    node = selectors.node_in_sight(officer, "unit", world.district.pk)
    page = selectors.cockpit(officer, node, "2026-05", rank="points_issued")
    values = [c.values["points_issued"] for c in page["children"]]
    assert page["rank"] == "points_issued" and values == sorted(values, reverse=True)
    figures = {f.key: f for f in page["figures"]}
    from linli.gridwork import figures as gridwork
    from linli.people.models import GridWorker
    from linli.stations.selectors import indicators

    found = indicators(actor=officer, unit=world.district)
    assert (figures["stations"].value, figures["stations_covered"].value) == (found["stations"], found["covered_share"])
    month = gridwork.total(gridwork.per_worker(GridWorker.objects.order_by("pk"), dt.date(2026, 5, 1)))
    assert (figures["grid_patrols"].value, figures["grid_visits"].value) == (month.patrols, month.visits)
    # figures of the node alone are not offered for ranking
    assert not figures["stations"].rankable and selectors.cockpit(officer, node, rank="stations")["rank"] is None
