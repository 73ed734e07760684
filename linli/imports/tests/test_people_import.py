"""The people registers beside residents: Party members (by ID number) and grid workers (by name and phone)."""

import datetime as dt

import pytest

from linli.core.models import AuditEntry
from linli.imports.registers import get
from linli.imports.residents import EXAMPLE_ID
from linli.imports.tests.helpers import check_file, commit_file, errors_of, row_of, sheet
from linli.orgs.tests.factories import PartyOrgFactory
from linli.people.models import GridWorker, PartyMember
from linli.people.tests.factories import make_id_number
from linli.testing import table_counts

MEMBERS, WORKERS = get("party_members"), get("grid_workers")


@pytest.fixture
def branch(world):
    return PartyOrgFactory(community=world.community1, name="康宁小区党支部")


# --- Party members ------------------------------------------------------------------------------

def test_party_members_are_registered_by_id_number_audited_and_reimporting_changes_nothing(world, branch, tmp_path):
    # given: 张秀英 a retired member of the branch; 李建国 in service elsewhere, registered with community1
    rows = [
        row_of(MEMBERS, home_branch="康宁小区党支部"),
        row_of(MEMBERS, id_number=world.neighbour.id_number, name="", category="在职党员", joined_on="1970/7/1",
               employer="太原重机", dual_registered_community="140105001001", dual_registered_on="2024年3月1日"),
    ]
    path = sheet(tmp_path / "m.xlsx", MEMBERS, rows)
    # when
    report = commit_file(world, MEMBERS, path)
    # then
    assert report.committed and [(r.status, r.label) for r in report.rows] == [
        ("created", "张秀英"), ("created", "李建国")]
    retired = PartyMember.objects.get(resident=world.resident)
    assert (retired.category, retired.home_branch, retired.joined_on) == ("retired", branch, dt.date(1985, 7, 1))
    serving = PartyMember.objects.get(resident=world.neighbour)
    assert (serving.dual_registered_community, serving.dual_registered_on) == (world.community1, dt.date(2024, 3, 1))
    assert set(AuditEntry.objects.filter(object_type="people.partymember").values_list("channel", flat=True)) == {
        "import"}
    # when
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, MEMBERS, path)
    # then
    assert [r.status for r in again.rows] == ["unchanged", "unchanged"]
    assert table_counts() == before and AuditEntry.objects.count() == audited


def test_a_registered_member_is_updated_and_blank_cells_keep_the_file(world, branch, tmp_path):
    # given
    PartyMember.objects.create(resident=world.resident, category="retired", employer="省机械厂", home_branch=branch)
    rows = [row_of(MEMBERS, category="", joined_on="1990-07-01", employer="", lost_contact="")]
    # when
    report = commit_file(world, MEMBERS, sheet(tmp_path / "m.xlsx", MEMBERS, rows))
    # then
    assert [r.status for r in report.rows] == ["updated"]
    member = PartyMember.objects.get(resident=world.resident)
    assert (member.joined_on, member.employer, member.home_branch) == (dt.date(1990, 7, 1), "省机械厂", branch)


def test_a_rule_the_service_keeps_is_reported_with_the_row_and_nothing_is_written(world, tmp_path):
    # given: a lost member without a search record (the people service's rule)
    rows = [row_of(MEMBERS, id_number=world.neighbour.id_number, name="李建国"), row_of(MEMBERS, lost_contact="是")]
    before = table_counts()
    # when
    report = commit_file(world, MEMBERS, sheet(tmp_path / "m.xlsx", MEMBERS, rows))
    # then
    assert not report.committed
    assert errors_of(report) == {3: ["写入时未通过：标记为失联党员时须填写查找记录。"]}
    assert table_counts() == before


UNKNOWN_ID = make_id_number(160, born="19800808")
MEMBER_BAD = [
    ("ID checksum", {"id_number": EXAMPLE_ID[:-1] + ("1" if EXAMPLE_ID[-1] != "1" else "2")},
     "“公民身份号码”：身份证号码校验位不正确，请核对。"),
    ("ID missing", {"id_number": ""}, "“公民身份号码”未填写"),
    ("category", {"category": "预备党员"}, "“党员类别”只能填写：居民党员、流动党员、在职党员、离退休党员"),
    ("date", {"joined_on": "八五年七月"}, "“入党日期”不是有效日期（应写成 2024-03-01）"),
    ("yes/no", {"lost_contact": "不清楚"}, "“失联”只能填写“是”或“否”"),
    ("not registered", {"id_number": UNKNOWN_ID, "name": ""},
     "找不到该身份证号的居民（不存在或不在您的辖区内），请先导入居民"),
    ("name differs", {"name": "张秀兰"}, "“姓名”与该身份证号登记的姓名“张秀英”不一致"),
    ("unknown organisation", {"home_branch": "无名支部"}, "找不到党组织“无名支部”（不存在或不在您的辖区内）"),
    ("organisation out of area", {"home_branch": "南内环党支部"}, "找不到党组织“南内环党支部”（不存在或不在您的辖区内）"),
    ("community out of area", {"dual_registered_community": "南内环社区", "dual_registered_on": "2024-01-01"},
     "找不到社区“南内环社区”（不存在或不在您的辖区内）"),
    ("in service without dual registration", {"category": "在职党员"}, "在职党员须登记双报到社区。"),
    ("dual community without date", {"dual_registered_community": "康宁社区"}, "双报到社区与双报到日期须同时填写。"),
    ("new without category", {"category": ""}, "新登记的党员须填写“党员类别”"),
]


@pytest.mark.parametrize(("case", "change", "reason"), MEMBER_BAD, ids=[b[0] for b in MEMBER_BAD])
def test_each_bad_member_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    PartyOrgFactory(community=world.community3, name="南内环党支部")
    rows = [row_of(MEMBERS, id_number=world.neighbour.id_number, name="李建国"), row_of(MEMBERS, **change)]
    report = check_file(world, MEMBERS, sheet(tmp_path / "bad.xlsx", MEMBERS, rows))
    assert errors_of(report) == {3: [reason]}


def test_a_resident_of_another_street_is_not_found_even_by_the_street_officer(world, tmp_path):
    rows = [row_of(MEMBERS, id_number=world.far_resident.id_number, name="王磊")]
    report = check_file(world, MEMBERS, sheet(tmp_path / "far.xlsx", MEMBERS, rows), "street_officer")
    assert errors_of(report) == {2: ["找不到该身份证号的居民（不存在或不在您的辖区内），请先导入居民"]}


# --- grid workers -------------------------------------------------------------------------------

def test_grid_workers_are_registered_with_their_grids_and_reimporting_changes_nothing(world, tmp_path):
    # given
    rows = [row_of(WORKERS), row_of(WORKERS, name="陈刚", phone="", kind="兼职网格员",
                                    grids="康宁一网格、140105001001002", started_on="")]
    path = sheet(tmp_path / "w.xlsx", WORKERS, rows)
    # when
    report = commit_file(world, WORKERS, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created", "created"]
    worker = GridWorker.objects.get(name="陈刚")
    assert (worker.kind, set(worker.grids.all())) == ("part_time", {world.grid1, world.grid2})
    assert GridWorker.objects.get(name="刘芳").phone == "13912345678"
    assert AuditEntry.objects.filter(object_type="people.gridworker", action="create", channel="import").count() == 2
    # when
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, WORKERS, path)
    # then
    assert [r.status for r in again.rows] == ["unchanged", "unchanged"]
    assert table_counts() == before and AuditEntry.objects.count() == audited


def test_a_worker_found_by_name_and_phone_is_updated_and_keeps_grids_outside_the_area(world, tmp_path):
    # given: 刘芳 looks after grid1 here and grid4 in another street
    worker = GridWorker.objects.create(name="刘芳", phone="13912345678")
    worker.grids.set([world.grid1, world.grid4])
    rows = [row_of(WORKERS, kind="网格助理员", grids="康宁二网格", started_on="")]
    # when
    report = commit_file(world, WORKERS, sheet(tmp_path / "w.xlsx", WORKERS, rows))
    # then
    assert [r.status for r in report.rows] == ["updated"]
    worker.refresh_from_db()
    assert (worker.kind, set(worker.grids.all())) == ("assistant", {world.grid2, world.grid4})


def test_grids_the_importer_sees_through_another_role_are_kept(world, tmp_path):
    # given: an importer of community1 who is also grid worker of grid4, and 刘芳 serving grid1 and grid4
    from linli.accounts.models import Assignment, Role
    from linli.testing import make_user

    importer = make_user("two_roles", Role.COMMUNITY_SECRETARY, world.community1)
    Assignment.objects.create(user=importer, role=Role.GRID_WORKER, grid=world.grid4)
    world.users["two_roles"] = importer
    worker = GridWorker.objects.create(name="刘芳", phone="13912345678")
    worker.grids.set([world.grid1, world.grid4])
    # when: the file gives her 康宁二网格 instead of 康宁一网格
    report = commit_file(world, WORKERS, sheet(tmp_path / "w.xlsx", WORKERS, [row_of(WORKERS, grids="康宁二网格")]),
                         "two_roles")
    # then: grid4 lies outside the importer's area and stays hers
    assert [r.status for r in report.rows] == ["updated"]
    assert set(worker.grids.all()) == {world.grid2, world.grid4}


def test_a_blank_phone_finds_the_only_worker_of_that_name_and_not_one_of_two(world, tmp_path):
    # given
    only = GridWorker.objects.create(name="刘芳", phone="13900001111")
    only.grids.set([world.grid1])
    rows = [row_of(WORKERS, phone="", kind="", started_on="")]
    # when / then: the one 刘芳 is found, and nothing changes
    report = check_file(world, WORKERS, sheet(tmp_path / "one.xlsx", WORKERS, rows))
    assert [r.status for r in report.rows] == ["unchanged"]
    # given: a second 刘芳
    GridWorker.objects.create(name="刘芳", phone="13900002222").grids.set([world.grid2])
    # when / then
    report = check_file(world, WORKERS, sheet(tmp_path / "two.xlsx", WORKERS, rows))
    assert errors_of(report) == {2: ["辖区内有 2 位名为“刘芳”的网格员，请填写“联系电话”以区分"]}


def test_a_worker_of_the_same_name_and_phone_elsewhere_is_neither_found_nor_changed(world, tmp_path):
    # given: 刘芳 with that phone looks after a grid of another street only
    far = GridWorker.objects.create(name="刘芳", phone="13912345678", kind="part_time")
    far.grids.set([world.grid4])
    # when
    report = commit_file(world, WORKERS, sheet(tmp_path / "w.xlsx", WORKERS, [row_of(WORKERS)]))
    # then: a worker of community1 is registered beside her
    assert [r.status for r in report.rows] == ["created"]
    far.refresh_from_db()
    assert (far.kind, list(far.grids.all())) == ("part_time", [world.grid4])
    assert GridWorker.objects.filter(name="刘芳").count() == 2


WORKER_BAD = [
    ("phone", {"phone": "1391234"}, "“联系电话”：请输入有效的手机号（11 位，以 1 开头）或带区号的固定电话。"),
    ("kind", {"kind": "志愿者"}, "“类别”只能填写：专职网格员、兼职网格员、网格助理员"),
    ("date", {"started_on": "2021-13-01"}, "“上岗日期”不是有效日期（应写成 2024-03-01）"),
    ("no grid", {"grids": ""}, "“负责网格”未填写"),
    ("unknown grid", {"grids": "康宁一网格、康宁九网格"}, "找不到网格“康宁九网格”（不存在或不在您的辖区内）"),
    ("grid out of area", {"grids": "南内环一网格"}, "找不到网格“南内环一网格”（不存在或不在您的辖区内）"),
    ("name missing", {"name": ""}, "“姓名”未填写"),
    ("same new worker twice", {"name": "陈刚", "phone": ""}, "与第 2 行是同一位网格员（同名的请填写“联系电话”以区分）"),
]


@pytest.mark.parametrize(("case", "change", "reason"), WORKER_BAD, ids=[b[0] for b in WORKER_BAD])
def test_each_bad_worker_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    rows = [row_of(WORKERS, name="陈刚", phone=""), row_of(WORKERS, **change)]
    report = check_file(world, WORKERS, sheet(tmp_path / "bad.xlsx", WORKERS, rows))
    assert errors_of(report) == {3: [reason]}
