"""The volunteers tests' additions to the world: a team, an activity at a place, volunteers with logins."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from linli.accounts.models import Role
from linli.core import clock
from linli.points.tests.factories import VolunteerRuleFactory
from linli.testing import make_user
from linli.volunteers import services

NOW = timezone.make_aware(dt.datetime(2026, 5, 10, 8, 0))
PLACE = (Decimal("37.850000"), Decimal("112.560000"))
# About 111 m north of the place per 0.001 degree of latitude.
NEAR = (Decimal("37.850500"), Decimal("112.560000"))
FAR = (Decimal("37.860000"), Decimal("112.560000"))


def start(world):
    """Freeze the clock at 08:00 and give community1 its time-bank rule (10 points an hour)."""
    clock.freeze(NOW)
    VolunteerRuleFactory(community=world.community1, cap=200, period="month")


def volunteer(world, resident=None, username="vol1"):
    """A resident with a login (the neighbour in compound1 by default)."""
    resident = resident or world.neighbour
    user = make_user(username, Role.RESIDENT)
    resident.user = user
    resident.save()
    return user


def partner_login(username="partner1"):
    """Partner staff: a login with no jurisdiction and no home."""
    return make_user(username, display_name="共建单位职工小刘")


def team(world, **extra):
    data = {"community": world.community1, "kind": "vanguard", "name": "康宁党员先锋队", "purpose": "助老、环境整治"}
    data.update(extra)
    return services.team_create(actor=world.user("community_secretary"), **data)


def activity(world, the_team, hour=9, hours=2, capacity=5, title="清理楼道杂物", day=0):
    starts = NOW.replace(hour=hour) + dt.timedelta(days=day)
    return services.activity_create(actor=world.user("community_secretary"), team=the_team, title=title,
                                    place="康宁小区3号楼", latitude=PLACE[0], longitude=PLACE[1], starts_at=starts,
                                    ends_at=starts + dt.timedelta(hours=hours), capacity=capacity)


def join(world, the_team, user=None, resident=None):
    secretary = world.user("community_secretary")
    if resident is not None:
        return services.member_add(actor=secretary, team=the_team, resident=resident)
    return services.member_add(actor=secretary, team=the_team, user=user)


def at(hour, minute=0, day=0):
    clock.freeze(NOW.replace(hour=hour, minute=minute) + dt.timedelta(days=day))


def check_in(user, attendance, where=NEAR, accuracy=20):
    return services.check_in(actor=user, attendance=attendance, latitude=where[0], longitude=where[1],
                             accuracy=accuracy)


def check_out(user, attendance, where=NEAR, accuracy=20):
    return services.check_out(actor=user, attendance=attendance, latitude=where[0], longitude=where[1],
                              accuracy=accuracy)
