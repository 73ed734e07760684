from django.conf import settings
from django.db import models

from linli.core import clock
from linli.core.channel import CHANNELS


class AppendOnlyError(RuntimeError):
    pass


class AuditEntry(models.Model):
    """One write, as it happened. Rows are never changed or deleted (PostgreSQL enforces it too)."""

    at = models.DateTimeField("时间", default=clock.now, db_index=True)
    actor = models.ForeignKey(
        # PROTECT: the log must keep naming who acted, so such users are deactivated, never deleted.
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField("操作人名称", max_length=150, blank=True)
    action = models.CharField("动作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更（前/后）", default=dict, blank=True)
    channel = models.CharField("渠道", max_length=16, choices=list(CHANNELS.items()))

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除。")
