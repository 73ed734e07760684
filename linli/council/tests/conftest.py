import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.core import clock
from linli.council import services
from linli.council.models import Ownership
from linli.people.tests.factories import HouseholdFactory, ResidentFactory
from linli.places.tests.factories import DwellingFactory

NOW = timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Estate:
    """compound1's one entrance: 101 (the resident), 201 (the neighbour, who also owns 301), 401 unsold."""

    entrance: object
    d101: object
    d201: object
    d301: object
    d401: object
    tenant: object


@pytest.fixture
def estate(world):
    clock.freeze(NOW)
    d101, d201 = list(world.household1.dwelling.entrance.dwellings.order_by("number"))
    entrance = d101.entrance
    for dwelling, area in ((d101, "90.00"), (d201, "60.00")):
        dwelling.registered_area = Decimal(area)
        dwelling.save()
    d301 = DwellingFactory(entrance=entrance, number="301", registered_area=None, surveyed_area=Decimal("50.00"))
    d401 = DwellingFactory(entrance=entrance, number="401", registered_area=None, surveyed_area=None,
                           contract_area=Decimal("100.00"), developer_unsold=True)
    world.resident.is_owner = True
    world.resident.save()
    world.neighbour.is_owner = True
    world.neighbour.save()
    tenant = ResidentFactory(household=HouseholdFactory(dwelling=d301), name="赵租户", is_owner=False)
    Ownership.objects.create(dwelling=d301, resident=world.neighbour)
    return Estate(entrance, d101, d201, d301, d401, tenant)


def open_ballot(world, rule="owners_278", **extra):
    data = {"compound": world.compound1, "title": "筹集维修资金", "question": "是否同意续筹维修资金",
            "rule": rule, "closes_at": clock.now() + dt.timedelta(days=7)}
    data.update(extra)
    return services.ballot_open(actor=world.user("branch_secretary"), **data)
