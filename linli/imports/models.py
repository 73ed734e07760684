"""An import that runs in the background: the checked file, kept encrypted for a while, and its progress."""

from django.conf import settings
from django.db import models

from linli.core.fields import EncryptedTextField


class ImportJob(models.Model):
    class State(models.TextChoices):
        CHECKING = "checking", "正在检查"
        CHECKED = "checked", "检查完成"
        IMPORTING = "importing", "正在导入"
        DONE = "done", "导入完成"
        FAILED = "failed", "未能完成"
        CANCELLED = "cancelled", "已取消"

    RUNNING = (State.CHECKING, State.IMPORTING)
    OPEN = (State.CHECKING, State.CHECKED, State.IMPORTING)

    register = models.CharField("台账", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True,
                              on_delete=models.SET_NULL, related_name="import_jobs")
    filename = models.CharField("文件名", max_length=255, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.CHECKING)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_checked = models.PositiveIntegerField("已检查行数", default=0)
    rows_to_write = models.PositiveIntegerField("待写入行数", default=0)
    rows_written = models.PositiveIntegerField("已写入行数", default=0)
    created_at = models.DateTimeField("提交时间")
    started_at = models.DateTimeField("本阶段开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # The uploaded bytes, AES-GCM sealed (crypto.encrypt_bytes); emptied when the job ends, or by
    # `linli import-purge` once `keep_until` has passed.
    sealed_file = models.BinaryField("文件（加密）", null=True, editable=False)
    file_digest = models.CharField(max_length=64, blank=True, editable=False)
    keep_until = models.DateTimeField("文件保留至")
    # The check's outcome as JSON (counts, headers, the rejected rows with their cells), encrypted.
    report = EncryptedTextField("检查报告", blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.register} #{self.pk}"
