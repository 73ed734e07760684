"""Open311 POSTs are limited per api_key, answered with the specification's error array."""

import datetime as dt

import pytest
from django.core.cache import cache

from linli.cases.models import Case
from linli.core import clock
from linli.open311.tests.schema import from_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rate(settings):
    settings.LINLI_OPEN311_POST_RATE = (2, 10)
    # Held at the start of a window: requests that straddled a window's end would be counted apart.
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    cache.clear()
    yield
    cache.clear()


def submit(client, key, world, fmt="json"):
    return client.post(f"/open311/v2/requests.{fmt}", {
        "api_key": key, "service_code": "sanitation", "description": "垃圾站两天没有清运",
        "attribute[compound]": str(world.compound1.pk)})


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posts_past_the_rate_get_429_in_the_error_format_and_file_nothing(client, world, key_for, low_rate, fmt):
    # given a key that has filed two requests in the window
    key = key_for("district_officer")
    assert [submit(client, key, world, fmt).status_code for _ in range(2)] == [201, 201]
    # when a third comes
    response = submit(client, key, world, fmt)
    # then
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 10
    # The error array's shape (its schema lists only the codes the specification names, not 429).
    errors = from_xml(response.content, "errors", "errors") if fmt == "xml" else response.json()
    assert [set(e) for e in errors] == [{"code", "description"}]
    assert errors[0]["code"] == 429 and errors[0]["description"].startswith("请求过于频繁")
    assert Case.objects.count() == 2


def test_each_key_has_its_own_count_and_reads_are_not_limited(client, world, key_for, low_rate):
    first, second = key_for("district_officer"), key_for("street_officer")
    for _ in range(3):
        submit(client, first, world)
    assert submit(client, first, world).status_code == 429
    assert client.get("/open311/v2/services.json").status_code == 200
    assert submit(client, second, world).status_code == 201
