"""居民及户籍: residents with their households, into dwellings already in the place register.

A row names its dwelling the way a clerk knows it (社区 by name or code, 小区, 楼栋, 单元, 房号) and its
person by 公民身份号码, the natural key: a person already registered is updated, a new one created.
The household is the 户号 at that dwelling when given; otherwise a head of household (与户主关系 户主)
keeps the household they already have at that dwelling or starts one, and any other member names
their head by 户主身份证号 (the head in the same file or already registered at that dwelling).
A blank optional cell leaves what is registered as it is, so a partial ledger never wipes phones.
"""

from linli.accounts.scope import import_scope
from linli.core import crypto
from linli.core.validators import id_check_char
from linli.imports.engine import (
    CREATED,
    UNCHANGED,
    UPDATED,
    WRITE_REFUSALS,
    Column,
    Register,
    Row,
    RowFailed,
    refusal_reason,
)
from linli.imports.lookups import NOT_FOUND, Places, registered_residents
from linli.people import services as people_services
from linli.people.models import Household, Resident

HEAD = Resident.Relation.HEAD
# A valid number for the template's example row (born 1956-03-12, a woman).
EXAMPLE_ID = "14010519560312002" + id_check_char("14010519560312002")

COLUMNS = (
    Column("community", "社区", required=True, variants=("所属社区", "社区名称", "社区代码"), max_length=100,
           rule="社区名称，或 12 位社区代码（名称有重名时须填代码）", example="康宁社区"),
    Column("compound", "小区", required=True, variants=("小区名称", "所属小区", "院落", "小区院落", "小区/院落"),
           max_length=100, rule="系统中已登记的小区或院落名称", example="康宁小区"),
    Column("building", "楼栋", required=True, variants=("楼栋号", "楼号", "栋号"), max_length=30,
           rule="已登记的楼栋，“1号楼”“1栋”“1”均可", example="1号楼"),
    Column("entrance", "单元", required=True, variants=("单元号",), max_length=20,
           rule="已登记的单元，“1单元”“1”均可", example="1单元"),
    Column("dwelling", "房号", required=True, variants=("房间号", "门牌号", "室号"), max_length=20,
           rule="已登记的房号，如 101", example="101"),
    Column("household_number", "户号", variants=("户口簿户号",), max_length=30,
           rule="选填。同一房屋有几户时用来区分；填了户号，同户的人都填同一户号", example=""),
    Column("head_id_number", "户主身份证号", kind="id_number", variants=("户主公民身份号码", "户主身份证号码"),
           rule="不是户主的人必填（或填户号）：户主本人的身份证号，户主在本表中或已登记在该房屋；户主本人留空",
           example=""),
    Column("name", "姓名", required=True, max_length=50, rule="必填", example="张秀英"),
    Column("id_number", "公民身份号码", kind="id_number", required=True,
           variants=("身份证号", "身份证号码", "身份证", "证件号码"),
           rule="必填，18 位，按国家标准校验；已登记的人按此号码更新。请把该列设为文本格式",
           example=EXAMPLE_ID),
    Column("phone", "联系电话", kind="phone", variants=("手机", "手机号", "手机号码", "电话", "联系方式"),
           rule="选填。11 位手机号，或带区号的固定电话", example="13812345678"),
    Column("relation", "与户主关系", kind="choice", choices=tuple(Resident.Relation.choices), variants=("关系",),
           rule="选填，新登记的人留空即为户主", example="户主"),
    Column("status", "人户状态", kind="choice", choices=tuple(Resident.Status.choices),
           variants=("居住状态", "人员类型"), rule="选填，新登记的人留空即为户籍", example="户籍"),
    Column("is_owner", "是否业主", kind="bool", variants=("业主",), rule="选填，填“是”或“否”", example="是"),
    Column("email", "电子邮箱", kind="email", variants=("邮箱",), max_length=254, rule="选填", example=""),
)

NOTES = (
    "每行一位居民。社区、小区、楼栋、单元、房号须是系统中已登记、且在您辖区内的房屋；导入不会新建房屋。",
    "同一公民身份号码在表中只能出现一次；已登记的居民按公民身份号码更新，未登记的新建。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "户主留空“户主身份证号”；家庭其他成员填写户主的身份证号，或与户主填写同一户号。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


# --- people ---------------------------------------------------------------------------------------

def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    for row in rows:
        if not row.errors:
            row.plan["dwelling"], reason = places.dwelling(row.values)
            if reason:
                row.reject(reason)
    numbers = {row.values[k] for row in rows for k in ("id_number", "head_id_number") if not row.errors}
    # Each ID number hashed once, for the lookups here and for the rows written.
    hashes = {n: crypto.lookup_hash(n) for n in numbers if n}
    registered, in_area = registered_residents(numbers, area, hashes)
    planner = _Households(registered, in_area, hashes)
    planner.people(rows)
    planner.heads([r for r in rows if not r.errors and r.plan["relation"] == HEAD])
    planner.members([r for r in rows if not r.errors and r.plan["relation"] != HEAD])
    for row in rows:
        if not row.errors:
            _decide(row, hashes)


class _Households:
    """Which household each row joins: the heads first (one per household), then their members."""

    def __init__(self, registered: dict, in_area: set, hashes: dict):
        self.registered, self.in_area, self.hashes = registered, in_area, hashes
        self.heads_in_file: dict = {}
        self.households: dict = {}
        self.head_of: dict = {}

    def person(self, id_number):
        if not id_number:
            return None
        return self.registered.get(self.hashes.get(id_number) or crypto.lookup_hash(id_number))

    def by_number(self, row):
        key = (row.plan["dwelling"], row.values["household_number"])
        if key not in self.households:
            self.households[key] = Household.objects.filter(dwelling_id=key[0], number=key[1]).order_by("pk").first()
        found = self.households[key]
        return ("household", found.pk) if found else ("new", *key)

    def people(self, rows) -> None:
        for row in rows:
            own = self.person(row.values["id_number"]) if not row.errors else None
            if own is not None and own.pk not in self.in_area:
                # The same words as the form: the register holds each person once, wherever they live.
                row.reject("该身份证号已登记在其他居民名下。")
            row.plan["resident"] = own
            relation = row.values["relation"] or (own.relation if own else HEAD)
            row.plan["relation"] = relation
            if relation == HEAD and row.values["id_number"]:
                self.heads_in_file.setdefault(row.values["id_number"], row)
                if row.values["head_id_number"] and row.values["head_id_number"] != row.values["id_number"]:
                    row.reject("户主本人的“户主身份证号”应留空，或填本人的号码")

    def heads(self, rows) -> None:
        for row in rows:
            own = row.plan["resident"]
            if row.values["household_number"]:
                key = self.by_number(row)
            elif own is not None and own.household.dwelling_id == row.plan["dwelling"]:
                key = ("household", own.household_id)
            else:
                key = ("new-head", row.values["id_number"])
            if key in self.head_of:
                row.reject(f"与第 {self.head_of[key]} 行同属一户，一户只能有一位户主")
                continue
            self.head_of[key] = row.number
            row.plan["household"] = key

    def members(self, rows) -> None:
        for row in rows:
            head_id = row.values["head_id_number"]
            if row.values["household_number"]:
                row.plan["household"] = self.by_number(row)
            elif not head_id:
                row.reject("不是户主的居民须填写“户主身份证号”或“户号”")
            elif head_id in self.heads_in_file:
                self._join_head_in_file(row, self.heads_in_file[head_id])
            else:
                self._join_registered_head(row, self.person(head_id))

    @staticmethod
    def _join_head_in_file(row, head) -> None:
        if head.errors:
            row.reject(f"户主所在的第 {head.number} 行未通过检查")
        elif head.plan["dwelling"] != row.plan["dwelling"]:
            row.reject(f"户主（第 {head.number} 行）登记在其他房屋，请核对房号")
        else:
            row.plan["household"] = head.plan["household"]

    def _join_registered_head(self, row, head) -> None:
        if head is None or head.pk not in self.in_area:
            row.reject(f"找不到“户主身份证号”对应的居民{NOT_FOUND}，户主也不在本表中")
        elif head.household.dwelling_id != row.plan["dwelling"]:
            row.reject("户主登记在其他房屋，请核对房号或户主身份证号")
        else:
            row.plan["household"] = ("household", head.household_id)


def _decide(row: Row, hashes: dict) -> None:
    """Create, update or leave as it is: only the cells filled in count."""
    values, own = row.values, row.plan["resident"]
    wanted = {"name": values["name"], "relation": row.plan["relation"]}
    for name in ("phone", "email", "status"):
        if values[name]:
            wanted[name] = values[name]
    if values["is_owner"] is not None:
        wanted["is_owner"] = values["is_owner"]
    if own is None:
        row.status = CREATED
        row.plan["data"] = {"id_number": values["id_number"], **wanted}
        row.plan["id_hash"] = hashes.get(values["id_number"])
        return
    changes = {name: value for name, value in wanted.items() if getattr(own, name) != value}
    move = row.plan["household"] != ("household", own.household_id)
    row.plan["data"], row.plan["move"] = changes, move
    row.status = UPDATED if changes or move else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    key = row.plan["household"]
    if key[0] == "household":
        household = key[1]
    else:
        # The first row of a new household creates it; the others of the file join it.
        if key not in shared:
            number = row.values["household_number"] if key[0] == "new" else ""
            shared[key] = people_services.household_create(actor=actor, dwelling=row.plan["dwelling"], number=number)
        household = shared[key]
    if row.status == CREATED:
        people_services.resident_create(actor=actor, household=household, **row.plan["data"])
    else:
        people_services.resident_change(actor=actor, resident=row.plan["resident"], data=row.plan["data"],
                                        household=household if row.plan["move"] else None)


def write_many(actor, rows: list[Row], shared: dict) -> None:
    """A batch of rows through the set-based services: new households, new residents, changed residents."""
    # Each new household's first row: its head (or the first row of that 户号), in the order of the rows.
    starts: dict = {}
    for row in rows:
        key = row.plan["household"]
        if key[0] != "household" and key not in shared:
            starts.setdefault(key, row)
    new_keys = list(starts)
    specs = [(key[1], key[2]) if key[0] == "new" else (starts[key].plan["dwelling"], "") for key in new_keys]
    for key, household in zip(new_keys, _refusing(rows, lambda: people_services.households_create_many(
            actor=actor, specs=specs), [starts[k] for k in new_keys]), strict=True):
        shared[key] = household.pk  # the id only: a big file starts tens of thousands of households

    def target(row):
        key = row.plan["household"]
        return key[1] if key[0] == "household" else shared[key]

    created = [r for r in rows if r.status == CREATED]
    _refusing(rows, lambda: people_services.residents_create_many(
        actor=actor, items=[(target(r), r.plan["data"], r.plan.get("id_hash")) for r in created]), created)
    changed = [r for r in rows if r.status != CREATED]
    _refusing(rows, lambda: people_services.residents_change_many(
        actor=actor, items=[(r.plan["resident"], r.plan["data"], target(r) if r.plan["move"] else None)
                            for r in changed]), changed)


def _refusing(rows: list[Row], call, items: list[Row]):
    """The service's answer, or RowFailed naming the row of the item it refused."""
    try:
        return call()
    except WRITE_REFUSALS as exc:
        index = getattr(exc, "item", 0)
        row = items[index] if index < len(items) else rows[0]
        raise RowFailed(row, refusal_reason(exc)) from None


REGISTER = Register(
    name="residents",
    title="居民及户籍",
    columns=COLUMNS,
    key="id_number",
    label="name",
    plan=plan,
    write=write,
    write_many=write_many,
    notes=NOTES,
)
