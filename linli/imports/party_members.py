"""党员: the Party members among the residents already registered, found by their 公民身份号码.

A row names a resident of the importer's area by ID number (the natural key): their Party file is
created, or updated where it exists. The organisation and the dual-registration community are named as
a clerk knows them (the organisation's name, the community's name or code).
"""

from linli.accounts.scope import import_scope
from linli.core.scoping import visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import NOT_FOUND, Places, check_rules, differences, given, residents_in_area
from linli.imports.residents import EXAMPLE_ID
from linli.people import services as people_services
from linli.people.models import PartyMember

DETAILS = ("category", "joined_on", "employer", "dual_registered_on", "lost_contact", "search_record")

COLUMNS = (
    Column("id_number", "公民身份号码", kind="id_number", required=True,
           variants=("身份证号", "身份证号码", "身份证", "证件号码"),
           rule="必填：已登记在您辖区内的居民的身份证号（先导入居民）。请把该列设为文本格式", example=EXAMPLE_ID),
    Column("name", "姓名", max_length=50, rule="选填：填了须与登记的姓名一致，用来核对身份证号", example="张秀英"),
    Column("category", "党员类别", kind="choice", choices=tuple(PartyMember.Category.choices),
           variants=("类别", "党员类型"), rule="新登记的党员必填", example="离退休党员"),
    Column("home_branch", "所在党组织", variants=("组织关系所在支部", "所在支部", "党组织", "党支部"), max_length=100,
           rule="选填：您辖区内已登记的党组织名称", example=""),
    Column("joined_on", "入党日期", kind="date", variants=("入党时间",), rule="选填，如 1985-07-01",
           example="1985-07-01"),
    Column("employer", "工作单位", variants=("单位",), max_length=100, rule="选填", example=""),
    Column("dual_registered_community", "双报到社区", variants=("报到社区",), max_length=100,
           rule="在职党员必填：社区名称或 12 位社区代码，与“双报到日期”同时填写", example=""),
    Column("dual_registered_on", "双报到日期", kind="date", variants=("报到日期",), rule="与“双报到社区”同时填写",
           example=""),
    Column("lost_contact", "失联", kind="bool", variants=("是否失联", "失联党员"),
           rule="选填，填“是”或“否”；填“是”时须填写查找记录", example="否"),
    Column("search_record", "查找记录", max_length=1000, rule="选填", example=""),
)

NOTES = (
    "每行一名党员。党员须已作为居民登记在您辖区内：请先导入“居民及户籍”，再导入党员。",
    "按公民身份号码找到居民：未登记为党员的新登记，已登记的更新。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "在职党员须填写双报到社区和双报到日期；标记为失联的党员须填写查找记录。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def _party_orgs(area) -> dict:
    orgs: dict = {}
    model = PartyMember._meta.get_field("home_branch").related_model  # orgs sit above people
    for org in visible(model.objects.all(), area):
        orgs.setdefault(org.name, []).append(org)
    return orgs


def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    people = residents_in_area({row.values["id_number"] for row in rows if not row.errors}, area)
    members = {m.resident_id: m for m in PartyMember.objects.filter(resident__in=list(people.values()))}
    orgs = None
    for row in rows:
        if row.errors:
            continue
        v = row.values
        resident = people.get(v["id_number"])
        if resident is None:
            row.reject(f"找不到该身份证号的居民{NOT_FOUND}，请先导入居民")
            continue
        if v["name"] and v["name"] != resident.name:
            row.reject(f"“姓名”与该身份证号登记的姓名“{resident.name}”不一致")
            continue
        row.label = resident.name
        refs = {}
        if v["home_branch"]:
            orgs = _party_orgs(area) if orgs is None else orgs
            found = orgs.get(v["home_branch"], [])
            if len(found) != 1:
                row.reject(f"找不到党组织“{v['home_branch']}”{NOT_FOUND}" if not found
                           else f"有多个名为“{v['home_branch']}”的党组织，请在系统中改名区分后再导入")
                continue
            refs["home_branch"] = found[0]
        if v["dual_registered_community"]:
            community, reason = places.community(v["dual_registered_community"])
            if reason:
                row.reject(reason)
                continue
            refs["dual_registered_community"] = community
        _decide(row, resident, members.get(resident.pk), given(v, DETAILS) | refs)


def _decide(row: Row, resident, member, wanted: dict) -> None:
    if member is None:
        if "category" not in wanted:
            row.reject("新登记的党员须填写“党员类别”")
            return
        probe = PartyMember(resident=resident, **wanted)
        row.status, row.plan["data"] = CREATED, {"resident": resident, **wanted}
    else:
        probe = PartyMember.objects.get(pk=member.pk)
        for name, value in wanted.items():
            setattr(probe, name, value)
        row.plan["data"] = differences(member, wanted)
        row.status = UPDATED if row.plan["data"] else UNCHANGED
    row.plan["member"] = member
    check_rules(row, probe)


def write(actor, row: Row, shared: dict) -> None:
    if row.status == CREATED:
        people_services.partymember_create(actor=actor, **row.plan["data"])
    else:
        people_services.partymember_update(actor=actor, member=row.plan["member"], data=row.plan["data"])


REGISTER = Register(
    name="party_members",
    title="党员",
    columns=COLUMNS,
    key="id_number",
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)
