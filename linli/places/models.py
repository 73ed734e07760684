from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from linli.core.scoping import Scoping
from linli.core.validators import validate_admin_code


class AdminUnit(models.Model):
    """District, street or community: a node of the administrative tree with a 12-digit code."""

    class Level(models.TextChoices):
        DISTRICT = "district", "区/县"
        STREET = "street", "街道/乡镇"
        COMMUNITY = "community", "社区"

    # How many leading digits of the code identify the unit (and everything below it).
    PREFIX_LENGTH = {"district": 6, "street": 9, "community": 12}
    PARENT_LEVEL = {"street": "district", "community": "street"}

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")

    scoping = Scoping(code="code", own=lambda s: Q(pk__in=Compound.objects.filter(id__in=s.home_compound_ids)
                                                     .values("community_id")))

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: self.PREFIX_LENGTH[self.level]]

    def clean(self):
        errors = {}
        try:
            validate_admin_code(self.code, self.level)
        except ValidationError as exc:
            errors["code"] = exc.messages
        expected = self.PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            errors["parent"] = ["区县是最高一级，不能有上级。"]
        elif expected and (self.parent is None or self.parent.level != expected):
            errors["parent"] = [f"{self.get_level_display()}的上级必须是{self.Level(expected).label}。"]
        elif expected and "code" not in errors and not self.code.startswith(self.parent.prefix):
            errors["code"] = ["区划代码必须以上级区划代码开头。"]
        if errors:
            raise ValidationError(errors)


class Grid(models.Model):
    """A grid partitions a community; it belongs to exactly one community."""

    community = models.ForeignKey(AdminUnit, verbose_name="所属社区", on_delete=models.PROTECT,
                                  related_name="grids", limit_choices_to={"level": "community"})
    code = models.CharField("网格编码", max_length=15, unique=True,
                            help_text="社区 12 位代码 + 3 位网格序号")
    name = models.CharField("名称", max_length=100)

    scoping = Scoping(code="community__code", grid="id")

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.community_id and self.community.level != AdminUnit.Level.COMMUNITY:
            raise ValidationError({"community": "网格只能属于社区。"})
        if self.community_id and not (len(self.code) == 15 and self.code.isdigit()
                                      and self.code.startswith(self.community.code)):
            raise ValidationError({"code": "网格编码应为 15 位：所属社区的 12 位代码加 3 位序号。"})


class MicroGrid(models.Model):
    grid = models.ForeignKey(Grid, verbose_name="所属网格", on_delete=models.CASCADE, related_name="micro_grids")
    name = models.CharField("名称", max_length=100)

    scoping = Scoping(code="grid__community__code", grid="grid_id")

    class Meta:
        verbose_name = "微网格"
        verbose_name_plural = "微网格"
        ordering = ["grid", "name"]

    def __str__(self):
        return f"{self.grid} · {self.name}"


def compound_ids_in_grids(ids):
    """Compounds with at least one building in these grids, as a subquery (no join duplicates)."""
    return Building.objects.filter(grid_id__in=ids).values("compound_id")


def _compounds_in_grids(ids):
    return Q(pk__in=compound_ids_in_grids(ids))


class Compound(models.Model):
    class Kind(models.TextChoices):
        PLANNED = "planned", "建制小区"
        OLD_COURTYARD = "old_courtyard", "老旧院落"
        SCATTERED = "scattered", "零散楼栋"

    community = models.ForeignKey(AdminUnit, verbose_name="所属社区", on_delete=models.PROTECT,
                                  related_name="compounds", limit_choices_to={"level": "community"})
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    build_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    walled = models.BooleanField("封闭式", default=True)
    has_property_room = models.BooleanField("有物业用房", default=False)
    responsible_department = models.CharField("主管部门/产权单位", max_length=100, blank=True,
                                              help_text="老旧院落的原产权单位或主管部门；无则留空")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)

    scoping = Scoping(code="community__code", compound="id", grid=_compounds_in_grids,
                      own=lambda s: Q(id__in=s.home_compound_ids))

    class Meta:
        verbose_name = "小区/院落"
        verbose_name_plural = "小区/院落"
        ordering = ["community__code", "name"]
        indexes = [models.Index(fields=["community", "name"])]

    def __str__(self):
        return self.name

    @property
    def is_old(self) -> bool:
        """Built before 2000: a renovation candidate."""
        return bool(self.build_year and self.build_year < 2000)

    def clean(self):
        if self.community_id and self.community.level != AdminUnit.Level.COMMUNITY:
            raise ValidationError({"community": "小区只能属于社区。"})
        if self.build_year and not 1900 <= self.build_year <= 2100:
            raise ValidationError({"build_year": "建成年份不合理。"})


class Building(models.Model):
    compound = models.ForeignKey(Compound, verbose_name="所属小区", on_delete=models.CASCADE, related_name="buildings")
    number = models.CharField("楼栋号", max_length=30)
    floors = models.PositiveSmallIntegerField("层数", default=6)
    grid = models.ForeignKey(Grid, verbose_name="所属网格", on_delete=models.PROTECT, related_name="buildings")
    micro_grid = models.ForeignKey(MicroGrid, verbose_name="所属微网格", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="buildings")

    scoping = Scoping(code="compound__community__code", compound="compound_id", grid="grid_id")

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["compound", "number"]
        constraints = [models.UniqueConstraint(fields=["compound", "number"], name="building_number_unique")]

    def __str__(self):
        return f"{self.compound.name} {self.number}"

    def clean(self):
        if self.grid_id and self.compound_id and self.grid.community_id != self.compound.community_id:
            raise ValidationError({"grid": "楼栋所属网格必须在小区所在的社区内。"})
        if self.micro_grid_id and self.micro_grid.grid_id != self.grid_id:
            raise ValidationError({"micro_grid": "微网格必须属于楼栋所在的网格。"})


class Entrance(models.Model):
    building = models.ForeignKey(Building, verbose_name="所属楼栋", on_delete=models.CASCADE, related_name="entrances")
    number = models.CharField("单元号", max_length=20)

    scoping = Scoping(code="building__compound__community__code", compound="building__compound_id",
                      grid="building__grid_id")

    class Meta:
        verbose_name = "单元"
        verbose_name_plural = "单元"
        ordering = ["building", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="entrance_number_unique")]

    def __str__(self):
        return f"{self.building} {self.number}"


def _household_dwellings(ids):
    # People sit above places: their model is named through the app registry, never imported here.
    return apps.get_model("people", "Household").objects.filter(id__in=ids).values("dwelling_id")


class Dwelling(models.Model):
    entrance = models.ForeignKey(Entrance, verbose_name="所属单元", on_delete=models.CASCADE, related_name="dwellings")
    number = models.CharField("房号", max_length=20)
    floor = models.SmallIntegerField("楼层", default=1)
    # Owners' votes weigh by area: register first, else surveyed, else contract (SPC interpretation Art. 8).
    registered_area = models.DecimalField("登记面积(m²)", max_digits=8, decimal_places=2, null=True, blank=True)
    surveyed_area = models.DecimalField("测绘面积(m²)", max_digits=8, decimal_places=2, null=True, blank=True)
    contract_area = models.DecimalField("合同面积(m²)", max_digits=8, decimal_places=2, null=True, blank=True)
    developer_unsold = models.BooleanField("开发商未售", default=False)

    scoping = Scoping(code="entrance__building__compound__community__code",
                      compound="entrance__building__compound_id", grid="entrance__building__grid_id",
                      own=lambda s: Q(pk__in=_household_dwellings(s.household_ids)))

    class Meta:
        verbose_name = "房屋"
        verbose_name_plural = "房屋"
        ordering = ["entrance", "number"]
        constraints = [models.UniqueConstraint(fields=["entrance", "number"], name="dwelling_number_unique")]

    def __str__(self):
        return f"{self.entrance} {self.number}"

    @property
    def area(self):
        """The area that counts: registered, else surveyed, else contract."""
        for value in (self.registered_area, self.surveyed_area, self.contract_area):
            if value is not None:
                return value
        return None


class UnitOutline(models.Model):
    """The outline of an administrative unit on the map: a GeoJSON Polygon or MultiPolygon (WGS 84).

    Loaded from a city's own GeoJSON (`linli load-outlines`); a unit without one is drawn as the
    convex hull of its compounds' locations (computed by the cockpit when asked).
    """

    unit = models.OneToOneField(AdminUnit, verbose_name="区划", on_delete=models.CASCADE, related_name="outline")
    geometry = models.JSONField("边界（GeoJSON 几何）")
    source = models.CharField("来源文件", max_length=200, blank=True)
    loaded_at = models.DateTimeField("导入时间")

    scoping = Scoping(code="unit__code")

    class Meta:
        verbose_name = "区划边界"
        verbose_name_plural = "区划边界"

    def __str__(self):
        return f"{self.unit.name}边界"
