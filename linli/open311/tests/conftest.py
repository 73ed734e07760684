import datetime as dt

import pytest
from django.utils import timezone

from linli.cases import services as case_services
from linli.core import clock
from linli.open311.models import Open311Client

START = timezone.make_aware(dt.datetime(2025, 3, 3, 9, 0))
DISTRICT_CODE = "140105000000"


@pytest.fixture
def catalogue(db):
    # Transactional tests flush the data migration's rows, so the catalogue is seeded here.
    case_services.catalogue_seed()


@pytest.fixture
def frozen():
    clock.freeze(START)
    return START


@pytest.fixture
def key_for(world, catalogue):
    """key_for("street_officer") → a raw Open311 key bound to that persona's user."""

    def make(persona: str, raw: str | None = None) -> str:
        raw = raw or f"key-{persona}"
        Open311Client.objects.create(name=f"平台-{persona}", user=world.user(persona),
                                     key_digest=Open311Client.digest_of(raw))
        return raw

    return make


@pytest.fixture
def file_case(world, catalogue):
    """A case filed the ordinary way (through case_open), for the read tests."""

    def make(category="sanitation", description="楼道堆满杂物，影响通行", compound=None, persona="grid_worker",
             **extra):
        intake = case_services.Intake(category=category, description=description,
                                      compound=(compound or world.compound1).pk, **extra)
        return case_services.case_open(actor=world.user(persona), intake=intake)

    return make
