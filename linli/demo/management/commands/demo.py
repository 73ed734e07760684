"""`linli demo`: load the reproducible demo data set into an empty database."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from linli.accounts.models import User
from linli.cases import rollups
from linli.core import audit, clock
from linli.demo import city
from linli.demo.generator import DEFAULT_SEED, LOGINS, PASSWORD, SHAPES, generate, ordered_counts
from linli.places.models import AdminUnit

# About ten cases a day over the last year: enough for monthly trends per category, loaded in seconds.
HISTORY_CASES = 3650


class Command(BaseCommand):
    help = "载入演示数据：一个区及其街道、社区、网格、小区、房屋、居民、党组织、自治组织、物业和演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"随机种子，相同种子生成相同数据（默认 {DEFAULT_SEED}）")
        parser.add_argument("--scale", choices=sorted(SHAPES), default="demo",
                            help="数据规模（默认 demo：约 40 个小区、2000 名居民）")
        parser.add_argument("--history", type=int, default=HISTORY_CASES, metavar="N",
                            help=f"demo 规模下再生成过去一年的已办结诉求 N 件（默认 {HISTORY_CASES}，0 为不生成）")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有区划数据时不做任何事（make run 使用）")

    def handle(self, *args, seed, scale, if_empty, history, **options):
        if AdminUnit.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有区划数据，未载入演示数据。")
                return
            raise CommandError("数据库中已有区划数据：演示数据只能载入空数据库（或加 --if-empty 跳过）。")
        taken = sorted(User.objects.filter(username__in=LOGINS).values_list("username", flat=True))
        if taken:
            raise CommandError(f"以下演示账号的用户名已被占用：{'、'.join(taken)}。请使用空数据库。")

        started = time.perf_counter()
        shape = SHAPES[scale]
        with transaction.atomic():
            context = generate(shape, seed)
            if shape.name == "demo" and history > 0:
                # A year of settled cases behind the demo's live ones, so the figures and the cockpit
                # have a history on first sight; it ends a day ago, and nothing in it is left open.
                context.counts["诉求（历史）"] += city.generate_cases(
                    history, seed, writer=city.writer_for(city.Progress(out=lambda _line: None)),
                    end=clock.now() - dt.timedelta(days=1), years=1, status_for=city.settled_status_for,
                    out=lambda _line: None)
            counts = ordered_counts(context.counts)
            audit.record(actor=None, action="demo_load", object_type="demo",
                         object_repr=f"演示数据（规模 {scale}，种子 {seed}）",
                         changes={"seed": seed, "scale": scale, "counts": counts}, channel="command")
        # The demo files cases over many days at once: build their rollups in one pass now rather than
        # leave the first reader of the figures to refresh every day.
        rollups.rebuild()
        elapsed = time.perf_counter() - started

        self.stdout.write(self.style.SUCCESS(f"已载入演示数据（规模 {scale}，种子 {seed}），用时 {elapsed:.1f} 秒："))
        width = max(len(label) for label in counts)
        for label, n in counts.items():
            self.stdout.write(f"  {label.ljust(width, '　')}  {n:>7,}")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {PASSWORD}）：")
        for login in LOGINS:
            user = context.users[login]
            roles = "、".join(a.get_role_display() for a in user.assignments.all()) or "超级管理员"
            home = context.homes.get(login)
            where = f" · {home}" if home is not None else ""
            self.stdout.write(f"  {login:<11} {user.display_name}（{roles}{where}）")
