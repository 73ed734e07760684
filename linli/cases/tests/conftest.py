import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linli.cases import services
from linli.cases.models import Channel
from linli.core import clock

START = timezone.make_aware(dt.datetime(2025, 3, 3, 9, 0))



def image_bytes(fmt="JPEG", size=(8, 8), **options) -> bytes:
    """A small real image: uploads are decoded and re-encoded, so a header alone no longer passes."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **options)
    return out.getvalue()


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")


def jpeg(name="a.jpg", data=JPEG):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def frozen():
    clock.freeze(START)
    return START


def media_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def open_case(world, frozen):
    """A resident's online case in compound1 (ordinary tier: 10 min to arrive, 30 to solve)."""

    def make(category="sanitation", description="楼道堆满杂物，影响通行", user=None, **extra):
        intake = services.Intake(category=category, description=description,
                                 compound=extra.pop("compound", world.compound1.pk), channel=Channel.ONLINE, **extra)
        return services.case_open(actor=user or world.user("resident"), intake=intake)

    return make
