"""The property demo data: a trust compound with published statements resident1 can open."""

from decimal import Decimal

import pytest

from linli.demo.generator import SHAPES, generate
from linli.property.models import Assessment, Entry, Grant, Statement, TrustAccount
from linli.property.services import reconcile


@pytest.mark.django_db
def test_demo_seeds_a_trust_compound_whose_owner_sees_the_statements(monkeypatch, client, settings, tmp_path):
    # given only this domain's demo module
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("linli.demo.generator.extension_modules", lambda: [("property", "linli.property.demo")])
    # when
    context = generate(SHAPES["small"], 7)
    # then
    account = TrustAccount.objects.get()
    assert account.compound == context.homes["resident1"]
    assert Entry.objects.filter(account=account).count() == 17 and reconcile(account) == []
    september, october = Statement.objects.filter(account=account).order_by("month")
    assert october.opening == september.closing and october.gaps == []
    assert october.totals["advertising"] == "9600.00" and october.income > Decimal("0")
    assert Assessment.objects.count() == 1 and Grant.objects.exists()
    client.force_login(context.users["resident1"])
    assert client.get(f"/property/statements/{october.pk}/").status_code == 200
