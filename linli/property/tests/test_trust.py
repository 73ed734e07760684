"""Trust-based property: posting, refusals that book nothing, reversals, closing, statements, reconciliation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from linli.cases.models import Notification
from linli.core.models import AppendOnlyError
from linli.property import services
from linli.property.models import Entry, Statement
from linli.property.tests.conftest import JPEG, PNG, invoice
from linli.testing import refused


def test_income_and_expense_are_numbered_and_balanced_in_decimal(trust):
    # given
    actor, account = trust.booker, trust.account
    # when
    fee = services.entry_post(actor=actor, account=account, kind="fee", amount="1000.10", date=dt.date(2026, 5, 2),
                              description="物业费")
    repair = services.entry_post(actor=actor, account=account, kind="repair", amount=Decimal("200.05"),
                                 date=dt.date(2026, 5, 3), description="更换路灯", invoice=invoice(PNG, "a.gif"))
    # then
    account.refresh_from_db()
    assert (fee.seq, repair.seq) == (1, 2)
    assert repair.amount == Decimal("-200.05") and repair.balance_after == Decimal("800.05")
    assert account.balance == Decimal("800.05") and account.last_seq == 2
    assert repair.invoice.name.endswith(".png") and len(repair.invoice_sha256) == 64


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"kind": "cleaning", "invoice": None}, "invoice_missing"),
    ({"kind": "cleaning", "invoice": "gif"}, "invoice_type"),
    ({"kind": "cleaning", "invoice": "big"}, "invoice_too_large"),
    ({"kind": "fee", "amount": "10.001"}, "amount_precision"),
    ({"kind": "fee", "amount": 10.5}, "amount_float"),
    ({"kind": "fee", "amount": "-5"}, "amount_not_positive"),
    ({"kind": "fee", "date": dt.date(2026, 6, 1)}, "date_in_future"),
    ({"kind": "lottery"}, "kind_invalid"),
])
def test_bad_entries_are_refused_with_a_reason_and_book_nothing(trust, counts, kwargs, code):
    # given
    files = {None: None, "gif": invoice(b"GIF89a" + b"\x00" * 20, "x.pdf"),
             "big": invoice(b"%PDF-" + b"\x00" * (10 * 1024 * 1024), "big.pdf")}
    args = {"amount": "100.00", "date": dt.date(2026, 5, 5), "description": "测试"} | kwargs
    if "invoice" in args:
        args["invoice"] = files[args["invoice"]]
    before = counts()
    # when / then
    with refused(code) as info:
        services.entry_post(actor=trust.booker, account=trust.account, **args)
    assert info.value.message
    assert counts() == before


def test_no_entry_into_a_closed_month(trust, counts):
    # given April is closed
    services.month_close(actor=trust.booker, account=trust.account, month=dt.date(2026, 4, 1))
    before = counts()
    # when / then
    with refused("month_closed") as info:
        services.entry_post(actor=trust.booker, account=trust.account, kind="fee", amount="10.00",
                            date=dt.date(2026, 4, 30), description="补记4月物业费")
    assert (info.value.status, info.value.field) == (409, "date")
    assert counts() == before
    # and the current month cannot be closed yet
    with refused("month_not_over"):
        services.month_close(actor=trust.booker, account=trust.account, month=dt.date(2026, 5, 1))


def test_posted_entries_are_never_edited_only_reversed(april, trust, counts):
    # given
    fee = Entry.objects.get(account=april, seq=1)
    before = counts()
    # when an edit is attempted through the service or the model
    with refused("entry_posted"):
        services.entry_update(actor=trust.booker, entry=fee, amount="1.00")
    fee.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        fee.save()
    # then nothing changed
    assert counts() == before
    assert Entry.objects.get(pk=fee.pk).amount == Decimal("12000.00")
    # when it is reversed (into May: April may still be open, the reversal is dated today)
    reversal = services.entry_reverse(actor=trust.booker, entry=fee, reason="重复收费")
    # then
    april.refresh_from_db()
    assert reversal.amount == Decimal("-12000.00") and reversal.kind == "fee" and reversal.month == dt.date(2026, 5, 1)
    assert april.balance == Decimal("12000.00") + Decimal("1500.50") - Decimal("3200.00") - Decimal("12000.00")
    with refused("already_reversed"):
        services.entry_reverse(actor=trust.booker, entry=fee, reason="再来一次")
    with refused("reversal_not_reversible"):
        services.entry_reverse(actor=trust.booker, entry=reversal, reason="反冲")


def test_statement_is_published_to_owners_once_with_totals(april, world, counts):
    # when the monthly command runs (default: last month) twice
    call_command("property-statements")
    before = counts()
    call_command("property-statements", "--month", "2026-04")
    # then one statement, and the second run wrote nothing
    assert counts() == before
    statement = Statement.objects.get(account=april)
    assert statement.month == dt.date(2026, 4, 1)
    assert (statement.opening, statement.income, statement.expense, statement.closing) == (
        Decimal("0.00"), Decimal("13500.50"), Decimal("3200.00"), Decimal("10300.50"))
    assert statement.totals == {"cleaning": "-3200.00", "fee": "12000.00", "parking": "1500.50"}
    assert (statement.entry_count, statement.first_seq, statement.last_seq, statement.gaps) == (3, 1, 3, [])
    april.refresh_from_db()
    assert april.closed_through == dt.date(2026, 4, 1)
    # and the owner was told, the neighbour (not an owner, no login) was not
    note = Notification.objects.get(user=world.user("resident"))
    assert "收支公示" in note.text and note.link == f"/property/statements/{statement.pk}/"
    assert Notification.objects.count() == 1


def test_next_statement_opens_with_the_previous_closing(april, trust):
    # given April published, then a May line
    services.statement_publish(dt.date(2026, 4, 1))
    services.entry_post(actor=trust.booker, account=april, kind="advertising", amount="800.00",
                        date=dt.date(2026, 5, 6), description="电梯广告")
    # when June comes and May is published
    from linli.core import clock

    clock.advance(dt.timedelta(days=15))
    [may] = services.statement_publish()
    # then
    assert may.month == dt.date(2026, 5, 1)
    assert may.opening == Decimal("10300.50") and may.closing == Decimal("11100.50") and may.gaps == []


def test_reconciliation_flags_a_missing_entry_and_a_broken_opening(april, trust):
    # given April published, then someone removed a row behind the application's back
    services.statement_publish(dt.date(2026, 4, 1))
    Entry.objects.filter(account=april, seq=2).delete()
    Statement.objects.filter(account=april).update(opening=Decimal("5.00"))
    # when
    gaps = services.reconcile(april)
    # then
    assert any("缺少第 2 号分录" in g for g in gaps)
    assert any("与全部分录合计" in g for g in gaps)
    assert any("2026年4月期末余额" in g for g in gaps)


def test_reconciliation_flags_an_opening_that_is_not_the_previous_closing(april, trust):
    from linli.core import clock

    services.statement_publish(dt.date(2026, 4, 1))
    clock.advance(dt.timedelta(days=15))
    services.statement_publish(dt.date(2026, 5, 1))
    Statement.objects.filter(account=april, month=dt.date(2026, 5, 1)).update(opening=Decimal("0.00"),
                                                                              closing=Decimal("0.00"))
    gaps = services.reconcile(april)
    assert any("2026年5月期初余额 0.00 元与上月期末余额 10300.50 元不符" in g for g in gaps)


def test_revenue_from_a_common_resource_needs_a_contract_in_force(trust):
    # given a parking lot let under a contract from May
    resource = services.resource_create(actor=trust.booker, compound=trust.account.compound, kind="parking",
                                        name="东门停车场", size=Decimal("40"))
    contract = services.contract_create(actor=trust.booker, resource=resource, counterparty="捷停公司",
                                        start=dt.date(2026, 5, 1), amount="3000.00")
    # when
    entry = services.entry_post(actor=trust.booker, account=trust.account, kind="parking", amount="3000.00",
                                date=dt.date(2026, 5, 10), description="5月停车场租金", contract=contract)
    # then
    assert entry.resource == resource
    with refused("date_outside_contract"):
        services.entry_post(actor=trust.booker, account=trust.account, kind="parking", amount="3000.00",
                            date=dt.date(2026, 4, 10), description="4月", contract=contract)
    with refused("resource_kind_mismatch"):
        services.entry_post(actor=trust.booker, account=trust.account, kind="fee", amount="1.00",
                            date=dt.date(2026, 5, 10), description="物业费", resource=resource)


def test_jpeg_invoice_is_accepted_and_named_by_content(trust):
    entry = services.entry_post(actor=trust.booker, account=trust.account, kind="utilities", amount="88.00",
                                date=dt.date(2026, 5, 10), description="公共照明电费", invoice=invoice(JPEG, "../x.exe"))
    assert entry.invoice.name.startswith("property/invoices/") and entry.invoice.name.endswith(".jpg")
    assert ".." not in entry.invoice.name


def test_only_trust_compounds_get_an_account(world, trust, counts):
    before = counts()
    with refused("not_trust_compound"):
        services.account_open(actor=world.user("community_secretary"), compound=world.compound2, opened_on=dt.date(2026, 1, 1))
    assert counts() == before
