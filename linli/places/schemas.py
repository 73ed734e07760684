"""In/out schemas of the places API (地)."""

from decimal import Decimal

from ninja import Field, Schema

from linli.core.ids import MAX_SMALL, Id

# --- administrative units ---------------------------------------------------------------------


class UnitFilters(Schema):
    q: str | None = Field(None, description="名称或代码前缀")
    level: str | None = Field(None, description="district / street / community")
    parent: Id | None = Field(None, description="上级区划 id")


class UnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_name: str
    parent_id: int | None
    children_count: int
    grids_count: int
    compounds_count: int

    @staticmethod
    def resolve_level_name(obj):
        return obj.get_level_display()


class UnitIn(Schema):
    level: str = Field(..., description="district / street / community")
    parent: Id | None = Field(None, description="上级区划 id（区县不填）")
    code: str = Field(..., description="12 位统计用区划代码")
    name: str


class UnitPatch(Schema):
    code: str | None = None
    name: str | None = None


# --- grids ------------------------------------------------------------------------------------

class GridFilters(Schema):
    q: str | None = Field(None, description="名称或编码前缀")
    community: str | None = Field(None, description="社区代码")
    street: str | None = Field(None, description="街道代码")
    district: str | None = Field(None, description="区县代码")


class GridOut(Schema):
    id: int
    code: str
    name: str
    community_id: int
    community_name: str
    compounds_count: int
    buildings_count: int
    micro_grids_count: int

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.name


class GridIn(Schema):
    community: Id = Field(..., description="所属社区 id")
    code: str = Field(..., description="15 位网格编码：社区代码 + 3 位序号")
    name: str


class GridPatch(Schema):
    community: Id | None = None
    code: str | None = None
    name: str | None = None


# --- micro-grids ------------------------------------------------------------------------------

class MicroGridFilters(Schema):
    grid: Id | None = Field(None, description="网格 id")


class MicroGridOut(Schema):
    id: int
    grid_id: int
    grid_name: str
    name: str
    buildings_count: int

    @staticmethod
    def resolve_grid_name(obj):
        return obj.grid.name


class MicroGridIn(Schema):
    grid: Id = Field(..., description="所属网格 id")
    name: str


class MicroGridPatch(Schema):
    grid: Id | None = None
    name: str | None = None


# --- compounds --------------------------------------------------------------------------------

class CompoundFilters(Schema):
    q: str | None = Field(None, description="名称或地址")
    community: str | None = Field(None, description="社区代码")
    street: str | None = Field(None, description="街道代码")
    district: str | None = Field(None, description="区县代码")
    grid: Id | None = Field(None, description="网格 id")
    kind: str | None = Field(None, description="planned / old_courtyard / scattered")
    old: bool | None = Field(None, description="2000 年前建成")
    walled: bool | None = Field(None, description="封闭式")


class CompoundOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    community_id: int
    community_code: str
    community_name: str
    address: str
    build_year: int | None
    is_old: bool
    walled: bool
    has_property_room: bool
    responsible_department: str
    latitude: Decimal | None
    longitude: Decimal | None
    buildings_count: int
    dwellings_count: int
    households_count: int
    residents_count: int

    @staticmethod
    def resolve_kind_name(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_community_code(obj):
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.name


class CompoundIn(Schema):
    community: Id = Field(..., description="所属社区 id")
    name: str
    kind: str = Field(..., description="planned / old_courtyard / scattered")
    address: str = ""
    build_year: int | None = Field(None, ge=-MAX_SMALL, le=MAX_SMALL)  # the model says which years make sense
    walled: bool = True
    has_property_room: bool = False
    responsible_department: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class CompoundPatch(Schema):
    community: Id | None = None
    name: str | None = None
    kind: str | None = None
    address: str | None = None
    build_year: int | None = Field(None, ge=-MAX_SMALL, le=MAX_SMALL)  # the model says which years make sense
    walled: bool | None = None
    has_property_room: bool | None = None
    responsible_department: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


# --- buildings, entrances, dwellings ----------------------------------------------------------

class BuildingFilters(Schema):
    compound: Id | None = Field(None, description="小区 id")
    grid: Id | None = Field(None, description="网格 id")
    q: str | None = Field(None, description="楼栋号")


class BuildingOut(Schema):
    id: int
    compound_id: int
    number: str
    floors: int
    grid_id: int
    micro_grid_id: int | None
    entrances_count: int
    dwellings_count: int
    households_count: int


class BuildingIn(Schema):
    compound: Id = Field(..., description="小区 id")
    number: str
    floors: int = Field(6, ge=1, le=MAX_SMALL)
    grid: Id = Field(..., description="网格 id（须在小区所在社区内）")
    micro_grid: Id | None = None


class BuildingPatch(Schema):
    number: str | None = None
    floors: int | None = Field(None, ge=1, le=MAX_SMALL)
    grid: Id | None = None
    micro_grid: Id | None = None


class EntranceFilters(Schema):
    compound: Id | None = None
    building: Id | None = None


class EntranceOut(Schema):
    id: int
    building_id: int
    number: str
    dwellings_count: int


class EntranceIn(Schema):
    building: Id
    number: str


class EntrancePatch(Schema):
    number: str | None = None


class DwellingFilters(Schema):
    compound: Id | None = Field(None, description="小区 id")
    building: Id | None = Field(None, description="楼栋 id")
    entrance: Id | None = Field(None, description="单元 id")


class DwellingOut(Schema):
    id: int
    entrance_id: int
    building_id: int
    number: str
    floor: int
    registered_area: Decimal | None
    surveyed_area: Decimal | None
    contract_area: Decimal | None
    area: Decimal | None
    developer_unsold: bool
    households_count: int
    residents_count: int

    @staticmethod
    def resolve_building_id(obj):
        return obj.entrance.building_id


class DwellingIn(Schema):
    entrance: Id = Field(..., description="单元 id")
    number: str
    floor: int = Field(1, ge=-MAX_SMALL, le=MAX_SMALL)
    registered_area: Decimal | None = None
    surveyed_area: Decimal | None = None
    contract_area: Decimal | None = None
    developer_unsold: bool = False


class DwellingPatch(Schema):
    number: str | None = None
    floor: int | None = Field(None, ge=-MAX_SMALL, le=MAX_SMALL)
    registered_area: Decimal | None = None
    surveyed_area: Decimal | None = None
    contract_area: Decimal | None = None
    developer_unsold: bool | None = None
