"""党组织: the Party organisations of the importer's communities, by community and name.

The tree is built from the top: a row names its 上级组织 by name, registered already or on an earlier row
of the same file. 覆盖小区 lists the compounds of the community the organisation covers.
"""

from linli.accounts.scope import import_scope
from linli.core.scoping import visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import (
    NOT_FOUND,
    Places,
    by_name,
    check_rules,
    differences,
    find_company,
    given,
    split_list,
)
from linli.orgs import services as org_services
from linli.orgs.models import PartyOrg

DETAILS = ("formation", "founded_on")

COLUMNS = (
    Column("community", "社区", required=True, variants=("所在社区", "所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码", example="康宁社区"),
    Column("name", "组织名称", required=True, variants=("名称", "党组织名称", "党组织"), max_length=100,
           rule="同一社区内按名称找到已登记的党组织并更新，找不到则新建", example="康宁社区党委"),
    Column("level", "层级", kind="choice", choices=tuple(PartyOrg.Level.choices), variants=("组织层级", "类别"),
           rule="新建时必填；已登记的党组织层级不能修改", example="社区党委/党总支"),
    Column("parent", "上级组织", variants=("上级党组织",), max_length=100,
           rule="选填：同一社区已登记、或本表前面各行中的党组织名称", example=""),
    Column("formation", "组建方式", kind="choice", choices=tuple(PartyOrg.Formation.choices),
           rule="小区党支部必填", example=""),
    Column("compounds", "覆盖小区", variants=("覆盖院落",), max_length=1000,
           rule="选填：同一社区的小区名称，多个用“、”分隔；填了即为该组织覆盖的全部小区", example="康宁小区"),
    Column("property_company", "联建物业企业", variants=("物业企业",), max_length=100,
           rule="物业联建时必填：服务于您辖区的物业企业名称或统一社会信用代码", example=""),
    Column("founded_on", "成立日期", kind="date", variants=("成立时间",), rule="选填", example="2019-07-01"),
)

NOTES = (
    "每行一个党组织。社区须是系统中已登记、且在您辖区内的社区。",
    "同一社区内按“组织名称”找到已登记的党组织并更新，找不到则新建。请按从上到下的顺序填写：上级组织写在前面的行。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    registered: dict = {}
    in_file: dict = {}  # (community, name) → the row that creates it
    for row in rows:
        if row.errors:
            continue
        v = row.values
        community, reason = places.community(v["community"])
        if reason:
            row.reject(reason)
            continue
        if community.pk not in registered:
            registered[community.pk] = list(visible(PartyOrg.objects.filter(community=community), area))
        org, reason = by_name(registered[community.pk], v["name"], "党组织")
        if reason:
            row.reject(reason)
            continue
        if (community.pk, v["name"]) in in_file:
            row.reject(f"与第 {in_file[(community.pk, v['name'])].number} 行是同一党组织（写法不同）")
            continue
        wanted = given(v, DETAILS)
        if v["parent"] and not _plan_parent(row, community, registered[community.pk], in_file, wanted):
            continue
        if v["property_company"]:
            company, reason = find_company(area, v["property_company"])
            if company is None:
                row.reject(reason or f"找不到物业企业“{v['property_company']}”{NOT_FOUND}")
                continue
            wanted["property_company"] = company
        compounds = None
        if v["compounds"]:
            compounds = []
            for name in split_list(v["compounds"]):
                compound, reason = places.compound(community, name)
                if reason:
                    row.reject(reason)
                else:
                    compounds.append(compound)
            if row.errors:
                continue
        _decide(row, community, org, wanted, compounds)
        in_file[(community.pk, v["name"])] = row


def _decide(row: Row, community, org, wanted: dict, compounds) -> None:
    v = row.values
    row.plan.update(org=org, compounds=compounds)
    if org is None:
        if not v["level"]:
            row.reject("新建党组织须填写“层级”")
            return
        probe = PartyOrg(community=community, name=v["name"], level=v["level"], **wanted)
        row.plan["probe"] = probe
        row.status, row.plan["data"] = CREATED, {"community": community, "name": v["name"], "level": v["level"],
                                                 **wanted}
        check_rules(row, probe)
        return
    if v["level"] and v["level"] != org.level:
        row.reject(f"已登记的党组织层级（{org.get_level_display()}）不能修改")
        return
    row.plan["probe"] = org
    probe = PartyOrg.objects.get(pk=org.pk)
    for name, value in wanted.items():
        setattr(probe, name, value)
    check_rules(row, probe)
    row.plan["data"] = differences(org, wanted)
    row.plan["compounds_change"] = compounds is not None and (
        {c.pk for c in compounds} != set(org.compounds.values_list("pk", flat=True)))
    row.status = UPDATED if row.plan["data"] or row.plan["compounds_change"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    data = dict(row.plan["data"])
    parent_row = row.plan.get("parent_row")
    if parent_row is not None:
        data["parent"] = shared[("org", parent_row.number)]
    if row.status == CREATED:
        data["compounds"] = row.plan["compounds"] or []
        shared[("org", row.number)] = org_services.partyorg_create(actor=actor, data=data)
        return
    if row.plan["compounds_change"]:
        data["compounds"] = row.plan["compounds"]
    shared[("org", row.number)] = org_services.partyorg_update(actor=actor, org=row.plan["org"], data=data)


REGISTER = Register(
    name="party_orgs",
    title="党组织",
    columns=COLUMNS,
    key=("community", "name"),
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)


def _plan_parent(row: Row, community, registered: list, in_file: dict, wanted: dict) -> bool:
    """The row's 上级组织: registered, or created by an earlier row. False: the row was rejected."""
    v = row.values
    parent, reason = by_name(registered, v["parent"], "党组织")
    earlier = in_file.get((community.pk, v["parent"]))
    if reason or (parent is None and earlier is None):
        row.reject(reason or f"{community.name}找不到上级组织“{v['parent']}”{NOT_FOUND}，也不在本表前面的行中")
        return False
    if parent is None and earlier.errors:
        row.reject(f"上级组织所在的第 {earlier.number} 行未通过检查")
        return False
    wanted["parent"] = parent or earlier.plan["probe"]
    row.plan["parent_row"] = None if parent else earlier
    return True
