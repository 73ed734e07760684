"""`linli sla-sweep [--now ISO]`: escalate breached cases once and close stale solved ones, and remove
the photos kept for a filing that the duplicate question interrupted and nobody finished (`pending`).

Safe to run from cron every minute, twice at once, or again after a crash: each breach is recorded
with a unique key, and rows another sweep holds are skipped.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.cases import pending
from linli.cases.services import sla_sweep
from linli.core.channel import using_channel


class Command(BaseCommand):
    help = "按 1341 时限提级超时诉求，并自动关闭超时未确认的已办结诉求"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时刻执行（ISO 8601，如 2025-01-01T08:00:00+08:00），用于重放")
        parser.add_argument("--batch-size", type=int, default=1000, help="每批加锁处理的诉求数")

    def handle(self, *args, now=None, batch_size=1000, **options):
        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now 不是有效的 ISO 时间：{now}") from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        with using_channel("command"):
            result = sla_sweep(now=at, batch_size=batch_size)
        cleared = pending.sweep(now=at)
        self.stdout.write(f"escalated {result.escalated} closed {result.closed} cleared {cleared}")
        self.stdout.write(f"提级 {result.escalated} 件，自动关闭 {result.closed} 件，清除过期的保留照片 {cleared} 张")
