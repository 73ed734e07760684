"""Points supermarket under contention: 16 clients (threads, one database connection each) redeem
from shelves of 100 items on PostgreSQL. Prints redemptions per second, the oversell count (must be
0), and as a baseline the same number of plain single-row inserts per second from the same clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_points_dev .venv/bin/python bench/points_redeem.py

It works in a throw-away test database (test_<name>), created and dropped by the run.
Options: --clients 16 --items 100 --rounds 10
"""

import argparse
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings_test")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10, help="shelves of --items items, one after another")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        sys.exit("需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args, connection, connections)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args, connection, connections):
    from django.db.models import Sum
    from django.utils import timezone

    from linli.accounts.models import Role
    from linli.core.errors import Refused
    from linli.people.tests.factories import ResidentFactory
    from linli.points import ledger, services
    from linli.points.models import Goods, PointRule, Redemption, RedemptionWindow
    from linli.testing import build_world, make_user

    world = build_world()
    staff = world.user("community_secretary")
    rule = PointRule.objects.create(community=world.community1, category="public_good", code="volunteer",
                                    name="志愿服务", points=10, unit="hour")
    now = timezone.now()
    RedemptionWindow.objects.create(community=world.community1, name="压测兑换期", opens_at=now - dt.timedelta(days=1),
                                    closes_at=now + dt.timedelta(days=1))
    total_items = args.items * args.rounds
    clients = []
    for i in range(args.clients):
        resident = ResidentFactory(household=world.household1, name=f"压测居民{i}")
        user = make_user(f"bench{i}", Role.RESIDENT)
        resident.user = user
        resident.save()
        # Enough points for every item, so stock (not balance) is what runs out.
        services.award_grant(actor=staff, key=f"seed{i}", rule=rule, resident=resident, quantity="24")
        clients.append(user)

    shelves = [Goods.objects.create(community=world.community1, name=f"毛巾{r}", price=1, stock=args.items,
                                    limit_per_person=args.items) for r in range(args.rounds)]

    def shopper(user, counter):
        try:
            for goods in shelves:
                n = 0
                while True:
                    n += 1
                    try:
                        services.redemption_create(actor=user, goods=goods, quantity=1, key=f"{user.pk}-{goods.pk}-{n}")
                        counter["ok"] += 1
                    except Refused:
                        counter["refused"] += 1
                        break
        finally:
            connections.close_all()

    counters = [{"ok": 0, "refused": 0} for _ in clients]
    threads = [threading.Thread(target=shopper, args=(u, c)) for u, c in zip(clients, counters, strict=True)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    redeem_seconds = time.perf_counter() - started
    sold = sum(c["ok"] for c in counters)

    oversold = 0
    for goods in shelves:
        goods.refresh_from_db()
        booked = Redemption.objects.filter(goods=goods).aggregate(s=Sum("quantity"))["s"] or 0
        oversold += max(0, booked - args.items) + max(0, -goods.stock)
        if booked + goods.stock != args.items:
            oversold += abs(booked + goods.stock - args.items)
    report = ledger.verify()

    # Baseline: the same number of plain single-row inserts (autocommit), from the same number of clients.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_plain (id bigserial PRIMARY KEY, client int, n int, at timestamptz)")
    per_client = [sold // args.clients + (1 if i < sold % args.clients else 0) for i in range(args.clients)]

    def inserter(i, count):
        from django.db import connection as conn

        try:
            with conn.cursor() as cursor:
                for n in range(count):
                    cursor.execute("INSERT INTO bench_plain (client, n, at) VALUES (%s, %s, now())", [i, n])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=inserter, args=(i, c)) for i, c in enumerate(per_client)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    insert_seconds = time.perf_counter() - started

    print(f"积分超市兑换压测：{args.clients} 个并发客户端，{args.rounds} 批 × {args.items} 件（每批一件商品），PostgreSQL")
    print(f"{'操作':<24}{'笔数':>8}{'秒':>10}{'每秒':>10}")
    print(f"{'兑换（锁商品+账户，记账）':<16}{sold:>8}{redeem_seconds:>10.2f}{sold / redeem_seconds:>10.1f}")
    print(f"{'基线：单行插入':<20}{sold:>8}{insert_seconds:>10.2f}{sold / insert_seconds:>10.1f}")
    print(f"售出 {sold} / 库存 {total_items}；被拒（已售罄）{sum(c['refused'] for c in counters)} 次")
    print(f"超卖数量：{oversold}")
    print(f"账本核对：{'通过' if report.ok else '失败：' + report.first_bad}（{report.checked} 条分录）")
    if oversold or not report.ok or sold != total_items:
        sys.exit(1)


if __name__ == "__main__":
    main()
