"""Party-mass service stations (党群服务站/微站/红色阵地) and micro-wishes (微心愿).

A station hangs on a community and, when it serves one, on a compound or a grid; residents of the
community see its timetable and catalogue. A wish hangs on the compound of the resident in need; the
Party members who live in (or have dual-registered with) its community see it while it is open,
without the resident's identity.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.scoping import Scoping
from linli.stations.catalogue import items_of


def _residents_community(s):
    from linli.places.models import Compound

    return Q(community_id__in=Compound.objects.filter(pk__in=s.home_compound_ids).values("community_id"))


def _grid_compounds(ids):
    from linli.places.models import Building

    return Q(compound_id__in=Building.objects.filter(grid_id__in=ids).values("compound_id"))


def _station_grids(prefix=""):
    """A station in sight of a grid: the grid's own, and those of the compounds the grid holds."""

    def rule(ids):
        from linli.places.models import Building

        return (Q(**{f"{prefix}grid_id__in": ids})
                | Q(**{f"{prefix}compound_id__in": Building.objects.filter(grid_id__in=ids).values("compound_id")}))

    return rule


def member_communities_q(s) -> Q:
    """The communities where the scope's resident is a Party member: where they live, or where an
    in-service member has dual-registered (双报到)."""
    from linli.people.models import PartyMember

    members = PartyMember.objects.filter(resident_id__in=s.resident_ids, lost_contact=False)
    return (Q(community_id__in=members.values("resident__household__dwelling__entrance__building__compound__community_id"))
            | Q(community_id__in=members.filter(dual_registered_community__isnull=False)
                .values("dual_registered_community_id")))


class Station(models.Model):
    class Kind(models.TextChoices):
        CENTRE = "centre", "社区党群服务中心"
        COMPOUND = "compound", "小区（网格）党群服务站"
        MICRO = "micro", "网格党群服务微站"
        RED = "red", "红色阵地"

    class Standard(models.TextChoices):
        FOUR = "four", "四有"
        SIX = "six", "六有"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    community = models.ForeignKey("places.AdminUnit", verbose_name="所属社区", on_delete=models.PROTECT,
                                  related_name="stations", limit_choices_to={"level": "community"})
    compound = models.ForeignKey("places.Compound", verbose_name="服务小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="stations")
    grid = models.ForeignKey("places.Grid", verbose_name="服务网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="stations")
    address = models.CharField("地址", max_length=200)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    rooms = models.CharField("功能用房", max_length=300, blank=True, help_text="如：党员活动室、议事厅、便民服务窗口")
    on_call = models.BooleanField("随时服务", default=False, help_text="非开放时间可电话预约上门")
    on_call_phone = models.CharField("随时服务电话", max_length=20, blank=True)
    standard = models.CharField("建设标准", max_length=4, choices=Standard.choices, default=Standard.FOUR)
    accepted_on = models.DateField("验收合格日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=clock.now)

    scoping = Scoping(code="community__code", compound="compound_id", grid=_station_grids(), own=_residents_community)

    class Meta:
        verbose_name = "党群服务站"
        verbose_name_plural = "党群服务站"
        ordering = ["community__code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="station_name_per_community")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.compound_id and self.community_id and self.compound.community_id != self.community_id:
            raise ValidationError({"compound": "服务小区不在该社区。"})
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            raise ValidationError({"grid": "服务网格不在该社区。"})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "经纬度须同时填写。"})
        if self.latitude is not None and not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValidationError({"latitude": "经纬度超出范围。"})

    @property
    def checklist(self) -> list[tuple[str, str]]:
        return items_of(self.standard)

    @property
    def modes(self) -> list[str]:
        kinds = set(self.slots.values_list("mode", flat=True))
        found = [label for value, label in Slot.Mode.choices if value in kinds]
        return found + (["随时"] if self.on_call else [])


class Slot(models.Model):
    """One opening period of the week: 定时 (regular hours) or 错时 (evenings, weekends)."""

    class Mode(models.TextChoices):
        SCHEDULED = "scheduled", "定时"
        STAGGERED = "staggered", "错时"

    WEEKDAYS = [(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"), (4, "周五"), (5, "周六"), (6, "周日")]

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.CASCADE, related_name="slots")
    mode = models.CharField("开放方式", max_length=10, choices=Mode.choices, default=Mode.SCHEDULED)
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS)
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")

    scoping = Scoping(code="station__community__code", compound="station__compound_id", grid=_station_grids("station__"),
                      own=lambda s: Q(station__in=Station.objects.filter(_residents_community(s))))

    class Meta:
        verbose_name = "开放时段"
        verbose_name_plural = "开放时段"
        ordering = ["weekday", "opens"]

    def clean(self):
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": "结束时间须晚于开始时间。"})


class StaffMember(models.Model):
    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.CASCADE, related_name="staff")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("岗位", max_length=50, help_text="如：站长、值班网格员、党员志愿者")
    hours = models.CharField("值班时间", max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    scoping = Scoping(code="station__community__code", compound="station__compound_id", grid=_station_grids("station__"))

    class Meta:
        verbose_name = "值守人员"
        verbose_name_plural = "值守人员"
        ordering = ["station", "id"]


class ServiceItem(models.Model):
    """One entry of a station's published catalogue (帮办代办 and other services)."""

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.CASCADE, related_name="services")
    category = models.CharField("大类", max_length=30)
    name = models.CharField("服务事项", max_length=60)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("提供", default=True)

    scoping = Scoping(code="station__community__code", compound="station__compound_id", grid=_station_grids("station__"),
                      own=lambda s: Q(station__in=Station.objects.filter(_residents_community(s))))

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["station", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "category", "name"], name="service_item_once")]


class Evidence(models.Model):
    """Proof that a station meets one item of its standard: a sentence and, often, a photo."""

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.CASCADE, related_name="evidence")
    item = models.CharField("标准项", max_length=20)
    text = models.CharField("说明", max_length=300)
    photo = models.FileField("照片", upload_to="stations/", max_length=200, blank=True)
    content_type = models.CharField("类型", max_length=30, blank=True)
    at = models.DateTimeField("提交时间", default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    scoping = Scoping(code="station__community__code", compound="station__compound_id", grid=_station_grids("station__"))

    class Meta:
        verbose_name = "达标佐证"
        verbose_name_plural = "达标佐证"
        ordering = ["station", "item", "at", "id"]


class Inspection(models.Model):
    """A street officer's check of a station against its standard; passed only when every item is met."""

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="验收人", on_delete=models.PROTECT,
                                  related_name="+")
    at = models.DateTimeField("验收时间", default=clock.now)
    standard = models.CharField("标准", max_length=4, choices=Station.Standard.choices)
    passed = models.BooleanField("验收合格")
    note = models.CharField("意见", max_length=300, blank=True)

    scoping = Scoping(code="station__community__code", compound="station__compound_id", grid=_station_grids("station__"))

    class Meta:
        verbose_name = "验收记录"
        verbose_name_plural = "验收记录"
        ordering = ["-at", "-id"]


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name="验收", on_delete=models.CASCADE, related_name="items")
    item = models.CharField("标准项", max_length=20)
    met = models.BooleanField("达标")

    class Meta:
        verbose_name = "验收项"
        verbose_name_plural = "验收项"
        ordering = ["inspection", "id"]


class MicroWish(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待认领"
        CLAIMED = "claimed", "已认领"
        FULFILLED = "fulfilled", "已实现待确认"
        CONFIRMED = "confirmed", "已确认"
        WITHDRAWN = "withdrawn", "已撤回"

    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", verbose_name="心愿人", on_delete=models.PROTECT,
                                 related_name="micro_wishes")
    station = models.ForeignKey(Station, verbose_name="服务站", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="wishes")
    title = models.CharField("心愿", max_length=60)
    body = models.TextField("说明", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT,
                                  related_name="+")
    posted_at = models.DateTimeField("发布时间", default=clock.now)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认领人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    fulfilled_at = models.DateTimeField("实现时间", null=True, blank=True)
    fulfil_note = models.CharField("实现情况", max_length=300, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    scoping = Scoping(code="community__code", compound="compound_id", grid=_grid_compounds,
                      own=lambda s: (Q(resident_id__in=s.resident_ids) | Q(claimed_by_id=s.user_id)
                                     | (Q(status="open") & member_communities_q(s))))

    class Meta:
        verbose_name = "微心愿"
        verbose_name_plural = "微心愿"
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="wish_community_status")]

    def __str__(self):
        return f"微心愿 #{self.pk} {self.title}"


class WishPhoto(models.Model):
    wish = models.ForeignKey(MicroWish, verbose_name="微心愿", on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("照片", upload_to="stations/", max_length=200)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("上传时间", default=clock.now)

    class Meta:
        verbose_name = "心愿照片"
        verbose_name_plural = "心愿照片"
        ordering = ["at", "id"]


class TimelineEvent(models.Model):
    """A step on a wish's, need's or project's timeline: who did it, when, and a note (the steps
    themselves are audited by the services that write them)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", default=clock.now)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class WishEvent(TimelineEvent):
    class Kind(models.TextChoices):
        POSTED = "posted", "发布"
        CLAIMED = "claimed", "认领"
        FULFILLED = "fulfilled", "实现"
        CONFIRMED = "confirmed", "确认"
        WITHDRAWN = "withdrawn", "撤回"

    wish = models.ForeignKey(MicroWish, verbose_name="微心愿", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=10, choices=Kind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = "心愿进展"
        verbose_name_plural = "心愿进展"


# --- the need and resource lists, order → dispatch → accept → rate ---------------------------------

class Resource(models.Model):
    """One entry of the resource list 资源清单: what a partner, craftsperson, volunteer team or
    dual-registered member offers, with capacity and time; `handler` is the login that accepts work."""

    class Kind(models.TextChoices):
        PARTNER = "partner", "共建单位/红色合伙人"
        CRAFTSPERSON = "craftsperson", "能工巧匠"
        VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"
        MEMBER = "member", "双报到党员"

    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"level": "community"})
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("提供方", max_length=100)
    partner = models.ForeignKey("orgs.PartnerUnit", verbose_name="共建单位", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    offer = models.CharField("可提供的服务", max_length=300)
    capacity = models.PositiveSmallIntegerField("每月可接单数", default=4)
    available = models.CharField("服务时间", max_length=100, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接单账号", on_delete=models.PROTECT,
                                related_name="+")
    active = models.BooleanField("在册", default=True)

    scoping = Scoping(code="community__code", own=lambda s: Q(handler_id=s.user_id))

    class Meta:
        verbose_name = "资源"
        verbose_name_plural = "资源清单"
        ordering = ["community__code", "kind", "name"]

    def __str__(self):
        return f"{self.name}（{self.offer[:20]}）"


class Need(models.Model):
    """One entry of the need list 需求清单, ordered by a resident (or recorded by a worker from a
    visit), dispatched by the community to a resource, accepted and done by it, rated by the resident."""

    class Source(models.TextChoices):
        RESIDENT = "resident", "居民点单"
        VISIT = "visit", "走访收集"
        CASE = "case", "诉求转入"

    class Status(models.TextChoices):
        OPEN = "open", "待派单"
        DISPATCHED = "dispatched", "已派单"
        ACCEPTED = "accepted", "已接单"
        DONE = "done", "已办理待评价"
        RATED = "rated", "已评价"

    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", verbose_name="居民", on_delete=models.PROTECT, related_name="needs")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.RESIDENT)
    service = models.ForeignKey(ServiceItem, verbose_name="帮办代办事项", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="needs",
                                help_text="从服务站清单点的帮办代办事项")
    station = models.ForeignKey(Station, verbose_name="服务站", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="needs")
    title = models.CharField("需求", max_length=60)
    body = models.TextField("说明", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                  related_name="+")
    posted_at = models.DateTimeField("点单时间", default=clock.now)
    resource = models.ForeignKey(Resource, verbose_name="派给", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="needs")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    done_at = models.DateTimeField("办理时间", null=True, blank=True)
    result = models.CharField("办理结果", max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    rating_note = models.CharField("评价", max_length=300, blank=True)

    scoping = Scoping(code="community__code", compound="compound_id", grid=_grid_compounds,
                      own=lambda s: Q(resident_id__in=s.resident_ids) | Q(resource__handler_id=s.user_id))

    class Meta:
        verbose_name = "需求"
        verbose_name_plural = "需求清单"
        ordering = ["-posted_at", "-id"]

    def __str__(self):
        return f"需求 #{self.pk} {self.title}"


class NeedEvent(TimelineEvent):
    class Kind(models.TextChoices):
        ORDERED = "ordered", "点单"
        DISPATCHED = "dispatched", "派单"
        ACCEPTED = "accepted", "接单"
        DECLINED = "declined", "拒单"
        DONE = "done", "办理"
        RATED = "rated", "评价"

    need = models.ForeignKey(Need, verbose_name="需求", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=10, choices=Kind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = "需求进展"
        verbose_name_plural = "需求进展"


# --- partner staff: accounts with a narrow role --------------------------------------------------

class PartnerStaff(models.Model):
    """A partner unit's staff member with a login of their own (合伙人/共建单位人员). The account holds
    no assignment and no resident record: it sees only the resources it handles and the needs
    dispatched to them (the `own` rules of Resource and Need)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.PROTECT,
                                related_name="partner_staff")
    partner = models.ForeignKey("orgs.PartnerUnit", verbose_name="共建单位", on_delete=models.PROTECT,
                                related_name="+")
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+")
    name = models.CharField("姓名", max_length=50)
    active = models.BooleanField("在岗", default=True)
    created_at = models.DateTimeField("开通时间", default=clock.now)

    scoping = Scoping(code="community__code", own=lambda s: Q(user_id=s.user_id))

    class Meta:
        verbose_name = "共建单位人员"
        verbose_name_plural = "共建单位人员"
        ordering = ["community__code", "partner", "name"]

    def __str__(self):
        return self.name


# --- cases handled by a station ------------------------------------------------------------------

class StationCase(models.Model):
    """A case filed at a station or assigned to it: the case points at the station, and the case
    figures can be read per station. A case is handled by one station at most."""

    class How(models.TextChoices):
        FILED = "filed", "在站受理"
        ASSIGNED = "assigned", "派给服务站"

    case = models.OneToOneField("cases.Case", verbose_name="诉求", on_delete=models.CASCADE,
                                related_name="station_link")
    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.PROTECT, related_name="case_links")
    how = models.CharField("方式", max_length=10, choices=How.choices)
    at = models.DateTimeField("时间", default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+")

    scoping = Scoping(code="station__community__code", compound="station__compound_id",
                      grid=_station_grids("station__"))

    class Meta:
        verbose_name = "服务站诉求"
        verbose_name_plural = "服务站诉求"
        ordering = ["-at", "-id"]


# --- co-building projects 共建项目清单 --------------------------------------------------------------

class Project(models.Model):
    """A need turned into a co-building project with owners, dates, a status and a result."""

    class Status(models.TextChoices):
        PLANNED = "planned", "筹备中"
        ONGOING = "ongoing", "实施中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已终止"

    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, verbose_name="来自需求", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="projects")
    title = models.CharField("项目名称", max_length=80)
    body = models.TextField("项目内容", max_length=1000, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("计划完成日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    result = models.CharField("项目成效", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="立项人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("立项时间", default=clock.now)
    finished_at = models.DateTimeField("结项时间", null=True, blank=True)

    scoping = Scoping(code="community__code", compound="compound_id", grid=_grid_compounds,
                      own=lambda s: Q(pk__in=ProjectOwner.objects.filter(user_id=s.user_id).values("project_id")))

    class Meta:
        verbose_name = "共建项目"
        verbose_name_plural = "共建项目清单"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "计划完成日期不能早于开始日期。"})
        if self.compound_id and self.community_id and self.compound.community_id != self.community_id:
            raise ValidationError({"compound": "小区不在该社区。"})


class ProjectOwner(models.Model):
    """One owner of a project: a partner unit, a person (with or without a login), and their part."""

    project = models.ForeignKey(Project, verbose_name="共建项目", on_delete=models.CASCADE, related_name="owners")
    name = models.CharField("责任方", max_length=100)
    partner = models.ForeignKey("orgs.PartnerUnit", verbose_name="共建单位", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    part = models.CharField("分工", max_length=100, blank=True)

    class Meta:
        verbose_name = "项目责任方"
        verbose_name_plural = "项目责任方"
        ordering = ["project", "id"]


class ProjectEvent(TimelineEvent):
    class Kind(models.TextChoices):
        CREATED = "created", "立项"
        OWNER = "owner", "增加责任方"
        STARTED = "started", "开始实施"
        DONE = "done", "完成"
        CANCELLED = "cancelled", "终止"

    project = models.ForeignKey(Project, verbose_name="共建项目", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=10, choices=Kind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = "项目进展"
        verbose_name_plural = "项目进展"


# --- proxy errands 帮办代办 ---------------------------------------------------------------------

class Errand(models.Model):
    """A proxy errand done by a station for a resident: who did what (an item of the station's
    catalogue) for whom, and the result."""

    class Outcome(models.TextChoices):
        DONE = "done", "已办结"
        REFERRED = "referred", "已转办"
        FAILED = "failed", "未办成"

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.PROTECT, related_name="errands")
    service = models.ForeignKey(ServiceItem, verbose_name="帮办代办事项", on_delete=models.PROTECT, related_name="errands")
    resident = models.ForeignKey("people.Resident", verbose_name="服务对象", on_delete=models.PROTECT,
                                 related_name="errands")
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField("办理时间", default=clock.now)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.DONE)
    result = models.CharField("办理情况", max_length=300)

    scoping = Scoping(code="station__community__code", compound="station__compound_id",
                      grid=_station_grids("station__"), own=lambda s: Q(resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "帮办代办"
        verbose_name_plural = "帮办代办"
        ordering = ["-done_at", "-id"]
        indexes = [models.Index(fields=["station", "done_at"], name="errand_station_time")]
