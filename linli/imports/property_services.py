"""物业服务: who serves each compound, how and from when, with the property companies they name.

A row is one service of one compound, found by the compound and its start date. The company is found by
its unified social credit code or its name among the companies serving the importer's area; a company
not registered at all is registered with its first service (a company is in an area's sight through the
compounds it serves). A service without a company names its provider (自主管理, 社区兜底 …).
"""

from django.db.models import Q

from linli.accounts.scope import import_scope
from linli.core.scoping import visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import Places, check_rules, differences, find_company, given, reject_repeats
from linli.orgs import services as org_services
from linli.orgs.models import PropertyCompany, PropertyService

DETAILS = ("mode", "provider_name", "end", "fee_rate", "collection_rate")

COLUMNS = (
    Column("community", "社区", required=True, variants=("所属社区", "社区名称", "社区代码"), max_length=100,
           rule="已登记的社区名称，或 12 位社区代码", example="康宁社区"),
    Column("compound", "小区", required=True, variants=("小区名称", "院落", "小区/院落"), max_length=100,
           rule="系统中已登记的小区或院落名称", example="康宁小区"),
    Column("mode", "服务方式", kind="choice", choices=tuple(PropertyService.Mode.choices), variants=("物业服务方式",),
           rule="新的物业服务必填", example="公开选聘"),
    Column("company", "物业企业", variants=("物业企业名称", "物业公司", "企业名称"), max_length=100,
           rule="企业全称；服务您辖区的企业按名称或信用代码找到，未登记的新登记。无企业时留空并填“服务主体”",
           example="太原市康宁物业管理有限公司"),
    Column("credit_code", "统一社会信用代码", kind="credit_code", variants=("信用代码", "社会信用代码"),
           rule="选填，18 位，按国家标准校验；新登记的企业建议填写", example="91140105MA0K00001F"),
    Column("provider_name", "服务主体", variants=("非企业服务主体",),
           max_length=100, rule="无物业企业时必填：如 业主自管小组、社区", example=""),
    Column("start", "开始日期", kind="date", required=True, variants=("服务开始日期", "合同开始日期"),
           rule="必填。同一小区按开始日期区分各段物业服务", example="2023-01-01"),
    Column("end", "结束日期", kind="date", variants=("服务结束日期", "合同结束日期"), rule="选填，仍在服务的留空",
           example=""),
    Column("fee_rate", "物业费", kind="decimal", bounds=(0, 100), variants=("物业费标准", "收费标准"),
           rule="选填，元/平方米·月，如 1.20", example="1.20"),
    Column("collection_rate", "收缴率", kind="decimal", bounds=(0, 100), variants=("物业费收缴率",),
           rule="选填，百分数，如 85.5", example="86.5"),
)

NOTES = (
    "每行一段物业服务。小区须是系统中已登记、且在您辖区内的小区。",
    "按“小区”和“开始日期”找到已登记的物业服务并更新，找不到则新建。",
    "物业企业按统一社会信用代码或名称，在服务您辖区的企业中查找；未登记的企业随其第一段物业服务一起登记。"
    "已登记企业的其他信息请在系统中修改。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def _company(area, row: Row, new: dict):
    """(company or None, the key of a company new in the file or None, the reason it cannot be named)."""
    v = row.values
    name, code = v["company"], v["credit_code"]
    if not name and not code:
        return None, None, None
    company, reason = find_company(area, code) if code else (None, None)
    if company is None and not reason and name:
        company, reason = find_company(area, name)
    if reason:
        return None, None, reason
    if company is not None:
        if code and company.credit_code and company.credit_code != code:
            return None, None, f"“统一社会信用代码”与登记的“{company.name}”的代码不一致"
        if name and company.name != name:
            return None, None, f"该信用代码登记的企业名称是“{company.name}”，与表中不同"
        return company, None, None
    if not name:
        return None, None, "新登记的物业企业须填写“物业企业”名称"
    if name in new:
        return None, new[name], None
    taken = PropertyCompany.objects.filter(Q(name=name) | (Q(credit_code=code) if code else Q(pk__in=[])))
    if taken.exists():
        # The register holds each company once; one serving only other areas cannot be named from here.
        return None, None, f"物业企业“{name}”已在系统中登记，但不服务于您辖区的小区，请联系区级工作人员关联"
    new[name] = ("company", row.number)
    return None, new[name], None


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
        row.label = row.values["company"] or row.values["provider_name"] or compound.name
    reject_repeats(rows, lambda row: (row.plan["compound"].pk, row.values["start"]), "物业服务")
    new: dict = {}
    for row in rows:
        if row.errors:
            continue
        company, company_key, reason = _company(area, row, new)
        if reason:
            row.reject(reason)
            continue
        _decide(area, row, company, company_key)


def _decide(area, row: Row, company, company_key) -> None:
    v, compound = row.values, row.plan["compound"]
    service = visible(PropertyService.objects.filter(compound=compound, start=v["start"]), area).first()
    wanted = given(v, DETAILS)
    if company is not None:
        wanted["company"] = company
    row.plan.update(service=service, company_key=company_key)
    # A company registered with this row stands in its name in the probe: it has no id yet.
    stand_in = {"provider_name": wanted.get("provider_name") or v["company"]} if company_key else {}
    if service is None:
        if "mode" not in wanted:
            row.reject("新的物业服务须填写“服务方式”")
            return
        row.status = CREATED
        row.plan["data"] = {"compound": compound, "start": v["start"], **wanted}
        check_rules(row, PropertyService(**row.plan["data"] | stand_in))
        return
    if company_key:
        row.reject("新登记的物业企业须随一段新的物业服务登记（请填写新的开始日期）")
        return
    probe = PropertyService.objects.get(pk=service.pk)
    for name, value in wanted.items():
        setattr(probe, name, value)
    check_rules(row, probe)
    row.plan["data"] = differences(service, wanted)
    row.status = UPDATED if row.plan["data"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    data, key = dict(row.plan["data"]), row.plan["company_key"]
    if key is not None and key not in shared:
        # The company's first service: registered together, so the company is in the area's sight at once.
        company = {"name": row.values["company"], "credit_code": row.values["credit_code"]}
        shared[key] = org_services.propertycompany_create(actor=actor, data=company, service=data)
        return
    if key is not None:
        data["company"] = shared[key]
    if row.status == CREATED:
        org_services.propertyservice_create(actor=actor, data=data)
    else:
        org_services.propertyservice_update(actor=actor, service=row.plan["service"], data=data)


REGISTER = Register(
    name="property_services",
    title="物业企业与物业服务",
    columns=COLUMNS,
    key=("community", "compound", "start"),
    label="company",
    plan=plan,
    write=write,
    notes=NOTES,
)
