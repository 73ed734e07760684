"""The residents register through the import engine: every kind of bad row, all or nothing, re-import."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from linli.core.models import AuditEntry
from linli.imports import engine, residents, services
from linli.imports.registers import get
from linli.imports.tests.helpers import (
    CHILD_ID,
    HEAD_ID,
    HEADERS,
    SPOUSE_ID,
    family,
    rows_by_number,
    write_csv,
    write_xlsx,
)
from linli.people.models import Household, Resident
from linli.people.tests.factories import make_id_number
from linli.testing import refused, table_counts

REGISTER = get("residents")


def check(world, path, persona="community_secretary"):
    return services.import_check(actor=world.user(persona), register=REGISTER, data=path.read_bytes(),
                                 filename=path.name)


def commit(world, path, persona="community_secretary", token=None):
    actor = world.user(persona)
    data = path.read_bytes()
    token = engine.check_token(actor, REGISTER, data) if token is None else token
    return services.import_commit(actor=actor, register=REGISTER, data=data, filename=path.name, token=token)


def test_a_family_is_created_in_one_new_household_audited_as_import_and_encrypted(world, rooms, tmp_path):
    # given
    path = write_xlsx(tmp_path / "family.xlsx", family())
    # when
    report = commit(world, path)
    # then
    assert report.committed and report.counts["created"] == 3
    people = Resident.objects.filter(name__in=["赵志强", "孙丽", "赵小明"])
    assert len({p.household_id for p in people}) == 1
    household = people[0].household
    assert household.dwelling == rooms["康宁小区"]
    assert household.head.name == "赵志强"
    head = Resident.objects.get(name="赵志强")
    assert (head.id_number, head.phone, head.is_owner) == (HEAD_ID, "13900000001", True)
    assert Resident.objects.get(name="赵小明").status == Resident.Status.LIVING
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [head.pk])
        stored = cursor.fetchone()
    assert stored[0].startswith("v1:") and HEAD_ID not in stored[0] and stored[1].startswith("v1:")
    entries = AuditEntry.objects.filter(object_type="people.resident", action="create")
    assert entries.count() == 3 and set(entries.values_list("channel", flat=True)) == {"import"}
    assert AuditEntry.objects.filter(object_type="people.household", channel="import").count() == 1


def test_a_dry_run_writes_nothing_and_says_what_each_row_would_do(world, rooms, tmp_path):
    # given
    path = write_xlsx(tmp_path / "family.xlsx", family())
    before = table_counts()
    # when
    report = check(world, path)
    # then
    assert [(r.number, r.status, r.label) for r in report.rows] == [
        (2, "created", "赵志强"), (3, "created", "孙丽"), (4, "created", "赵小明")]
    assert report.ok and report.token
    assert table_counts() == before


def test_reimporting_the_same_file_changes_nothing_and_audits_nothing(world, rooms, tmp_path):
    # given
    path = write_xlsx(tmp_path / "family.xlsx", family())
    commit(world, path)
    before, audited = table_counts(), AuditEntry.objects.count()
    # when
    report = commit(world, path)
    # then
    assert report.committed
    assert {r.status for r in report.rows} == {"unchanged"}
    assert table_counts() == before
    assert AuditEntry.objects.count() == audited


def test_a_changed_cell_updates_that_resident_only_and_a_blank_cell_keeps_what_is_registered(world, rooms, tmp_path):
    # given
    commit(world, write_xlsx(tmp_path / "first.xlsx", family()))
    rows = family()
    rows[0][9] = "13911112222"  # a new phone for the head
    rows[1][9] = ""  # the spouse's phone left blank
    # when
    report = commit(world, write_xlsx(tmp_path / "second.xlsx", rows))
    # then
    assert [r.status for r in report.rows] == ["updated", "unchanged", "unchanged"]
    assert Resident.objects.get(name="赵志强").phone == "13911112222"
    assert Resident.objects.get(name="孙丽").phone == "13900000002"
    entry = AuditEntry.objects.filter(object_type="people.resident", action="update").get()
    assert entry.channel == "import" and "phone" in entry.changes


def test_an_existing_resident_is_updated_by_id_number_and_moved_to_the_named_household(world, rooms, tmp_path):
    # given: the world's neighbour (李建国, in 101's neighbour dwelling 201) joins the new family as its head's father
    neighbour = world.neighbour
    rows = family()
    rows.append(rows[0][:6] + [HEAD_ID, "李建国", neighbour.id_number, "", "父母", "", ""])
    # when
    report = commit(world, write_xlsx(tmp_path / "family.xlsx", rows))
    # then
    assert [r.status for r in report.rows] == ["created", "created", "created", "updated"]
    neighbour.refresh_from_db()
    assert neighbour.household == Resident.objects.get(name="赵志强").household
    assert neighbour.relation == Resident.Relation.PARENT
    assert AuditEntry.objects.filter(object_id=str(neighbour.pk), action="move", channel="import").exists()


BAD_ROWS = [
    # (what is wrong, the cells to change in the head's row, the reason)
    ("ID checksum", {8: HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")}, "“公民身份号码”：身份证号码校验位不正确，请核对。"),
    ("ID length", {8: "1401051970"}, "“公民身份号码”：身份证号码应为 18 位，当前为 10 位。"),
    ("phone", {9: "12345"}, "“联系电话”：请输入有效的手机号（11 位，以 1 开头）或带区号的固定电话。"),
    ("code", {10: "老板"}, "“与户主关系”只能填写：户主、配偶、子女、父母、孙子女、兄弟姐妹、其他"),
    ("status code", {11: "暂住"}, "“人户状态”只能填写：户籍、常住、流动、租户"),
    ("yes/no", {12: "也许"}, "“是否业主”只能填写“是”或“否”"),
    ("name missing", {7: ""}, "“姓名”未填写"),
    ("name too long", {7: "长" * 51}, "“姓名”最多 50 个字"),
    ("no community", {0: "不存在社区"}, "找不到社区“不存在社区”（不存在或不在您的辖区内）"),
    ("out-of-area community", {0: "南内环社区", 1: "南内环小区"}, "找不到社区“南内环社区”（不存在或不在您的辖区内）"),
    ("out-of-area code", {0: "140105002001", 1: "南内环小区"}, "找不到社区“140105002001”（不存在或不在您的辖区内）"),
    ("no compound", {1: "无名小区"}, "康宁社区找不到小区“无名小区”（不存在或不在您的辖区内）"),
    ("other community's compound", {1: "双东院落"}, "康宁社区找不到小区“双东院落”（不存在或不在您的辖区内）"),
    ("no building", {2: "9号楼"}, "康宁小区找不到楼栋“9号楼”（不存在或不在您的辖区内）"),
    ("no entrance", {3: "3单元"}, "康宁小区1号楼找不到单元“3单元”"),
    ("no dwelling", {4: "909"}, "康宁小区1号楼1单元找不到房号“909”"),
    ("head's own head ID", {6: SPOUSE_ID}, "户主本人的“户主身份证号”应留空，或填本人的号码"),
]


@pytest.mark.parametrize(("case", "change", "reason"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_each_kind_of_bad_cell_is_rejected_with_its_reason_and_row_number(world, rooms, tmp_path, case, change, reason):
    # given: a good family, with one cell of the head's row (row 2) wrong
    rows = family()
    for index, value in change.items():
        rows[0][index] = value
    # when
    report = check(world, write_xlsx(tmp_path / "bad.xlsx", rows))
    # then
    row = rows_by_number(report)[2]
    assert row.status == "rejected"
    assert reason in row.errors, row.errors
    assert not report.ok and not report.token


def test_an_id_number_excel_stored_as_a_number_is_explained(world, rooms, tmp_path):
    rows = family()
    rows[2][8] = int(CHILD_ID)
    report = check(world, write_xlsx(tmp_path / "number.xlsx", rows))
    assert rows_by_number(report)[4].errors == [
        "“公民身份号码”被 Excel 存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"]


def test_duplicates_in_the_file_and_people_registered_elsewhere_are_rejected(world, rooms, tmp_path):
    # given: the child's row twice, and a row for the resident of another street (王磊)
    rows = family()
    rows.append(list(rows[2]))
    rows.append(rows[0][:6] + [HEAD_ID, "王磊", world.far_resident.id_number, "", "其他", "", ""])
    # when
    report = check(world, write_xlsx(tmp_path / "dup.xlsx", rows))
    # then
    found = rows_by_number(report)
    assert found[5].errors == ["与第 4 行的“公民身份号码”重复"]
    assert found[6].errors == ["该身份证号已登记在其他居民名下。"]
    assert [found[n].status for n in (2, 3, 4)] == ["created"] * 3


def test_household_rules_members_need_their_head_and_a_household_has_one_head(world, rooms, tmp_path):
    # given
    place = family()[0][:6]
    stranger = make_id_number(140, born="19650101")
    rows = family() + [
        place + ["", "钱多多", make_id_number(141, born="19900101"), "", "子女", "", ""],  # no head named
        place + [stranger, "周一", make_id_number(142, born="19900202"), "", "子女", "", ""],  # head unknown
        place[:4] + ["101", ""] + [HEAD_ID, "吴二", make_id_number(143, born="19900303"), "", "子女", "", ""],
        place[:5] + ["H1"] + ["", "郑三", make_id_number(144, born="19600404"), "", "户主", "", ""],
        place[:5] + ["H1"] + ["", "冯四", make_id_number(145, born="19600505"), "", "户主", "", ""],
    ]
    # when
    report = check(world, write_xlsx(tmp_path / "households.xlsx", rows))
    # then
    found = rows_by_number(report)
    assert found[5].errors == ["不是户主的居民须填写“户主身份证号”或“户号”"]
    assert found[6].errors == ["找不到“户主身份证号”对应的居民（不存在或不在您的辖区内），户主也不在本表中"]
    assert found[7].errors == ["户主（第 2 行）登记在其他房屋，请核对房号"]
    assert found[8].status == "created"
    assert found[9].errors == ["与第 8 行同属一户，一户只能有一位户主"]


def test_a_member_may_name_a_head_already_registered_at_that_dwelling(world, rooms, tmp_path):
    # given: 张秀英 heads household1 at 101
    rows = [["康宁社区", "康宁小区", "1号楼", "1单元", "101", "", world.resident.id_number, "新成员",
             make_id_number(150, born="19990909"), "", "子女", "", ""]]
    # when
    report = commit(world, write_xlsx(tmp_path / "member.xlsx", rows))
    # then
    assert report.committed
    assert Resident.objects.get(name="新成员").household == world.household1


def test_when_only_the_last_row_is_bad_nothing_is_written(world, rooms, tmp_path):
    # given
    rows = family()
    rows[2][9] = "110"
    path = write_xlsx(tmp_path / "last.xlsx", rows)
    before = table_counts()
    # when
    report = services.import_commit(actor=world.user("community_secretary"), register=REGISTER,
                                    data=path.read_bytes(), filename=path.name, token=None)
    # then
    assert not report.committed
    assert [r.status for r in report.rows] == ["created", "created", "rejected"]
    assert table_counts() == before


def test_a_row_the_service_refuses_while_writing_rolls_back_the_rows_before_it(world, rooms, tmp_path, monkeypatch):
    # given: the checks pass, but the people service writes two residents and refuses the third
    real = residents.people_services.residents_create_many

    def refuse_third(*, actor, items):
        real(actor=actor, items=items[:2])
        refusal = ValidationError({"name": "写入失败"})
        refusal.item = 2
        raise refusal

    monkeypatch.setattr(residents.people_services, "residents_create_many", refuse_third)
    path = write_xlsx(tmp_path / "family.xlsx", family())
    before = table_counts()
    # when
    report = commit(world, path)
    # then
    assert not report.committed
    assert rows_by_number(report)[4].errors == ["写入时未通过：写入失败"]
    assert table_counts() == before
    assert not Household.objects.filter(dwelling=rooms["康宁小区"]).exists()


def test_committing_needs_the_dry_run_of_that_very_file(world, rooms, tmp_path):
    # given
    path = write_xlsx(tmp_path / "family.xlsx", family())
    other = write_xlsx(tmp_path / "other.xlsx", family("102")[:1])
    before = table_counts()
    # when / then
    for token in ("", engine.check_token(world.user("community_secretary"), REGISTER, other.read_bytes()),
                  engine.check_token(world.user("street_officer"), REGISTER, path.read_bytes())):
        with refused("not_checked"):
            commit(world, path, token=token)
    assert table_counts() == before


def test_gb18030_and_utf8_csv_are_read_alike(world, rooms, tmp_path):
    for encoding in ("gb18030", "utf-8", "utf-8-sig"):
        report = check(world, write_csv(tmp_path / f"{encoding}.csv", family(), encoding=encoding))
        assert [r.status for r in report.rows] == ["created"] * 3, encoding
        assert [r.label for r in report.rows] == ["赵志强", "孙丽", "赵小明"]
    report = commit(world, write_csv(tmp_path / "gb.csv", family(), encoding="gb18030"))
    assert report.committed and Resident.objects.filter(name="孙丽").exists()


def test_header_variants_reordered_columns_title_rows_and_extra_columns(world, rooms, tmp_path):
    # given: the clerk's own ledger: a title row, other header words, another order, a 备注 and a blank line
    headers = ["序号", "姓名", "身份证号", "手机", "关系", "户主公民身份号码", "房号", "单元号", "楼号", "小区名称",
               "社区代码", "备注"]
    rows = [[n + 1, r[7], r[8], r[9], r[10], r[6], r[4], "1", "1栋", r[1], "140105001001", "无"]
            for n, r in enumerate(family())]
    rows.insert(1, [None] * len(headers))
    # when
    report = check(world, write_xlsx(tmp_path / "own.xlsx", rows, headers, title_rows=1))
    # then
    assert [(r.number, r.status) for r in report.rows] == [(3, "created"), (5, "created"), (6, "created")]
    assert report.ignored_headers == ["备注"]


def test_missing_or_doubled_columns_and_other_files_are_refused_clearly(world, tmp_path):
    headers = [h for h in HEADERS if h not in ("姓名", "房号")]
    with refused("missing_columns") as info:
        check(world, write_xlsx(tmp_path / "missing.xlsx", [], headers))
    assert info.value.message.startswith("缺少必填列：房号、姓名。")
    with refused("duplicate_column") as info:
        check(world, write_xlsx(tmp_path / "double.xlsx", [], [*HEADERS, "手机"]))
    assert "“联系电话”出现了两列（联系电话、手机）" in info.value.message
    with refused("no_header"):
        check(world, write_xlsx(tmp_path / "nothing.xlsx", [["a", "b"]], ["甲", "乙"]))
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with refused("bad_format"):
        check(world, tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with refused("unreadable"):
        check(world, tmp_path / "broken.xlsx")
    with refused("empty"):
        check(world, write_xlsx(tmp_path / "empty.xlsx", []))


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "branch_secretary", "property_staff",
                                     "district_officer", "admin"])
def test_only_community_and_street_staff_may_import(world, rooms, tmp_path, persona):
    from linli.core.errors import Forbidden

    path = write_xlsx(tmp_path / "family.xlsx", family())
    before = table_counts()
    with pytest.raises(Forbidden):
        check(world, path, persona)
    with pytest.raises(Forbidden):
        services.import_commit(actor=world.user(persona), register=REGISTER, data=path.read_bytes(),
                               filename=path.name, token=None)
    assert table_counts() == before


def test_an_importer_elsewhere_finds_nothing_of_this_area(world, rooms, tmp_path):
    # given: the outsider works in community3, the file is about community1
    path = write_xlsx(tmp_path / "family.xlsx", family())
    before = table_counts()
    # when
    report = services.import_commit(actor=world.user("outsider"), register=REGISTER, data=path.read_bytes(),
                                    filename=path.name, token=None)
    # then
    assert not report.committed
    assert rows_by_number(report)[2].errors == ["找不到社区“康宁社区”（不存在或不在您的辖区内）"]
    assert table_counts() == before


def test_a_street_officer_imports_into_any_community_of_the_street(world, rooms, tmp_path):
    report = commit(world, write_xlsx(tmp_path / "family.xlsx", family()), "street_officer")
    assert report.committed and report.counts["created"] == 3


def test_dates_are_read_from_date_cells_and_common_writings():
    import datetime as dt

    column = engine.Column("on", "日期", kind="date")
    for value in (dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 0, 0), "2024-03-01", "2024/3/1", "20240301",
                  "2024年3月1日"):
        assert engine.clean_cell(column, value) == (dt.date(2024, 3, 1), None), value
    assert engine.clean_cell(column, "三月一日") == (None, "“日期”不是有效日期（应写成 2024-03-01）")
