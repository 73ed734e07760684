"""Shared pieces of the PostgreSQL benchmarks: a throw-away database, the pgbench baseline, tables.

Every benchmark creates its own database on the local server, migrates it with the `linli`
command, and drops it again on the way out (also after an error or Ctrl-C), so a run never
touches the demo or development data.
"""

import base64
import contextlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")

# Made up for the benchmark databases only; they never hold real data.
BENCH_SECRET_KEY = "bench-secret-key-only-for-throwaway-databases"
BENCH_DATA_KEY = base64.urlsafe_b64encode(b"linli-bench-data-key-32-bytes!!!").decode()


def admin_dsn(dbname: str = "postgres") -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


class BenchDatabase:
    """A fresh database `linli_bench_<pid>[_<tag>]`, with the environment a `linli` process needs."""

    def __init__(self, tag: str = ""):
        self.name = f"linli_bench_{os.getpid()}" + (f"_{tag}" if tag else "")
        self.url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.name}"
        self.dsn = admin_dsn(self.name)

    def env(self, **extra) -> dict:
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.url,
            "SECRET_KEY": BENCH_SECRET_KEY,
            "LINLI_DATA_KEY": BENCH_DATA_KEY,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "linli.settings",
            "LOG_LEVEL": "WARNING",
            # Load benchmarks measure throughput, not the abuse limits (docs/OPERATIONS.md).
            "LINLI_API_WRITE_RATE": "1000000/m", "LINLI_OPEN311_POST_RATE": "1000000/m",
        })
        env.pop("PGDATABASE", None)
        env.update(extra)
        return env

    def create(self) -> None:
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def migrate(self) -> None:
        run([str(VENV_BIN / "linli"), "migrate", "--no-input", "-v", "0"], env=self.env())

    def __enter__(self):
        self.create()
        try:
            self.migrate()
        except BaseException:
            self.drop()
            raise
        return self

    def __exit__(self, *exc):
        # Django's own connection in this process would block the drop; FORCE ends it anyway.
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        self.drop()
        return False


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"{' '.join(cmd)} exited with {done.returncode}")
    return done


def django_setup(db: BenchDatabase) -> None:
    """Point this process's Django at the bench database (to load fixtures through the models)."""
    env = db.env()
    for key in ("DATABASE_URL", "SECRET_KEY", "LINLI_DATA_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"):
        os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_world():
    """The test suite's small place tree with its personas (resident1 … district1, password linli-demo)."""
    from django.db import transaction

    from linli.testing import build_world as build

    with transaction.atomic():
        return build()


def pgbench_insert_tps(db: BenchDatabase, clients: int, seconds: int = 15) -> float:
    """pgbench's rate of single-row INSERT transactions into a scratch table, on the same server."""
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_insert_scratch")
        conn.execute("CREATE TABLE bench_insert_scratch (id bigserial PRIMARY KEY, "
                     "at timestamptz NOT NULL DEFAULT now(), client int NOT NULL, payload text NOT NULL)")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "insert.sql"
        script.write_text("INSERT INTO bench_insert_scratch (client, payload) "
                          "VALUES (:client_id, 'bench row of about forty bytes of text');\n")
        threads = max(1, min(clients, os.cpu_count() or 1))
        done = run(["pgbench", "-n", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER,
                    "-c", str(clients), "-j", str(threads), "-T", str(seconds), "-f", str(script), db.name])
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_insert_scratch")
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if match is None:
        match = re.search(r"tps = ([\d.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}")
    return float(match.group(1))


def pgbench_command(clients: int, seconds: int) -> str:
    threads = max(1, min(clients, os.cpu_count() or 1))
    return f"pgbench -n -c {clients} -j {threads} -T {seconds} -f insert.sql"


def machine(db: BenchDatabase) -> list[tuple[str, str]]:
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    with psycopg.connect(db.dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections')").fetchall())
    shared_mb = int(settings.get("shared_buffers", 0)) * 8 // 1024
    return [
        ("CPUs (nproc)", str(os.cpu_count())),
        ("memory", f"{mem_kb / 1024 / 1024:.1f} GiB"),
        ("CPU", _cpu_model() or platform.machine()),
        ("PostgreSQL", f"{version} (shared_buffers {shared_mb} MB, synchronous_commit "
                       f"{settings.get('synchronous_commit')}, fsync {settings.get('fsync')})"),
        ("Python", platform.python_version()),
        # The machine may be shared: a busy one explains a slow run better than the code does.
        ("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min, at the end)"),
    ]


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return ""


def print_machine(rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print("machine")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Three aligned columns: what was measured, the figure (right-aligned), its unit or note."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"\n{title}")
    print("-" * (sum(widths) + 4))
    for label, value, unit in rows:
        print(f"{label:<{widths[0]}}  {value:>{widths[1]}}  {unit}".rstrip())
    sys.stdout.flush()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found on PATH")
    return found
