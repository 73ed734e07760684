"""`linli case-rollups [--rebuild]`: bring the figures' daily rollups up to date, or rebuild them all.

The figures refresh the rollups themselves before every read, and the SLA sweep after every run;
this command is for after a bulk load (`--rebuild` is faster than a refresh of millions of marks)
or a change of TIME_ZONE (days are local days).
"""

import time

from django.core.management.base import BaseCommand

from linli.cases import rollups


class Command(BaseCommand):
    help = "更新诉求统计的日汇总（--rebuild：清空后按全部诉求重建）"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="清空日汇总并按全部诉求重建")

    def handle(self, *args, rebuild=False, **options):
        started = time.perf_counter()
        if rebuild:
            days = rollups.rebuild(out=self.stdout.write)
            self.stdout.write(f"已重建 {days:,} 天的日汇总，用时 {time.perf_counter() - started:,.1f} 秒")
        else:
            pairs = rollups.refresh()
            self.stdout.write(f"已更新 {pairs:,} 个（日期，小区）汇总，用时 {time.perf_counter() - started:,.1f} 秒")
