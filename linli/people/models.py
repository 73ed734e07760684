import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core import clock, crypto
from linli.core.fields import EncryptedTextField
from linli.core.scoping import Scoping
from linli.core.validators import (
    id_birth_date,
    id_gender,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)

ELDERLY_AGE = 65
TAIL = 4  # the digits a masked ID number or phone shows at its end


def tail_hash(value: str) -> str:
    """A keyed digest of the last digits of a number, so a resident can be found by the tail that the
    masked value shows (身份证/手机尾号) without any part of the number stored in clear."""
    if len(value or "") < TAIL:
        return ""
    return crypto.lookup_hash(f"tail:{value[-TAIL:]}")[:16]


class Household(models.Model):
    dwelling = models.ForeignKey("places.Dwelling", verbose_name="房屋", on_delete=models.PROTECT,
                                 related_name="households")
    number = models.CharField("户号", max_length=30, blank=True)

    scoping = Scoping(code="dwelling__entrance__building__compound__community__code",
                      compound="dwelling__entrance__building__compound_id",
                      grid="dwelling__entrance__building__grid_id",
                      own=lambda s: Q(id__in=s.household_ids))

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        ordering = ["dwelling"]

    def __str__(self):
        return f"{self.dwelling} {self.number}".strip()

    def sight_users(self):
        # Moving a household moves its members' home compound.
        if self.pk is None:
            return []
        return self.members.filter(user__isnull=False).values_list("user_id", flat=True)

    @property
    def head(self):
        return self.members.filter(relation=Resident.Relation.HEAD).first()


class CareTag(models.Model):
    """A group that gets care (living alone, empty-nest, chronic illness, disabled, low-income)."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30)

    class Meta:
        verbose_name = "关爱标签"
        verbose_name_plural = "关爱标签"
        ordering = ["code"]

    def __str__(self):
        return self.name


# Legally sensitive tags: stored encrypted on the resident, need-to-know only.
SENSITIVE_TAGS = {
    "correction": "社区矫正",
    "rehabilitation": "社区戒毒康复",
    "mental": "严重精神障碍",
}


class Resident(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDCHILD = "grandchild", "孙子女"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        REGISTERED = "registered", "户籍"
        LIVING = "living", "常住"
        FLOATING = "floating", "流动"
        TENANT = "tenant", "租户"

    name = models.CharField("姓名", max_length=50, db_index=True)
    id_number = EncryptedTextField("身份证号", blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True, editable=False)
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False, db_index=True)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_tail_hash = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    phone_tail_hash = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    email = models.EmailField("电子邮箱", blank=True)
    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.PROTECT, related_name="members")
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices, default=Relation.HEAD)
    status = models.CharField("居住状态", max_length=16, choices=Status.choices, default=Status.REGISTERED)
    care_tags = models.ManyToManyField(CareTag, verbose_name="关爱标签", blank=True, related_name="residents")
    sensitive_tags = EncryptedTextField("敏感标签", blank=True, help_text="逗号分隔的代码，加密存储")
    is_owner = models.BooleanField("业主", default=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="resident")

    scoping = Scoping(code="household__dwelling__entrance__building__compound__community__code",
                      compound="household__dwelling__entrance__building__compound_id",
                      grid="household__dwelling__entrance__building__grid_id",
                      own=lambda s: Q(household_id__in=s.household_ids))

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""),
                                    name="resident_id_number_unique"),
        ]
        permissions = [("view_sensitive", "查看未脱敏的敏感信息")]

    def __str__(self):
        return self.name

    def sight_users(self):
        return [self.user_id]

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                self.id_number = validate_id_number(self.id_number, today=clock.today())
            except ValidationError as exc:
                errors["id_number"] = exc.messages
        if self.phone:
            try:
                self.phone = validate_phone(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        unknown = set(self.sensitive_tag_codes) - set(SENSITIVE_TAGS)
        if unknown:
            errors["sensitive_tags"] = [f"未知的敏感标签：{'、'.join(sorted(unknown))}"]
        if errors:
            raise ValidationError(errors)

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        if self.id_number:
            digest = crypto.lookup_hash(self.id_number)
            clash = Resident.objects.filter(id_number_hash=digest).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"id_number": "该身份证号已登记在其他居民名下。"})

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def derive(self, *, id_number_hash: str | None = None) -> None:
        """The derived columns follow the sensitive values they come from (set-based writers call this,
        as `bulk_create` skips `save`; a writer that already holds the ID number's hash passes it)."""
        if id_number_hash is None:
            id_number_hash = crypto.lookup_hash(self.id_number) if self.id_number else ""
        self.id_number_hash = id_number_hash if self.id_number else ""
        self.phone_hash = crypto.lookup_hash(self.phone) if self.phone else ""
        self.id_number_tail_hash = tail_hash(self.id_number)
        self.phone_tail_hash = tail_hash(self.phone)
        if self.id_number and len(self.id_number) == 18:
            self.birth_date = id_birth_date(self.id_number)
            self.gender = id_gender(self.id_number)

    @property
    def sensitive_tag_codes(self) -> list[str]:
        return [t for t in (self.sensitive_tags or "").split(",") if t]

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = clock.today()
        return today.year - self.birth_date.year - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def is_elderly(self) -> bool:
        return self.age is not None and self.age >= ELDERLY_AGE

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


def elderly_born_before(today: dt.date) -> dt.date:
    """Residents born on or before this date are 65 or older today."""
    try:
        return today.replace(year=today.year - ELDERLY_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ELDERLY_AGE, day=28)


class PartyMember(models.Model):
    class Category(models.TextChoices):
        RESIDENT = "resident", "居民党员"
        FLOATING = "floating", "流动党员"
        IN_SERVICE = "in_service", "在职党员"
        RETIRED = "retired", "离退休党员"

    resident = models.OneToOneField(Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="party_member")
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    home_branch = models.ForeignKey("orgs.PartyOrg", verbose_name="组织关系所在支部", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="members")
    joined_on = models.DateField("入党日期", null=True, blank=True)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    dual_registered_community = models.ForeignKey("places.AdminUnit", verbose_name="双报到社区", null=True, blank=True,
                                                  on_delete=models.SET_NULL, related_name="+",
                                                  limit_choices_to={"level": "community"})
    dual_registered_on = models.DateField("双报到日期", null=True, blank=True)
    lost_contact = models.BooleanField("失联", default=False)
    search_record = models.TextField("查找记录", blank=True)
    cared_households = models.ManyToManyField(Household, verbose_name="联系户", blank=True, related_name="caring_members")

    scoping = Scoping(code="resident__household__dwelling__entrance__building__compound__community__code",
                      compound="resident__household__dwelling__entrance__building__compound_id",
                      grid="resident__household__dwelling__entrance__building__grid_id",
                      own=lambda s: Q(resident_id__in=s.resident_ids))

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["resident"]

    def __str__(self):
        return f"{self.resident.name}（{self.get_category_display()}）"

    def clean(self):
        if self.category == self.Category.IN_SERVICE and not self.dual_registered_community_id:
            raise ValidationError({"dual_registered_community": "在职党员须登记双报到社区。"})
        if bool(self.dual_registered_community_id) != bool(self.dual_registered_on):
            raise ValidationError({"dual_registered_on": "双报到社区与双报到日期须同时填写。"})


def _workers_in_grids(ids):
    return Q(pk__in=GridWorker.grids.through.objects.filter(grid_id__in=ids).values("gridworker_id"))


def _workers_under(prefixes):
    q = Q()
    for prefix in prefixes:
        q |= Q(grid__community__code__startswith=prefix)
    return Q(pk__in=GridWorker.grids.through.objects.filter(q).values("gridworker_id"))


class GridWorker(models.Model):
    class Kind(models.TextChoices):
        FULL_TIME = "full_time", "专职网格员"
        PART_TIME = "part_time", "兼职网格员"
        ASSISTANT = "assistant", "网格助理员"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="grid_worker")
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("联系电话", blank=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.FULL_TIME)
    duties = models.TextField("职责清单", blank=True)
    grids = models.ManyToManyField("places.Grid", verbose_name="负责网格", related_name="workers")
    started_on = models.DateField("上岗日期", null=True, blank=True)

    scoping = Scoping(code=_workers_under, grid=_workers_in_grids)

    class Meta:
        verbose_name = "网格员"
        verbose_name_plural = "网格员"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def clean(self):
        if self.phone:
            try:
                self.phone = validate_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from None

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


# --- registry rollups (people.rollups) ---------------------------------------------------------

def _counts_under(prefixes):
    from linli.places.models import Compound

    q = Q()
    for prefix in prefixes:
        q |= Q(community__code__startswith=prefix)
    return Q(compound_id__in=Compound.objects.filter(q).values("pk"))


class RegistryCount(models.Model):
    """One count of the registry for a compound and a grid (the grid of the buildings it counts).

    `measure` names what is counted: residents, households, dwellings, buildings, `elderly` (born on
    or before the anchor date of `RegistryAnchor`), `born:YYYY-MM-DD` (residents born that day, kept
    for the days near the anchor so 65+ can be moved to any date), `party:<category>`, `care:<tag id>`.
    Rows with a zero count are not kept. Written only by `people.rollups`.
    """

    id = models.BigAutoField(primary_key=True)
    compound_id = models.IntegerField()
    grid_id = models.IntegerField()
    measure = models.CharField(max_length=24)
    n = models.PositiveIntegerField()

    scoping = Scoping(code=_counts_under, compound="compound_id", grid="grid_id")

    class Meta:
        verbose_name = "户籍人口汇总"
        verbose_name_plural = "户籍人口汇总"
        constraints = [models.UniqueConstraint(fields=["compound_id", "grid_id", "measure"],
                                               name="registrycount_node_measure")]
        indexes = [models.Index(fields=["grid_id"], name="registrycount_grid")]


class RegistryDirty(models.Model):
    """A compound whose registry counts need recomputing.

    Written by database triggers on residents, households, Party members, care tags, dwellings,
    entrances and buildings (migration people 0004), so every write path, bulk loads included, marks
    what it changed; `rollups.refresh` consumes the rows.
    """

    id = models.BigAutoField(primary_key=True)
    compound_id = models.IntegerField()

    class Meta:
        verbose_name = "待汇总小区"
        verbose_name_plural = "待汇总小区"


class RegistryAnchor(models.Model):
    """The date the `elderly` counts are taken at (one row): born on or before it."""

    born_on_or_before = models.DateField()

    class Meta:
        verbose_name = "老年人口汇总基准日"
        verbose_name_plural = "老年人口汇总基准日"
