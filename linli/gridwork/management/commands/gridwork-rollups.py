"""`linli gridwork-rollups [--rebuild | --verify MONTH]`: bring the grid work monthly counts up to date,
rebuild them after a bulk load, or compare a month with counting the records (exit status 1 on any
difference). The figures refresh the counts themselves before every read."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from linli.gridwork import rollups

SHOWN = 20


class Command(BaseCommand):
    help = "更新网格工作月度汇总（--rebuild：按全部记录重建；--verify 2026-11：与逐条统计核对）"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="清空汇总并按全部记录重建")
        group.add_argument("--verify", metavar="YYYY-MM", help="核对这个月的汇总；有差异时列出并以状态 1 退出")

    def handle(self, *args, rebuild=False, verify=None, **options):
        started = time.perf_counter()
        if rebuild:
            rows = rollups.rebuild(out=self.stdout.write)
            self.stdout.write(f"已重建网格工作月度汇总 {rows:,} 行，用时 {time.perf_counter() - started:,.1f} 秒")
            return
        if verify:
            try:
                month = dt.date.fromisoformat(f"{verify}-01")
            except ValueError:
                raise CommandError(f"月份应写成 YYYY-MM：{verify}") from None
            differences = rollups.drift(month)
            for worker, kept, counted in differences[:SHOWN]:
                self.stderr.write(f"  网格员 {worker}：汇总 {kept}，实际 {counted}")
            if differences:
                raise CommandError(f"网格工作汇总与记录不一致：{len(differences):,} 人（请运行 --rebuild）")
            self.stdout.write(f"{verify} 网格工作汇总与记录一致，用时 {time.perf_counter() - started:,.1f} 秒")
            return
        done = rollups.refresh()
        self.stdout.write(f"已更新 {done:,} 个网格员·月的汇总，用时 {time.perf_counter() - started:,.1f} 秒")
