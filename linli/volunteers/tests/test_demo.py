import datetime as dt
import random
from collections import Counter
from types import SimpleNamespace

from linli.people.models import PartyMember
from linli.people.tests.factories import ResidentFactory
from linli.points import demo as points_demo
from linli.points import ledger
from linli.volunteers import demo, selectors
from linli.volunteers.models import Activity, Attendance, DualRegistration, Member, Team


def test_demo_populates_teams_a_month_of_activities_hours_and_dual_registrations(world):
    # given a demo context over the test world with an in-service member living in community1
    PartyMember.objects.create(resident=world.neighbour, category="in_service", employer="市税务局机关党支部",
                               dual_registered_community=world.community1, dual_registered_on=dt.date(2025, 3, 1))
    ResidentFactory(household=world.household1, name="张小明")
    context = SimpleNamespace(rng=random.Random(1), counts=Counter(), anchor=dt.date(2026, 5, 20),
                              places=SimpleNamespace(communities=[world.community1, world.community2,
                                                                  world.community3]),
                              homes={"resident1": world.compound1},
                              users={"resident1": world.user("resident"), "grid1": world.user("grid_worker"),
                                     "community1": world.user("community_secretary"),
                                     "district1": world.user("district_officer"), "admin": world.user("admin")})
    context.add = lambda label, n: context.counts.update({label: n})
    points_demo.populate(context)
    # when
    demo.populate(context)
    # then three teams, ten activities (two still open), hours booked into the time bank
    assert Team.objects.count() == 3 and Activity.objects.count() == 10
    done = Attendance.objects.filter(status="out")
    assert done.count() > 10 and all(a.hours and a.hours <= a.activity.hours for a in done)
    assert done.filter(award__isnull=False).exists()
    assert done.filter(member__kind="partner", award__isnull=True).exists()
    assert DualRegistration.objects.filter(member__resident=world.neighbour, community=world.community1).exists()
    volunteer1 = Member.objects.filter(user__username="volunteer1").first().user
    assert selectors.my_hours(actor=volunteer1) > 0
    assert selectors.report(actor=world.user("district_officer"))["employers"][0]["hours"] > 0
    assert ledger.verify().ok
