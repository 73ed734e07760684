from django.core.management.base import BaseCommand

from linli.exports.services import clean_expired, keep_hours


class Command(BaseCommand):
    help = "删除超过保留期限的导出文件（LINLI_EXPORT_KEEP_HOURS，默认 72 小时）"

    def handle(self, *args, **options):
        removed = clean_expired()
        self.stdout.write(f"已删除 {removed} 个超过 {keep_hours()} 小时的导出文件。")
