"""`linli case-rollups [--rebuild [--jobs N]]`: bring the figures' daily rollups up to date, or rebuild them.

The figures refresh the rollups themselves before every read, and the SLA sweep after every run;
this command is for after a bulk load (`--rebuild` recomputes day by day, much faster than a
refresh of millions of marks) or a change of TIME_ZONE (days are local days). `--jobs N` splits
the days into N ranges rebuilt by N processes side by side (`--since`/`--until`, which recompute
only their days and drop nothing).
"""

import datetime as dt
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from linli.cases import rollups


class Command(BaseCommand):
    help = "更新诉求统计的日汇总（--rebuild：清空后按全部诉求重建）"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="清空日汇总并按全部诉求重建")
        parser.add_argument("--jobs", type=int, default=1, help="与 --rebuild 同用：分成几个进程并行重建")
        parser.add_argument("--since", type=dt.date.fromisoformat, help="与 --rebuild 同用：只重算自此日起的汇总（不清空）")
        parser.add_argument("--until", type=dt.date.fromisoformat, help="与 --rebuild 同用：只重算到此日为止的汇总（不清空）")

    def handle(self, *args, rebuild=False, jobs=1, since=None, until=None, **options):
        started = time.perf_counter()
        if (since or until or jobs != 1) and not rebuild:
            raise CommandError("--since、--until、--jobs 只能与 --rebuild 一起使用。")
        if jobs < 1:
            raise CommandError("--jobs 至少为 1。")
        if rebuild and jobs > 1:
            days = self._parallel(jobs)
        elif rebuild:
            days = rollups.rebuild(since=since, until=until, out=self.stdout.write)
        else:
            pairs = rollups.refresh()
            self.stdout.write(f"已更新 {pairs:,} 个（日期，小区）汇总，用时 {time.perf_counter() - started:,.1f} 秒")
            return
        self.stdout.write(f"已重建 {days:,} 天的日汇总，用时 {time.perf_counter() - started:,.1f} 秒")

    def _parallel(self, jobs: int) -> int:
        rollups.wipe()
        days_with_cases = rollups.case_days()
        if days_with_cases is None:
            return 0
        start, end = days_with_cases
        total = (end - start).days + 1
        size = -(-total // jobs)
        children = []
        for n in range(jobs):
            since = start + dt.timedelta(days=n * size)
            until = min(end, since + dt.timedelta(days=size - 1))
            if since > end:
                break
            children.append(subprocess.Popen([sys.executable, "-m", "linli", "case-rollups", "--rebuild",
                                              "--since", since.isoformat(), "--until", until.isoformat()]))
        failed = [child.args for child in children if child.wait() != 0]
        if failed:
            raise CommandError(f"并行重建有 {len(failed)} 个进程失败，请重新运行 --rebuild。")
        return total
