import datetime as dt

import pytest
from django.utils import timezone

from linli.core import clock


def test_frozen_clock_advances_only_when_told():
    at = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 0))
    clock.freeze(at)
    assert clock.now() == at
    clock.advance(dt.timedelta(minutes=31))
    assert clock.now() == at + dt.timedelta(minutes=31)
    assert clock.today() == dt.date(2026, 11, 23)


def test_running_clock_can_be_shifted_forward():
    before = clock.now()
    clock.advance(dt.timedelta(hours=5))
    assert clock.now() - before >= dt.timedelta(hours=5)


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_503_when_the_database_fails(client, monkeypatch):
    # given a database that refuses every statement (down, or the connection lost)
    from django.db import OperationalError, connection

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    # when
    response = client.get("/healthz")
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}
