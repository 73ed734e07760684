"""`linli property-statements [--month YYYY-MM]`: publish last month's trust-account statements (cron-safe)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from linli.core.errors import Refused
from linli.property.services import statement_publish


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError("月份格式应为 YYYY-MM，例如 2026-05。") from None


class Command(BaseCommand):
    help = ("结账并向业主公示信托制物业共管账户的月度收支（默认上个月）。可重复运行：已公示的账户不会重复公示，"
            "适合放入 cron 每月 1 日执行。")

    def add_arguments(self, parser):
        parser.add_argument("--month", type=_month, help="公示月份 YYYY-MM（默认上个月）")

    def handle(self, *args, month=None, **options):
        try:
            published = statement_publish(month)
        except Refused as exc:
            raise CommandError(exc.message) from None
        for s in published:
            flag = f"（对账发现 {len(s.gaps)} 处问题）" if s.gaps else ""
            self.stdout.write(f"已公示：{s.title}，期末余额 {s.closing} 元{flag}")
        self.stdout.write(self.style.SUCCESS(f"本次公示 {len(published)} 个账户。"))
