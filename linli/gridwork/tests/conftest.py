import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linli.core import clock
from linli.gridwork import services
from linli.people.models import CareTag
from linli.people.tests.factories import GridWorkerFactory
from linli.places.models import Building

# A Monday morning, before the check-in time (08:30).
NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 8, 10))


@pytest.fixture
def crew(world):
    """The grid worker persona registered as the worker of grid1; a second worker for grid4 (street2)."""
    clock.freeze(NOW)
    worker = GridWorkerFactory(name="赵网格", user=world.user("grid_worker"), grids=[world.grid1])
    far = GridWorkerFactory(name="钱网格", grids=[world.grid4])
    return worker, far


def building_of(grid):
    return Building.objects.filter(grid=grid).order_by("id").first()


def photo(name="finding.png", color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def alone(world, crew):
    """张秀英 (household1) and 李建国 (the neighbour's household) live alone in grid1; a plan of 30 days."""
    tag, _ = CareTag.objects.get_or_create(code="living_alone", defaults={"name": "独居"})
    world.resident.care_tags.add(tag)
    world.neighbour.care_tags.add(tag)
    world.far_resident.care_tags.add(tag)

    plan = services.plan_set(actor=world.user("community_secretary"), grid=world.grid1, care_tag=tag, every_days=30)
    return tag, plan
