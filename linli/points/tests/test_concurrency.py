"""Concurrent redemptions on PostgreSQL: real row locks, one connection per thread."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Sum

from linli.accounts.models import Role
from linli.core.errors import Refused
from linli.people.tests.factories import ResidentFactory
from linli.points import ledger, services
from linli.points.models import Account, Redemption
from linli.testing import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL）才能检验行锁下的并发")


def _residents_with_points(world, shop, n, hours):
    users = []
    for i in range(n):
        resident = ResidentFactory(household=world.household1, name=f"并发居民{i}")
        user = make_user(f"buyer{i}", Role.RESIDENT)
        resident.user = user
        resident.save()
        services.award_grant(actor=world.user("community_secretary"), key=f"seed{i}", rule=shop.volunteer,
                             resident=resident, quantity=hours, source_type="volunteer")
        users.append(user)
    return users


def _run(jobs, workers):
    """Run the callables together (released by one barrier), each thread on its own connection."""
    barrier = threading.Barrier(min(workers, len(jobs)))
    results = []

    def call(job):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        try:
            return job()
        except Refused as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(call, jobs))
    return results


def test_many_threads_never_oversell_nor_double_spend(world, shop):
    # given 20 residents with 30 points each (three soaps' worth) and 25 soaps on the shelf
    users = _residents_with_points(world, shop, 20, "3")
    shop.soap.stock, shop.soap.limit_per_person = 25, 10
    shop.soap.save()
    # when every resident tries five redemptions at once (100 attempts, 20 threads)
    jobs = [(lambda u=u, k=k: services.redemption_create(actor=u, goods=shop.soap, quantity=1, key=f"{u.pk}-{k}"))
            for u in users for k in range(5)]
    results = _run(jobs, workers=20)
    # then exactly the stock is sold, nobody spent more than they had, and the ledger balances
    sold = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(sold) + len(refused) == 100
    shop.soap.refresh_from_db()
    assert len(sold) == 25 and shop.soap.stock == 0
    assert Redemption.objects.filter(goods=shop.soap).aggregate(s=Sum("quantity"))["s"] == 25
    per_user = {}
    for r in sold:
        per_user[r.resident_id] = per_user.get(r.resident_id, 0) + 1
    assert max(per_user.values()) <= 3
    assert not Account.objects.filter(balance__lt=0).exclude(kind=Account.Kind.ISSUING).exists()
    assert ledger.shop_account(world.community1).balance == 250
    report = ledger.verify()
    assert report.ok, report.first_bad


def test_the_same_redemption_sent_by_many_threads_books_once(world, shop):
    # given one resident with enough points for five soaps
    (user,) = _residents_with_points(world, shop, 1, "5")
    shop.soap.limit_per_person = 5
    shop.soap.save()
    # when ten threads send the same request (same key) at once
    results = _run([lambda: services.redemption_create(actor=user, goods=shop.soap, quantity=1, key="dup")] * 10,
                   workers=10)
    # then one redemption exists and every answer is that redemption
    assert Redemption.objects.count() == 1
    assert {r.pk for r in results} == {Redemption.objects.get().pk}
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 4
    assert Account.objects.get(resident__user=user).balance == 40
    assert ledger.verify().ok


def test_more_clients_than_stock_sell_exactly_the_stock_and_refuse_the_rest(world, shop):
    # given 16 residents at once for 5 soaps (10 points each): 12 with enough points, 4 with 5 points
    rich = _residents_with_points(world, shop, 12, "1")
    shop.soap.stock, shop.soap.limit_per_person = 5, 1
    shop.soap.save()
    poor = []
    for i in range(4):
        resident = ResidentFactory(household=world.household1, name=f"积分不足居民{i}")
        user = make_user(f"short{i}", Role.RESIDENT)
        resident.user = user
        resident.save()
        services.award_grant(actor=world.user("community_secretary"), key=f"short{i}", rule=shop.volunteer,
                             resident=resident, quantity="0.5", source_type="volunteer")
        poor.append(user)
    entries_before = ledger.verify().checked
    # when all 16 redeem one soap at the same moment
    jobs = [(lambda u=u: services.redemption_create(actor=u, goods=shop.soap, quantity=1, key=f"race-{u.pk}"))
            for u in rich + poor]
    results = _run(jobs, workers=16)
    # then exactly five are sold, all to residents who could pay; the others are refused with a reason
    sold = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(sold) == 5 and len(refused) == 11
    assert {r.code for r in refused} <= {"out_of_stock", "insufficient_points"}
    poor_residents = set(Account.objects.filter(resident__user__in=poor).values_list("resident_id", flat=True))
    assert not poor_residents & {r.resident_id for r in sold}
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 0
    assert Redemption.objects.filter(goods=shop.soap).count() == 5
    # and the ledger holds two entries per sale, nothing for a refusal, no negative balance, and verifies
    report = ledger.verify()
    assert report.ok, report.first_bad
    assert report.checked == entries_before + 2 * 5
    assert not Account.objects.filter(balance__lt=0).exclude(kind=Account.Kind.ISSUING).exists()
    assert ledger.shop_account(world.community1).balance == 50
    for user in poor:
        assert Account.objects.get(resident__user=user).balance == 5
