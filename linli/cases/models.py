import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.channel import CHANNELS
from linli.core.fields import EncryptedTextField
from linli.core.pii import RedactedTextField
from linli.core.scoping import Scoping

DESCRIPTION_MAX = 4000


class Tier(models.TextChoices):
    ORDINARY = "ordinary", "一般"
    COMPLEX = "complex", "复杂"
    MAJOR = "major", "特别重大"


class HandlerKind(models.TextChoices):
    STATION = "station", "小区服务站"
    GRID = "grid", "网格员"
    PROPERTY = "property", "物业服务企业"
    PARTNER = "partner", "共建单位"
    DEPARTMENT = "department", "职能部门"


class Level(models.TextChoices):
    """Who holds the case on the place tree; escalation moves it one step up."""

    COMPOUND = "compound", "小区"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区"


LEVEL_ORDER = [Level.COMPOUND, Level.COMMUNITY, Level.STREET, Level.DISTRICT]


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1].value if index + 1 < len(LEVEL_ORDER) else None


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level)


# "1341" (seed 001): on site within 10 minutes; ordinary solved in 30 minutes, complex in 4 hours,
# special major cases have a plan within 1 day. TierRule rows override these per deployment.
DEFAULT_TIERS = {
    Tier.ORDINARY.value: {"arrive_minutes": 10, "solve_minutes": 30, "solve_label": "解决"},
    Tier.COMPLEX.value: {"arrive_minutes": 10, "solve_minutes": 4 * 60, "solve_label": "解决"},
    Tier.MAJOR.value: {"arrive_minutes": 10, "solve_minutes": 24 * 60, "solve_label": "拿出解决方案"},
}


class TierRule(models.Model):
    tier = models.CharField("分级", max_length=16, choices=Tier.choices, unique=True)
    arrive_minutes = models.PositiveIntegerField("到场时限（分钟）")
    solve_minutes = models.PositiveIntegerField("办结时限（分钟）")
    solve_label = models.CharField("办结要求", max_length=30, default="解决")

    class Meta:
        verbose_name = "时限规则"
        verbose_name_plural = "时限规则"
        ordering = ["solve_minutes"]

    def __str__(self):
        return f"{self.get_tier_display()}：{self.arrive_minutes} 分钟到场，{self.solve_minutes} 分钟{self.solve_label}"

    @classmethod
    def limits(cls, tier: str) -> tuple[dt.timedelta, dt.timedelta]:
        row = cls.objects.filter(tier=tier).first()
        if row is not None:
            return dt.timedelta(minutes=row.arrive_minutes), dt.timedelta(minutes=row.solve_minutes)
        default = DEFAULT_TIERS[tier]
        return dt.timedelta(minutes=default["arrive_minutes"]), dt.timedelta(minutes=default["solve_minutes"])


class ServiceCategory(models.Model):
    """One entry of the service catalogue; `code` is what Open311 calls service_code."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    description = models.CharField("说明", max_length=200, blank=True)
    group = models.CharField("大类", max_length=30, blank=True)
    default_tier = models.CharField("默认分级", max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    handler_kind = models.CharField("承办主体类型", max_length=16, choices=HandlerKind.choices,
                                    default=HandlerKind.STATION)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    ONLINE = "online", "居民线上"
    HOTLINE = "hotline", "热线电话"
    WALK_IN = "walk_in", "窗口受理"
    PATROL = "patrol", "网格巡查"
    VISIT = "visit", "入户走访"


class Status(models.TextChoices):
    NEW = "new", "待派单"
    DISPATCHED = "dispatched", "已派单"
    ACCEPTED = "accepted", "处理中"
    RETURNED = "returned", "已退回"
    SOLVED = "solved", "已办结待确认"
    REOPENED = "reopened", "重新办理"
    CLOSED = "closed", "已关闭"


OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED, Status.REOPENED)
# Waiting for someone to take it: the "on site" clock runs.
UNACCEPTED_STATUSES = (Status.NEW, Status.DISPATCHED, Status.RETURNED, Status.REOPENED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


def _case_grid(ids):
    # A case on a building belongs to that building's grid; otherwise to the grids its compound touches.
    # The ids are read here, as literal lists: a grid has tens of buildings, and literals let the
    # database combine the open-case indexes on building and compound (a join or a subquery under this
    # OR made it filter every open case of the city instead).
    # Once per request (core.memo): a page asks several checks of the same sight.
    from linli.core.memo import remembered
    from linli.places.models import Building

    buildings = remembered(("grid buildings", tuple(ids)), lambda: list(
        Building.objects.filter(grid_id__in=ids).order_by().values_list("id", "compound_id")))
    return (Q(building_id__in=[pk for pk, _ in buildings])
            | Q(building__isnull=True, compound_id__in=sorted({c for _, c in buildings})))


def _case_own(scope):
    return Q(reporter_id=scope.user_id) | Q(pk__in=CaseFollower.objects.filter(user_id=scope.user_id).values("case_id"))


class Case(models.Model):
    category = models.ForeignKey(ServiceCategory, verbose_name="事项类别", on_delete=models.PROTECT,
                                 related_name="cases")
    tier = models.CharField("分级", max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    channel = models.CharField("来源渠道", max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    # ID numbers and phones typed into the text are masked in the column, the original encrypted here.
    description_original = EncryptedTextField("诉求内容原文", blank=True, editable=False)
    description = RedactedTextField("诉求内容", max_length=DESCRIPTION_MAX, original="description_original")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT, related_name="cases")
    building = models.ForeignKey("places.Building", verbose_name="楼栋", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    dwelling = models.ForeignKey("places.Dwelling", verbose_name="房屋", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反映人账号", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reported_cases")
    contact_name = EncryptedTextField("联系人", blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受理人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    level = models.CharField("办理层级", max_length=16, choices=Level.choices, default=Level.COMPOUND, db_index=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_cases")
    handler_kind = models.CharField("承办主体类型", max_length=16, choices=HandlerKind.choices, blank=True)
    handling_body = models.CharField("承办单位", max_length=100, blank=True)

    requested_at = models.DateTimeField("受理时间", default=clock.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", default=clock.now, db_index=True)
    arrive_by = models.DateTimeField("到场时限")
    solve_by = models.DateTimeField("办结时限")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    solved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    solution = models.TextField("办理结果", blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)

    # The deadline that matters now: arriving while nobody has taken the case, solving after; none once
    # solved. Stored by the database itself, so every write path keeps it and worklists can read open
    # cases in deadline order from an index instead of sorting them all.
    due_at = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=UNACCEPTED_STATUSES, then=models.F("arrive_by")),
            models.When(status=Status.ACCEPTED, then=models.F("solve_by")),
            default=models.Value(None),
        ),
        output_field=models.DateTimeField(null=True, blank=True), db_persist=True, verbose_name="当前时限")

    supervised = models.BooleanField("督办", default=False)
    supervise_by = models.DateTimeField("督办时限", null=True, blank=True)
    supervise_note = models.TextField("督办意见", blank=True)
    supervised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督办人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    rating = models.CharField("评价", max_length=16, choices=Rating.choices, blank=True)
    rating_note = models.CharField("评价意见", max_length=500, blank=True)
    follow_up_at = models.DateTimeField("回访时间", null=True, blank=True)
    follow_up_note = models.TextField("回访记录", blank=True)
    follow_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    # The submitter's own key for this filing (the API's Idempotency-Key, prefixed with the user's id):
    # a client that resends after a lost answer gets the same case back instead of a second one.
    client_key = models.CharField("提交请求键", max_length=100, null=True, blank=True, editable=False)

    # A big matter goes to the council; the council fills in its proposal's reference here.
    proposal_ref = models.CharField("议事提案", max_length=64, null=True, blank=True)

    scoping = Scoping(code="compound__community__code", compound="compound_id", grid=_case_grid, own=_case_own)

    class Meta:
        verbose_name = "诉求事件"
        verbose_name_plural = "诉求事件"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "arrive_by"], name="case_status_arrive"),
            models.Index(fields=["status", "solve_by"], name="case_status_solve"),
            models.Index(fields=["compound", "category", "requested_at"], name="case_duplicates"),
            # Open cases are a small, history-independent share: worklists and the live part of the
            # figures read them through these partial indexes, whatever the number of closed cases.
            # With the filing time second, the figures' live part reads a compound's open cases of the
            # period only, not all its open cases.
            models.Index(fields=["compound", "requested_at"], condition=Q(status__in=OPEN_STATUSES),
                         name="case_open_compound"),
            models.Index(fields=["building"], condition=Q(status__in=OPEN_STATUSES), name="case_open_building"),
            models.Index(fields=["assignee"], condition=Q(status__in=OPEN_STATUSES), name="case_open_assignee"),
            models.Index(fields=["requested_at"], condition=Q(status__in=OPEN_STATUSES), name="case_open_requested"),
            models.Index(fields=["due_at", "-requested_at", "-id"], condition=Q(status__in=OPEN_STATUSES),
                         name="case_open_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="case_description_not_empty"),
            # Partial (condition) so SQLite adds it as an index instead of rebuilding the table.
            models.UniqueConstraint(fields=["client_key"], condition=Q(client_key__isnull=False),
                                    name="case_client_key_once"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def waiting_acceptance(self) -> bool:
        return self.status in UNACCEPTED_STATUSES

    @property
    def due(self):
        """The next deadline that matters, or None once solved."""
        if not self.is_open:
            return None
        return self.arrive_by if self.waiting_acceptance else self.solve_by

    @property
    def due_kind(self) -> str:
        return "到场" if self.waiting_acceptance else "办结"

    def overdue(self, at=None) -> bool:
        due = self.due
        return due is not None and due < (at or clock.now())

    def place_text(self) -> str:
        if self.address:
            return self.address
        parts = [self.compound.name]
        if self.dwelling_id:
            parts = [str(self.dwelling)]
        elif self.building_id:
            parts = [str(self.building)]
        return " ".join(parts)


class CaseFollower(models.Model):
    """A resident who reported the same matter follows the existing case instead of filing again."""

    case = models.ForeignKey(Case, verbose_name="诉求", on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关注人", on_delete=models.CASCADE,
                             related_name="followed_cases")
    at = models.DateTimeField("关注时间", default=clock.now)

    class Meta:
        verbose_name = "关注"
        verbose_name_plural = "关注"
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follower_unique")]


class CasePhoto(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", "反映时"
        SOLVED = "solved", "办结时"

    case = models.ForeignKey(Case, verbose_name="诉求", on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices, default=Stage.INTAKE)
    file = models.FileField("照片", upload_to="cases/", max_length=200)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("上传时间", default=clock.now)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["at", "id"]


class CaseEvent(models.Model):
    """One line of the case timeline. Staff-only lines are hidden from residents."""

    class Kind(models.TextChoices):
        OPENED = "opened", "受理"
        FOLLOWED = "followed", "关注"
        DISPATCHED = "dispatched", "派单"
        ACCEPTED = "accepted", "接单"
        RETURNED = "returned", "退回"
        TRANSFERRED = "transferred", "转办"
        RETIERED = "retiered", "调整分级"
        SOLVED = "solved", "办结"
        CONFIRMED = "confirmed", "确认评价"
        REOPENED = "reopened", "重新办理"
        CLOSED = "closed", "关闭"
        SUPERVISED = "supervised", "督办"
        ESCALATED = "escalated", "提级"
        FOLLOW_UP = "follow_up", "回访"
        NOTE = "note", "备注"

    case = models.ForeignKey(Case, verbose_name="诉求", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField("动作", max_length=16, choices=Kind.choices)
    text_original = EncryptedTextField("说明原文", blank=True, editable=False)
    text = RedactedTextField("说明", blank=True, original="text_original")
    staff_only = models.BooleanField("仅工作人员可见", default=False)
    channel = models.CharField("渠道", max_length=16, choices=list(CHANNELS.items()), default="system")

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def actor_name(self) -> str:
        return str(self.actor) if self.actor_id else "系统"


class Escalation(models.Model):
    """A recorded breach or hand escalation: the unique key makes each breach escalate once."""

    class Reason(models.TextChoices):
        ARRIVE = "arrive", "超时未接单"
        SOLVE = "solve", "超时未办结"
        MANUAL = "manual", "人工提级"

    case = models.ForeignKey(Case, verbose_name="诉求", on_delete=models.CASCADE, related_name="escalations")
    cycle = models.PositiveSmallIntegerField("办理轮次", default=0, help_text="重办次数；重办后的再次超时另计")
    from_level = models.CharField("原层级", max_length=16, choices=Level.choices)
    to_level = models.CharField("提至层级", max_length=16, choices=Level.choices)
    reason = models.CharField("原因", max_length=10, choices=Reason.choices)
    deadline = models.DateTimeField("所超时限", null=True, blank=True)
    at = models.DateTimeField("时间", default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "提级记录"
        verbose_name_plural = "提级记录"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "cycle", "from_level", "reason"], name="escalation_once"),
        ]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notifications")
    text = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", default=clock.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text


# ---------------------------------------------------------------- rollups behind the figures


class RollupLevel(models.TextChoices):
    COMPOUND = "compound", "小区"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区县"


class CaseDay(models.Model):
    """The settled part of the figures for the cases filed on one local day, per node and tier.

    Derived from cases and escalations by `linli.cases.rollups`, never edited by hand: it can be
    rebuilt at any time. Counts that depend on the current time (still waiting past a deadline)
    are not here; the figures add them from the open cases.
    """

    day = models.DateField("受理日期")
    level = models.CharField("层级", max_length=10, choices=RollupLevel.choices)
    # The node: a compound's id, a community's full code, or a street's or district's code prefix.
    unit = models.CharField("节点", max_length=12)
    # The node one level up, so a node's children are one index range: level + parent + days.
    parent = models.CharField("上级节点", max_length=12)
    tier = models.CharField("分级", max_length=16, choices=Tier.choices)
    cases = models.PositiveIntegerField(default=0)
    arrive_settled = models.PositiveIntegerField(default=0, help_text="已接单或已因超时未接单提级")
    arrive_on_time = models.PositiveIntegerField(default=0)
    solve_settled = models.PositiveIntegerField(default=0, help_text="已办结或已因超时未办结提级")
    solve_on_time = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    handling_us = models.BigIntegerField(default=0, help_text="办结用时合计（微秒）")
    # Handling times of the solved cases: {bucket start in minutes: count}; see rollups.bucket.
    handling = models.JSONField(default=dict)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    escalations = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "诉求日汇总"
        verbose_name_plural = "诉求日汇总"
        constraints = [
            models.UniqueConstraint(fields=["level", "unit", "day", "tier"], name="caseday_node_day_tier"),
        ]
        indexes = [
            models.Index(fields=["level", "parent", "day"], name="caseday_children"),
            # Recomputing a day replaces its rows: without this, each replace scanned the whole level.
            models.Index(fields=["day", "level"], name="caseday_day"),
        ]



class CaseCategoryDay(models.Model):
    """Cases filed on one local day per node and category: the cockpit's trend by category.

    Derived from cases like `CaseDay` (same refresh, same marks, same levels and keys), never edited.
    """

    day = models.DateField("受理日期")
    level = models.CharField("层级", max_length=10, choices=RollupLevel.choices)
    unit = models.CharField("节点", max_length=12)
    parent = models.CharField("上级节点", max_length=12)
    # No database constraint: a deferred foreign-key check would stop the rebuild's TRUNCATE in the
    # transaction that wrote rows (as for CaseDay, the rows are derived and rebuilt, never trusted alone).
    category = models.ForeignKey(ServiceCategory, verbose_name="事项类别", on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "诉求分类日汇总"
        verbose_name_plural = "诉求分类日汇总"
        constraints = [
            models.UniqueConstraint(fields=["level", "unit", "day", "category"], name="casecategoryday_node"),
        ]
        indexes = [
            models.Index(fields=["level", "parent", "day"], name="casecategoryday_children"),
            models.Index(fields=["day", "level"], name="casecategoryday_day"),
        ]

class CaseDayDirty(models.Model):
    """A case (by its compound and filing time) whose day needs its rollup rows recomputed.

    Written by database triggers on cases and escalations (migration 0003), so every write path,
    bulk loads included, marks what it changed; `rollups.refresh` consumes the rows.
    """

    id = models.BigAutoField(primary_key=True)
    compound_id = models.IntegerField()
    requested_at = models.DateTimeField()

    class Meta:
        verbose_name = "待汇总诉求"
        verbose_name_plural = "待汇总诉求"
