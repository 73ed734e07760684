"""Masked by default; unmasked only for an unmasking role, per row where that role works, audited once."""

from linli.accounts.models import Assignment, Role
from linli.core.models import AuditEntry
from linli.exports.tests.helpers import csv_rows, table, xlsx_rows
from linli.people import services as people_services
from linli.testing import make_user, table_counts


def test_an_export_is_masked_by_default_and_writes_no_audit_entry(client_for, world):
    before = AuditEntry.objects.count()
    rows = table(xlsx_rows(client_for("community_secretary").get("/exports/residents/?format=xlsx")))
    mine = next(r for r in rows if r["姓名"] == "张秀英")
    assert mine["公民身份号码"] == world.resident.id_number_masked != world.resident.id_number
    assert mine["联系电话"] == world.resident.phone_masked
    assert AuditEntry.objects.count() == before


def test_an_unmasked_export_shows_full_values_and_is_audited_with_its_row_count(client_for, world):
    reply = client_for("community_secretary").get("/api/v1/residents/export?format=csv&unmask=1")
    assert reply.status_code == 200 and reply["Cache-Control"] == "no-store"
    rows = table(csv_rows(reply))
    assert {r["公民身份号码"] for r in rows} == {world.resident.id_number, world.neighbour.id_number}
    entry = AuditEntry.objects.get(action="export_unmasked")
    assert entry.actor == world.user("community_secretary") and entry.channel == "api"
    assert entry.changes["rows"] == 2 and entry.changes["rows_unmasked"] == 2
    assert entry.changes["list"] == "residents" and entry.changes["format"] == "csv"


def test_unmasking_without_an_unmasking_role_is_refused_in_chinese_and_writes_nothing(client_for, world):
    for persona in ("street_officer", "district_officer", "admin", "branch_secretary"):
        before = table_counts()
        api = client_for(persona).get("/api/v1/residents/export?format=xlsx&unmask=1")
        assert api.status_code == 403 and "脱敏" in api.json()["detail"], persona
        page = client_for(persona).get("/exports/residents/?format=xlsx&unmask=1")
        assert page.status_code == 403 and "只能导出脱敏名单" in page.content.decode(), persona
        assert table_counts() == before, persona


def test_rows_outside_the_unmasking_role_stay_masked(client, world):
    """A community worker of 康宁社区 who is also street officer of 营盘街道 sees both, unmasks one."""
    user = make_user("both", Role.COMMUNITY_WORKER, world.community1)
    Assignment.objects.create(user=user, role=Role.STREET_OFFICER, unit=world.street2)
    client.force_login(user)
    rows = {r["姓名"]: r for r in table(csv_rows(client.get("/exports/residents/?format=csv&unmask=1")))}
    assert rows["张秀英"]["公民身份号码"] == world.resident.id_number
    assert rows["王磊"]["公民身份号码"] == world.far_resident.id_number_masked
    entry = AuditEntry.objects.get(action="export_unmasked")
    assert entry.changes["rows"] == 3 and entry.changes["rows_unmasked"] == 2


def test_unmask_on_a_list_without_sensitive_columns_is_a_plain_export(client_for, world):
    reply = client_for("community_secretary").get("/exports/compounds/?format=csv&unmask=1")
    assert reply.status_code == 200
    assert not AuditEntry.objects.filter(action="export_unmasked").exists()


def test_text_that_looks_like_a_formula_is_written_as_text(client_for, world):
    people_services.resident_change(actor=world.user("community_secretary"), resident=world.neighbour,
                                    data={"name": "=HYPERLINK(\"http://x\")"})
    client = client_for("community_secretary")
    from io import BytesIO

    from openpyxl import load_workbook

    from linli.exports.tests.helpers import body
    book = load_workbook(BytesIO(body(client.get("/exports/residents/?format=xlsx"))))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)
    rows = table(csv_rows(client.get("/exports/residents/?format=csv")))
    assert any(r["姓名"] == "'=HYPERLINK(\"http://x\")" for r in rows)
