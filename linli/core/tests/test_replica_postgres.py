"""Lagged reads on a real streaming replica: a second PostgreSQL cluster made with `pg_basebackup -R`
from the test server, started on a free port, logging every statement it runs.

Requests go through the whole stack (test client → middleware → views → router). The test shows which
statements reached which server (per alias in the process, and in the replica's own log), that a
write never reaches the replica, and that a stopped replica degrades to the primary and is used
again once back. The cluster is torn down afterwards; pg_hba.conf gets a replication line for the
loopback only if it lacked one, and is put back as it was.
"""

import contextlib
import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.utils import ConnectionRouter

from linli.cases.models import Case
from linli.core import replica

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases=["default", replica.ALIAS])]

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|TRUNCATE|COPY)\b", re.I)
SLOT_PREFIX = "linli_replica_test_"
HOT_STANDBY_FLOORS = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
                      "max_locks_per_transaction")


def _admin_dsn(db: dict, dbname="postgres", **extra) -> dict:
    return {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres",
            "password": db["PASSWORD"] or None, "dbname": dbname, "application_name": "linli-replica-test", **extra}


def _bindir(major: str) -> Path | None:
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).resolve().parent)
    for path in candidates:
        if (path / "pg_ctl").exists() and (path / "pg_basebackup").exists():
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """The replica cluster: its directory, port, log, and pg_ctl run as the postgres OS user if we are root."""

    def __init__(self, bindir: Path, root: Path, port: int):
        self.bindir, self.root, self.port = bindir, root, port
        self.data, self.log = root / "data", root / "server.log"

    def run(self, *args, timeout=60):
        command = [str(self.bindir / args[0]), *map(str, args[1:])]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)

    def start(self):
        try:
            # A standby answers once it has replayed the WAL written during the copy: slow on a busy primary.
            self.run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "300", "start", timeout=330)
        except subprocess.CalledProcessError as exc:
            raise AssertionError(f"the replica did not start: {exc.stderr}\n{self.log.read_text()[-3000:]}") from exc

    def stop(self, mode="fast", *, check=False):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "120", "stop", timeout=150)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            if check:
                raise

    def statements(self) -> list[str]:
        """What the application's connections ran on the replica, from its log (log_statement=all)."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            m = re.search(r"\[linli\] LOG:\s+(?:statement|execute [^:]*):\s*(.*)$", line)
            if m:
                found.append(m.group(1))
        return found


@contextlib.contextmanager
def _replication_allowed(admin: dict):
    """Make sure the primary lets the loopback replicate with trust; undo only what was added."""
    with psycopg.connect(**admin, autocommit=True) as conn:
        rules = conn.execute("SELECT database, address, auth_method FROM pg_hba_file_rules "
                             "WHERE error IS NULL").fetchall()
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
    ok = any("replication" in (database or []) and address in ("127.0.0.1", None)
             and method == "trust" for database, address, method in rules)
    if ok:
        yield
        return
    if not os.access(hba, os.W_OK):
        pytest.skip(f"{hba} has no replication line for 127.0.0.1 and is not writable here")
    original = hba.read_text()
    hba.write_text(original + "\n# added by linli's replica test, removed afterwards\n"
                              "host replication all 127.0.0.1/32 trust\n")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield
    finally:
        hba.write_text(original)
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a streaming replica needs PostgreSQL")
    admin = _admin_dsn(db)
    with psycopg.connect(**admin, autocommit=True) as conn:
        major = conn.execute("SHOW server_version_num").fetchone()[0][:-4]
        floors = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in HOT_STANDBY_FLOORS}
    bindir = _bindir(major)
    if bindir is None or (os.geteuid() == 0 and not shutil.which("runuser")):
        pytest.skip(f"PostgreSQL {major}'s pg_ctl and pg_basebackup (and runuser, as root) are needed")
    root = Path(tempfile.mkdtemp(prefix="linli-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    node = Cluster(bindir, root, _free_port())
    alias_settings = {**connections[DEFAULT_DB_ALIAS].settings_dict, "HOST": "127.0.0.1", "PORT": node.port}
    alias_settings["OPTIONS"] = {**alias_settings.get("OPTIONS", {}), "application_name": "linli",
                                 "connect_timeout": 2}
    alias_settings["TEST"] = {**alias_settings.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    # The replica streams from the primary as long as it runs: replication stays allowed till the end.
    with contextlib.ExitStack() as stack:
        stack.enter_context(_replication_allowed(admin))
        stack.callback(shutil.rmtree, root, ignore_errors=True)
        # A slot keeps the primary's WAL from the backup's start until the replica streams it (a busy
        # primary recycles segments meanwhile); it is dropped afterwards, or the primary would keep WAL.
        slot = f"{SLOT_PREFIX}{os.getpid()}"
        _drop_slots(admin, f"{SLOT_PREFIX}%")
        stack.callback(_drop_slots, admin, slot, wait=True)
        stack.callback(node.stop, "immediate")
        began = time.monotonic()
        node.run("pg_basebackup", "-h", admin["host"], "-p", admin["port"], "-U", admin["user"],
                 "-D", node.data, "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot, "--no-sync", timeout=600)
        copied = time.monotonic() - began
        # A Debian cluster keeps its configuration in /etc: the copy gets a small one of its own.
        conf = {"port": node.port, "listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{root}'",
                "hot_standby": "on", "log_statement": "'all'", "log_line_prefix": "'[%a] '", "ssl": "off",
                "shared_buffers": "'16MB'", "fsync": "off", "recovery_init_sync_method": "syncfs", **floors}
        (node.data / "postgresql.conf").write_text("".join(f"{k} = {v}\n" for k, v in conf.items()))
        (node.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        for name in ("postgresql.conf", "pg_hba.conf"):
            if os.geteuid() == 0:
                shutil.chown(node.data / name, "postgres", "postgres")
        node.start()
        size = sum(f.stat().st_size for f in node.data.rglob("*") if f.is_file()) / 2**20
        print(f"\nreplica: pg_basebackup copied {size:,.0f} MiB in {copied:.1f} s; "
              f"started in {time.monotonic() - began - copied:.1f} s")
        stack.callback(_forget_alias)
        connections.settings[replica.ALIAS] = alias_settings
        yield node


def _drop_slots(admin: dict, pattern: str, *, wait: bool = False) -> None:
    """Drop the inactive replication slots of this test (its own, or one a killed run left behind);
    with `wait`, wait for the stopped replica's sender to let go of it first."""
    deadline = time.monotonic() + (30 if wait else 0)
    with psycopg.connect(**admin, autocommit=True) as conn:
        while True:
            conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                         "WHERE slot_name LIKE %s AND NOT active", [pattern])
            left = conn.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE %s",
                                [pattern]).fetchone()[0]
            if not left or time.monotonic() > deadline:
                return
            time.sleep(0.2)


def _forget_alias():
    if replica.ALIAS in connections.settings:
        connections[replica.ALIAS].close()
        del connections[replica.ALIAS]
        del connections.settings[replica.ALIAS]


@pytest.fixture
def routed(cluster, settings):
    settings.DATABASE_ROUTERS = ["linli.core.replica.ReplicaRouter"]
    settings.LINLI_REPLICA_RETRY_SECONDS = 30
    replica.health.reset()
    yield cluster
    replica.health.reset()


def _caught_up(cluster: Cluster, timeout=180.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    with psycopg.connect(**_admin_dsn(db), autocommit=True) as conn:
        lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(**_admin_dsn(db, host="127.0.0.1", port=cluster.port), autocommit=True) as conn:
        while not conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


@contextlib.contextmanager
def _statements():
    """Every statement the application ran in this block, per database alias."""
    seen = defaultdict(list)

    def recorder(alias):
        def record(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)
        return record

    with connections[DEFAULT_DB_ALIAS].execute_wrapper(recorder(DEFAULT_DB_ALIAS)), \
            connections[replica.ALIAS].execute_wrapper(recorder(replica.ALIAS)):
        yield seen


def _touches(statements, table: str) -> bool:
    return any(f'"{table}"' in sql for sql in statements)


def test_lagged_reads_go_to_the_replica_and_writes_never_do(routed, client_for, world):
    cluster = routed
    assert ConnectionRouter().routers[0].__class__.__name__ == "ReplicaRouter"
    officer, resident = client_for("district_officer"), client_for("resident")
    _caught_up(cluster)

    # when an officer opens the cockpit, its figures are read on the replica
    with _statements() as seen:
        page = officer.get(f"/cockpit/units/{world.district.pk}/")
    assert page.status_code == 200
    assert _touches(seen[replica.ALIAS], "cases_caseday") and _touches(seen[replica.ALIAS], "places_compound")
    assert not any(WRITE.match(sql) for sql in seen[replica.ALIAS])
    # while the session, the user and the sight come from the primary, as does the rollup refresh
    assert _touches(seen[DEFAULT_DB_ALIAS], "django_session") and _touches(seen[DEFAULT_DB_ALIAS], "accounts_user")
    assert _touches(seen[DEFAULT_DB_ALIAS], "accounts_assignment")
    assert not _touches(seen[replica.ALIAS], "django_session") and not _touches(seen[replica.ALIAS], "accounts_user")

    # when a resident files a case, every statement goes to the primary
    with _statements() as seen:
        filed = resident.post("/api/v1/cases", {"category": "sanitation", "description": "垃圾满溢",
                                                "compound": world.compound1.pk}, content_type="application/json")
    assert filed.status_code == 201, filed.content
    assert seen[replica.ALIAS] == []
    assert any(sql.startswith('INSERT INTO "cases_case"') for sql in seen[DEFAULT_DB_ALIAS])

    # then, streamed over, the public Open311 list shows it: read on the replica
    _caught_up(cluster)
    with _statements() as seen:
        listed = officer.get("/open311/v2/requests.json?status=open")
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert _touches(seen[replica.ALIAS], "cases_case") and not _touches(seen[DEFAULT_DB_ALIAS], "cases_case")

    # an export (written inside the request) reads its rows on the replica too
    with _statements() as seen:
        export = officer.get("/api/v1/residents/export?format=xlsx")
    assert export.status_code == 200
    assert _touches(seen[replica.ALIAS], "people_resident") and not _touches(seen[DEFAULT_DB_ALIAS], "people_resident")

    # an API read that is not marked lagged stays on the primary
    with _statements() as seen:
        assert resident.get("/api/v1/cases").status_code == 200
    assert seen[replica.ALIAS] == []

    # and the replica's own log agrees: it ran the app's reads, and not one write
    on_server = cluster.statements()
    assert any('"cases_caseday"' in sql for sql in on_server)
    assert not [sql for sql in on_server if WRITE.match(sql)]
    assert not any('"django_session"' in sql for sql in on_server)
    assert Case.objects.using(DEFAULT_DB_ALIAS).count() == 1


def _request(client, url):
    """A GET as the WSGI handler runs it: kept connections are checked when a request starts (the test
    client leaves that step out), which is where a dead replica connection is noticed."""
    close_old_connections()
    return client.get(url)


def test_a_stopped_replica_degrades_to_the_primary_and_is_used_again(routed, client_for, world, caplog):
    cluster = routed
    officer = client_for("district_officer")
    url = f"/cockpit/units/{world.district.pk}/"
    _caught_up(cluster)
    assert _request(officer, url).status_code == 200
    assert connections[replica.ALIAS].connection is not None
    # a crash: the server is gone at once, and the app's kept connection to it is dead
    cluster.stop("immediate", check=True)
    try:
        # when the replica is down, two cockpit requests are answered from the primary, logged once
        with caplog.at_level(logging.WARNING, logger="linli.core.replica"), _statements() as seen:
            assert _request(officer, url).status_code == 200
            assert _request(officer, url).status_code == 200
        assert seen[replica.ALIAS] == []
        assert _touches(seen[DEFAULT_DB_ALIAS], "cases_caseday")
        assert len([r for r in caplog.records if r.name == "linli.core.replica"]) == 1
    finally:
        cluster.start()
    # then, the retry time over, the next request goes back to the replica
    replica.health.down_until = 0.0
    _caught_up(cluster)
    with _statements() as seen:
        assert _request(officer, url).status_code == 200
    assert _touches(seen[replica.ALIAS], "cases_caseday")
