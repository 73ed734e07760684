"""楼栋与房屋: buildings, their entrances and dwellings, one row per dwelling, in compounds already registered.

A row names its dwelling as a clerk knows it (社区, 小区, 楼栋, 单元, 房号). A building or entrance not yet
registered is created with the first row that names it; a new building needs its grid. The building's own
cells (层数, 网格, 微网格) may be given on any of its rows, and must agree where given more than once.
"""

from linli.accounts.scope import import_scope
from linli.core.scoping import visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import Places, canon, differences, given, reject_repeats
from linli.places import services as place_services
from linli.places.models import Dwelling, Entrance

DWELLING_DETAILS = ("floor", "registered_area", "surveyed_area", "contract_area", "developer_unsold")
BUILDING_CELLS = ("floors", "grid", "micro_grid")
AREA = (0, 99999)

COLUMNS = (
    Column("community", "社区", required=True, variants=("所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码（名称有重名时须填代码）", example="康宁社区"),
    Column("compound", "小区", required=True, variants=("小区名称", "所属小区", "院落", "小区院落", "小区/院落"),
           max_length=100, rule="系统中已登记的小区或院落名称", example="康宁小区"),
    Column("building", "楼栋", required=True, variants=("楼栋号", "楼号", "栋号"), max_length=30,
           rule="“1号楼”“1栋”“1”均可；未登记的楼栋将新建", example="1号楼"),
    Column("entrance", "单元", required=True, variants=("单元号",), max_length=20,
           rule="“1单元”“1”均可；未登记的单元将新建", example="1单元"),
    Column("dwelling", "房号", required=True, variants=("房间号", "门牌号", "室号"), max_length=20,
           rule="如 101；未登记的房屋将新建", example="101"),
    Column("floor", "楼层", kind="int", bounds=(-5, 200), variants=("所在楼层",),
           rule="选填。新建房屋不填时按房号推算（301 在 3 层）", example="1"),
    Column("registered_area", "登记面积", kind="decimal", bounds=AREA, variants=("产权面积", "不动产登记面积"),
           rule="选填，平方米。业主表决按登记面积计，无则按测绘面积、合同面积", example="89.50"),
    Column("surveyed_area", "测绘面积", kind="decimal", bounds=AREA, variants=("实测面积",), rule="选填，平方米",
           example=""),
    Column("contract_area", "合同面积", kind="decimal", bounds=AREA, variants=("预售面积",), rule="选填，平方米",
           example=""),
    Column("developer_unsold", "开发商未售", kind="bool", variants=("未售",), rule="选填，填“是”或“否”",
           example="否"),
    Column("floors", "楼栋层数", kind="int", bounds=(1, 200), variants=("层数", "总层数"),
           rule="选填，整栋楼的层数；同一楼栋的各行填写时须一致", example="6"),
    Column("grid", "网格", variants=("所属网格", "网格名称", "网格编码"), max_length=100,
           rule="新建楼栋必填：小区所在社区的网格名称或 15 位网格编码；填了则楼栋划入该网格", example="康宁一网格"),
    Column("micro_grid", "微网格", variants=("所属微网格", "微网格名称"), max_length=100,
           rule="选填：所填网格中已登记的微网格名称", example=""),
)

NOTES = (
    "每行一套房屋。社区、小区须是系统中已登记、且在您辖区内的；楼栋、单元、房屋未登记的将新建。",
    "新建楼栋须填写“网格”。“楼栋层数”“网格”“微网格”是整栋楼的信息，同一楼栋的行只需填一次，多次填写须一致。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def _floor_of(number: str) -> int | None:
    """301 → 3, 1202 → 12: the usual numbering of Chinese dwellings."""
    digits = canon("dwelling", number)
    return int(digits[:-2]) if digits.isdigit() and len(digits) >= 3 else None


class _Buildings:
    """What the file says about each building, merged over its rows."""

    def __init__(self, places: Places):
        self.places = places
        self.first: dict = {}  # building key → the first row naming it
        self.cells: dict = {}  # building key → {cell: (value, row number)}
        self.entrances: dict = {}  # building pk → {canonical entrance: entrance}
        self.dwellings: dict = {}  # entrance pk → {canonical dwelling: dwelling}

    def note(self, row: Row, key) -> None:
        """Merge the row's building cells (a grid as found, so its name and its code agree)."""
        self.first.setdefault(key, row)
        cells = self.cells.setdefault(key, {})
        for name in BUILDING_CELLS:
            value = row.values[name]
            if value in (None, ""):
                continue
            if name == "grid":
                value, reason = self.places.grid(row.plan["compound"].community, value)
                if reason:
                    row.reject(reason)
                    continue
            if name in cells and cells[name][0] != value:
                header = next(c.header for c in COLUMNS if c.key == name)
                row.reject(f"与第 {cells[name][1].number} 行的“{header}”不一致（同一楼栋）")
            else:
                cells.setdefault(name, (value, row))

    def entrance(self, building, number: str):
        if building.pk not in self.entrances:
            rows = visible(Entrance.objects.filter(building=building), self.places.area)
            self.entrances[building.pk] = {canon("entrance", e.number): e for e in rows}
        return self.entrances[building.pk].get(canon("entrance", number))

    def dwelling(self, entrance, number: str):
        if entrance.pk not in self.dwellings:
            rows = visible(Dwelling.objects.filter(entrance=entrance), self.places.area)
            self.dwellings[entrance.pk] = {canon("dwelling", d.number): d for d in rows}
        return self.dwellings[entrance.pk].get(canon("dwelling", number))


def plan(actor, rows: list[Row]) -> None:
    places = Places(import_scope(actor))
    buildings = _Buildings(places)
    for row in rows:
        v = row.values
        row.label = "".join(v[k] or "" for k in ("compound", "building", "entrance", "dwelling"))
        if row.errors:
            continue
        compound, reason = places.compound_of(v)
        if reason:
            row.reject(reason)
            continue
        building, reason = places.find_building(compound, v["building"])
        if reason:
            row.reject(reason)
            continue
        row.plan.update(compound=compound, building=building)
        row.plan["building_key"] = ("building", building.pk) if building else (
            "new", compound.pk, canon("building", v["building"]))
        entrance = buildings.entrance(building, v["entrance"]) if building else None
        row.plan["entrance"] = entrance
        row.plan["entrance_key"] = ("entrance", entrance.pk) if entrance else (
            "new", row.plan["building_key"], canon("entrance", v["entrance"]))
        row.plan["dwelling"] = buildings.dwelling(entrance, v["dwelling"]) if entrance else None
    reject_repeats(rows, lambda row: (row.plan["entrance_key"], canon("dwelling", row.values["dwelling"])), "房屋")
    for row in rows:
        if not row.errors:
            buildings.note(row, row.plan["building_key"])
    for key, first in buildings.first.items():
        _plan_building(buildings, key, first)
    for row in rows:
        first = buildings.first.get(row.plan.get("building_key"))
        if not row.errors and first is not None and first.errors and row.plan["building"] is None:
            row.reject(f"新楼栋所在的第 {first.number} 行未通过检查")
        if not row.errors:
            _decide(row)


def _plan_building(buildings: _Buildings, key, first: Row) -> None:
    """What changes for the building, carried by the first row naming it (or the reason it cannot)."""
    if first.errors:
        return
    cells = buildings.cells.get(key, {})
    compound, building = first.plan["compound"], first.plan["building"]
    wanted = {}
    if "floors" in cells:
        wanted["floors"] = cells["floors"][0]
    grid = building.grid if building else None
    if "grid" in cells:
        grid = wanted["grid"] = cells["grid"][0]
    elif building is None:
        first.reject("新建楼栋须填写“网格”")
        return
    if "micro_grid" in cells:
        name, row = cells["micro_grid"]
        micro, reason = buildings.places.micro_grid(grid, name)
        if micro is None:
            row.reject(reason or f"{grid.name}找不到微网格“{name}”")
            return
        wanted["micro_grid"] = micro
    elif building is not None and "grid" in wanted and building.micro_grid_id and building.micro_grid.grid_id != grid.pk:
        wanted["micro_grid"] = None  # its micro-grid belongs to the grid it leaves
    if building is None:
        first.plan["building_data"] = {"compound": compound, "number": first.values["building"], **wanted}
    else:
        first.plan["building_data"] = differences(building, wanted)


def _decide(row: Row) -> None:
    values, dwelling = row.values, row.plan["dwelling"]
    wanted = given(values, DWELLING_DETAILS)
    building_changes = bool(row.plan.get("building_data")) and row.plan["building"] is not None
    if dwelling is None:
        if "floor" not in wanted and _floor_of(values["dwelling"]) is not None:
            wanted["floor"] = _floor_of(values["dwelling"])
        row.status = CREATED
        row.plan["data"] = {"number": values["dwelling"], **wanted}
        return
    row.plan["data"] = differences(dwelling, wanted)
    row.status = UPDATED if row.plan["data"] or building_changes else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    building = _building(actor, row, shared)
    key = row.plan["entrance_key"]
    if key[0] == "entrance":
        entrance = row.plan["entrance"]
    else:
        if key not in shared:
            shared[key] = place_services.entrance_create(
                actor=actor, data={"building": building, "number": row.values["entrance"]})
        entrance = shared[key]
    if row.status == CREATED:
        place_services.dwelling_create(actor=actor, data={"entrance": entrance, **row.plan["data"]})
    elif row.plan["data"]:
        place_services.dwelling_update(actor=actor, dwelling=row.plan["dwelling"], data=row.plan["data"])


def _building(actor, row: Row, shared: dict):
    key, data = row.plan["building_key"], row.plan.get("building_data")
    if key[0] == "new":
        if key not in shared:
            shared[key] = place_services.building_create(actor=actor, data=data)
        return shared[key]
    if data:
        return place_services.building_update(actor=actor, building=row.plan["building"], data=data)
    return row.plan["building"]


REGISTER = Register(
    name="dwellings",
    title="楼栋与房屋",
    columns=COLUMNS,
    key=("community", "compound", "building", "entrance", "dwelling"),
    label="dwelling",
    plan=plan,
    write=write,
    notes=NOTES,
)
