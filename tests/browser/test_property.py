"""Trust-based property on a phone: staff book a month's income and expense, the month's statement is
published automatically, and an owner opens it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.core import clock
from linli.orgs.models import PropertyCompany, PropertyService
from linli.property import services
from linli.property.models import Statement
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _as(phone, live_server, username):
    phone.context.clear_cookies()
    login(phone, live_server, username)
    phone.wait_for_url(lambda url: "/login/" not in url)


def _post_entry(phone, kind, amount, day, text, invoice=None):
    phone.select_option("#id_kind", value=kind)
    phone.fill("#id_amount", amount)
    phone.fill("#id_date", day)
    phone.fill("#id_description", text)
    if invoice:
        phone.set_input_files("#id_invoice", invoice)
    phone.click("#entry-form button[name=post]")
    phone.wait_for_load_state("networkidle")


def test_a_trust_compounds_month_from_entries_to_the_owners_statement(world, live_server, phone, tmp_path, settings):
    # given compound1 under trust-based property with a co-managed account; the resident owns her flat
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.freeze(timezone.make_aware(dt.datetime(2026, 5, 20, 9, 0)))
    company = PropertyCompany.objects.create(name="诚信物业")
    PropertyService.objects.create(compound=world.compound1, mode="trust", company=company, start=dt.date(2026, 1, 1))
    world.resident.is_owner = True
    world.resident.save()
    account = services.account_open(actor=world.user("branch_secretary"), compound=world.compound1,
                                    opened_on=dt.date(2026, 1, 1))
    scan = tmp_path / "保洁发票.pdf"
    scan.write_bytes(PDF)

    # when the branch secretary books May's fees and parking income and a cleaning expense on a phone
    _as(phone, live_server, "branch1")
    phone.goto(f"{live_server.url}/property/accounts/{account.pk}/")
    _post_entry(phone, "fee", "12000.00", "2026-05-03", "5月物业费")
    assert "已记账：第1号 物业费收入 12000.00 元" in phone.content()
    _post_entry(phone, "parking", "1500.50", "2026-05-10", "临时停车费")
    # an expense without its invoice is refused and books nothing
    _post_entry(phone, "cleaning", "3200.00", "2026-05-18", "5月保洁外包")
    assert "支出须上传发票扫描件" in phone.content()
    _post_entry(phone, "cleaning", "3200.00", "2026-05-18", "5月保洁外包", invoice=str(scan))
    # then the account shows the three lines and the balance
    assert phone.inner_text("#account-balance") == "10300.50"
    assert phone.locator("table.entries tbody tr").count() == 3

    # when June begins and the monthly job publishes May
    clock.freeze(timezone.make_aware(dt.datetime(2026, 6, 1, 2, 0)))
    call_command("property-statements")
    statement = Statement.objects.get(account=account)
    assert statement.closing == Decimal("10300.50") and statement.gaps == []

    # then the owner opens it on her phone from "我的物业"
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/property/my/")
    phone.click("ul.statements a:has-text('2026年5月收支公示')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#statement-title") == "康宁小区 2026年5月收支公示"
    assert phone.inner_text("#opening") == "0.00"
    assert phone.inner_text("#income") == "13500.50"
    assert phone.inner_text("#expense") == "3200.00"
    assert phone.inner_text("#closing") == "10300.50"
    lines = phone.inner_text("table.entries")
    assert "5月物业费" in lines and "临时停车费" in lines and "5月保洁外包" in lines
    assert phone.locator("table.entries a:has-text('查看发票')").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
