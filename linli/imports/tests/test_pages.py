"""The 数据导入 pages and the `import` command, across personas."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import AuditEntry
from linli.imports import engine
from linli.imports.registers import get
from linli.imports.tests.helpers import HEADERS, family, write_csv, write_xlsx
from linli.navigation import menu
from linli.people.models import Resident
from linli.testing import PERSONAS, table_counts

REGISTER = get("residents")
PAGE = reverse("imports:register", args=["residents"])


def row(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


#           anon resident grid  cs  branch prop street district outsider admin
SEE = row(302, 403, 403, 200, 403, 403, 200, 403, 200, 403)
# Posting the file with the dry run's token: who may import writes, the outsider finds nothing of community1.
WRITES = row(False, False, False, True, False, False, True, False, False, False)


def upload(path):
    return open(path, "rb")


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_and_template_open_to_community_and_street_staff_only(client_for, persona):
    client = client_for(persona)
    for url in (reverse("imports:home"), PAGE, reverse("imports:template", args=["residents"])):
        assert client.get(url).status_code == SEE[persona], url


@pytest.mark.parametrize("persona", PERSONAS)
def test_importing_through_the_page_across_personas(world, rooms, client_for, tmp_path, persona):
    # given
    path = write_xlsx(tmp_path / "family.xlsx", family())
    user = world.user(persona)
    token = engine.check_token(user, REGISTER, path.read_bytes()) if user else ""
    before = table_counts()
    # when
    with upload(path) as file:
        reply = client_for(persona).post(PAGE, {"file": file, "action": "commit", "token": token})
    # then
    assert reply.status_code == SEE[persona]
    assert (table_counts() != before) is WRITES[persona]
    if persona == "outsider":
        assert "找不到社区“康宁社区”（不存在或不在您的辖区内）" in reply.content.decode()


def test_unknown_register_is_not_found(client_for):
    assert client_for("community_secretary").get(reverse("imports:register", args=["nothing"])).status_code == 404


def test_navigation_offers_import_to_importers_only(world, rf):
    for persona, expected in (("community_secretary", True), ("street_officer", True), ("outsider", True),
                              ("grid_worker", False), ("resident", False), ("district_officer", False)):
        request = rf.get("/")
        request.user = world.user(persona)
        found = menu(request)
        names = {item["name"] for item in found["tabs"] + found["more"]}
        assert ("imports:home" in names) is expected, persona


def test_check_then_confirm_on_the_page(world, rooms, client_for, tmp_path):
    # given
    client = client_for("community_secretary")
    path = write_xlsx(tmp_path / "family.xlsx", family())
    # when: the check, as htmx sends it
    with upload(path) as file:
        checked = client.post(PAGE, {"file": file, "action": "check"}, HTTP_HX_REQUEST="true")
    # then
    text = checked.content.decode()
    assert "全部 3 行通过检查：将新增 3 行" in text and "确认导入" in text and "第 2 行" in text
    assert not Resident.objects.filter(name="赵志强").exists()
    token = checked.context["report"].token
    # when: confirmed with the same file
    with upload(path) as file:
        done = client.post(PAGE, {"file": file, "action": "commit", "token": token}, HTTP_HX_REQUEST="true")
    # then
    assert "已导入：新增 3 行" in done.content.decode()
    assert Resident.objects.filter(name="赵志强").exists()
    assert AuditEntry.objects.filter(object_type="people.resident", channel="import").count() == 3


def test_confirm_without_a_check_writes_nothing(world, rooms, client_for, tmp_path):
    path = write_xlsx(tmp_path / "family.xlsx", family())
    before = table_counts()
    with upload(path) as file:
        reply = client_for("community_secretary").post(PAGE, {"file": file, "action": "commit"})
    assert "请先检查文件，再确认导入" in reply.content.decode()
    assert table_counts() == before


def test_no_file_is_explained(world, client_for):
    reply = client_for("community_secretary").post(PAGE, {"action": "check"})
    assert "请先选择要导入的文件。" in reply.content.decode()


def test_rejected_rows_download_with_reasons_and_can_be_fixed_and_imported_again(world, rooms, client_for, tmp_path):
    # given: a bad phone for the head (row 2), so the family's other rows cannot join a household either
    rows = family()
    rows[0][9] = "12345"
    path = write_csv(tmp_path / "bad.csv", rows, encoding="gb18030")
    client = client_for("community_secretary")
    # when
    with upload(path) as file:
        reply = client.post(PAGE, {"file": file, "action": "rejected"})
    # then
    assert reply["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in reply["Cache-Control"]
    sheet = load_workbook(io.BytesIO(reply.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["原表行号", *HEADERS, "错误原因"]
    assert [v[0] for v in values[1:]] == [2, 3, 4]
    assert values[1][-1] == "“联系电话”：请输入有效的手机号（11 位，以 1 开头）或带区号的固定电话。"
    assert values[2][-1] == "户主所在的第 2 行未通过检查"
    # when: the clerk fixes the phone in that very file and checks it again
    fixed = tmp_path / "fixed.xlsx"
    book = load_workbook(io.BytesIO(reply.content))
    book.active.cell(row=2, column=HEADERS.index("联系电话") + 2, value="13900000009")
    book.save(fixed)
    with upload(fixed) as file:
        again = client.post(PAGE, {"file": file, "action": "check"})
    # then: the row number and reason columns are not taken for data
    report = again.context["report"]
    assert [r.status for r in report.rows] == ["created"] * 3
    assert report.ignored_headers == []


def test_rejected_rows_file_keeps_formula_like_text_as_text(world, rooms, tmp_path):
    from linli.imports import services, sheets

    rows = family()
    rows[2][7] = "=1+1"
    rows[2][9] = "bad"
    path = write_xlsx(tmp_path / "formula.xlsx", rows)
    report = services.import_check(actor=world.user("community_secretary"), register=REGISTER,
                                   data=path.read_bytes(), filename=path.name)
    sheet = load_workbook(io.BytesIO(sheets.rejected_rows(report))).active
    cell = sheet.cell(row=2, column=HEADERS.index("姓名") + 2)
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_template_has_the_headers_an_example_that_passes_and_the_rules(world, client_for, tmp_path):
    # when
    reply = client_for("street_officer").get(reverse("imports:template", args=["residents"]))
    # then
    book = load_workbook(io.BytesIO(reply.content))
    first = book.worksheets[0]
    assert [c.value for c in first[1]] == [c.header for c in REGISTER.columns]
    rules = book["填写说明"]
    lines = [[c.value for c in r] for r in rules.iter_rows()]
    assert lines[0] == ["列名", "是否必填", "也可写作", "填写规则", "可填的值"]
    relation = next(line for line in lines if line[0] == "与户主关系")
    assert relation[4] == "户主、配偶、子女、父母、孙子女、兄弟姐妹、其他"
    assert next(line for line in lines if line[0] == "公民身份号码")[2] == "身份证号、身份证号码、身份证、证件号码"
    # the example row (the world's 张秀英 at 101) passes the checks as it is
    path = tmp_path / "template.xlsx"
    path.write_bytes(reply.content)
    report = engine.check(world.user("community_secretary"), REGISTER, path.read_bytes(), path.name)
    assert report.ok, report.rows[0].errors


def test_the_command_checks_then_imports_as_the_named_user(world, rooms, tmp_path, capsys):
    # given
    path = write_xlsx(tmp_path / "family.xlsx", family())
    before = table_counts()
    # when: a dry run
    call_command("import", "residents", str(path), "--dry-run", "--as", "community1")
    # then
    out = capsys.readouterr().out
    assert "第 2 行\t新增\t赵志强" in out and "检查通过（未写入）：新增 3 行" in out
    assert table_counts() == before
    # when: the import
    call_command("import", "residents", str(path), "--as", "community1")
    # then
    assert "已导入：新增 3 行" in capsys.readouterr().out
    assert set(AuditEntry.objects.filter(object_type="people.resident").values_list("channel", flat=True)) == {"import"}
    call_command("import", "residents", str(path), "--as", "community1")
    assert "无变化 3 行" in capsys.readouterr().out


def test_the_command_refuses_bad_rows_other_users_and_files(world, rooms, tmp_path, capsys):
    rows = family()
    rows[2][9] = "110"
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = table_counts()
    with pytest.raises(CommandError, match="未通过 1 行。没有导入任何一行。"):
        call_command("import", "residents", str(path), "--as", "community1")
    assert "第 4 行\t未通过\t赵小明\t“联系电话”" in capsys.readouterr().out
    with pytest.raises(CommandError, match="只有社区和街道工作人员可以导入台账。"):
        call_command("import", "residents", str(path), "--as", "grid1")
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("import", "residents", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="没有名为 places 的台账"):
        call_command("import", "places", str(path), "--as", "community1")
    assert table_counts() == before
