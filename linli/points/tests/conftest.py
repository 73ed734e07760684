import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from linli.core import clock
from linli.points.models import Category, PointRule
from linli.points.tests.factories import GoodsFactory, PointRuleFactory, VolunteerRuleFactory, WindowFactory

NOW = timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0))


@dataclass
class Shop:
    volunteer: PointRule
    patrol: PointRule
    litter: PointRule
    party_study: PointRule
    soap: object
    umbrella: object
    window: object


@pytest.fixture
def shop(world):
    """Community1 with rules, two goods and a window open now (the clock is frozen inside it)."""
    clock.freeze(NOW)
    c = world.community1
    volunteer = VolunteerRuleFactory(community=c, cap=200, period="month")
    patrol = PointRuleFactory(community=c, code="patrol", name="平安巡逻", points=5, cap=20, period="month")
    litter = PointRuleFactory(community=c, code="litter", name="乱扔垃圾", category=Category.LAW, points=-10)
    party_study = PointRuleFactory(community=c, audience="party", code="study", name="参加组织生活",
                                   category=Category.STUDY, points=8)
    soap = GoodsFactory(community=c, name="香皂", price=10, stock=5, limit_per_person=2)
    umbrella = GoodsFactory(community=c, name="雨伞", price=50, stock=1, limit_per_person=1)
    window = WindowFactory(community=c, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=30))
    return Shop(volunteer, patrol, litter, party_study, soap, umbrella, window)
