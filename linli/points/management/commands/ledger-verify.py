"""`linli ledger-verify`: walk every account's hash chain and check that all accounts sum to zero."""

from django.core.management.base import BaseCommand, CommandError

from linli.points.ledger import verify


class Command(BaseCommand):
    help = "核对积分账本：逐账户校验分录哈希链、余额与借贷平衡（全部账户合计为零）。发现问题时退出码为 1。"

    def handle(self, *args, **options):
        report = verify()
        self.stdout.write(f"已核对 {report.checked} 条分录，{report.accounts} 个账户，账户合计 {report.total}。")
        if not report.ok:
            raise CommandError(f"账本校验失败，第一处错误：{report.first_bad}", returncode=1)
        self.stdout.write(self.style.SUCCESS("账本完整：哈希链连续，余额与分录一致，全部账户合计为零。"))
