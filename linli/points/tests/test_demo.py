import random
from collections import Counter
from types import SimpleNamespace

from linli.points import demo, ledger
from linli.points.models import Account, Award, Goods, PointRule, Redemption


def test_demo_populates_rules_goods_windows_and_activity(world):
    # given a demo context over the test world
    context = SimpleNamespace(rng=random.Random(1), counts=Counter(), places=SimpleNamespace(
        communities=[world.community1, world.community2, world.community3]),
        users={"resident1": world.user("resident"), "grid1": world.user("grid_worker"),
               "community1": world.user("community_secretary"), "admin": world.user("admin")})
    context.add = lambda label, n: context.counts.update({label: n})
    # when
    demo.populate(context)
    # then every community has its rule sets and shop, resident1 has points, a claim and a redemption
    assert PointRule.objects.filter(community=world.community3).count() == len(demo.RULES)
    assert Goods.objects.count() == 3 * len(demo.GOODS)
    assert Award.objects.filter(status="pending", resident=world.resident).exists()
    assert Redemption.objects.filter(resident=world.resident, status="reserved").exists()
    assert Account.objects.get(resident=world.resident).balance == 30 + 5 - 10
    assert ledger.verify().ok
    # and running it again adds nothing
    before = Award.objects.count()
    demo.populate(context)
    assert Award.objects.count() == before
