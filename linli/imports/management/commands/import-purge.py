"""linli import-purge: empty the uploaded files that background imports kept past LINLI_IMPORT_FILE_HOURS.

A job empties its file as soon as it ends; this catches the checked files nobody confirmed. Run it
hourly (docs/OPERATIONS.md "Imports"); every new background import runs it too.
"""

from django.core.management.base import BaseCommand

from linli.core import audit
from linli.imports import jobs


class Command(BaseCommand):
    help = "删除后台导入保留超过 LINLI_IMPORT_FILE_HOURS 小时的上传文件（已加密保存）"

    def handle(self, *args, **options):
        emptied = jobs.purge_files()
        if emptied:
            audit.record(actor=None, action="import_purge", object_type="imports.importjob",
                         object_repr=f"删除 {emptied} 份过期的导入文件", changes={"files": emptied}, channel="command")
        self.stdout.write(f"已删除 {emptied} 份过期的导入文件。")
