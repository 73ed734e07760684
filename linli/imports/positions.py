"""任职: who holds which post in which organisation, and from when: the person by 公民身份号码.

The holder is a resident of the importer's area; the organisation is named by its kind and name (and
its community when names repeat across communities). A row is found by holder, organisation, post and
start date, so a second term is a new row and the first stays on record.
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
    residents_in_area,
)
from linli.imports.residents import EXAMPLE_ID
from linli.orgs import services as org_services
from linli.orgs.models import PartnerUnit, PartyOrg, Position, SelfOrg

KINDS = (("party_org", "党组织"), ("self_org", "自治组织"), ("property_company", "物业企业"), ("partner", "共建单位"))

COLUMNS = (
    Column("id_number", "公民身份号码", kind="id_number", required=True,
           variants=("身份证号", "身份证号码", "身份证", "证件号码"),
           rule="必填：已登记在您辖区内的居民的身份证号（先导入居民）。请把该列设为文本格式", example=EXAMPLE_ID),
    Column("name", "姓名", max_length=50, rule="选填：填了须与登记的姓名一致，用来核对身份证号", example="张秀英"),
    Column("org_kind", "组织类型", kind="choice", required=True, choices=KINDS, variants=("任职组织类型",),
           rule="必填", example="党组织"),
    Column("org", "组织名称", required=True, variants=("任职组织", "组织", "单位名称"), max_length=100,
           rule="必填：您辖区内已登记的组织名称；物业企业也可填统一社会信用代码", example="康宁社区党委"),
    Column("community", "社区", variants=("所在社区", "社区名称", "社区代码"), max_length=100,
           rule="选填：不同社区有同名组织时，填组织所在的社区", example="康宁社区"),
    Column("role", "职务", required=True, variants=("担任职务", "岗位"), max_length=50, rule="必填，如 书记、委员、主任",
           example="委员"),
    Column("start", "任职开始", kind="date", required=True, variants=("任职日期", "开始日期", "任职开始日期"),
           rule="必填", example="2021-07-01"),
    Column("end", "任职结束", kind="date", variants=("离任日期", "结束日期", "任职结束日期"), rule="选填，仍在任的留空",
           example=""),
)

NOTES = (
    "每行一项任职。任职人须已作为居民登记在您辖区内，组织须已登记：请先导入居民和组织，再导入任职。",
    "按任职人、组织、职务和任职开始日期找到已登记的任职并更新（如填写任职结束），找不到则新建。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


class _Orgs:
    """The organisations of the area a position may be held in, by kind and name."""

    def __init__(self, area, places: Places):
        self.area, self.places = area, places

    def find(self, kind: str, text: str, community):
        if kind == "property_company":
            company, reason = find_company(self.area, text, write=True)
            return company, reason
        if kind == "party_org":
            rows = PartyOrg.objects.filter(**({"community": community} if community else {}))
            return by_name(visible(rows, self.area), text, "党组织")
        if kind == "self_org":
            rows = SelfOrg.objects.filter(**({"compound__community": community} if community else {}))
            return by_name(visible(rows, self.area), text, "自治组织")
        rows = PartnerUnit.objects.filter(**({"community": community} if community else {}))
        return by_name(visible(rows, self.area), text, "共建单位")


def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    orgs = _Orgs(area, places)
    people = residents_in_area({row.values["id_number"] for row in rows if not row.errors}, area)
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
        community = None
        if v["community"]:
            community, reason = places.community(v["community"])
            if reason:
                row.reject(reason)
                continue
        org, reason = orgs.find(v["org_kind"], v["org"], community)
        if org is None:
            label = dict(KINDS)[v["org_kind"]]
            row.reject(reason or f"找不到{label}“{v['org']}”{NOT_FOUND}")
            continue
        _decide(row, resident, org)


def _decide(row: Row, resident, org) -> None:
    v = row.values
    holder = {"resident": resident, v["org_kind"]: org, "role": v["role"], "start": v["start"]}
    position = Position.objects.filter(**holder).order_by("pk").first()
    wanted = given(v, ("end",))
    row.plan["position"] = position
    if position is None:
        row.status, row.plan["data"] = CREATED, holder | wanted
        check_rules(row, Position(**row.plan["data"]))
        return
    probe = Position.objects.get(pk=position.pk)
    for name, value in wanted.items():
        setattr(probe, name, value)
    check_rules(row, probe)
    row.plan["data"] = differences(position, wanted)
    row.status = UPDATED if row.plan["data"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    if row.status == CREATED:
        org_services.position_create(actor=actor, data=row.plan["data"])
    else:
        org_services.position_update(actor=actor, position=row.plan["position"], data=row.plan["data"])


REGISTER = Register(
    name="positions",
    title="任职",
    columns=COLUMNS,
    key=("id_number", "org_kind", "org", "role", "start"),
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)
