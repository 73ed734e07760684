"""自治组织: owners' committees, property-management committees and self-management committees of compounds.

A committee is one term of one kind in one compound: a row is found by its compound, its kind and the
start of its term, so the next term's committee is a new row, and the last term's stays on record.
"""

from linli.accounts.scope import import_scope
from linli.core.scoping import visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import Places, check_rules, differences, given, reject_repeats
from linli.orgs import services as org_services
from linli.orgs.models import SelfOrg

DETAILS = ("name", "elected_on", "term_end")

COLUMNS = (
    Column("community", "社区", required=True, variants=("所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码", example="康宁社区"),
    Column("compound", "小区", required=True, variants=("小区名称", "院落", "小区/院落"), max_length=100,
           rule="系统中已登记的小区或院落名称", example="康宁小区"),
    Column("kind", "类型", kind="choice", required=True, choices=tuple(SelfOrg.Kind.choices),
           variants=("组织类型",), rule="必填", example="业主委员会"),
    Column("name", "名称", variants=("组织名称",), max_length=100, rule="新建时必填", example="康宁小区第二届业主委员会"),
    Column("elected_on", "选举日期", kind="date", variants=("成立日期", "选举/成立日期"), rule="选填",
           example="2024-03-15"),
    Column("term_start", "任期开始", kind="date", required=True, variants=("任期起始",),
           rule="必填。同一小区同一类型按任期开始日期区分各届", example="2024-04-01"),
    Column("term_end", "任期结束", kind="date", variants=("任期截止",), rule="选填，不得早于任期开始",
           example="2029-03-31"),
)

NOTES = (
    "每行一届自治组织。小区须是系统中已登记、且在您辖区内的小区。",
    "按“小区”“类型”“任期开始”找到已登记的一届并更新，找不到则新建（新的一届请另起一行）。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    for row in rows:
        if row.errors:
            continue
        compound, reason = places.compound_of(row.values)
        if reason:
            row.reject(reason)
            continue
        row.plan["compound"] = compound
    reject_repeats(rows, lambda row: (row.plan["compound"].pk, row.values["kind"], row.values["term_start"]),
                   "自治组织")
    for row in rows:
        if row.errors:
            continue
        v, compound = row.values, row.plan["compound"]
        org = visible(SelfOrg.objects.filter(compound=compound, kind=v["kind"], term_start=v["term_start"]),
                      area).first()
        row.plan["org"] = org
        wanted = given(v, DETAILS)
        if org is None:
            if "name" not in wanted:
                row.reject("新建自治组织须填写“名称”")
                continue
            row.status = CREATED
            row.plan["data"] = {"compound": compound, "kind": v["kind"], "term_start": v["term_start"], **wanted}
            check_rules(row, SelfOrg(**row.plan["data"]))
            continue
        row.label = row.label or org.name
        probe = SelfOrg.objects.get(pk=org.pk)
        for name, value in wanted.items():
            setattr(probe, name, value)
        check_rules(row, probe)
        row.plan["data"] = differences(org, wanted)
        row.status = UPDATED if row.plan["data"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    if row.status == CREATED:
        org_services.selforg_create(actor=actor, data=row.plan["data"])
    else:
        org_services.selforg_update(actor=actor, selforg=row.plan["org"], data=row.plan["data"])


REGISTER = Register(
    name="self_orgs",
    title="自治组织",
    columns=COLUMNS,
    key=("community", "compound", "kind", "term_start"),
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)
