"""`linli cockpit-reports --as USER [--month YYYY-MM] [--out DIR]`: write the monthly reports of every unit.

For a scheduled task (cron or a systemd timer, e.g. at 02:00 on the 1st for the month just ended):
each district, street and community the user watches gets its .xlsx and .pdf in DIR (default
data/reports/YYYY-MM/). The same reports are generated on demand from each cockpit page.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.cockpit import report, selectors
from linli.core import clock
from linli.places.models import AdminUnit


class Command(BaseCommand):
    help = "生成各区划的月报（Excel 与 PDF），供定时任务使用"

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True, help="以哪位干部的视野生成（用户名）")
        parser.add_argument("--month", help="月份，如 2026-05；默认上个月")
        parser.add_argument("--out", help="输出目录；默认 data/reports/月份/")

    def handle(self, *args, username, month=None, out=None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"找不到用户 {username}。")
        today = clock.today()
        first = selectors.parse_month(month, today) if month else selectors._shift(today.replace(day=1), -1)
        if month and f"{first:%Y-%m}" != month.strip():
            raise CommandError(f"月份“{month}”无效或在本月之后，应写作 2026-05。")
        folder = Path(out or Path("data") / "reports" / f"{first:%Y-%m}")
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for top in selectors.home_nodes(user):
            units = AdminUnit.objects.filter(code__startswith=top.obj.prefix).order_by("code")
            for unit in units:
                node = selectors.node_in_sight(user, "unit", unit.pk)
                page = selectors.cockpit(user, node, f"{first:%Y-%m}")
                for ext, build in (("xlsx", report.xlsx), ("pdf", report.pdf)):
                    (folder / report.filename(page, ext)).write_bytes(build(page))
                    written += 1
        self.stdout.write(self.style.SUCCESS(f"已生成 {written} 个文件，位于 {folder}。"))
