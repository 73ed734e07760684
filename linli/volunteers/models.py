"""Volunteer teams (党员先锋队, 志愿V站, interest groups), their activities with sign-up and check-in
and check-out on the phone, and the dual registration (双报到) of in-service Party members.

A team hangs on a community and, when it is a compound's, on that compound. Its members are logins:
residents (and Party members living anywhere) through their resident record, partner staff through
a login of their own with no jurisdiction. A member sees the teams, activities and attendances that
are theirs by login (`own`), nothing else of the domain.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.scoping import Scoping

DEFAULT_RADIUS_M = 300


def _grid_compounds(path):
    def rule(ids):
        from linli.places.models import Building, Grid

        return (Q(**{f"{path}compound_id__in": Building.objects.filter(grid_id__in=ids).values("compound_id")})
                | Q(**{f"{path}compound__isnull": True,
                       f"{path}community_id__in": Grid.objects.filter(id__in=ids).values("community_id")}))
    return rule


def _compound_rule(path):
    def rule(ids):
        from linli.places.models import Compound

        return (Q(**{f"{path}compound_id__in": ids})
                | Q(**{f"{path}compound__isnull": True,
                       f"{path}community_id__in": Compound.objects.filter(id__in=ids).values("community_id")}))
    return rule


def _member_teams(s):
    return Member.objects.filter(user_id=s.user_id, active=True).values("team_id")


def team_scoping(path: str = "") -> Scoping:
    """Staff of the community, of the team's compound (or any compound of a community-wide team),
    and of its grids; the team's members by their login."""
    return Scoping(code=f"{path}community__code", compound=_compound_rule(path), grid=_grid_compounds(path),
                   own=lambda s: Q(**{f"{path}id__in" if path else "id__in": _member_teams(s)}))


class Team(models.Model):
    class Kind(models.TextChoices):
        VANGUARD = "vanguard", "党员先锋队"
        V_STATION = "v_station", "志愿V站"
        INTEREST = "interest", "兴趣小组"

    community = models.ForeignKey("places.AdminUnit", verbose_name="所属社区", on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"level": "community"})
    compound = models.ForeignKey("places.Compound", verbose_name="所在小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", help_text="留空表示全社区的队伍")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=60)
    purpose = models.CharField("服务内容", max_length=200, blank=True)
    created_at = models.DateTimeField("成立时间", default=clock.now)
    active = models.BooleanField("在册", default=True)

    scoping = team_scoping()

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["community__code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="volunteer_team_name")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.compound_id and self.community_id and self.compound.community_id != self.community_id:
            raise ValidationError({"compound": "所在小区不在该社区。"})


class Member(models.Model):
    class Kind(models.TextChoices):
        RESIDENT = "resident", "居民志愿者"
        PARTY = "party", "党员"
        IN_SERVICE = "in_service", "在职党员（双报到）"
        PARTNER = "partner", "共建单位职工"

    team = models.ForeignKey(Team, verbose_name="队伍", on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登录账号", on_delete=models.PROTECT,
                             related_name="+")
    resident = models.ForeignKey("people.Resident", verbose_name="居民", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="有居民登记的，时长记入本人的时间银行")
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("身份", max_length=12, choices=Kind.choices)
    partner = models.ForeignKey("orgs.PartnerUnit", verbose_name="共建单位", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField("入队时间", default=clock.now)
    active = models.BooleanField("在队", default=True)

    scoping = Scoping(code="team__community__code", compound=_compound_rule("team__"), grid=_grid_compounds("team__"),
                      own=lambda s: Q(user_id=s.user_id))

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        ordering = ["team", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="volunteer_member_once")]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class Activity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "报名中"
        CANCELLED = "cancelled", "已取消"

    team = models.ForeignKey(Team, verbose_name="队伍", on_delete=models.PROTECT, related_name="activities")
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    title = models.CharField("活动", max_length=60)
    description = models.CharField("内容", max_length=300, blank=True)
    place = models.CharField("地点", max_length=100)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    radius = models.PositiveIntegerField("签到范围（米）", default=DEFAULT_RADIUS_M,
                                         help_text="距活动地点多远以内可以签到")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("名额")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("发布时间", default=clock.now)

    scoping = Scoping(code="community__code", compound=_compound_rule(""), grid=_grid_compounds(""),
                      own=lambda s: Q(team_id__in=_member_teams(s)))

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = "志愿活动"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="volunteer_activity_ends_after"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="volunteer_activity_capacity"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "结束时间须晚于开始时间。"})
        if self.starts_at and self.ends_at and (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
            raise ValidationError({"ends_at": "一次活动不超过 24 小时。"})
        if self.latitude is not None and not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValidationError({"latitude": "经纬度超出范围。"})
        if self.radius is not None and not 20 <= self.radius <= 5000:
            raise ValidationError({"radius": "签到范围须在 20–5000 米之间。"})

    @property
    def hours(self):
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class Attendance(models.Model):
    """One member on one activity: signed up, maybe cancelled, checked in and out with where and how
    accurately, and the hours it earned (capped by the activity) with where they were booked."""

    class Status(models.TextChoices):
        SIGNED = "signed", "已报名"
        CANCELLED = "cancelled", "已取消报名"
        IN = "in", "已签到"
        OUT = "out", "已签退"

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="attendances")
    member = models.ForeignKey(Member, verbose_name="队员", on_delete=models.PROTECT, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登录账号", on_delete=models.PROTECT,
                             related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SIGNED)
    signed_at = models.DateTimeField("报名时间", default=clock.now)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    in_at = models.DateTimeField("签到时间", null=True, blank=True)
    in_latitude = models.DecimalField("签到纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    in_longitude = models.DecimalField("签到经度", max_digits=9, decimal_places=6, null=True, blank=True)
    in_accuracy = models.PositiveIntegerField("签到定位精度（米）", null=True, blank=True)
    in_distance = models.PositiveIntegerField("签到距活动地点（米）", null=True, blank=True)
    out_at = models.DateTimeField("签退时间", null=True, blank=True)
    out_latitude = models.DecimalField("签退纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    out_longitude = models.DecimalField("签退经度", max_digits=9, decimal_places=6, null=True, blank=True)
    out_accuracy = models.PositiveIntegerField("签退定位精度（米）", null=True, blank=True)
    hours = models.DecimalField("服务时长（小时）", max_digits=4, decimal_places=1, null=True, blank=True)
    award = models.ForeignKey("points.Award", verbose_name="积分记录", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    booking = models.CharField("时长记入", max_length=200, blank=True)

    scoping = Scoping(code="activity__community__code", compound=_compound_rule("activity__"),
                      grid=_grid_compounds("activity__"), own=lambda s: Q(user_id=s.user_id))

    class Meta:
        verbose_name = "报名与签到"
        verbose_name_plural = "报名与签到"
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="volunteer_attendance_once"),
            # One open check-in per login: a second at the same time is refused by the database too.
            models.UniqueConstraint(fields=["user"], condition=Q(status="in"), name="volunteer_one_open_checkin"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="volunteer_attendance_user")]

    def __str__(self):
        return f"{self.member.name} · {self.activity}"


class DualRegistration(models.Model):
    """An in-service Party member's report to the community where they live (双报到), on behalf of their
    employer's Party organisation. One open registration per member (ended ones stay as history)."""

    member = models.ForeignKey("people.PartyMember", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="+")
    community = models.ForeignKey("places.AdminUnit", verbose_name="报到社区", on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"level": "community"})
    employer = models.CharField("工作单位（党组织）", max_length=100)
    registered_on = models.DateField("报到日期", default=clock.today)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    scoping = Scoping(code="community__code", own=lambda s: Q(member__resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "双报到"
        verbose_name_plural = "双报到"
        ordering = ["-registered_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True),
                                               name="volunteer_one_open_registration")]

    def __str__(self):
        return f"{self.member.resident.name} → {self.community}"
