"""网格与微网格: the grids of existing communities, their micro-grids, and the buildings each one covers.

A row is a grid, or a micro-grid of it when 微网格 is filled, and may name a compound with the buildings
it covers there (all of the compound's buildings when 楼栋 is blank): those buildings are moved into it.
A grid is found by its 15-digit code, or by name within the community; a new grid needs its code.
"""

from linli.accounts.scope import import_scope
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import NOT_FOUND, Places, reject_repeats, split_list
from linli.places import services as place_services

COLUMNS = (
    Column("community", "社区", required=True, variants=("所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码（名称有重名时须填代码）", example="康宁社区"),
    Column("grid", "网格名称", required=True, variants=("网格", "所属网格"), max_length=100,
           rule="社区内已登记的网格按编码或名称找到并更新，找不到则新建", example="康宁一网格"),
    Column("code", "网格编码", variants=("网格代码",), max_length=15,
           rule="新建网格必填：社区 12 位代码加 3 位序号，共 15 位数字", example="140105001001001"),
    Column("micro_grid", "微网格", variants=("微网格名称",), max_length=100,
           rule="选填。填了表示该行是网格下的微网格，未登记的将新建", example=""),
    Column("compound", "小区", variants=("小区名称", "院落", "小区/院落"), max_length=100,
           rule="选填：该网格（或微网格）覆盖的小区，须在同一社区", example="康宁小区"),
    Column("buildings", "楼栋", variants=("覆盖楼栋", "楼栋号"), max_length=500,
           rule="选填：该小区中划入的楼栋，多个用“、”分隔；留空表示该小区全部楼栋", example="1号楼"),
)

NOTES = (
    "每行一个网格，或填了“微网格”时为该网格下的一个微网格。社区须是系统中已登记、且在您辖区内的社区。",
    "网格按“网格编码”找到，没有编码时按社区内的“网格名称”找到；找不到则新建，新建时须填写 15 位网格编码。",
    "填了“小区”时，该小区的楼栋（“楼栋”列所列的，或留空时全部楼栋）划入该网格或微网格；一栋楼只能划入一处。",
    "楼栋移入其他网格时，原来所在的微网格随之取消。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)

CODE_RULE = "“网格编码”应为 15 位：所属社区的 12 位代码加 3 位序号"


def _find_grid(places: Places, row: Row, community, new_by_name: dict):
    """(grid or None, its key, the reason it cannot be found): by code, else by name, else new in the file."""
    code, name = row.values["code"], row.values["grid"]
    if code and not (len(code) == 15 and code.isdigit() and code.startswith(community.code)):
        return None, None, CODE_RULE
    if code:
        found = [g for g in places.grids_of(community) if g.code == code]
        if found:
            return found[0], ("grid", found[0].pk), None
    grid, reason = places.find_grid(community, name)
    if reason:
        return None, None, reason
    if grid is not None:
        return grid, ("grid", grid.pk), None
    if code:
        new_by_name.setdefault((community.pk, name), ("new", code))
        return None, ("new", code), None
    if (community.pk, name) in new_by_name:  # created by an earlier row of the file
        return None, new_by_name[(community.pk, name)], None
    return None, None, "新建网格须填写“网格编码”"


def plan(actor, rows: list[Row]) -> None:
    places = Places(import_scope(actor))
    new_by_name: dict = {}
    for row in rows:
        v = row.values
        row.label = (v["grid"] or "") + (f" · {v['micro_grid']}" if v["micro_grid"] else "")
        if row.errors:
            continue
        community, reason = places.community(v["community"])
        if reason:
            row.reject(reason)
            continue
        grid, key, reason = _find_grid(places, row, community, new_by_name)
        if reason:
            row.reject(reason)
            continue
        row.plan.update(community=community, grid=grid, grid_key=key)
        micro = None
        if v["micro_grid"] and grid is not None:
            micro, reason = places.micro_grid(grid, v["micro_grid"])
            if reason:
                row.reject(reason)
                continue
        row.plan["micro"] = micro
        row.plan["micro_key"] = None if not v["micro_grid"] else (
            ("micro", micro.pk) if micro else ("new", row.plan["grid_key"], v["micro_grid"]))
        _cover(places, row, community)
    reject_repeats(rows, lambda row: (row.plan["grid_key"], row.plan["micro_key"],
                                      getattr(row.plan.get("compound"), "pk", None)), "网格")
    _carry_grids(rows)
    claimed: dict = {}
    for row in rows:
        if row.errors:
            continue
        for building in row.plan["cover"]:
            if building.pk in claimed:
                row.reject(f"楼栋“{building.compound.name}{building.number}”已在第 {claimed[building.pk]} 行划分")
            claimed.setdefault(building.pk, row.number)
    for row in rows:
        if not row.errors:
            _decide(row)


def _cover(places: Places, row: Row, community) -> None:
    """The buildings the row moves into its grid or micro-grid."""
    v = row.values
    row.plan["cover"] = []
    if not v["compound"]:
        if v["buildings"]:
            row.reject("填写“楼栋”时须填写所在的“小区”")
        return
    compound, reason = places.compound(community, v["compound"])
    if reason:
        row.reject(reason)
        return
    row.plan["compound"] = compound
    numbers = split_list(v["buildings"])
    if not numbers:
        row.plan["cover"] = [b for found in places.buildings_of(compound).values() for b in found]
        return
    for number in numbers:
        building, reason = places.find_building(compound, number)
        if building is None:
            row.reject(reason or f"{compound.name}找不到楼栋“{number}”{NOT_FOUND}")
        else:
            building.compound = compound
            row.plan["cover"].append(building)


def _carry_grids(rows: list[Row]) -> None:
    """The first row of each grid carries its creation or new name/code; the others must agree with it."""
    first: dict = {}
    micros: set = set()
    for row in rows:
        if row.errors:
            continue
        key, v = row.plan["grid_key"], row.values
        if key in first:
            earlier = first[key]
            if (v["grid"], v["code"] or earlier.values["code"]) != (earlier.values["grid"],
                                                                    earlier.values["code"] or v["code"]):
                row.reject(f"与第 {earlier.number} 行的网格名称或编码不一致（同一网格）")
                continue
        else:
            first[key] = row
            grid = row.plan["grid"]
            if grid is None:
                row.plan["grid_data"] = {"community": row.plan["community"], "code": v["code"], "name": v["grid"]}
            else:
                wanted = {"name": v["grid"]} | ({"code": v["code"]} if v["code"] else {})
                row.plan["grid_data"] = {k: value for k, value in wanted.items() if getattr(grid, k) != value}
        micro_key = row.plan["micro_key"]
        if micro_key and micro_key[0] == "new" and micro_key not in micros:
            micros.add(micro_key)
            row.plan["micro_new"] = True


def _moves(row: Row, grid, micro) -> list[tuple]:
    """(building, data) for every covered building that changes."""
    moves = []
    for building in row.plan["cover"]:
        data = {}
        if grid is None or building.grid_id != grid.pk:
            data["grid"] = grid
            if building.micro_grid_id and not row.plan["micro_key"]:
                data["micro_grid"] = None  # its micro-grid belongs to the grid it leaves
        if row.plan["micro_key"] and (micro is None or building.micro_grid_id != micro.pk):
            data["micro_grid"] = micro
        if data:
            moves.append((building, data))
    return moves


def _decide(row: Row) -> None:
    created = row.plan["grid"] is None and "grid_data" in row.plan or row.plan.get("micro_new")
    changed = bool(row.plan.get("grid_data")) or bool(_moves(row, row.plan["grid"], row.plan["micro"]))
    row.status = CREATED if created else UPDATED if changed else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    key, data = row.plan["grid_key"], row.plan.get("grid_data")
    if key[0] == "new":
        if key not in shared:
            shared[key] = place_services.grid_create(actor=actor, data=data)
        grid = shared[key]
    else:
        grid = row.plan["grid"]
        if data:
            grid = place_services.grid_update(actor=actor, grid=grid, data=data)
    micro, micro_key = row.plan["micro"], row.plan["micro_key"]
    if micro_key and micro_key[0] == "new":
        if micro_key not in shared:
            shared[micro_key] = place_services.micro_grid_create(
                actor=actor, data={"grid": grid, "name": row.values["micro_grid"]})
        micro = shared[micro_key]
    for building, changes in _moves(row, grid, micro):
        place_services.building_update(actor=actor, building=building, data=changes)


REGISTER = Register(
    name="grids",
    title="网格与微网格",
    columns=COLUMNS,
    key=("community", "grid", "micro_grid", "compound"),
    label="grid",
    plan=plan,
    write=write,
    notes=NOTES,
)
