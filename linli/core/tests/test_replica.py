"""The read router's rules, on any database (the real replica: test_replica_postgres.py)."""

import base64
import json
import logging
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from linli.accounts.models import User
from linli.cases.models import Case
from linli.core import replica, scoping
from linli.places.models import Compound


@pytest.fixture
def unreachable():
    """A replica alias that cannot be connected to (nothing listens / no such folder)."""
    alias = {**connections[DEFAULT_DB_ALIAS].settings_dict, "TEST": {"MIRROR": DEFAULT_DB_ALIAS}}
    if alias["ENGINE"] == "django.db.backends.sqlite3":
        alias["NAME"] = "/nonexistent-linli-folder/replica.sqlite3"
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        alias.update(HOST="127.0.0.1", PORT=port, OPTIONS={**alias.get("OPTIONS", {}), "connect_timeout": 2})
    connections.settings[replica.ALIAS] = alias
    replica.health.reset()
    yield
    connections[replica.ALIAS].close()
    del connections[replica.ALIAS]
    del connections.settings[replica.ALIAS]
    replica.health.reset()


def test_without_a_replica_every_read_is_the_primary(db):
    assert replica.ALIAS not in settings.DATABASES and not getattr(settings, "DATABASE_ROUTERS", [])
    with replica.lagged_reads():
        assert replica.is_lagged()
        assert replica.read_alias(Case) == DEFAULT_DB_ALIAS
    assert not replica.is_lagged()


def test_the_router_never_writes_or_migrates_on_the_replica():
    router = replica.ReplicaRouter()
    with replica.lagged_reads():
        assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(replica.ALIAS, "cases") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "cases") is True


def test_reads_that_must_be_fresh_stay_on_the_primary(unreachable, db):
    # unmarked reads, sight and sessions, and reads inside a transaction never even try the replica
    assert replica.read_alias(Case) == DEFAULT_DB_ALIAS
    with replica.lagged_reads():
        assert replica.read_alias(User) == DEFAULT_DB_ALIAS
        with replica.primary_reads():
            assert replica.read_alias(Compound) == DEFAULT_DB_ALIAS
        with transaction.atomic():
            assert replica.read_alias(Compound) == DEFAULT_DB_ALIAS
    assert replica.health.down_until == 0.0


def test_an_unreachable_replica_sends_reads_to_the_primary_logged_once(unreachable, django_db_blocker, caplog,
                                                                       monkeypatch):
    # (no test database: only the replica's connection is tried, and it fails)
    with django_db_blocker.unblock(), replica.lagged_reads():
        with caplog.at_level(logging.WARNING, logger="linli.core.replica"):
            assert replica.read_alias(Case) == DEFAULT_DB_ALIAS
            assert replica.read_alias(Case) == DEFAULT_DB_ALIAS
        assert [r.name for r in caplog.records] == ["linli.core.replica"]
        assert "只读副本不可用" in caplog.records[0].getMessage()
        assert replica.health.down_until > 0
        # retried after LINLI_REPLICA_RETRY_SECONDS, still down: still the primary, no second warning
        monkeypatch.setattr(replica.health, "down_until", 0.0)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="linli.core.replica"):
            assert replica.read_alias(Case) == DEFAULT_DB_ALIAS
        assert caplog.records == []
        assert replica.health.down_until > 0


def test_sight_is_built_on_the_primary_even_inside_lagged_reads(db, monkeypatch):
    seen = []

    class Provider:
        def version(self, user):
            return "v"

        def build(self, user):
            seen.append(replica.is_lagged())
            return scoping.NOTHING

        def bump(self, ids):
            pass

    monkeypatch.setattr(scoping, "_provider_or_fail", lambda: Provider())
    user = User.objects.create_user("lagged-sight", password="x")
    with replica.lagged_reads():
        scoping.scope_for(user)
        assert replica.is_lagged()
    assert seen == [False]


def _settings_with(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    base.update(SECRET_KEY="s" * 50, LINLI_DATA_KEY=base64.urlsafe_b64encode(b"k" * 32).decode(), DEBUG="0",
                LINLI_DEMO="0", LINLI_DATA_DIR=str(tmp_path), **env)
    code = ("import json, linli.settings as s; print(json.dumps({'dbs': {k: [v['HOST'], v.get('TEST')] for k, v in "
            "s.DATABASES.items()}, 'routers': getattr(s, 'DATABASE_ROUTERS', [])}))")
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=60,
                          cwd=settings.BASE_DIR)


def test_the_setting_adds_the_alias_and_the_router_and_needs_a_primary(tmp_path):
    done = _settings_with(tmp_path, DATABASE_URL="postgres://linli@db1/linli",
                          DATABASE_REPLICA_URL="postgres://linli@db2/linli")
    read = json.loads(done.stdout)
    assert read["dbs"]["replica"] == ["db2", {"MIRROR": "default"}] and read["dbs"]["default"][0] == "db1"
    assert read["routers"] == ["linli.core.replica.ReplicaRouter"]
    # unset: no alias, no router
    read = json.loads(_settings_with(tmp_path, DATABASE_URL="postgres://linli@db1/linli").stdout)
    assert list(read["dbs"]) == ["default"] and read["routers"] == []
    # a replica without a primary is a configuration error, named
    done = _settings_with(tmp_path, DATABASE_REPLICA_URL="postgres://linli@db2/linli")
    assert done.returncode != 0 and "DATABASE_REPLICA_URL" in done.stderr
