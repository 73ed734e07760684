import hashlib

from django.conf import settings
from django.db import models

from linli.core import clock
from linli.core.fields import EncryptedTextField
from linli.core.scoping import Scoping


class Open311Client(models.Model):
    """A platform allowed to file requests. Its key is stored only as a SHA-256 digest; the Linli
    user it is bound to is the actor of its writes, so that user's jurisdiction bounds what it may
    file and see."""

    name = models.CharField("接入平台", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="绑定账号", on_delete=models.PROTECT,
                             related_name="open311_clients")
    key_digest = models.CharField("密钥摘要", max_length=64, unique=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=clock.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    # Keys are managed by system administrators only (whose scope sees everything).
    scoping = Scoping()

    class Meta:
        verbose_name = "Open311 接入平台"
        verbose_name_plural = "Open311 接入平台"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class Open311Submission(models.Model):
    """What a platform sent with a request that the case itself does not hold."""

    case = models.OneToOneField("cases.Case", verbose_name="诉求", on_delete=models.CASCADE,
                                related_name="open311")
    client = models.ForeignKey(Open311Client, verbose_name="接入平台", on_delete=models.PROTECT,
                               related_name="submissions")
    account_id = models.CharField("平台账号", max_length=100, blank=True)
    device_id = models.CharField("设备编号", max_length=100, blank=True)
    email = EncryptedTextField("电子邮箱", blank=True)
    media_url = models.URLField("媒体链接", max_length=500, blank=True)
    attributes = models.JSONField("附加属性", default=dict, blank=True)
    at = models.DateTimeField("提交时间", default=clock.now)

    scoping = Scoping(code="case__compound__community__code", compound="case__compound_id")

    class Meta:
        verbose_name = "Open311 提交记录"
        verbose_name_plural = "Open311 提交记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.client} → 诉求 #{self.case_id}"
