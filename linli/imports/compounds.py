"""小区/院落: the compounds of existing communities, one row each, by community and name."""

from linli.accounts.scope import import_scope
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import Places, differences, given, reject_repeats
from linli.places import services as place_services
from linli.places.models import Compound

DETAILS = ("kind", "address", "build_year", "walled", "has_property_room", "responsible_department", "latitude",
           "longitude")

COLUMNS = (
    Column("community", "社区", required=True, variants=("所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码（名称有重名时须填代码）", example="康宁社区"),
    Column("name", "小区名称", required=True, variants=("小区", "院落", "小区/院落", "院落名称", "名称"),
           max_length=100, rule="同一社区内按名称找到已登记的小区并更新，找不到则新建", example="康宁小区"),
    Column("kind", "类型", kind="choice", choices=tuple(Compound.Kind.choices), variants=("小区类型",),
           rule="新建小区必填", example="建制小区"),
    Column("address", "地址", variants=("小区地址", "坐落"), max_length=200, rule="选填", example="坞城路 8 号"),
    Column("build_year", "建成年份", kind="int", bounds=(1900, 2100), variants=("建成年代", "建成时间"),
           rule="选填，四位年份，如 1998", example="2006"),
    Column("walled", "封闭式", kind="bool", variants=("是否封闭",), rule="选填，填“是”或“否”", example="是"),
    Column("has_property_room", "有物业用房", kind="bool", variants=("物业用房",), rule="选填，填“是”或“否”",
           example="是"),
    Column("responsible_department", "主管部门/产权单位", variants=("主管部门", "产权单位"), max_length=100,
           rule="选填。老旧院落的原产权单位或主管部门", example=""),
    Column("latitude", "纬度", kind="decimal", places=6, bounds=(-90, 90), rule="选填，小数，如 37.740000",
           example="37.741200"),
    Column("longitude", "经度", kind="decimal", places=6, bounds=(-180, 180), rule="选填，小数，如 112.560000",
           example="112.561300"),
)

NOTES = (
    "每行一个小区或院落。社区须是系统中已登记、且在您辖区内的社区。",
    "同一社区内按“小区名称”找到已登记的小区并更新，找不到则新建；新建时须填写“类型”。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "楼栋、单元和房屋请用“楼栋与房屋”台账导入。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def plan(actor, rows: list[Row]) -> None:
    places = Places(import_scope(actor))
    for row in rows:
        if row.errors:
            continue
        community, reason = places.community(row.values["community"])
        if reason:
            row.reject(reason)
            continue
        compound, reason = places.find_compound(community, row.values["name"])
        if reason:
            row.reject(reason)
            continue
        row.plan.update(community=community, compound=compound)
    reject_repeats(rows, lambda row: (row.plan["community"].pk, row.values["name"]), "小区")
    for row in rows:
        if row.errors:
            continue
        wanted = given(row.values, DETAILS)
        compound = row.plan["compound"]
        if compound is None:
            if "kind" not in wanted:
                row.reject("新建小区须填写“类型”")
                continue
            row.status = CREATED
            row.plan["data"] = {"community": row.plan["community"], "name": row.values["name"], **wanted}
        else:
            row.plan["data"] = differences(compound, wanted)
            row.status = UPDATED if row.plan["data"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    if row.status == CREATED:
        place_services.compound_create(actor=actor, data=row.plan["data"])
    else:
        place_services.compound_update(actor=actor, compound=row.plan["compound"], data=row.plan["data"])


REGISTER = Register(
    name="compounds",
    title="小区/院落",
    columns=COLUMNS,
    key=("community", "name"),
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)
