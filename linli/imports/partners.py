"""共建单位: co-building units, red partners, craftspeople and volunteer teams of a community, by name."""

from linli.accounts.scope import import_scope
from linli.core.scoping import visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import Places, by_name, differences, given, reject_repeats
from linli.orgs import services as org_services
from linli.orgs.models import PartnerUnit

DETAILS = ("kind", "offer", "agreement_on")

COLUMNS = (
    Column("community", "社区", required=True, variants=("所在社区", "所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码", example="康宁社区"),
    Column("name", "名称", required=True, variants=("单位名称", "共建单位", "合伙人"), max_length=100,
           rule="同一社区内按名称找到已登记的并更新，找不到则新建", example="小店区第一人民医院"),
    Column("kind", "类型", kind="choice", choices=tuple(PartnerUnit.Kind.choices), variants=("类别",),
           rule="新建时必填", example="共建单位"),
    Column("offer", "可提供的资源/服务", variants=("资源清单", "可提供的资源", "可提供的服务", "服务内容"),
           max_length=2000, rule="选填", example="每月一次义诊；健康讲座"),
    Column("agreement_on", "签约日期", kind="date", variants=("签约时间",), rule="选填", example="2024-05-20"),
)

NOTES = (
    "每行一个共建单位、红色合伙人、能工巧匠或志愿服务队。社区须是系统中已登记、且在您辖区内的社区。",
    "同一社区内按“名称”找到已登记的并更新，找不到则新建；新建时须填写“类型”。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    for row in rows:
        if row.errors:
            continue
        community, reason = places.community(row.values["community"])
        if reason:
            row.reject(reason)
            continue
        partner, reason = by_name(visible(PartnerUnit.objects.filter(community=community), area),
                                  row.values["name"], "共建单位")
        if reason:
            row.reject(reason)
            continue
        row.plan.update(community=community, partner=partner)
    reject_repeats(rows, lambda row: (row.plan["community"].pk, row.values["name"]), "共建单位")
    for row in rows:
        if row.errors:
            continue
        wanted, partner = given(row.values, DETAILS), row.plan["partner"]
        if partner is None:
            if "kind" not in wanted:
                row.reject("新建共建单位须填写“类型”")
                continue
            row.status = CREATED
            row.plan["data"] = {"community": row.plan["community"], "name": row.values["name"], **wanted}
        else:
            row.plan["data"] = differences(partner, wanted)
            row.status = UPDATED if row.plan["data"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    if row.status == CREATED:
        org_services.partner_create(actor=actor, data=row.plan["data"])
    else:
        org_services.partner_update(actor=actor, partner=row.plan["partner"], data=row.plan["data"])


REGISTER = Register(
    name="partners",
    title="共建单位",
    columns=COLUMNS,
    key=("community", "name"),
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)
