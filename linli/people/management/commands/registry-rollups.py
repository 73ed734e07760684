"""`linli registry-rollups [--rebuild | --verify]`: bring the registry counts up to date, rebuild or check them.

The indicators refresh the counts themselves before every read; this command is for after a bulk
load (`--rebuild` counts everything at once, much faster than refreshing every compound's marks),
for moving the 65+ anchor to today (`--rebuild`, monthly from cron: see docs/OPERATIONS.md) and for
checking (`--verify` compares every row with counting the records and exits with status 1 on any
difference, listing the first ones).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from linli.people import rollups

SHOWN = 20


class Command(BaseCommand):
    help = "更新户籍人口汇总（--rebuild：按全部记录重建；--verify：与逐条统计核对，不一致时以非零状态退出）"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="清空汇总并按全部记录重建，同时把 65 岁基准日移到今天")
        group.add_argument("--verify", action="store_true", help="与逐条统计核对；有差异时列出并以状态 1 退出")

    def handle(self, *args, rebuild=False, verify=False, **options):
        started = time.perf_counter()
        if rebuild:
            rows = rollups.rebuild(out=self.stdout.write)
            self.stdout.write(f"已重建户籍人口汇总 {rows:,} 行，用时 {time.perf_counter() - started:,.1f} 秒")
            return
        if verify:
            differences = rollups.drift()
            if differences:
                for compound, grid, measure, kept, counted in differences[:SHOWN]:
                    self.stderr.write(f"  小区 {compound} 网格 {grid} {measure}：汇总 {kept}，实际 {counted}")
                raise CommandError(f"户籍人口汇总与记录不一致：{len(differences):,} 处（请运行 --rebuild）")
            self.stdout.write(f"户籍人口汇总与记录一致，用时 {time.perf_counter() - started:,.1f} 秒")
            return
        done = rollups.refresh()
        self.stdout.write(f"已更新 {done:,} 个小区的户籍人口汇总，用时 {time.perf_counter() - started:,.1f} 秒")
