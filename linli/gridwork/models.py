"""Grid work 网格工作: check-ins, patrols with their route and findings, home visits, tasks pushed to grids.

Every row hangs on a grid of the place tree: a grid worker sees their grids' rows, a community's
secretary and the street and district above see their units' (`scoping`). Residents see none of it
(visit notes are staff-only).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from linli.core import clock
from linli.core.fields import EncryptedTextField
from linli.core.pii import RedactedTextField
from linli.core.scoping import Scoping
from linli.gridwork.duties import ADMITTED

TEXT_MAX = 1000
ON_GRID = Scoping(code="grid__community__code", grid="grid_id")


class Position(models.Model):
    """A device location as the phone gave it: optional (a phone may refuse), kept with its accuracy."""

    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField("定位精度（米）", null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"latitude": ["纬度和经度须同时填写。"]})
        if self.accuracy_m is not None and self.latitude is None:
            raise ValidationError({"accuracy_m": ["没有位置时不能只填定位精度。"]})


class CheckIn(Position):
    """定时报到: a worker at their grid (or its station) from check-in to check-out."""

    worker = models.ForeignKey("people.GridWorker", verbose_name="网格员", on_delete=models.PROTECT,
                               related_name="check_ins")
    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField("报到时间", default=clock.now)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    on_time = models.BooleanField("按时报到", default=False)
    photo = models.FileField("现场照片", upload_to="gridwork/", max_length=200, blank=True)

    scoping = ON_GRID

    class Meta:
        verbose_name = "报到"
        verbose_name_plural = "报到"
        ordering = ["-checked_in_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=Q(checked_out_at__isnull=True),
                                    name="gridwork_one_open_checkin"),
        ]
        indexes = [models.Index(fields=["worker", "checked_in_at"], name="gridwork_checkin_worker")]

    def __str__(self):
        return f"{self.worker.name} {timezone.localtime(self.checked_in_at):%Y-%m-%d %H:%M} 报到"

    @property
    def minutes(self) -> int:
        if self.checked_out_at is None:
            return 0
        return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)


class Patrol(models.Model):
    """巡查: a route of buildings walked in one go, with what was found on the way."""

    worker = models.ForeignKey("people.GridWorker", verbose_name="网格员", on_delete=models.PROTECT,
                               related_name="patrols")
    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间", default=clock.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    note = models.CharField("巡查小结", max_length=200, blank=True)

    scoping = ON_GRID

    class Meta:
        verbose_name = "巡查"
        verbose_name_plural = "巡查"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "started_at"], name="gridwork_patrol_worker")]

    def __str__(self):
        return f"{self.grid.name} 巡查 {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def clean(self):
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": ["结束时间不能早于开始时间。"]})


class PatrolStop(models.Model):
    """A building on the patrol's route, in the order walked."""

    patrol = models.ForeignKey(Patrol, verbose_name="巡查", on_delete=models.CASCADE, related_name="stops")
    building = models.ForeignKey("places.Building", verbose_name="楼栋", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("到达时间", default=clock.now)

    scoping = Scoping(code="patrol__grid__community__code", grid="patrol__grid_id")

    class Meta:
        verbose_name = "巡查点位"
        verbose_name_plural = "巡查点位"
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["patrol", "building"], name="gridwork_stop_once")]

    def __str__(self):
        return f"{self.building}"


class Finding(Position):
    """A problem seen on a patrol (photo, text, place); turned into a case with one tap."""

    patrol = models.ForeignKey(Patrol, verbose_name="巡查", on_delete=models.CASCADE, related_name="findings")
    building = models.ForeignKey("places.Building", verbose_name="楼栋", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    category = models.CharField("事项类别", max_length=40, default="other")
    text_original = EncryptedTextField("情况原文", blank=True, editable=False)
    text = RedactedTextField("发现情况", max_length=TEXT_MAX, original="text_original")
    photo = models.FileField("照片", upload_to="gridwork/", max_length=200, blank=True)
    at = models.DateTimeField("发现时间", default=clock.now)
    case = models.OneToOneField("cases.Case", verbose_name="转成的诉求", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="finding")

    scoping = Scoping(code="patrol__grid__community__code", grid="patrol__grid_id")

    class Meta:
        verbose_name = "巡查发现"
        verbose_name_plural = "巡查发现"
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.text[:30]


class Visit(models.Model):
    """走访: a worker at a household, for a purpose; the notes are for staff only."""

    class Purpose(models.TextChoices):
        CARE = "care", "关爱探访"
        INFORMATION = "information", "信息核对"
        POLICY = "policy", "政策宣传"
        MEDIATION = "mediation", "矛盾调解"
        SERVICE = "service", "帮办代办"
        FOLLOW_UP = "follow_up", "诉求回访"
        OTHER = "other", "其他"

    worker = models.ForeignKey("people.GridWorker", verbose_name="网格员", on_delete=models.PROTECT,
                               related_name="visits")
    household = models.ForeignKey("people.Household", verbose_name="走访户", on_delete=models.PROTECT,
                                  related_name="+")
    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField("走访时间")
    minutes = models.PositiveSmallIntegerField("用时（分钟）")
    purpose = models.CharField("走访目的", max_length=16, choices=Purpose.choices)
    notes_original = EncryptedTextField("记录原文", blank=True, editable=False)
    notes = RedactedTextField("走访记录（仅工作人员可见）", max_length=TEXT_MAX, blank=True, original="notes_original")
    follow_up = models.CharField("后续事项", max_length=200, blank=True)
    follow_up_due = models.DateField("后续事项期限", null=True, blank=True)
    follow_up_done_at = models.DateTimeField("后续事项办结时间", null=True, blank=True)
    recorded_at = models.DateTimeField("登记时间", default=clock.now)

    scoping = ON_GRID

    class Meta:
        verbose_name = "走访"
        verbose_name_plural = "走访"
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["worker", "visited_at"], name="gridwork_visit_worker"),
                   models.Index(fields=["household", "visited_at"], name="gridwork_visit_household")]

    def __str__(self):
        return f"走访 {self.household} {timezone.localtime(self.visited_at):%Y-%m-%d}"

    def clean(self):
        if self.follow_up_due is not None and not self.follow_up:
            raise ValidationError({"follow_up": ["填写了期限，请同时写明后续事项。"]})


class GridTask(models.Model):
    """A task another department pushed down to a grid: only the kinds on the admission list."""

    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    matter = models.CharField("准入事项", max_length=30, choices=[(m.code, m.name) for m in ADMITTED])
    title = models.CharField("任务", max_length=100)
    department = models.CharField("派单部门", max_length=50)
    due_on = models.DateField("完成期限", null=True, blank=True)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="派单人", on_delete=models.PROTECT,
                                  related_name="+")
    pushed_at = models.DateTimeField("派单时间", default=clock.now)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    scoping = ON_GRID

    class Meta:
        verbose_name = "网格任务"
        verbose_name_plural = "网格任务"
        ordering = ["due_on", "-pushed_at", "-id"]

    def __str__(self):
        return self.title


class VisitPlan(models.Model):
    """走访计划: every household of a care group in a grid is visited at least every `every_days` days."""

    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.CASCADE, related_name="+")
    care_tag = models.ForeignKey("people.CareTag", verbose_name="关爱对象", on_delete=models.PROTECT, related_name="+")
    every_days = models.PositiveSmallIntegerField("走访周期（天）", default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("制定时间", default=clock.now)

    scoping = ON_GRID

    class Meta:
        verbose_name = "走访计划"
        verbose_name_plural = "走访计划"
        ordering = ["grid", "care_tag"]
        constraints = [models.UniqueConstraint(fields=["grid", "care_tag"], name="gridwork_one_plan_per_group")]

    def __str__(self):
        return f"{self.grid.name}：{self.care_tag.name}每 {self.every_days} 天走访一次"

    def clean(self):
        if not 1 <= (self.every_days or 0) <= 366:
            raise ValidationError({"every_days": ["走访周期应为 1 到 366 天。"]})


TRIAL_MONTHS = 2


class Trial(models.Model):
    """试用期: a new grid worker's (above all an assistant's) two months, then the community's assessment."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "试用中"
        EXTENDED = "extended", "延长试用"
        CONFIRMED = "confirmed", "考核合格"
        REPLACED = "replaced", "不合格调换"

    worker = models.ForeignKey("people.GridWorker", verbose_name="网格员", on_delete=models.PROTECT,
                               related_name="trials")
    community = models.ForeignKey("places.AdminUnit", verbose_name="考核社区", on_delete=models.PROTECT,
                                  related_name="+")
    starts_on = models.DateField("试用开始")
    ends_on = models.DateField("试用结束")
    trained_on = models.DateField("岗前培训日期", null=True, blank=True)
    outcome = models.CharField("考核结果", max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    score = models.PositiveSmallIntegerField("考核得分", null=True, blank=True)
    assessment = models.CharField("考核意见", max_length=300, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="考核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField("考核时间", null=True, blank=True)

    scoping = Scoping(code="community__code")

    class Meta:
        verbose_name = "试用期考核"
        verbose_name_plural = "试用期考核"
        ordering = ["ends_on", "id"]
        constraints = [models.UniqueConstraint(fields=["worker"], condition=Q(outcome__in=("pending", "extended")),
                                               name="gridwork_one_open_trial")]

    def __str__(self):
        return f"{self.worker.name} 试用期 {self.starts_on}–{self.ends_on}"

    @property
    def is_open(self) -> bool:
        return self.outcome in (self.Outcome.PENDING, self.Outcome.EXTENDED)

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": ["试用结束日期应晚于开始日期。"]})
        if self.score is not None and self.score > 100:
            raise ValidationError({"score": ["考核得分应为 0 到 100。"]})


class RosterMember(models.Model):
    """两长四员: the building head, the unit heads and the four members of a building, residents who help
    the grid worker. Seed 003 names the roster (5,259 people in 293 compounds) but not its four posts;
    these are this project's reading (information, policy, mediation, safety)."""

    class Post(models.TextChoices):
        BUILDING_HEAD = "building_head", "楼栋长"
        UNIT_HEAD = "unit_head", "单元长"
        INFORMATION = "information", "信息员"
        POLICY = "policy", "宣传员"
        MEDIATION = "mediation", "调解员"
        SAFETY = "safety", "安全员"

    building = models.ForeignKey("places.Building", verbose_name="楼栋", on_delete=models.PROTECT, related_name="+")
    entrance = models.ForeignKey("places.Entrance", verbose_name="单元", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职务", max_length=16, choices=Post.choices)
    resident = models.ForeignKey("people.Resident", verbose_name="担任人", on_delete=models.PROTECT, related_name="+")
    since = models.DateField("任职日期", default=clock.today)
    until = models.DateField("卸任日期", null=True, blank=True)

    scoping = Scoping(code="building__compound__community__code", compound="building__compound_id",
                      grid="building__grid_id")

    class Meta:
        verbose_name = "两长四员"
        verbose_name_plural = "两长四员"
        ordering = ["building", "post", "entrance", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "post"], condition=Q(until__isnull=True, entrance__isnull=True),
                                    name="gridwork_one_current_building_post"),
            models.UniqueConstraint(fields=["entrance"], condition=Q(until__isnull=True, post="unit_head"),
                                    name="gridwork_one_current_unit_head"),
        ]

    def __str__(self):
        return f"{self.building} {self.get_post_display()}"

    def clean(self):
        if (self.post == self.Post.UNIT_HEAD) != (self.entrance_id is not None):
            raise ValidationError({"entrance": ["单元长须选择单元；其他职务不选单元。"]})
        if self.entrance_id and self.entrance.building_id != self.building_id:
            raise ValidationError({"entrance": ["所选单元不在这栋楼。"]})


class WorkMonth(models.Model):
    """A worker's month of grid work, counted (see `gridwork.rollups`): what the figures of a community or
    a district sum, so they cost as many rows as there are workers, whatever the number of records.

    The days with a check-in and those whose first check-in was on time are kept as bit masks (bit d−1
    for day d), so punctuality and the missed working days are exact for any day of asking. Written only
    by `gridwork.rollups`.
    """

    id = models.BigAutoField(primary_key=True)
    month = models.DateField()
    worker_id = models.IntegerField()
    check_in_mask = models.BigIntegerField(default=0)
    on_time_mask = models.BigIntegerField(default=0)
    working_minutes = models.BigIntegerField(default=0)
    patrols = models.IntegerField(default=0)
    findings = models.IntegerField(default=0)
    cases = models.IntegerField(default=0)
    visits = models.IntegerField(default=0)
    visit_minutes = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "网格员月度汇总"
        verbose_name_plural = "网格员月度汇总"
        constraints = [models.UniqueConstraint(fields=["month", "worker_id"], name="gridwork_workmonth_once")]


class WorkDirty(models.Model):
    """A worker whose months from `since` to `until` need recounting: written by database triggers on
    check-ins, patrols, findings and visits (migration gridwork 0005), consumed by `rollups.refresh`."""

    id = models.BigAutoField(primary_key=True)
    worker_id = models.IntegerField()
    since = models.DateTimeField()
    until = models.DateTimeField()

    class Meta:
        verbose_name = "待汇总网格员"
        verbose_name_plural = "待汇总网格员"


class Reminder(models.Model):
    """A notice sent once about a visit that became overdue or a working day without a check-in.

    `subject` and `day` make the notice's key: the household and the day its visit fell due (last visit
    plus the plan's period), or the worker and the day they missed. The sweep writes a row only for a key
    it has not seen, so a re-run notifies no one twice; a new visit gives a new due day, hence a new key.
    """

    class Kind(models.TextChoices):
        OVERDUE_VISIT = "overdue_visit", "走访逾期"
        MISSED_CHECK_IN = "missed_check_in", "工作日未报到"

    kind = models.CharField("提醒类别", max_length=16, choices=Kind.choices)
    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey("people.GridWorker", verbose_name="网格员", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("people.Household", verbose_name="走访户", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    care_tag = models.ForeignKey("people.CareTag", verbose_name="关爱对象", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    subject = models.BigIntegerField("提醒对象")
    day = models.DateField("应访或未报到日期")
    notified_at = models.DateTimeField("提醒时间", default=clock.now)

    scoping = ON_GRID

    class Meta:
        verbose_name = "逾期提醒"
        verbose_name_plural = "逾期提醒"
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject", "day"], name="gridwork_remind_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.day}"


class Training(models.Model):
    """A course a grid worker attended (培训记录): date, hours and the certificate if one was given. It hangs on
    the worker's grid when recorded, so the worker, their community and the units above see it."""

    worker = models.ForeignKey("people.GridWorker", verbose_name="网格员", on_delete=models.PROTECT,
                               related_name="trainings")
    grid = models.ForeignKey("places.Grid", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    course = models.CharField("培训课程", max_length=100)
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    certificate = models.CharField("证书（名称或编号）", max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间", default=clock.now)

    scoping = ON_GRID

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.worker.name} {self.course} {self.held_on}"

    def clean(self):
        if self.hours is not None and not 0 < self.hours <= 200:
            raise ValidationError({"hours": ["学时应大于 0、不超过 200。"]})
        if not (self.course or "").strip():
            raise ValidationError({"course": ["请填写培训课程。"]})
