"""Property governance: area-wide contracts, trust-based accounts, common resources, star ratings, funding.

Who serves a compound and how (the service history) lives in `orgs.PropertyService`; this app adds
what hangs on it. Money is `Decimal` with two places throughout, never float.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.models import AppendOnlyError
from linli.core.scoping import Scoping
from linli.places.models import compound_ids_in_grids

MONEY = {"max_digits": 14, "decimal_places": 2}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _owner_compounds(scope):
    """Compounds where the signed-in resident is an owner (a subquery: owners see every line)."""
    from linli.people.models import Resident

    return Resident.objects.filter(pk__in=scope.resident_ids, is_owner=True).values(
        "household__dwelling__entrance__building__compound_id")


def _by_compound(path: str, *, owners_only: bool = False) -> Scoping:
    """Scoping for rows that hang on one compound through `path` (a lookup to the compound id)."""
    base = path[: -len("_id")] if path.endswith("_id") else path

    def resident_rule(scope):
        if owners_only:
            return Q(**{f"{path}__in": _owner_compounds(scope)})
        return Q(**{f"{path}__in": scope.home_compound_ids})

    return Scoping(code=f"{base}__community__code", compound=path,
                   grid=lambda ids: Q(**{f"{path}__in": compound_ids_in_grids(ids)}),
                   own=resident_rule)


# --- area-wide property -----------------------------------------------------------------------------

def _contracts_with_compounds(compounds_q: Q) -> Q:
    through = AreaContract.compounds.through
    return Q(pk__in=through.objects.filter(compounds_q).values("areacontract_id"))


def _contracts_under(prefixes) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(compound__community__code__startswith=prefix)
    return _contracts_with_compounds(q)


class AreaContract(models.Model):
    """片区大物业: neighbouring compounds served by one company (or body) under one contract."""

    name = models.CharField("片区名称", max_length=100)
    company = models.ForeignKey("orgs.PropertyCompany", verbose_name="物业企业", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="area_contracts")
    provider_name = models.CharField("服务主体（非企业）", max_length=100, blank=True)
    compounds = models.ManyToManyField("places.Compound", verbose_name="覆盖小区", related_name="area_contracts")
    start = models.DateField("合同开始")
    end = models.DateField("合同结束", null=True, blank=True)
    fee_rate = models.DecimalField("物业费(元/m²·月)", max_digits=6, decimal_places=2, null=True, blank=True)

    scoping = Scoping(code=_contracts_under,
                      compound=lambda ids: _contracts_with_compounds(Q(compound_id__in=ids)),
                      grid=lambda ids: _contracts_with_compounds(Q(compound_id__in=compound_ids_in_grids(ids))),
                      own=lambda s: _contracts_with_compounds(Q(compound_id__in=s.home_compound_ids)))

    class Meta:
        verbose_name = "片区大物业合同"
        verbose_name_plural = "片区大物业合同"
        ordering = ["-start", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": "合同结束不能早于合同开始。"})
        if not self.company_id and not self.provider_name:
            raise ValidationError({"company": "请选择物业企业或填写服务主体。"})


# --- common resources -------------------------------------------------------------------------------

class CommonResource(models.Model):
    """A common part of a compound that earns revenue for the owners (闲置用房、车位、公共场地、边角地块)."""

    class Kind(models.TextChoices):
        IDLE_ROOM = "idle_room", "闲置用房"
        PARKING = "parking", "停车位/停车场"
        COMMON_AREA = "common_area", "公共场地"
        SMALL_PLOT = "small_plot", "边角地块"
        AD_SPACE = "ad_space", "广告位"

    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="common_resources")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    size = models.DecimalField("面积(m²)或数量", max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    scoping = _by_compound("compound_id")

    class Meta:
        verbose_name = "公共资源"
        verbose_name_plural = "公共资源"
        ordering = ["compound", "kind", "name"]

    def __str__(self):
        return f"{self.compound} · {self.name}"


class RevenueContract(models.Model):
    class Period(models.TextChoices):
        MONTH = "month", "按月"
        YEAR = "year", "按年"
        ONCE = "once", "一次性"

    resource = models.ForeignKey(CommonResource, verbose_name="公共资源", on_delete=models.PROTECT,
                                 related_name="contracts")
    counterparty = models.CharField("承租/使用方", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    amount = models.DecimalField("金额(元)", **MONEY)
    period = models.CharField("计费周期", max_length=8, choices=Period.choices, default=Period.MONTH)
    note = models.CharField("说明", max_length=300, blank=True)

    scoping = _by_compound("resource__compound_id")

    class Meta:
        verbose_name = "收益合同"
        verbose_name_plural = "收益合同"
        ordering = ["resource", "-start"]

    def __str__(self):
        return f"{self.resource.name} · {self.counterparty}"

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": "结束日期不能早于开始日期。"})
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": "金额必须大于零。"})

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


# --- trust-based property: the co-managed account ------------------------------------------------

class TrustAccount(models.Model):
    """共管账户 of a trust-based compound: all common revenue belongs to the owners, every line is public."""

    compound = models.OneToOneField("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                    related_name="trust_account")
    name = models.CharField("账户名称", max_length=100)
    bank_account = models.CharField("银行共管账号", max_length=40, blank=True)
    company = models.ForeignKey("orgs.PropertyCompany", verbose_name="受托物业企业", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="trust_accounts")
    opened_on = models.DateField("开户日期")
    balance = models.DecimalField("余额(元)", default=0, **MONEY)
    last_seq = models.PositiveIntegerField("最新分录号", default=0)
    closed_through = models.DateField("已结账至（月）", null=True, blank=True,
                                      help_text="该月及以前的月份已结账，不能再记账")

    scoping = _by_compound("compound_id", owners_only=True)

    class Meta:
        verbose_name = "信托制物业共管账户"
        verbose_name_plural = "信托制物业共管账户"
        ordering = ["compound"]

    def __str__(self):
        return self.name

    def is_closed(self, month: dt.date) -> bool:
        return self.closed_through is not None and month_start(month) <= self.closed_through


class Entry(models.Model):
    """One posted line of a trust account. Never changed or deleted: a mistake is reversed by a new line."""

    class Kind(models.TextChoices):
        FEE = "fee", "物业费收入"
        PARKING = "parking", "停车收益"
        ADVERTISING = "advertising", "广告收益"
        RENT = "rent", "闲置用房/公共场地租金"
        OTHER_INCOME = "other_income", "其他收入"
        STAFF = "staff", "人员工资"
        CLEANING = "cleaning", "保洁绿化"
        SECURITY = "security", "秩序维护"
        REPAIR = "repair", "维修养护"
        UTILITIES = "utilities", "公共水电"
        MANAGEMENT = "management", "物业酬金"
        OTHER_EXPENSE = "other_expense", "其他支出"

    INCOME = frozenset({"fee", "parking", "advertising", "rent", "other_income"})
    # Revenue from common resources: these may (and from a contract, must) name the resource.
    RESOURCE_KINDS = frozenset({"parking", "advertising", "rent"})

    account = models.ForeignKey(TrustAccount, verbose_name="账户", on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField("分录号")
    month = models.DateField("所属月份")
    date = models.DateField("发生日期")
    kind = models.CharField("科目", max_length=16, choices=Kind.choices)
    # Signed: income positive, expense negative; a reversal carries the opposite sign of what it reverses.
    amount = models.DecimalField("金额(元)", **MONEY)
    description = models.CharField("摘要", max_length=200)
    resource = models.ForeignKey(CommonResource, verbose_name="公共资源", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="entries")
    contract = models.ForeignKey(RevenueContract, verbose_name="收益合同", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="entries")
    invoice = models.FileField("发票/凭证扫描件", upload_to="property/invoices/%Y/%m/", blank=True)
    invoice_sha256 = models.CharField("凭证摘要", max_length=64, blank=True)
    reverses = models.OneToOneField("self", verbose_name="冲销的分录", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversal")
    balance_after = models.DecimalField("记账后余额(元)", **MONEY)
    posted_at = models.DateTimeField("记账时间", default=clock.now)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记账人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    scoping = _by_compound("account__compound_id", owners_only=True)

    class Meta:
        verbose_name = "账户分录"
        verbose_name_plural = "账户分录"
        ordering = ["account", "-seq"]
        constraints = [models.UniqueConstraint(fields=["account", "seq"], name="trust_entry_seq_unique")]
        indexes = [models.Index(fields=["account", "month"])]

    def __str__(self):
        return f"{self.account} #{self.seq} {self.get_kind_display()} {self.amount}"

    @property
    def is_income(self) -> bool:
        return self.kind in self.INCOME

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("已记账的分录不能修改，只能冲销。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("已记账的分录不能删除，只能冲销。")


class MonthClose(models.Model):
    account = models.ForeignKey(TrustAccount, verbose_name="账户", on_delete=models.PROTECT, related_name="closes")
    month = models.DateField("月份")
    closed_at = models.DateTimeField("结账时间", default=clock.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结账人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    scoping = _by_compound("account__compound_id", owners_only=True)

    class Meta:
        verbose_name = "月度结账"
        verbose_name_plural = "月度结账"
        ordering = ["account", "-month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="trust_month_close_once")]

    def __str__(self):
        return f"{self.account} {month_label(self.month)}"


class Statement(models.Model):
    """The monthly statement, published to the compound's owners (公示)."""

    account = models.ForeignKey(TrustAccount, verbose_name="账户", on_delete=models.PROTECT,
                                related_name="statements")
    month = models.DateField("月份")
    opening = models.DecimalField("期初余额(元)", **MONEY)
    income = models.DecimalField("本月收入(元)", **MONEY)
    expense = models.DecimalField("本月支出(元)", **MONEY)
    closing = models.DecimalField("期末余额(元)", **MONEY)
    totals = models.JSONField("分科目合计", default=dict, help_text="科目代码 → 金额（字符串，两位小数）")
    entry_count = models.PositiveIntegerField("分录笔数", default=0)
    first_seq = models.PositiveIntegerField("首笔分录号", null=True, blank=True)
    last_seq = models.PositiveIntegerField("末笔分录号", null=True, blank=True)
    gaps = models.JSONField("对账发现的问题", default=list, blank=True)
    published_at = models.DateTimeField("公示时间", default=clock.now)

    scoping = _by_compound("account__compound_id", owners_only=True)

    class Meta:
        verbose_name = "月度收支公示"
        verbose_name_plural = "月度收支公示"
        ordering = ["account", "-month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="trust_statement_once")]

    def __str__(self):
        return f"{self.account.compound} {month_label(self.month)}收支公示"

    @property
    def title(self) -> str:
        return str(self)


# --- star ratings ----------------------------------------------------------------------------------

class RatingScheme(models.Model):
    """星级小区评定办法: weighted criteria for the street's review, combined with residents' satisfaction.

    Schemes are public rules: every signed-in user may read them.
    """

    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey("places.AdminUnit", verbose_name="制定单位", on_delete=models.PROTECT,
                             related_name="rating_schemes")
    survey_weight = models.DecimalField("满意度权重(%)", max_digits=5, decimal_places=2, default=40)
    review_weight = models.DecimalField("街道评审权重(%)", max_digits=5, decimal_places=2, default=60)
    # Total score needed for 1..5 stars (ascending); below the first threshold no star is given.
    thresholds = models.JSONField("星级分数线", default=list, help_text="1 至 5 星所需总分，由低到高")

    # Q() would vanish when OR-ed with the other terms, so "every row" is spelled out.
    scoping = Scoping(code=lambda v: Q(pk__isnull=False), compound=lambda v: Q(pk__isnull=False),
                      grid=lambda v: Q(pk__isnull=False), own=lambda s: Q(pk__isnull=False))

    class Meta:
        verbose_name = "星级评定办法"
        verbose_name_plural = "星级评定办法"
        ordering = ["-year", "name"]

    def __str__(self):
        return f"{self.year}年 {self.name}"

    def clean(self):
        if (self.survey_weight or 0) + (self.review_weight or 0) != 100:
            raise ValidationError("满意度权重与街道评审权重之和须为 100。")
        marks = self.thresholds or []
        if len(marks) != 5 or any(not isinstance(m, int | float) for m in marks) or sorted(marks) != marks:
            raise ValidationError({"thresholds": "星级分数线须为 5 个由低到高的分数。"})


class RatingCriterion(models.Model):
    scheme = models.ForeignKey(RatingScheme, verbose_name="评定办法", on_delete=models.CASCADE,
                               related_name="criteria")
    name = models.CharField("评审项目", max_length=100)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField("满分", default=100)

    scoping = RatingScheme.scoping

    class Meta:
        verbose_name = "评审项目"
        verbose_name_plural = "评审项目"
        ordering = ["scheme", "id"]

    def __str__(self):
        return self.name


class SurveyResponse(models.Model):
    """One resident's satisfaction with their own compound's property service (1–5)."""

    scheme = models.ForeignKey(RatingScheme, verbose_name="评定办法", on_delete=models.PROTECT,
                               related_name="responses")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="satisfaction_responses")
    resident = models.ForeignKey("people.Resident", verbose_name="居民", on_delete=models.PROTECT,
                                 related_name="satisfaction_responses")
    score = models.PositiveSmallIntegerField("满意度(1–5)")
    comment = models.CharField("意见", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=clock.now)

    scoping = Scoping(code="compound__community__code", compound="compound_id",
                      grid=lambda ids: Q(compound_id__in=compound_ids_in_grids(ids)),
                      own=lambda s: Q(resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["scheme", "compound", "resident"],
                                               name="survey_once_per_resident")]

    def __str__(self):
        return f"{self.compound} {self.score}"


class Assessment(models.Model):
    """The year's rating of one compound: the street's review combined with the residents' survey."""

    scheme = models.ForeignKey(RatingScheme, verbose_name="评定办法", on_delete=models.PROTECT,
                               related_name="assessments")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="star_assessments")
    year = models.PositiveSmallIntegerField("年度")
    company = models.ForeignKey("orgs.PropertyCompany", verbose_name="服务企业", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="star_assessments")
    survey_score = models.DecimalField("满意度得分", max_digits=5, decimal_places=2)
    survey_count = models.PositiveIntegerField("测评人数")
    review_score = models.DecimalField("街道评审得分", max_digits=5, decimal_places=2)
    total = models.DecimalField("总分", max_digits=5, decimal_places=2)
    stars = models.PositiveSmallIntegerField("星级")
    scores = models.JSONField("分项得分", default=dict)
    assessed_at = models.DateTimeField("评定时间", default=clock.now)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评定人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scoping = _by_compound("compound_id")

    class Meta:
        verbose_name = "星级评定"
        verbose_name_plural = "星级评定"
        ordering = ["-year", "compound"]
        constraints = [models.UniqueConstraint(fields=["compound", "year"], name="one_star_rating_per_year")]

    def __str__(self):
        return f"{self.compound} {self.year}年 {self.stars}星"


# --- funding -----------------------------------------------------------------------------------------

class FundKind(models.TextChoices):
    PARTY_BUILDING = "party_building", "小区党支部党建经费"
    STATION_AWARD = "station_award", "服务站验收奖补"
    SUBSIDY = "subsidy", "无物业小区过渡补贴"


class Budget(models.Model):
    unit = models.ForeignKey("places.AdminUnit", verbose_name="预算单位", on_delete=models.PROTECT,
                             related_name="property_budgets")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=16, choices=FundKind.choices)
    amount = models.DecimalField("预算金额(元)", **MONEY)
    note = models.CharField("说明", max_length=200, blank=True)

    scoping = Scoping(code="unit__code")

    class Meta:
        verbose_name = "经费预算"
        verbose_name_plural = "经费预算"
        ordering = ["-year", "unit__code", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "kind"], name="one_budget_per_kind")]

    def __str__(self):
        return f"{self.unit} {self.year}年{self.get_kind_display()}"


class Grant(models.Model):
    """Money committed from a budget to a compound branch, a service station or a compound."""

    budget = models.ForeignKey(Budget, verbose_name="预算", on_delete=models.PROTECT, related_name="grants")
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="+")
    compound = models.ForeignKey("places.Compound", verbose_name="小区", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    party_org = models.ForeignKey("orgs.PartyOrg", verbose_name="党支部", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey("stations.Station", verbose_name="服务站", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额(元)", **MONEY)
    basis = models.CharField("依据", max_length=200)
    granted_at = models.DateTimeField("下达时间", default=clock.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scoping = Scoping(code="community__code", compound="compound_id",
                      grid=lambda ids: Q(community_id__in=_grid_communities(ids)))

    class Meta:
        verbose_name = "经费下达"
        verbose_name_plural = "经费下达"
        ordering = ["-granted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["budget", "party_org"], condition=Q(party_org__isnull=False),
                                               name="one_party_grant_per_budget"),
                       models.UniqueConstraint(fields=["station"], condition=Q(station__isnull=False),
                                               name="one_award_per_station")]

    def __str__(self):
        return f"{self.budget.get_kind_display()} · {self.compound or self.party_org or self.community} · {self.amount}"


def _grid_communities(ids):
    from linli.places.models import Grid

    return Grid.objects.filter(pk__in=ids).values("community_id")


class Disbursement(models.Model):
    grant = models.ForeignKey(Grant, verbose_name="经费", on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField("拨付金额(元)", **MONEY)
    paid_on = models.DateField("拨付日期")
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField("登记时间", default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    scoping = Scoping(code="grant__community__code", compound="grant__compound_id",
                      grid=lambda ids: Q(grant__community_id__in=_grid_communities(ids)))

    class Meta:
        verbose_name = "经费拨付"
        verbose_name_plural = "经费拨付"
        ordering = ["-paid_on", "-id"]

    def __str__(self):
        return f"{self.grant} 拨付 {self.amount}"
