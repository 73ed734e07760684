"""The organisation registers: Party organisations, self-organisations, property services, partners, positions."""

import datetime as dt
from decimal import Decimal

import pytest

from linli.core.models import AuditEntry
from linli.imports.registers import get
from linli.imports.tests.helpers import check_file, commit_file, errors_of, row_of, sheet
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.orgs.tests.factories import (
    PartnerUnitFactory,
    PartyOrgFactory,
    PropertyCompanyFactory,
    PropertyServiceFactory,
    SelfOrgFactory,
)
from linli.testing import table_counts

PARTY_ORGS, SELF_ORGS, SERVICES = get("party_orgs"), get("self_orgs"), get("property_services")
PARTNERS, POSITIONS = get("partners"), get("positions")


def bad_cell_report(world, tmp_path, register, good: list, change: dict):
    return check_file(world, register, sheet(tmp_path / "bad.xlsx", register, [good, row_of(register, **change)]))


def reimport_changes_nothing(world, register, path) -> None:
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, register, path)
    assert again.committed and {r.status for r in again.rows} == {"unchanged"}
    assert table_counts() == before and AuditEntry.objects.count() == audited


# --- Party organisations ------------------------------------------------------------------------

def test_a_party_tree_is_built_from_one_file_top_down_and_reimporting_changes_nothing(world, tmp_path):
    # given: the committee, a branch under it built with the company serving 幸福苑, a group under the branch
    company = PropertyServiceFactory(compound=world.compound2, company__name="幸福物业有限公司").company
    rows = [
        row_of(PARTY_ORGS),
        row_of(PARTY_ORGS, name="幸福苑党支部", level="小区(网格)党支部", parent="康宁社区党委", formation="物业联建",
               compounds="幸福苑", property_company="幸福物业有限公司"),
        row_of(PARTY_ORGS, name="幸福苑1号楼党小组", level="楼栋党小组", parent="幸福苑党支部", compounds=""),
    ]
    path = sheet(tmp_path / "p.xlsx", PARTY_ORGS, rows)
    # when
    report = commit_file(world, PARTY_ORGS, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created"] * 3
    committee = PartyOrg.objects.get(name="康宁社区党委")
    branch = PartyOrg.objects.get(name="幸福苑党支部")
    group = PartyOrg.objects.get(name="幸福苑1号楼党小组")
    assert (committee.level, list(committee.compounds.all())) == ("committee", [world.compound1])
    assert (branch.parent, branch.property_company, list(branch.compounds.all())) == (
        committee, company, [world.compound2])
    assert (group.parent, group.community) == (branch, world.community1)
    assert set(AuditEntry.objects.filter(object_type="orgs.partyorg").values_list("channel", flat=True)) == {"import"}
    reimport_changes_nothing(world, PARTY_ORGS, path)


def test_a_registered_party_organisation_is_updated_and_its_level_is_kept(world, tmp_path):
    # given
    org = PartyOrgFactory(community=world.community1, name="康宁社区党委", level="committee", formation="")
    # when
    report = commit_file(world, PARTY_ORGS, sheet(tmp_path / "p.xlsx", PARTY_ORGS, [
        row_of(PARTY_ORGS, compounds="康宁小区、幸福苑", founded_on="")]))
    # then
    assert [r.status for r in report.rows] == ["updated"]
    assert set(org.compounds.all()) == {world.compound1, world.compound2}
    report = check_file(world, PARTY_ORGS, sheet(tmp_path / "level.xlsx", PARTY_ORGS, [
        row_of(PARTY_ORGS, level="楼栋党小组")]))
    assert errors_of(report) == {2: ["已登记的党组织层级（社区党委/党总支）不能修改"]}


def test_a_child_of_a_rejected_new_organisation_says_so(world, tmp_path):
    rows = [row_of(PARTY_ORGS, level=""),
            row_of(PARTY_ORGS, name="幸福苑党支部", level="小区(网格)党支部", parent="康宁社区党委", formation="单独组建",
                   compounds="幸福苑")]
    report = check_file(world, PARTY_ORGS, sheet(tmp_path / "p.xlsx", PARTY_ORGS, rows))
    assert errors_of(report) == {2: ["新建党组织须填写“层级”"], 3: ["上级组织所在的第 2 行未通过检查"]}


PARTY_ORG_BAD = [
    ("level", {"name": "另一党委", "level": "党委"}, "“层级”只能填写：社区党委/党总支、小区(网格)党支部、楼栋党小组、党员中心户"),
    ("new without level", {"name": "新支部", "level": ""}, "新建党组织须填写“层级”"),
    ("unknown parent", {"name": "新支部", "level": "小区(网格)党支部", "formation": "单独组建", "parent": "无名党委"},
     "康宁社区找不到上级组织“无名党委”（不存在或不在您的辖区内），也不在本表前面的行中"),
    ("parent in another community", {"name": "新支部", "level": "小区(网格)党支部", "formation": "单独组建",
                                     "parent": "南内环社区党委"},
     "康宁社区找不到上级组织“南内环社区党委”（不存在或不在您的辖区内），也不在本表前面的行中"),
    ("branch without formation", {"name": "新支部", "level": "小区(网格)党支部", "parent": "康宁社区党委"},
     "小区党支部须注明组建方式。"),
    ("joint without company", {"formation": "物业联建", "name": "新支部", "level": "小区(网格)党支部"},
     "物业联建须选择物业企业。"),
    ("compound of another community", {"name": "另一党委", "compounds": "康宁小区、双东院落"},
     "康宁社区找不到小区“双东院落”（不存在或不在您的辖区内）"),
    ("unknown company", {"name": "另一党委", "property_company": "无名物业"}, "找不到物业企业“无名物业”（不存在或不在您的辖区内）"),
    ("out-of-area community", {"community": "南内环社区"}, "找不到社区“南内环社区”（不存在或不在您的辖区内）"),
    ("date", {"name": "另一党委", "founded_on": "2019-02-30"}, "“成立日期”不是有效日期（应写成 2024-03-01）"),
]


@pytest.mark.parametrize(("case", "change", "reason"), PARTY_ORG_BAD, ids=[b[0] for b in PARTY_ORG_BAD])
def test_each_bad_party_org_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    PartyOrgFactory(community=world.community3, name="南内环社区党委", level="committee", formation="")
    report = bad_cell_report(world, tmp_path, PARTY_ORGS, row_of(PARTY_ORGS), change)
    assert errors_of(report) == {3: [reason]}


# --- self-organisations -------------------------------------------------------------------------

def test_self_organisations_are_found_by_compound_kind_and_term(world, tmp_path):
    # given: the first committee is registered; the file ends its term and adds the second
    first = SelfOrgFactory(compound=world.compound1, name="康宁小区第一届业主委员会", term_start=dt.date(2019, 4, 1))
    rows = [row_of(SELF_ORGS, name="", elected_on="", term_start="2019-04-01", term_end="2024-03-31"),
            row_of(SELF_ORGS)]
    path = sheet(tmp_path / "s.xlsx", SELF_ORGS, rows)
    # when
    report = commit_file(world, SELF_ORGS, path)
    # then
    assert [(r.status, r.label) for r in report.rows] == [("updated", "康宁小区第一届业主委员会"),
                                                            ("created", "康宁小区第二届业主委员会")]
    first.refresh_from_db()
    assert first.term_end == dt.date(2024, 3, 31)
    assert SelfOrg.objects.get(name="康宁小区第二届业主委员会").term_start == dt.date(2024, 4, 1)
    reimport_changes_nothing(world, SELF_ORGS, path)


SELF_ORG_BAD = [
    ("kind", {"kind": "居委会"}, "“类型”只能填写：业主委员会、物业管理委员会、自管委/院委会"),
    ("term start missing", {"term_start": ""}, "“任期开始”未填写"),
    ("term ends before it starts", {"term_end": "2020-01-01"}, "任期结束不能早于任期开始。"),
    ("new without name", {"name": "", "term_start": "2025-01-01", "term_end": ""}, "新建自治组织须填写“名称”"),
    ("compound out of area", {"community": "南内环社区", "compound": "南内环小区"},
     "找不到社区“南内环社区”（不存在或不在您的辖区内）"),
    ("no compound", {"compound": "无名小区"}, "康宁社区找不到小区“无名小区”（不存在或不在您的辖区内）"),
]


@pytest.mark.parametrize(("case", "change", "reason"), SELF_ORG_BAD, ids=[b[0] for b in SELF_ORG_BAD])
def test_each_bad_self_org_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    report = bad_cell_report(world, tmp_path, SELF_ORGS, row_of(SELF_ORGS, compound="幸福苑"), change)
    assert errors_of(report) == {3: [reason]}


# --- property companies and services ------------------------------------------------------------

def test_a_new_company_is_registered_with_its_first_service_and_named_again_by_the_next_row(world, tmp_path):
    # given
    rows = [row_of(SERVICES), row_of(SERVICES, compound="幸福苑", credit_code="", start="2024-01-01")]
    path = sheet(tmp_path / "s.xlsx", SERVICES, rows)
    # when
    report = commit_file(world, SERVICES, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created", "created"]
    company = PropertyCompany.objects.get(name="太原市康宁物业管理有限公司")
    assert company.credit_code == "91140105MA0K00001F"
    services = PropertyService.objects.filter(company=company).order_by("start")
    assert [(s.compound, s.mode, s.fee_rate) for s in services] == [
        (world.compound1, "market", Decimal("1.20")), (world.compound2, "market", Decimal("1.20"))]
    assert AuditEntry.objects.filter(object_type="orgs.propertycompany", channel="import").count() == 1
    reimport_changes_nothing(world, SERVICES, path)


def test_a_service_is_found_by_compound_and_start_and_a_serving_company_by_its_credit_code(world, tmp_path):
    # given: 康宁小区 is served by a registered company since 2023
    service = PropertyServiceFactory(compound=world.compound1, company__credit_code="91140105MA0K00001F",
                                     start=dt.date(2023, 1, 1))
    rows = [row_of(SERVICES, company="", end="2025-12-31", fee_rate="", collection_rate="")]
    # when
    report = commit_file(world, SERVICES, sheet(tmp_path / "s.xlsx", SERVICES, rows))
    # then
    assert [r.status for r in report.rows] == ["updated"]
    service.refresh_from_db()
    assert service.end == dt.date(2025, 12, 31)
    assert PropertyCompany.objects.count() == 1


def test_a_company_that_serves_only_other_areas_cannot_be_named_or_registered_again(world, tmp_path):
    PropertyServiceFactory(compound=world.compound4, company__name="太原市康宁物业管理有限公司")
    report = check_file(world, SERVICES, sheet(tmp_path / "s.xlsx", SERVICES, [row_of(SERVICES)]))
    assert errors_of(report) == {2: ["物业企业“太原市康宁物业管理有限公司”已在系统中登记，但不服务于您辖区的小区，请联系区级工作人员关联"]}


SERVICE_BAD = [
    ("mode", {"mode": "托管"}, "“服务方式”只能填写：公开选聘、社区领办红色物业、自主管理、国企兜底、驻地单位协建、财政补贴过渡、"
                               "社区兜底、信托制物业、片区大物业"),
    ("credit code checksum", {"credit_code": "91140105MA0K00001G"}, "“统一社会信用代码”：统一社会信用代码校验位不正确，请核对。"),
    ("credit code length", {"credit_code": "9114010"}, "“统一社会信用代码”：统一社会信用代码应为 18 位，当前为 7 位。"),
    ("rate", {"collection_rate": "百分之九十"}, "“收缴率”应填写数字"),
    ("fee out of range", {"fee_rate": "150"}, "“物业费”应在 0 到 100 之间"),
    ("start missing", {"start": ""}, "“开始日期”未填写"),
    ("ends before it starts", {"end": "2022-12-31"}, "结束日期不能早于开始日期。"),
    ("neither company nor provider", {"company": "", "credit_code": ""}, "请选择物业企业或填写服务主体。"),
    ("code of another name", {"company": "另一物业公司", "credit_code": "91140105MA0K00001F"},
     "该信用代码登记的企业名称是“太原市康宁物业管理有限公司”，与表中不同"),
    ("new without mode", {"mode": "", "start": "2030-01-01", "company": "", "credit_code": "",
                          "provider_name": "业主自管小组"}, "新的物业服务须填写“服务方式”"),
]


@pytest.mark.parametrize(("case", "change", "reason"), SERVICE_BAD, ids=[b[0] for b in SERVICE_BAD])
def test_each_bad_service_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    PropertyServiceFactory(compound=world.compound2, company__name="太原市康宁物业管理有限公司",
                           company__credit_code="91140105MA0K00001F")
    report = bad_cell_report(world, tmp_path, SERVICES, row_of(SERVICES, compound="幸福苑"), change)
    assert errors_of(report) == {3: [reason]}


# --- partners ----------------------------------------------------------------------------------

def test_partners_are_created_and_updated_by_community_and_name(world, tmp_path):
    # given
    partner = PartnerUnitFactory(community=world.community1, name="小店区第一人民医院", offer="义诊")
    rows = [row_of(PARTNERS, kind="", agreement_on=""), row_of(PARTNERS, name="王师傅", kind="能工巧匠", offer="")]
    path = sheet(tmp_path / "p.xlsx", PARTNERS, rows)
    # when
    report = commit_file(world, PARTNERS, path)
    # then
    assert [r.status for r in report.rows] == ["updated", "created"]
    partner.refresh_from_db()
    assert partner.offer == "每月一次义诊；健康讲座"
    assert PartnerUnit.objects.get(name="王师傅").kind == "craftsperson"
    reimport_changes_nothing(world, PARTNERS, path)


PARTNER_BAD = [
    ("kind", {"kind": "友好单位"}, "“类型”只能填写：共建单位、红色合伙人、能工巧匠、志愿服务队"),
    ("new without kind", {"name": "新单位", "kind": ""}, "新建共建单位须填写“类型”"),
    ("name missing", {"name": ""}, "“名称”未填写"),
    ("out-of-area community", {"community": "140105002001"}, "找不到社区“140105002001”（不存在或不在您的辖区内）"),
    ("date", {"agreement_on": "明年"}, "“签约日期”不是有效日期（应写成 2024-03-01）"),
]


@pytest.mark.parametrize(("case", "change", "reason"), PARTNER_BAD, ids=[b[0] for b in PARTNER_BAD])
def test_each_bad_partner_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    report = bad_cell_report(world, tmp_path, PARTNERS, row_of(PARTNERS, name="王师傅"), change)
    assert errors_of(report) == {3: [reason]}


# --- positions ----------------------------------------------------------------------------------

@pytest.fixture
def organisations(world):
    return {
        "party_org": PartyOrgFactory(community=world.community1, name="康宁社区党委", level="committee", formation=""),
        "self_org": SelfOrgFactory(compound=world.compound1, name="康宁小区业主委员会"),
        "property_company": PropertyServiceFactory(compound=world.compound1, company__name="康宁物业").company,
        "partner": PartnerUnitFactory(community=world.community1, name="第一医院"),
    }


def test_positions_in_each_kind_of_organisation_are_created_then_ended(world, organisations, tmp_path):
    # given
    rows = [row_of(POSITIONS),
            row_of(POSITIONS, org_kind="自治组织", org="康宁小区业主委员会", role="主任"),
            row_of(POSITIONS, org_kind="物业企业", org="康宁物业", community="", role="项目经理"),
            row_of(POSITIONS, id_number=world.neighbour.id_number, name="李建国", org_kind="共建单位", org="第一医院",
                   role="联络员")]
    path = sheet(tmp_path / "p.xlsx", POSITIONS, rows)
    # when
    report = commit_file(world, POSITIONS, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created"] * 4
    held = {(p.resident, p.organisation, p.role) for p in Position.objects.all()}
    assert held == {(world.resident, organisations["party_org"], "委员"),
                    (world.resident, organisations["self_org"], "主任"),
                    (world.resident, organisations["property_company"], "项目经理"),
                    (world.neighbour, organisations["partner"], "联络员")}
    reimport_changes_nothing(world, POSITIONS, path)
    # when: the first term ends
    rows[0][POSITIONS.columns.index(POSITIONS.column("end"))] = "2026-06-30"
    again = commit_file(world, POSITIONS, sheet(tmp_path / "end.xlsx", POSITIONS, rows))
    # then
    assert [r.status for r in again.rows] == ["updated", "unchanged", "unchanged", "unchanged"]
    assert Position.objects.get(role="委员").end == dt.date(2026, 6, 30)


POSITION_BAD = [
    ("kind", {"org_kind": "居委会"}, "“组织类型”只能填写：党组织、自治组织、物业企业、共建单位"),
    ("role missing", {"role": ""}, "“职务”未填写"),
    ("unknown organisation", {"org": "无名党委"}, "找不到党组织“无名党委”（不存在或不在您的辖区内）"),
    ("organisation of another street", {"org": "南内环社区党委", "community": ""},
     "找不到党组织“南内环社区党委”（不存在或不在您的辖区内）"),
    ("company that served the area only in the past", {"org_kind": "物业企业", "org": "旧物业", "community": ""},
     "找不到物业企业“旧物业”（不存在或不在您的辖区内）"),
    ("holder out of area", {"id_number": "FAR", "name": ""},
     "找不到该身份证号的居民（不存在或不在您的辖区内），请先导入居民"),
    ("name differs", {"name": "张秀兰"}, "“姓名”与该身份证号登记的姓名“张秀英”不一致"),
    ("ends before it starts", {"end": "2020-01-01"}, "任职结束不能早于任职开始。"),
]


@pytest.mark.parametrize(("case", "change", "reason"), POSITION_BAD, ids=[b[0] for b in POSITION_BAD])
def test_each_bad_position_cell_is_rejected_with_its_reason_and_row_number(world, organisations, tmp_path, case,
                                                                           change, reason):
    PartyOrgFactory(community=world.community3, name="南内环社区党委", level="committee", formation="")
    PropertyServiceFactory(compound=world.compound1, company=PropertyCompanyFactory(name="旧物业"),
                           start=dt.date(2015, 1, 1), end=dt.date(2019, 12, 31))
    if change.get("id_number") == "FAR":
        change = change | {"id_number": world.far_resident.id_number}
    report = bad_cell_report(world, tmp_path, POSITIONS, row_of(POSITIONS, role="书记"), change)
    assert errors_of(report) == {3: [reason]}
