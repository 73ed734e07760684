import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core import clock


class Role(models.TextChoices):
    RESIDENT = "resident", "居民"
    GRID_WORKER = "grid_worker", "网格员"
    COMMUNITY_WORKER = "community_worker", "社区工作者"
    COMMUNITY_SECRETARY = "community_secretary", "社区书记"
    BRANCH_SECRETARY = "branch_secretary", "小区党支部书记"
    PROPERTY_STAFF = "property_staff", "物业人员"
    COMMITTEE_MEMBER = "committee_member", "业委会委员"
    STREET_OFFICER = "street_officer", "街道干部"
    DISTRICT_OFFICER = "district_officer", "区级干部"
    ADMIN = "admin", "系统管理员"


# Roles that may change registry records within their jurisdiction (others only read).
# (Plain strings: enum members hash by name, so a set of members would not match role values.)
EDITOR_ROLES = frozenset(r.value for r in (
    Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.BRANCH_SECRETARY,
    Role.STREET_OFFICER, Role.DISTRICT_OFFICER, Role.ADMIN,
))
# Officers watch indicators; workers work lists.
OFFICER_ROLES = frozenset(r.value for r in (Role.STREET_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNITY_SECRETARY))
# Roles whose work needs a person's full ID number, phone and sensitive tags, and a reporter's contact:
# those who register, visit and call back the people of their own grid or community (need-to-know,
# see docs/ARCHITECTURE.md "Sensitive personal data"). Officers above the community and the system
# administrator work with figures and accounts, not with one person's file. Each unmasking is audited.
UNMASK_ROLES = frozenset(r.value for r in (
    Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY,
))

# Roles that may bring a register in from a spreadsheet (`linli.imports`): the community office and the
# street, which keep the 台账 of their own area. A grid worker registers door to door, one form at a time;
# a branch secretary's, property company's or district's work is not the register of a community.
IMPORT_ROLES = frozenset(r.value for r in (
    Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_OFFICER,
))


def new_scope_version() -> str:
    return uuid.uuid4().hex


class User(AbstractUser):
    display_name = models.CharField("显示名称", max_length=50, blank=True)
    # Changes whenever the user's assignments or residence do (linli.core.scoping caches sight by it).
    # Random rather than a counter: a reused id (a test database rolled back) never meets an old entry.
    scope_version = models.CharField(max_length=32, default=new_scope_version, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # Only bump_scope_version writes the version: a full save of a copy loaded before a bump
        # (a login, a profile edit) must not bring an old version, and its cached sight, back.
        if not self._state.adding and kwargs.get("update_fields") is None and self.pk is not None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "scope_version"]
        super().save(*args, **kwargs)


class Assignment(models.Model):
    """A user's role at one node of the place tree: the node is the user's jurisdiction."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    unit = models.ForeignKey("places.AdminUnit", verbose_name="区划", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    grid = models.ForeignKey("places.Grid", verbose_name="网格", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "角色与辖区"
        verbose_name_plural = "角色与辖区"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(unit__isnull=True, grid__isnull=True, compound__isnull=True)
                    | Q(unit__isnull=False, grid__isnull=True, compound__isnull=True)
                    | Q(unit__isnull=True, grid__isnull=False, compound__isnull=True)
                    | Q(unit__isnull=True, grid__isnull=True, compound__isnull=False)
                ),
                name="assignment_at_most_one_node",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.node or '全域'}"

    @property
    def node(self):
        return self.unit or self.grid or self.compound

    def sight_users(self):
        return [self.user_id]

    def clean(self):
        staff = self.role not in (Role.RESIDENT, Role.ADMIN)
        if staff and self.node is None:
            raise ValidationError("工作人员角色必须指定辖区（区划、网格或小区）。")


class ApiToken(models.Model):
    """A bearer token for external clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", default=clock.now)
    expires_at = models.DateTimeField("过期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
