"""Filled example files for the demo: one per register, about the demo's 示范家园, for trying an import in a minute.

`linli demo` registers 示范家园 in community1's community with its buildings and dwellings but nobody
living there and no organisation of its own (`linli.imports.demo`). The files are made on demand from
what the importer sees (their community's name, the compound's grid and Party committee), so they import
cleanly for any importer whose area holds the compound, and a second import of each changes nothing.
"""

from dataclasses import dataclass

from linli.accounts.scope import import_scope
from linli.core.errors import NotFound
from linli.core.scoping import visible
from linli.core.validators import id_check_char
from linli.imports import sheets
from linli.imports.engine import Register
from linli.orgs.models import PartyOrg
from linli.places.models import Compound

DEMO_COMPOUND = "示范家园"
# The demo's own people are born in other regions (linli.demo.names): these numbers never meet theirs.
REGION = "140181"


def _id(born: str, serial: int) -> str:
    first17 = f"{REGION}{born}{serial:03d}"
    return first17 + id_check_char(first17)


@dataclass(frozen=True)
class _Person:
    name: str
    id_number: str
    room: str
    relation: str
    phone: str = ""
    status: str = "户籍"


HEAD_101 = _Person("周建华", _id("19680415", 11), "101", "户主", "13703510101")
PEOPLE = (
    HEAD_101,
    _Person("吴丽萍", _id("19700822", 12), "101", "配偶", "13703510102"),
    _Person("周晓宇", _id("20010309", 13), "101", "子女", "", "常住"),
    _Person("郑秀兰", _id("19460117", 14), "102", "户主", "03517654321"),
    _Person("冯志刚", _id("19850630", 15), "201", "户主", "13703510201", "租户"),
    _Person("陈静", _id("19870925", 16), "201", "配偶", "", "租户"),
)
BRANCH = "示范家园党支部"
COMMITTEE = "示范家园第一届业主委员会"


@dataclass(frozen=True)
class _Where:
    community: str
    grid: str
    committee: str


def _compound(actor):
    return visible(Compound.objects.filter(name=DEMO_COMPOUND), import_scope(actor)).select_related(
        "community").order_by("pk").first()


def available(actor) -> bool:
    """Whether the demo's 示范家园 lies in this importer's area (a real district has no such compound)."""
    return _compound(actor) is not None


def _where(actor) -> _Where:
    compound = _compound(actor)
    if compound is None:
        raise NotFound()
    building = compound.buildings.select_related("grid").order_by("number").first()
    committee = PartyOrg.objects.filter(community=compound.community, level=PartyOrg.Level.COMMITTEE).order_by(
        "pk").first()
    return _Where(compound.community.name, building.grid.code if building else "", committee.name if committee else "")


def _rows(name: str, at: _Where) -> list[list]:
    c = at.community
    if name == "compounds":
        return [[c, DEMO_COMPOUND, "建制小区", "坞城路 66 号", "2015", "是", "是", "", "37.745000", "112.562000"],
                [c, f"{DEMO_COMPOUND}二期", "建制小区", "坞城路 68 号", "2021", "是", "否", "", "", ""]]
    if name == "grids":
        return [[c, at.grid, at.grid, "示范家园片", DEMO_COMPOUND, "1号楼、2号楼"]]
    if name == "dwellings":
        place = [c, DEMO_COMPOUND]
        return [place + ["1号楼", "1单元", "101", "1", "96.50", "", "", "否", "", "", ""],
                place + ["1号楼", "1单元", "102", "1", "72.30", "", "", "否", "", "", ""],
                place + ["3号楼", "1单元", "101", "1", "", "", "118.00", "是", "11", at.grid, ""],
                place + ["3号楼", "1单元", "102", "1", "", "", "86.00", "是", "", "", ""]]
    if name == "residents":
        heads = {p.room: p.id_number for p in PEOPLE if p.relation == "户主"}
        return [[c, DEMO_COMPOUND, "1号楼", "1单元", p.room, "", "" if p.relation == "户主" else heads[p.room],
                 p.name, p.id_number, p.phone, p.relation, p.status, "是" if p.relation == "户主" else "否", ""]
                for p in PEOPLE]
    if name == "party_orgs":
        return [[c, BRANCH, "小区(网格)党支部", at.committee, "单独组建", DEMO_COMPOUND, "", "2025-07-01"]]
    if name == "party_members":
        return [[HEAD_101.id_number, HEAD_101.name, "居民党员", BRANCH, "1995-07-01", "", "", "", "否", ""],
                [PEOPLE[3].id_number, PEOPLE[3].name, "离退休党员", BRANCH, "1972-06-20", "太原市纺织厂", "", "",
                 "否", ""]]
    if name == "grid_workers":
        return [["孙丽娟", "13703519999", "专职网格员", at.grid, "2025-03-01", "1. 信息采集\n2. 走访独居老人"]]
    if name == "self_orgs":
        return [[c, DEMO_COMPOUND, "业主委员会", COMMITTEE, "2025-05-10", "2025-06-01", "2030-05-31"]]
    if name == "property_services":
        return [[c, DEMO_COMPOUND, "公开选聘", "太原市示范物业服务有限公司", "91140105MA0K00001F", "", "2025-01-01", "",
                 "1.50", "90"]]
    if name == "partners":
        return [[c, "示范家园便民维修队", "志愿服务队", "水电维修、家电检修，每月第一个周六", "2025-06-01"]]
    if name == "positions":
        return [[HEAD_101.id_number, HEAD_101.name, "党组织", BRANCH, c, "书记", "2025-07-01", ""],
                [PEOPLE[1].id_number, PEOPLE[1].name, "自治组织", COMMITTEE, c, "主任", "2025-06-01", ""]]
    raise NotFound()


def example_file(actor, register: Register) -> bytes:
    """The register's filled example for this importer."""
    return sheets.filled(register, _rows(register.name, _where(actor)))
