"""What every register owes a clerk: a template that imports as it is, all rows or none, nothing outside the
importer's area, and only community and street staff writing."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import AuditEntry
from linli.imports import engine
from linli.imports.registers import REGISTERS, get
from linli.imports.tests.helpers import commit_file, row_of, sheet
from linli.orgs.tests.factories import PartyOrgFactory
from linli.testing import PERSONAS, table_counts

# For each register: rows that write something new into the test world's community1, and a change that
# spoils one cell of a row (by column key).
CREATING = {
    "compounds": lambda world, reg: [row_of(reg, name="和平里"), row_of(reg, name="和平里二区")],
    "grids": lambda world, reg: [row_of(reg, grid="康宁三网格", code="140105001001003", compound="幸福苑",
                                        buildings=""),
                                 row_of(reg, grid="康宁三网格", code="", micro_grid="东片", compound="",
                                        buildings="")],
    "dwellings": lambda world, reg: [row_of(reg, dwelling="102"), row_of(reg, building="3号楼", dwelling="101")],
    "party_members": lambda world, reg: [row_of(reg), row_of(reg, id_number=world.neighbour.id_number, name="")],
    "grid_workers": lambda world, reg: [row_of(reg), row_of(reg, name="陈刚", grids="康宁一网格、140105001001002")],
    "party_orgs": lambda world, reg: [row_of(reg), row_of(reg, name="幸福苑党支部", level="小区(网格)党支部",
                                                          parent="康宁社区党委", formation="联合组建",
                                                          compounds="幸福苑")],
    "self_orgs": lambda world, reg: [row_of(reg), row_of(reg, compound="幸福苑", name="幸福苑自管委",
                                                         kind="自管委/院委会")],
    "property_services": lambda world, reg: [row_of(reg), row_of(reg, compound="幸福苑", credit_code="")],
    "partners": lambda world, reg: [row_of(reg), row_of(reg, name="王师傅", kind="能工巧匠")],
    "positions": lambda world, reg: [row_of(reg), row_of(reg, id_number=world.neighbour.id_number, name="李建国",
                                                         role="书记")],
}
# What must be registered before a register's rows can name it (the organisations a position is held in).
SETUP = {
    "positions": lambda world: PartyOrgFactory(community=world.community1, name="康宁社区党委", level="committee",
                                               formation=""),
}
SPOILED = {
    "compounds": {"build_year": "去年"},
    "grids": {"buildings": "99号楼"},
    "dwellings": {"registered_area": "很大"},
    "party_members": {"joined_on": "八五年"},
    "grid_workers": {"phone": "123"},
    "party_orgs": {"founded_on": "建党百年"},
    "self_orgs": {"term_end": "2019-01-01"},
    "property_services": {"collection_rate": "120"},
    "partners": {"kind": "友好单位"},
    "positions": {"role": ""},
}
# Where the importer's area ends: what the outsider (community3) reads for the rows about community1.
OUT_OF_AREA = {
    "compounds": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "grids": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "dwellings": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "party_members": "找不到该身份证号的居民（不存在或不在您的辖区内），请先导入居民",
    "grid_workers": "找不到网格“康宁一网格”（不存在或不在您的辖区内）",
    "party_orgs": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "self_orgs": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "property_services": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "partners": "找不到社区“康宁社区”（不存在或不在您的辖区内）",
    "positions": "找不到该身份证号的居民（不存在或不在您的辖区内），请先导入居民",
}
NAMES = sorted(CREATING)

#         anon resident grid  cs    branch prop  street district outsider admin
SEE = dict(zip(PERSONAS, (302, 403, 403, 200, 403, 403, 200, 403, 200, 403), strict=True))
WRITES = {"community_secretary", "street_officer"}


def test_every_register_is_tested_here():
    assert set(CREATING) == set(REGISTERS) - {"residents"}


@pytest.mark.parametrize("name", [*NAMES, "residents"])
def test_the_template_imports_as_it_is_and_again_changes_nothing(world, client_for, tmp_path, name):
    # given: the template as the page hands it out (its example row is about the test world)
    register = get(name)
    SETUP.get(name, lambda world: None)(world)
    reply = client_for("community_secretary").get(reverse("imports:template", args=[name]))
    book = load_workbook(io.BytesIO(reply.content))
    assert [c.value for c in book.worksheets[0][1]] == [c.header for c in register.columns]
    assert [r[0].value for r in book["填写说明"].iter_rows(min_row=2, max_row=len(register.columns) + 1)] == [
        c.header for c in register.columns]
    path = tmp_path / "template.xlsx"
    path.write_bytes(reply.content)
    # when
    first = commit_file(world, register, path)
    # then
    assert first.committed, [r.errors for r in first.rows]
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, register, path)
    assert again.committed and [r.status for r in again.rows] == ["unchanged"]
    assert table_counts() == before and AuditEntry.objects.count() == audited


@pytest.mark.parametrize("name", NAMES)
def test_when_only_the_last_row_is_bad_nothing_is_written(world, tmp_path, name):
    # given
    register = get(name)
    SETUP.get(name, lambda world: None)(world)
    rows = CREATING[name](world, register)
    spoiled = rows[-1]
    for key, value in SPOILED[name].items():
        spoiled[register.columns.index(register.column(key))] = value
    path = sheet(tmp_path / "last.xlsx", register, rows)
    before = table_counts()
    # when
    report = commit_file(world, register, path)
    # then
    assert not report.committed
    assert [r.status for r in report.rows][:-1] != ["rejected"] * (len(rows) - 1)
    assert report.rows[-1].status == "rejected" and report.rows[-1].number == len(rows) + 1
    assert table_counts() == before


@pytest.mark.parametrize("name", NAMES)
def test_an_importer_elsewhere_finds_nothing_of_this_area(world, tmp_path, name):
    # given
    register = get(name)
    SETUP.get(name, lambda world: None)(world)
    path = sheet(tmp_path / "rows.xlsx", register, CREATING[name](world, register))
    before = table_counts()
    # when
    report = commit_file(world, register, path, "outsider")
    # then
    assert not report.committed
    assert all(OUT_OF_AREA[name] in row.errors for row in report.rows), [r.errors for r in report.rows]
    assert table_counts() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", NAMES)
def test_importing_through_the_page_across_personas(world, client_for, tmp_path, name, persona):
    # given: a file that writes, posted with the dry run's token of whoever posts it
    register = get(name)
    SETUP.get(name, lambda world: None)(world)
    path = sheet(tmp_path / "rows.xlsx", register, CREATING[name](world, register))
    user = world.user(persona)
    token = engine.check_token(user, register, path.read_bytes()) if user else ""
    before = table_counts()
    # when
    with open(path, "rb") as file:
        reply = client_for(persona).post(reverse("imports:register", args=[name]),
                                         {"file": file, "action": "commit", "token": token})
    # then
    assert reply.status_code == SEE[persona]
    assert (table_counts() != before) is (persona in WRITES)
