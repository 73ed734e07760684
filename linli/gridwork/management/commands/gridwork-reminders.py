"""`linli gridwork-reminders [--now ISO]`: notify once of every overdue visit and missed check-in.

Safe to run from cron every morning, twice, or again after a crash: each reminder has a unique key and
sweeps run one at a time (see gridwork/reminders.py).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.core.channel import using_channel
from linli.gridwork import reminders


class Command(BaseCommand):
    help = "提醒逾期未走访的关爱对象和工作日未报到（每项只提醒一次）"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时刻执行（ISO 8601，如 2026-12-08T09:00:00+08:00），用于重放")

    def handle(self, *args, now=None, **options):
        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now 不是有效的 ISO 时间：{now}") from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        with using_channel("command"):
            result = reminders.sweep(now=at)
        self.stdout.write(f"新增走访逾期 {result.overdue_visits} 项，未报到 {result.missed_check_ins} 项，"
                          f"发出通知 {result.notices} 条")
