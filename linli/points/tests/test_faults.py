"""A redemption that fails half-way through its booking leaves nothing behind, and can be sent again.

PostgreSQL restarted in the middle of redemptions is in bench/faults.py; here the failure is
injected in-process right after the first ledger entry of the transfer was written (on PostgreSQL,
where one statement writes both entries, right after that statement).
"""

import pytest
from django.db import connection
from django.db.models import Sum

from linli.points import ledger, services
from linli.points.models import Account, Entry, Redemption, Transfer
from linli.points.tests.test_ledger import _award, _balance


def _consistent():
    report = ledger.verify()
    assert report.ok, report.first_bad
    for account in Account.objects.all():
        assert account.balance == (Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0)


def test_redemption_failing_after_its_first_ledger_entry_writes_nothing(world, shop, counts, monkeypatch):
    # given a resident with 30 points and five soaps on the shelf
    _award(world, shop, hours="3")
    # The shop's account is opened (empty) outside the booking transaction on first use; open it
    # now so that the counts below compare only what the redemption itself books.
    ledger.shop_account(world.community1)
    before = counts()
    real = ledger._append
    appended = []

    def dies_after_first_entry(account, transfer, amount, at):
        entry = real(account, transfer, amount, at)
        appended.append(entry)
        if len(appended) == 1:
            raise ConnectionError("server closed the connection")
        return entry

    monkeypatch.setattr(ledger, "_append", dies_after_first_entry)
    if connection.vendor == "postgresql":
        # There one statement writes the transfer, both entries, the redemption and its audit entry
        # (services._redeem_pg): the fault comes right after it, with every row written but not committed.
        real_book = services._book

        def dies_after_booking(cursor, params):
            done = real_book(cursor, params)
            appended.append(done)
            raise ConnectionError("server closed the connection")

        monkeypatch.setattr(services, "_book", dies_after_booking)
    # when a redemption dies after the resident's entry was written but before the shop's
    with pytest.raises(ConnectionError):
        services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=1, key="r1")
    assert len(appended) == 1
    # then nothing was written: no transfer, entry, redemption or audit row; stock and balances unchanged
    assert counts() == before
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 5 and _balance(world.resident) == 30
    assert ledger.shop_account(world.community1).balance == 0
    _consistent()

    # when the client sends the same request again once the fault is gone
    monkeypatch.setattr(ledger, "_append", real)
    if connection.vendor == "postgresql":
        monkeypatch.setattr(services, "_book", real_book)
    first = services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=1, key="r1")
    again = services.redemption_create(actor=world.user("resident"), goods=shop.soap, quantity=1, key="r1")
    # then it is booked exactly once
    assert not first.replayed and again.replayed and again.pk == first.pk
    assert Redemption.objects.count() == 1 and Transfer.objects.filter(key="redeem:r1").count() == 1
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 4 and _balance(world.resident) == 20
    _consistent()
