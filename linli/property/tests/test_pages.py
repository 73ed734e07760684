"""Pages and API behaviour: refusals in Chinese that book nothing, multipart invoices, the statement export."""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from linli.core import clock
from linli.property import services
from linli.property.models import Entry, Statement
from linli.property.tests.conftest import PDF


def test_page_expense_without_invoice_is_refused_in_chinese(trust, client_for, counts):
    client = client_for("branch_secretary")
    before = counts()
    response = client.post(f"/property/accounts/{trust.account.pk}/entries/", {
        "kind": "repair", "amount": "80.00", "date": "2026-05-10", "description": "修水管"}, follow=True)
    assert "支出须上传发票扫描件" in response.content.decode()
    assert counts() == before


def test_api_expense_with_a_scanned_invoice_in_multipart(trust, client_for):
    client = client_for("branch_secretary")
    scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    response = client.post(f"/api/v1/property/accounts/{trust.account.pk}/entries", {
        "kind": "repair", "amount": "80.00", "date": "2026-05-10", "description": "修水管", "invoice": scan})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "-80.00" and body["has_invoice"] is True and body["seq"] == 1


def test_api_refusals_carry_the_reason_and_book_nothing(april, trust, world, client_for, counts):
    services.month_close(actor=trust.booker, account=april, month=april.opened_on.replace(month=4))
    staff, resident = client_for("branch_secretary"), client_for("resident")
    scheme = services.scheme_create(actor=world.user("street_officer"), name="评定", year=2026, unit=world.street1,
                                    criteria=[("环境", 1, 100)])
    before = counts()
    closed = staff.post(f"/api/v1/property/accounts/{april.pk}/entries", {
        "kind": "fee", "amount": "5.00", "date": "2026-04-29", "description": "补记"}, content_type="application/json")
    edit = staff.patch(f"/api/v1/property/entries/{Entry.objects.get(account=april, seq=1).pk}", {"amount": "1"},
                       content_type="application/json")
    outsider = resident.post(f"/api/v1/property/schemes/{scheme.pk}/surveys",
                             {"compound_id": world.compound4.pk, "score": 1}, content_type="application/json")
    no_invoice = staff.post(f"/api/v1/property/accounts/{april.pk}/entries", {
        "kind": "security", "amount": "5.00", "date": "2026-05-02", "description": "保安"},
        content_type="application/json")
    assert (closed.status_code, edit.status_code, outsider.status_code, no_invoice.status_code) == (409, 409, 403, 400)
    assert closed.json()["code"] == "month_closed" and "2026年4月已结账" in closed.json()["detail"]
    assert edit.json()["code"] == "entry_posted"
    assert outsider.json()["code"] == "not_resident_of_compound"
    assert (no_invoice.json()["code"], no_invoice.json()["field"]) == ("invoice_missing", "invoice")
    assert counts() == before


def test_statement_exports_to_excel(april, client_for):
    services.statement_publish(april.opened_on.replace(month=4))
    statement = Statement.objects.get(account=april)
    response = client_for("resident").get(f"/property/statements/{statement.pk}.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    summary = {r[0]: r[1] for r in rows[:12] if len(r) > 1 and r[0]}
    assert summary["期末余额(元)"] == 10300.5 and summary["物业费收入"] == "12000.00"
    header = rows.index(next(r for r in rows if r and r[0] == "分录号"))
    lines = rows[header + 1:]
    assert [r[0] for r in lines] == [1, 2, 3]
    assert Decimal(str(lines[2][7])) == Decimal("-3200.00") and lines[2][10] == "有"


def test_account_and_area_pages_create_through_forms(world, trust, client_for):
    client = client_for("street_officer")
    response = client.post("/property/areas/", {"name": "坞城片区", "compounds": [world.compound2.pk, world.compound3.pk],
                                                "provider_name": "坞城物业中心", "start": "2026-05-01"}, follow=True)
    assert "已登记片区大物业“坞城片区”" in response.content.decode()
    response = client.post("/property/resources/", {"compound": world.compound1.pk, "kind": "parking",
                                                    "name": "南门车位"}, follow=True)
    assert "已登记公共资源“南门车位”" in response.content.decode()


def test_a_description_that_looks_like_a_formula_is_exported_as_text(trust, client_for):
    # given a line whose description starts like a formula
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 4, 28, 9, 0))):
        services.entry_post(actor=trust.booker, account=trust.account, kind="fee", amount="100.00",
                            date=dt.date(2026, 4, 3), description='=HYPERLINK("http://evil.example","发票")')
    services.statement_publish(dt.date(2026, 4, 1))
    statement = Statement.objects.get(account=trust.account)
    # when the statement is exported
    response = client_for("resident").get(f"/property/statements/{statement.pk}.xlsx")
    # then that cell is a string, and the file holds no formula at all
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert next(c for c in cells if c.value == '=HYPERLINK("http://evil.example","发票")').data_type == "s"
    assert all(c.data_type != "f" for c in cells)
