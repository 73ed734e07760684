"""An export too big to answer inline: written by a task into the data dir, downloaded by its owner."""

import uuid

from django.conf import settings
from django.db import models

from linli.core import clock


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期删除"
        CANCELLED = "cancelled", "已取消"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        CSV = "csv", "CSV"

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.CASCADE,
                              related_name="export_jobs")
    spec = models.CharField("名单", max_length=40)
    title = models.CharField("名称", max_length=100)
    format = models.CharField("格式", max_length=4, choices=Format.choices)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    unmask = models.BooleanField("不脱敏", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_written = models.PositiveIntegerField("已写行数", default=0)
    file_name = models.CharField("文件", max_length=200, blank=True)
    error = models.CharField("失败原因", max_length=200, blank=True)
    created_at = models.DateTimeField("提交时间", default=clock.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return f"{self.title}（{self.get_format_display()}）"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.rows_written * 100 / self.rows_total) if self.rows_total else 0

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
