import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.core import clock
from linli.orgs.models import PropertyCompany, PropertyService
from linli.property import services
from linli.property.models import TrustAccount

NOW = timezone.make_aware(dt.datetime(2026, 5, 20, 10, 0))
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def invoice(content: bytes = PDF, name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@dataclass
class Trust:
    account: TrustAccount
    company: PropertyCompany
    booker: object


@pytest.fixture
def trust(world, settings, tmp_path):
    """Compound1 is a trust-based compound with an account opened in January; the resident is an owner."""
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.freeze(NOW)
    company = PropertyCompany.objects.create(name="诚信物业")
    PropertyService.objects.create(compound=world.compound1, mode="trust", company=company,
                                   start=dt.date(2025, 12, 1), fee_rate=Decimal("1.20"))
    world.resident.is_owner = True
    world.resident.save()
    booker = world.user("branch_secretary")
    account = services.account_open(actor=booker, compound=world.compound1, opened_on=dt.date(2026, 1, 1))
    return Trust(account=account, company=company, booker=booker)


@pytest.fixture
def april(trust):
    """Three April lines (fees, parking, a cleaning expense with its invoice), posted in April."""
    actor, account = trust.booker, trust.account
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 4, 28, 9, 0))):
        services.entry_post(actor=actor, account=account, kind="fee", amount="12000.00", date=dt.date(2026, 4, 3),
                            description="4月物业费")
        services.entry_post(actor=actor, account=account, kind="parking", amount="1500.50",
                            date=dt.date(2026, 4, 10), description="临时停车费")
        services.entry_post(actor=actor, account=account, kind="cleaning", amount="3200.00",
                            date=dt.date(2026, 4, 25), description="4月保洁外包", invoice=invoice())
    account.refresh_from_db()
    return account
