"""Points (积分), the time bank (时间银行) and the points supermarket (积分超市).

Points are treated like money. Every movement is a `Transfer` between two `Account`s, booked as
two `Entry` rows (one per account, amounts summing to zero), so the sum over all accounts is always
zero and any balance is explained entry by entry.

Accounts:
- one issuing account per community (积分发放账户): awards are paid from it, deductions and spent
  points return to it; it is the only account allowed below zero;
- one shop escrow account per community (积分超市暂存账户): a redemption moves the points there
  while the item waits for pickup; pickup settles them to the issuing account, a cancellation
  refunds them to the resident;
- one account per resident and one per household. The household account is a real ledger account
  for points awarded to the household as a whole (e.g. 门前三包, a civilised-household bonus); the
  household total shown in reports is the household account plus its members' accounts.

Entries are append-only and hash-chained per account: each stores the previous entry's hash and a
SHA-256 over its own content plus that hash, so a changed or removed row breaks the chain
(`linli ledger-verify`).
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.models import AppendOnlyError
from linli.core.scoping import Scoping

HOUSE = "dwelling__entrance__building__"
GENESIS = "0" * 64


def _community_of_compounds(path: str):
    def term(ids):
        from linli.places.models import Compound

        return Q(**{f"{path}__in": Compound.objects.filter(id__in=ids).values("community_id")})
    return term


def _community_of_grids(path: str):
    def term(ids):
        from linli.places.models import Grid

        return Q(**{f"{path}__in": Grid.objects.filter(id__in=ids).values("community_id")})
    return term


def _home_community(path: str):
    def own(scope):
        from linli.places.models import Compound

        return Q(**{f"{path}__in": Compound.objects.filter(id__in=scope.home_compound_ids).values("community_id")})
    return own


def community_scoping(path: str = "community") -> Scoping:
    """Community-wide things (rules, goods, windows): staff below the community and its residents see them."""
    return Scoping(code=f"{path}__code", compound=_community_of_compounds(f"{path}_id"),
                   grid=_community_of_grids(f"{path}_id"), own=_home_community(f"{path}_id"))


class Category(models.TextChoices):
    STUDY = "study", "教育管理类"
    PUBLIC_GOOD = "public_good", "社区公益类"
    LAW = "law", "遵纪守法类"


class Audience(models.TextChoices):
    PARTY = "party", "党员"
    RESIDENT = "resident", "居民"


class Period(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half_year", "每半年"
    YEAR = "year", "每年"


class PointRule(models.Model):
    class Unit(models.TextChoices):
        TIME = "time", "每次"
        HOUR = "hour", "每小时（时间银行）"

    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="point_rules", limit_choices_to={"level": "community"})
    audience = models.CharField("适用对象", max_length=10, choices=Audience.choices, default=Audience.RESIDENT)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    code = models.SlugField("代码", max_length=30)
    name = models.CharField("名称", max_length=100)
    points = models.IntegerField("分值", help_text="正数为加分，负数为扣分；按小时计的规则为每小时分值（时间银行折算率）")
    unit = models.CharField("计分单位", max_length=8, choices=Unit.choices, default=Unit.TIME)
    evidence = models.CharField("所需凭证", max_length=200, blank=True, help_text="如：签到表、活动照片、调解记录")
    period = models.CharField("上限周期", max_length=10, choices=Period.choices, default=Period.MONTH)
    cap = models.PositiveIntegerField("周期上限（分）", null=True, blank=True, help_text="每人每周期最多加（扣）的分数；留空不设上限")
    active = models.BooleanField("启用", default=True)

    scoping = community_scoping()

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["community", "audience", "category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "audience", "code"], name="points_rule_code_unique"),
            models.CheckConstraint(condition=~Q(points=0), name="points_rule_points_nonzero"),
        ]

    def __str__(self):
        return f"{self.name}（{self.points:+d}{'分/小时' if self.unit == self.Unit.HOUR else '分'}）"


class Account(models.Model):
    class Kind(models.TextChoices):
        ISSUING = "issuing", "社区积分发放账户"
        SHOP = "shop", "积分超市暂存账户"
        RESIDENT = "resident", "居民积分账户"
        HOUSEHOLD = "household", "家庭积分账户"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="point_accounts")
    resident = models.OneToOneField("people.Resident", verbose_name="居民", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="point_account")
    household = models.OneToOneField("people.Household", verbose_name="户", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="point_account")
    # Cached, updated under the row lock in the same transaction as the entries it sums.
    balance = models.BigIntegerField("余额", default=0)
    last_seq = models.PositiveIntegerField("分录数", default=0)
    last_hash = models.CharField("末笔哈希", max_length=64, default=GENESIS)
    opened_at = models.DateTimeField("开户时间", default=clock.now)

    scoping = Scoping(
        code="community__code",
        compound=lambda ids: (Q(**{f"resident__household__{HOUSE}compound_id__in": ids})
                              | Q(**{f"household__{HOUSE}compound_id__in": ids})),
        grid=lambda ids: (Q(**{f"resident__household__{HOUSE}grid_id__in": ids})
                          | Q(**{f"household__{HOUSE}grid_id__in": ids})),
        own=lambda s: Q(resident_id__in=s.resident_ids) | Q(household_id__in=s.household_ids),
    )

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"], condition=Q(kind__in=["issuing", "shop"]),
                                    name="points_account_one_per_community"),
            # Only the issuer may be overdrawn: a person's (or the shop's) points cannot go below zero.
            models.CheckConstraint(condition=Q(kind="issuing") | Q(balance__gte=0),
                                   name="points_account_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind="resident", resident__isnull=False, household__isnull=True)
                           | Q(kind="household", household__isnull=False, resident__isnull=True)
                           | Q(kind__in=["issuing", "shop"], resident__isnull=True, household__isnull=True)),
                name="points_account_owner_matches_kind",
            ),
        ]

    def __str__(self):
        owner = self.resident or self.household or self.community
        return f"{self.get_kind_display()} · {owner}"


class Transfer(models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", "奖励积分"
        DEDUCTION = "deduction", "扣减积分"
        CORRECTION = "correction", "更正冲销"
        RESERVE = "reserve", "兑换冻结"
        SETTLE = "settle", "兑换核销"
        REFUND = "refund", "兑换退还"

    key = models.CharField("幂等键", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    source = models.ForeignKey(Account, verbose_name="转出账户", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Account, verbose_name="转入账户", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField("积分")
    reason = models.CharField("事由", max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=clock.now)

    class Meta:
        verbose_name = "积分转账"
        verbose_name_plural = "积分转账"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="points_transfer_two_accounts"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} 分：{self.reason}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("积分转账只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("积分转账只能追加，不能删除；更正请记一笔冲销。")


class Entry(models.Model):
    account = models.ForeignKey(Account, verbose_name="账户", on_delete=models.PROTECT, related_name="entries")
    transfer = models.ForeignKey(Transfer, verbose_name="转账", on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField("序号")
    amount = models.BigIntegerField("发生额")
    balance_after = models.BigIntegerField("余额")
    at = models.DateTimeField("时间")
    prev_hash = models.CharField("前笔哈希", max_length=64)
    hash = models.CharField("本笔哈希", max_length=64, unique=True)

    scoping = Scoping(
        code="account__community__code",
        compound=lambda ids: (Q(**{f"account__resident__household__{HOUSE}compound_id__in": ids})
                              | Q(**{f"account__household__{HOUSE}compound_id__in": ids})),
        grid=lambda ids: (Q(**{f"account__resident__household__{HOUSE}grid_id__in": ids})
                          | Q(**{f"account__household__{HOUSE}grid_id__in": ids})),
        own=lambda s: Q(account__resident_id__in=s.resident_ids) | Q(account__household_id__in=s.household_ids),
    )

    class Meta:
        verbose_name = "积分分录"
        verbose_name_plural = "积分分录"
        ordering = ["account", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="points_entry_seq_unique"),
            models.UniqueConstraint(fields=["account", "transfer"], name="points_entry_one_per_side"),
        ]

    def __str__(self):
        return f"#{self.pk} 账户{self.account_id} 第{self.seq}笔 {self.amount:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("积分分录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("积分分录只能追加，不能删除。")

    def content(self, transfer: Transfer) -> dict:
        return {
            "account": self.account_id, "seq": self.seq, "transfer": transfer.key, "kind": transfer.kind,
            "source": transfer.source_id, "target": transfer.target_id, "reason": transfer.reason,
            "amount": self.amount, "balance_after": self.balance_after,
            "at": self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        }

    def compute_hash(self, transfer: Transfer) -> str:
        body = json.dumps(self.content(transfer), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256((body + self.prev_hash).encode()).hexdigest()


def _award_own(scope):
    return Q(resident_id__in=scope.resident_ids) | Q(resident__isnull=True, household_id__in=scope.household_ids)


class Award(models.Model):
    """A claim or grant of points for a verified activity, citing its rule and source record."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        BOOKED = "booked", "已记分"
        REJECTED = "rejected", "未通过"

    class Source(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿服务"
        MEETING = "meeting", "会议/学习"
        PATROL = "patrol", "巡逻"
        MEDIATION = "mediation", "调解"
        CASE = "case", "协助办结诉求"
        OTHER = "other", "其他"

    key = models.CharField("幂等键", max_length=100, unique=True)
    rule = models.ForeignKey(PointRule, verbose_name="积分规则", on_delete=models.PROTECT, related_name="awards")
    household = models.ForeignKey("people.Household", verbose_name="户", on_delete=models.PROTECT,
                                  related_name="point_awards")
    resident = models.ForeignKey("people.Resident", verbose_name="居民", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="point_awards",
                                 help_text="留空表示记入家庭账户")
    quantity = models.DecimalField("数量（次/小时）", max_digits=7, decimal_places=2, default=1)
    points = models.IntegerField("积分")
    source_type = models.CharField("来源类型", max_length=30, default=Source.OTHER)
    source_id = models.CharField("来源记录", max_length=64, blank=True)
    evidence = models.CharField("凭证说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报/录入人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)
    transfer = models.OneToOneField(Transfer, verbose_name="记账", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="award")
    corrects = models.OneToOneField("self", verbose_name="冲销的记录", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="correction")
    created_at = models.DateTimeField("创建时间", default=clock.now, db_index=True)

    scoping = Scoping(code=f"household__{HOUSE}compound__community__code",
                      compound=f"household__{HOUSE}compound_id", grid=f"household__{HOUSE}grid_id", own=_award_own)

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["rule", "resident", "status", "created_at"])]

    def __str__(self):
        return f"{self.resident or self.household} · {self.rule.name} · {self.points:+d}"

    @property
    def source_label(self) -> str:
        try:
            return self.Source(self.source_type).label
        except ValueError:
            return self.source_type


class Goods(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", "实物"
        SERVICE = "service", "服务"

    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="point_goods", limit_choices_to={"level": "community"})
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.GOODS)
    description = models.CharField("说明", max_length=300, blank=True)
    price = models.PositiveIntegerField("所需积分")
    stock = models.PositiveIntegerField("库存")
    limit_per_person = models.PositiveIntegerField("每人每期限兑", default=1)
    active = models.BooleanField("上架", default=True)

    scoping = community_scoping()

    class Meta:
        verbose_name = "积分超市商品"
        verbose_name_plural = "积分超市商品"
        ordering = ["community", "price", "name"]
        constraints = [
            # The message is what a manager reads when the form or API breaks the rule (else the name).
            models.CheckConstraint(condition=Q(price__gt=0), name="points_goods_price_positive",
                                   violation_error_message="所需积分须大于 0。"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_goods_stock_not_negative"),
            models.CheckConstraint(condition=Q(limit_per_person__gt=0), name="points_goods_limit_positive",
                                   violation_error_message="每人每期限兑数量须大于 0。"),
        ]

    def __str__(self):
        return self.name


DEFAULT_PICKUP_HOURS = "工作日 9:00–12:00、14:00–17:30"


class RedemptionWindow(models.Model):
    community = models.ForeignKey("places.AdminUnit", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="point_windows", limit_choices_to={"level": "community"})
    name = models.CharField("名称", max_length=60)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("结束时间")
    # Where and when a resident collects what they redeemed: shown on the confirmation and the voucher.
    pickup_place = models.CharField("领取地点", max_length=100, blank=True,
                                    help_text="留空：社区党群服务中心")
    pickup_hours = models.CharField("领取时间", max_length=100, blank=True,
                                    help_text="留空：工作日 9:00–12:00、14:00–17:30")

    scoping = community_scoping()

    class Meta:
        verbose_name = "兑换期"
        verbose_name_plural = "兑换期"
        ordering = ["community", "-opens_at"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="points_window_closes_after_opening")]

    def __str__(self):
        return self.name

    def is_open(self, at) -> bool:
        return self.opens_at <= at < self.closes_at

    @property
    def pickup_place_shown(self) -> str:
        return self.pickup_place or f"{self.community.name}党群服务中心"

    @property
    def pickup_hours_shown(self) -> str:
        return self.pickup_hours or DEFAULT_PICKUP_HOURS


class Redemption(models.Model):
    class Status(models.TextChoices):
        RESERVED = "reserved", "待领取"
        COMPLETED = "completed", "已领取"
        CANCELLED = "cancelled", "已取消（积分已退还）"

    key = models.CharField("幂等键", max_length=100, unique=True)
    goods = models.ForeignKey(Goods, verbose_name="商品", on_delete=models.PROTECT, related_name="redemptions")
    window = models.ForeignKey(RedemptionWindow, verbose_name="兑换期", on_delete=models.PROTECT,
                               related_name="redemptions")
    resident = models.ForeignKey("people.Resident", verbose_name="居民", on_delete=models.PROTECT,
                                 related_name="point_redemptions")
    quantity = models.PositiveIntegerField("数量", default=1)
    points = models.PositiveIntegerField("积分")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RESERVED)
    reserve_transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")
    close_transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    created_at = models.DateTimeField("兑换时间", default=clock.now, db_index=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    # Six digits the resident shows at the station; the station types it to hand the item over, so a
    # reservation cannot be collected by someone who only knows the resident's name.
    pickup_code = models.CharField("领取码", max_length=6, blank=True)

    scoping = Scoping(code=f"resident__household__{HOUSE}compound__community__code",
                      compound=f"resident__household__{HOUSE}compound_id",
                      grid=f"resident__household__{HOUSE}grid_id",
                      own=lambda s: Q(resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "积分兑换"
        verbose_name_plural = "积分兑换"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["goods", "resident", "window", "status"])]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="points_redemption_quantity_positive")]

    def __str__(self):
        return f"{self.resident} · {self.goods} ×{self.quantity}"
