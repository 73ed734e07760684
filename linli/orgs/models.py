from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core import clock
from linli.core.scoping import Scoping
from linli.places.models import compound_ids_in_grids


def _orgs_covering_grids(ids):
    through = PartyOrg.compounds.through
    return Q(pk__in=through.objects.filter(compound_id__in=compound_ids_in_grids(ids)).values("partyorg_id"))


def _orgs_covering_compounds(ids):
    return Q(pk__in=PartyOrg.compounds.through.objects.filter(compound_id__in=ids).values("partyorg_id"))


class PartyOrg(models.Model):
    """Community Party committee → compound/grid branch → building group → lead household."""

    class Level(models.TextChoices):
        COMMITTEE = "committee", "社区党委/党总支"
        BRANCH = "branch", "小区(网格)党支部"
        GROUP = "group", "楼栋党小组"
        LEAD_HOUSEHOLD = "lead_household", "党员中心户"

    class Formation(models.TextChoices):
        STANDALONE = "standalone", "单独组建"
        JOINT = "joint", "联合组建"
        CONTIGUOUS = "contiguous", "连片组建"
        WITH_PROPERTY = "with_property", "物业联建"
        DISPATCHED = "dispatched", "派驻组建"

    PARENT_LEVEL = {"branch": "committee", "group": "branch", "lead_household": "group"}

    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    community = models.ForeignKey("places.AdminUnit", verbose_name="所在社区", on_delete=models.PROTECT,
                                  related_name="party_orgs", limit_choices_to={"level": "community"})
    formation = models.CharField("组建方式", max_length=20, choices=Formation.choices, blank=True)
    compounds = models.ManyToManyField("places.Compound", verbose_name="覆盖小区", blank=True, related_name="party_orgs")
    property_company = models.ForeignKey("PropertyCompany", verbose_name="联建物业企业", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="joint_party_orgs")
    founded_on = models.DateField("成立日期", null=True, blank=True)

    scoping = Scoping(code="community__code", compound=_orgs_covering_compounds, grid=_orgs_covering_grids)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["community", "level", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        expected = self.PARENT_LEVEL.get(self.level)
        if expected and self.parent_id and self.parent.level != expected:
            raise ValidationError({"parent": f"{self.get_level_display()}的上级应为{self.Level(expected).label}。"})
        if self.level == self.Level.COMMITTEE and self.parent_id:
            raise ValidationError({"parent": "社区党委是本系统中最高一级党组织。"})
        if self.level == self.Level.BRANCH and not self.formation:
            raise ValidationError({"formation": "小区党支部须注明组建方式。"})
        if self.formation == self.Formation.WITH_PROPERTY and not self.property_company_id:
            raise ValidationError({"property_company": "物业联建须选择物业企业。"})


class SelfOrg(models.Model):
    """Residents' self-organisation of a compound: owners', property-management or self-management committee."""

    class Kind(models.TextChoices):
        OWNERS_COMMITTEE = "owners_committee", "业主委员会"
        PROPERTY_COMMITTEE = "property_committee", "物业管理委员会"
        SELF_MANAGEMENT = "self_management", "自管委/院委会"

    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="self_orgs")
    name = models.CharField("名称", max_length=100)
    elected_on = models.DateField("选举/成立日期", null=True, blank=True)
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束", null=True, blank=True)

    scoping = Scoping(code="compound__community__code", compound="compound_id",
                      grid=lambda ids: Q(compound_id__in=compound_ids_in_grids(ids)),
                      own=lambda s: Q(compound_id__in=s.home_compound_ids))

    class Meta:
        verbose_name = "自治组织"
        verbose_name_plural = "自治组织"
        ordering = ["compound", "kind"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.term_end and self.term_start and self.term_end < self.term_start:
            raise ValidationError({"term_end": "任期结束不能早于任期开始。"})

    @property
    def is_active(self) -> bool:
        today = clock.today()
        return self.term_start <= today and (self.term_end is None or self.term_end >= today)


def _companies_serving(q_compounds, *, today_only: bool = False):
    services = PropertyService.objects.filter(q_compounds)
    if today_only:
        today = clock.today()
        services = services.filter(Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today)))
    return Q(pk__in=services.values("company_id"))


def _companies_under(prefixes, *, today_only: bool = False):
    q = Q()
    for prefix in prefixes:
        q |= Q(compound__community__code__startswith=prefix)
    return _companies_serving(q, today_only=today_only)


def _company_scoping(*, today_only: bool) -> Scoping:
    return Scoping(
        code=lambda prefixes: _companies_under(prefixes, today_only=today_only),
        compound=lambda ids: _companies_serving(Q(compound_id__in=ids), today_only=today_only),
        grid=lambda ids: _companies_serving(Q(compound_id__in=compound_ids_in_grids(ids)), today_only=today_only),
        write=None if today_only else _company_scoping(today_only=True),
    )


class PropertyCompany(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    party_org = models.ForeignKey(PartyOrg, verbose_name="企业党组织", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    has_party_org = models.BooleanField("已建党组织", default=False,
                                        help_text="企业党组织不在本系统登记时也可勾选")

    # An area reads a company through any service in it, past ones included (its history there); it
    # changes the company only while the company serves one of its compounds today.
    scoping = _company_scoping(today_only=False)

    class Meta:
        verbose_name = "物业服务企业"
        verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def with_party_org(self) -> bool:
        return self.has_party_org or self.party_org_id is not None


class PropertyService(models.Model):
    """Who serves a compound, how, and from when to when (the property-service history)."""

    class Mode(models.TextChoices):
        MARKET = "market", "公开选聘"
        RED_PROPERTY = "red_property", "社区领办红色物业"
        SELF_MANAGED = "self_managed", "自主管理"
        STATE_OWNED = "state_owned", "国企兜底"
        UNIT_COBUILD = "unit_cobuild", "驻地单位协建"
        SUBSIDY = "subsidy", "财政补贴过渡"
        COMMUNITY_FALLBACK = "community_fallback", "社区兜底"
        TRUST = "trust", "信托制物业"
        AREA_WIDE = "area_wide", "片区大物业"

    compound = models.ForeignKey("places.Compound", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="property_services")
    mode = models.CharField("服务方式", max_length=24, choices=Mode.choices)
    company = models.ForeignKey(PropertyCompany, verbose_name="物业企业", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="services")
    provider_name = models.CharField("服务主体（非企业）", max_length=100, blank=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    fee_rate = models.DecimalField("物业费(元/m²·月)", max_digits=6, decimal_places=2, null=True, blank=True)
    collection_rate = models.DecimalField("收缴率(%)", max_digits=5, decimal_places=2, null=True, blank=True)

    scoping = Scoping(code="compound__community__code", compound="compound_id",
                      grid=lambda ids: Q(compound_id__in=compound_ids_in_grids(ids)),
                      own=lambda s: Q(compound_id__in=s.home_compound_ids))

    class Meta:
        verbose_name = "物业服务"
        verbose_name_plural = "物业服务"
        ordering = ["compound", "-start"]

    def __str__(self):
        return f"{self.compound} · {self.get_mode_display()}"

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": "结束日期不能早于开始日期。"})
        if not self.company_id and not self.provider_name:
            raise ValidationError({"company": "请选择物业企业或填写服务主体。"})


class PartnerUnit(models.Model):
    """Co-building unit or 'red partner' (organisation or craftsperson) with what it offers."""

    class Kind(models.TextChoices):
        UNIT = "unit", "共建单位"
        RED_PARTNER = "red_partner", "红色合伙人"
        CRAFTSPERSON = "craftsperson", "能工巧匠"
        VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    community = models.ForeignKey("places.AdminUnit", verbose_name="所在社区", on_delete=models.PROTECT,
                                  related_name="partners", limit_choices_to={"level": "community"})
    offer = models.TextField("可提供的资源/服务", blank=True)
    agreement_on = models.DateField("签约日期", null=True, blank=True)

    scoping = Scoping(code="community__code")

    class Meta:
        verbose_name = "共建单位/合伙人"
        verbose_name_plural = "共建单位/合伙人"
        ordering = ["community", "name"]

    def __str__(self):
        return self.name


class Position(models.Model):
    """A person holding a role in an organisation for a period: cross-appointment is just data."""

    resident = models.ForeignKey("people.Resident", verbose_name="人员", on_delete=models.PROTECT,
                                 related_name="positions")
    party_org = models.ForeignKey(PartyOrg, verbose_name="党组织", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="positions")
    self_org = models.ForeignKey(SelfOrg, verbose_name="自治组织", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="positions")
    property_company = models.ForeignKey(PropertyCompany, verbose_name="物业企业", null=True, blank=True,
                                         on_delete=models.CASCADE, related_name="positions")
    partner = models.ForeignKey(PartnerUnit, verbose_name="共建单位", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="positions")
    role = models.CharField("职务", max_length=50)
    start = models.DateField("任职开始")
    end = models.DateField("任职结束", null=True, blank=True)

    scoping = Scoping(code="resident__household__dwelling__entrance__building__compound__community__code",
                      compound="resident__household__dwelling__entrance__building__compound_id",
                      grid="resident__household__dwelling__entrance__building__grid_id")

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(party_org__isnull=False, self_org__isnull=True, property_company__isnull=True, partner__isnull=True)
                    | Q(party_org__isnull=True, self_org__isnull=False, property_company__isnull=True, partner__isnull=True)
                    | Q(party_org__isnull=True, self_org__isnull=True, property_company__isnull=False, partner__isnull=True)
                    | Q(party_org__isnull=True, self_org__isnull=True, property_company__isnull=True, partner__isnull=False)
                ),
                name="position_exactly_one_org",
            )
        ]

    def __str__(self):
        return f"{self.resident} · {self.organisation} · {self.role}"

    @property
    def organisation(self):
        return self.party_org or self.self_org or self.property_company or self.partner

    def clean(self):
        given = [x for x in (self.party_org_id, self.self_org_id, self.property_company_id, self.partner_id) if x]
        if len(given) != 1:
            raise ValidationError("任职必须且只能对应一个组织。")
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": "任职结束不能早于任职开始。"})
