"""API writes are limited per token or logged-in user: 429 with Retry-After past the rate."""

import datetime as dt

import pytest
from django.core.cache import cache

from linli.core import clock
from linli.env import ConfigError, env_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rate(settings):
    settings.LINLI_API_WRITE_RATE = (3, 60)
    # Held at the start of a window: requests that straddled a window's end would be counted apart.
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    cache.clear()
    yield
    cache.clear()


def write(client, **headers):
    # A write refused by validation still counts: the limit is on requests, not on successes.
    return client.post("/api/v1/cases", {}, content_type="application/json", headers=headers)


def test_writes_past_the_rate_get_429_with_retry_after_and_write_nothing(world, client_for, counts, low_rate):
    # given three writes within the minute
    client = client_for("resident")
    statuses = [write(client).status_code for _ in range(3)]
    assert 429 not in statuses
    # when the fourth comes
    before = counts()
    response = write(client)
    # then
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("请求过于频繁")
    assert counts() == before


def test_each_user_and_each_token_has_its_own_count_and_reads_are_not_limited(world, client_for, client, low_rate):
    # given a resident past the rate
    resident = client_for("resident")
    for _ in range(4):
        write(resident)
    assert write(resident).status_code == 429
    # then reads still answer, another user still writes, and so does a token of the same server
    assert resident.get("/api/v1/me").status_code == 200
    assert write(client_for("grid_worker")).status_code != 429
    raw = client.post("/api/v1/auth/token", {"username": "street1", "password": "linli-demo"},
                      content_type="application/json").json()["token"]
    assert write(client, Authorization=f"Bearer {raw}").status_code != 429


def test_pages_are_not_limited(world, client_for, low_rate):
    client = client_for("resident")
    for _ in range(5):
        assert client.post("/i18n/setlang/", {"language": "zh-hans"}).status_code != 429


@pytest.mark.parametrize(("raw", "rate"), [("60/m", (60, 60)), ("1000/h", (1000, 3600)), ("30/10s", (30, 10))])
def test_rates_are_read_from_the_environment(monkeypatch, raw, rate):
    monkeypatch.setenv("LINLI_R", raw)
    assert env_rate("LINLI_R", "1/s") == rate


@pytest.mark.parametrize("raw", ["60", "0/m", "ten/m", "5/w"])
def test_a_bad_rate_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("LINLI_R", raw)
    with pytest.raises(ConfigError, match="LINLI_R"):
        env_rate("LINLI_R", "1/s")
