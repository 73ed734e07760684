"""The rules of teams, activities, sign-up, check-in and check-out, hours into the time bank, and the
dual registration."""

import datetime as dt
from decimal import Decimal

import pytest

from linli.core.errors import Forbidden
from linli.core.scoping import scope_for, visible
from linli.people.models import PartyMember, Resident
from linli.points.models import Account, Award
from linli.testing import refused
from linli.volunteers import selectors, services
from linli.volunteers.models import Activity, Attendance, DualRegistration
from linli.volunteers.tests.helpers import (
    FAR,
    activity,
    at,
    check_in,
    check_out,
    join,
    partner_login,
    start,
    team,
    volunteer,
)

pytestmark = pytest.mark.django_db


def test_teams_and_activities_are_set_up_by_the_community_office_only(world, counts):
    start(world)
    made = team(world)
    assert made.kind == "vanguard" and made.community == world.community1
    before = counts()
    for persona in ("outsider", "property_staff", "resident"):
        with pytest.raises(Forbidden):
            services.team_create(actor=world.user(persona), community=world.community1, kind="v_station", name="x")
        with pytest.raises(Forbidden):
            services.activity_create(actor=world.user(persona), team=made, title="x", place="x", latitude=1,
                                     longitude=1, starts_at=None, ends_at=None, capacity=1)
    assert counts() == before


def test_a_member_signs_up_checks_in_and_out_and_the_hours_go_to_their_time_bank(world):
    start(world)
    user = volunteer(world)
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    act = activity(world, the_team, hour=9, hours=2)
    signed = services.sign_up(actor=user, activity=act)
    assert signed.status == Attendance.Status.SIGNED
    # checked in early (08:40) and out late (11:50): only the activity's own two hours count
    at(8, 40)
    checked = check_in(user, signed)
    assert checked.status == "in" and checked.in_accuracy == 20 and 0 < checked.in_distance < 80
    at(11, 50)
    out = check_out(user, checked)
    assert out.hours == Decimal("2.0") and out.status == "out"
    assert out.award.points == 20 and out.award.source_type == "volunteer"
    account = Account.objects.get(resident=world.neighbour)
    assert account.balance == 20
    assert "时间银行" in out.booking
    assert selectors.my_hours(actor=user) == Decimal("2.0")
    # booking again for the same attendance books nothing more
    services._book(world.user("community_secretary"), out)
    account.refresh_from_db()
    assert account.balance == 20 and Award.objects.filter(resident=world.neighbour).count() == 1


def test_hours_are_rounded_down_to_the_half_hour_and_cut_at_the_activity_end(world):
    start(world)
    user = volunteer(world)
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    signed = services.sign_up(actor=user, activity=activity(world, the_team, hour=9, hours=3))
    at(9, 50)
    check_in(user, signed)
    at(11, 10)
    assert check_out(user, Attendance.objects.get(pk=signed.pk)).hours == Decimal("1.0")


def test_only_members_sign_up_and_never_beyond_capacity(world, counts):
    start(world)
    the_team = team(world)
    users = [volunteer(world), volunteer(world, world.resident, "vol2")]
    outsider = volunteer(world, world.far_resident, "vol3")
    for r in (world.neighbour, world.resident):
        join(world, the_team, resident=r)
    act = activity(world, the_team, capacity=1)
    before = counts()
    with refused("not_member"):
        services.sign_up(actor=outsider, activity=act)
    services.sign_up(actor=users[0], activity=act)
    before = counts()
    with refused("activity_full"):
        services.sign_up(actor=users[1], activity=act)
    assert counts() == before
    with refused("already_signed"):
        services.sign_up(actor=users[0], activity=act)
    # a cancellation frees the place
    services.cancel_signup(actor=users[0], attendance=Attendance.objects.get(user=users[0]))
    assert services.sign_up(actor=users[1], activity=act).status == "signed"


def test_sign_up_for_two_activities_at_the_same_time_is_refused(world, counts):
    start(world)
    user = volunteer(world)
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    services.sign_up(actor=user, activity=activity(world, the_team, hour=9, hours=2))
    clash = activity(world, the_team, hour=10, hours=2, title="义诊")
    before = counts()
    with refused("time_overlap"):
        services.sign_up(actor=user, activity=clash)
    assert counts() == before


def test_check_in_far_away_inaccurate_too_early_or_while_checked_in_elsewhere_is_refused(world, counts):
    start(world)
    user = volunteer(world)
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    first = services.sign_up(actor=user, activity=activity(world, the_team, hour=9, hours=1))
    second = services.sign_up(actor=user, activity=activity(world, the_team, hour=10, hours=1, title="义诊"))
    before = counts()
    at(8, 0)
    with refused("checkin_early"):
        check_in(user, first)
    at(9, 0)
    with refused("too_far"):
        check_in(user, first, where=FAR)
    with refused("location_inaccurate"):
        check_in(user, first, accuracy=900)
    assert counts() == before
    check_in(user, first)
    # 09:40: the next activity's check-in window is open, but the first is not checked out
    at(9, 40)
    before = counts()
    with refused("checkin_overlap"):
        check_in(user, Attendance.objects.get(pk=second.pk))
    assert counts() == before
    # nobody checks in for someone else
    other = volunteer(world, world.resident, "vol2")
    with pytest.raises(Forbidden):
        check_in(other, Attendance.objects.get(pk=second.pk))


def test_the_one_open_check_in_is_also_a_database_rule(world):
    start(world)
    user = volunteer(world)
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    first = services.sign_up(actor=user, activity=activity(world, the_team, hour=9, hours=1))
    second = services.sign_up(actor=user, activity=activity(world, the_team, hour=10, hours=1, title="义诊"))
    Attendance.objects.filter(pk=first.pk).update(status="in")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.filter(pk=second.pk).update(status="in")


def test_hours_confirmed_by_the_organiser_cannot_exceed_the_activity(world, counts):
    start(world)
    user = volunteer(world)
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    signed = services.sign_up(actor=user, activity=activity(world, the_team, hour=9, hours=2))
    at(9, 5)
    check_in(user, signed)
    secretary = world.user("community_secretary")
    at(12, 0)
    attendance = Attendance.objects.get(pk=signed.pk)
    before = counts()
    with refused("hours_beyond_activity"):
        services.hours_confirm(actor=secretary, attendance=attendance, hours="2.5")
    with refused("invalid"):
        services.hours_confirm(actor=secretary, attendance=attendance, hours="1.2")
    with pytest.raises(Forbidden):
        services.hours_confirm(actor=world.user("outsider"), attendance=attendance, hours="1")
    assert counts() == before
    done = services.hours_confirm(actor=secretary, attendance=attendance, hours="1.5")
    assert done.hours == Decimal("1.5") and done.award.points == 15


def test_partner_staff_without_a_home_keep_their_hours_on_record(world):
    start(world)
    user = partner_login()
    the_team = team(world)
    member = join(world, the_team, user=user)
    assert member.kind == "partner" and member.resident is None
    signed = services.sign_up(actor=user, activity=activity(world, the_team))
    at(9, 0)
    check_in(user, signed)
    at(11, 0)
    out = check_out(user, Attendance.objects.get(pk=signed.pk))
    assert out.hours == Decimal("2.0") and out.award is None and "无居民积分账户" in out.booking
    assert selectors.my_hours(actor=user) == Decimal("2.0")


def test_a_member_living_in_another_community_gets_the_hours_in_their_own_time_bank(world):
    start(world)
    from linli.points.tests.factories import VolunteerRuleFactory

    VolunteerRuleFactory(community=world.community3, points=8, audience="party")
    user = volunteer(world, world.far_resident, "inservice1")
    _in_service(world, world.far_resident, world.community1)
    the_team = team(world)
    member = join(world, the_team, resident=world.far_resident)
    assert member.kind == "in_service"
    signed = services.sign_up(actor=user, activity=activity(world, the_team))
    at(9, 0)
    check_in(user, signed)
    at(10, 0)
    out = check_out(user, Attendance.objects.get(pk=signed.pk))
    assert out.award.points == 8 and out.award.rule.community == world.community3


def test_missing_rule_keeps_the_hours_and_says_why(world):
    start(world)
    user = volunteer(world, world.far_resident, "vol3")
    the_team = team(world)
    join(world, the_team, resident=world.far_resident)
    signed = services.sign_up(actor=user, activity=activity(world, the_team))
    at(9, 0)
    check_in(user, signed)
    at(10, 0)
    out = check_out(user, Attendance.objects.get(pk=signed.pk))
    assert out.hours == 1 and out.award is None and "未记积分" in out.booking


def _in_service(world, resident, community=None):
    return PartyMember.objects.create(resident=resident, category="in_service", employer="市税务局机关党支部",
                                      dual_registered_community=community,
                                      dual_registered_on=dt.date(2026, 1, 5) if community else None)


def test_dual_registration_with_a_second_community_at_once_is_refused(world, counts):
    start(world)
    user = volunteer(world)
    member = PartyMember.objects.create(resident=world.neighbour, category="retired")
    with refused("not_in_service"):
        services.dual_register(actor=user, member=member, community=world.community1)
    PartyMember.objects.filter(pk=member.pk).update(category="in_service", employer="市税务局机关党支部")
    member.refresh_from_db()
    made = services.dual_register(actor=user, member=member, community=world.community1)
    assert made.employer == "市税务局机关党支部"
    member.refresh_from_db()
    assert member.dual_registered_community == world.community1
    before = counts()
    with refused("already_registered"):
        services.dual_register(actor=world.user("street_officer"), member=member, community=world.community2)
    with refused("already_registered_here"):
        services.dual_register(actor=user, member=member, community=world.community1)
    with pytest.raises(Forbidden):
        services.dual_register(actor=world.user("property_staff"), member=member, community=world.community2)
    assert counts() == before


def test_a_member_registered_in_the_register_before_is_refused_elsewhere_too(world, counts):
    start(world)
    member = _in_service(world, world.far_resident, world.community3)
    before = counts()
    with refused("already_registered"):
        services.dual_register(actor=world.user("community_secretary"), member=member, community=world.community1)
    assert counts() == before
    assert DualRegistration.objects.count() == 0


def test_report_per_employer_and_community_counts_members_hours_wishes_and_needs(world):
    start(world)
    user = volunteer(world)
    member = _in_service(world, world.neighbour)
    services.dual_register(actor=user, member=member, community=world.community1, employer="市税务局机关党支部")
    far = _in_service(world, world.far_resident)
    services.dual_register(actor=world.user("admin"), member=far, community=world.community3, employer="省电力公司党委")
    the_team = team(world)
    join(world, the_team, resident=world.neighbour)
    signed = services.sign_up(actor=user, activity=activity(world, the_team))
    at(9, 0)
    check_in(user, signed)
    at(11, 0)
    check_out(user, Attendance.objects.get(pk=signed.pk))
    found = selectors.report(actor=world.user("street_officer"))
    assert found["employers"] == [{"name": "市税务局机关党支部", "members": 1, "hours": Decimal("2.0"),
                                   "wishes": 0, "needs": 0}]
    assert [c["name"] for c in found["communities"]] == ["康宁社区"]
    assert found["communities"][0]["teams"] == 1 and found["communities"][0]["team_hours"] == Decimal("2.0")
    # the district sees both employers; the other street's member is not in street1's report
    assert {e["name"] for e in selectors.report(actor=world.user("district_officer"))["employers"]} == {
        "市税务局机关党支部", "省电力公司党委"}


def test_a_login_without_home_or_jurisdiction_sees_only_its_own_teams_and_activities(world):
    start(world)
    user = partner_login()
    mine, other = team(world), team(world, name="幸福苑志愿V站", kind="v_station", compound=world.compound2)
    join(world, mine, user=user)
    activity(world, mine)
    activity(world, other, title="不该看到")
    assert [t.name for t in selectors.team_list_visible_to(actor=user)] == ["康宁党员先锋队"]
    assert [a.title for a in selectors.activity_list_visible_to(actor=user)] == ["清理楼道杂物"]
    assert not visible(Resident.objects.all(), scope_for(user)).exists()
    assert not visible(Activity.objects.filter(team=other), scope_for(user)).exists()
