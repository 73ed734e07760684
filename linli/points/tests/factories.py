import datetime as dt

import factory
from django.utils import timezone

from linli.points.models import Category, Goods, PointRule, RedemptionWindow


class PointRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointRule

    category = Category.PUBLIC_GOOD
    code = factory.Sequence(lambda n: f"rule{n + 1}")
    name = factory.Sequence(lambda n: f"规则{n + 1}")
    points = 5
    evidence = "签到表"


class VolunteerRuleFactory(PointRuleFactory):
    code = "volunteer"
    name = "志愿服务"
    points = 10
    unit = PointRule.Unit.HOUR


class GoodsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goods

    name = factory.Sequence(lambda n: f"商品{n + 1}")
    price = 10
    stock = 5
    limit_per_person = 2


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedemptionWindow

    name = "本期兑换"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
