"""linli import residents FILE [--dry-run] --as USERNAME: the 数据导入 page as a command.

Runs as the named user, with their rights and area, and prints the same report as the page. Without
--dry-run it checks and, when every row passes, writes all rows in one transaction.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.core.errors import Forbidden, NotFound, Refused
from linli.imports import registers, services


class Command(BaseCommand):
    help = "从 .xlsx 或 .csv 文件导入台账（先检查全部行，全部通过才写入）"

    def add_arguments(self, parser):
        parser.add_argument("register", help="台账：" + "、".join(
            f"{r.name}（{r.title}）" for r in registers.REGISTERS.values()))
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--as", dest="username", required=True, help="以哪位工作人员的身份导入（用户名）")

    def handle(self, *args, register, file, dry_run, username, **options):
        try:
            chosen = registers.get(register)
        except NotFound:
            raise CommandError(f"没有名为 {register} 的台账。可导入：{'、'.join(registers.REGISTERS)}") from None
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"找不到用户 {username}。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}。")
        data = path.read_bytes()
        try:
            if dry_run:
                report = services.import_check(actor=actor, register=chosen, data=data, filename=path.name)
            else:
                report = services.import_commit(actor=actor, register=chosen, data=data, filename=path.name,
                                                token=None)
        except (Refused, Forbidden) as exc:
            raise CommandError(getattr(exc, "message", None) or str(exc)) from None
        for row in report.rows:
            line = f"第 {row.number} 行\t{row.status_label}\t{row.label}"
            self.stdout.write(line + (f"\t{row.reason}" if row.reason else ""))
        if report.ignored_headers:
            self.stdout.write(f"以下列不属于模板，未导入：{'、'.join(report.ignored_headers)}")
        counts = report.counts
        summary = (f"新增 {counts['created']} 行，更新 {counts['updated']} 行，无变化 {counts['unchanged']} 行，"
                   f"未通过 {counts['rejected']} 行。")
        if not report.ok:
            raise CommandError(f"{summary}没有导入任何一行。")
        self.stdout.write(("检查通过（未写入）：" if dry_run else "已导入：") + summary)
