"""Shared pieces of the benchmarks: a throw-away database, the pgbench baseline, tables, one
keep-alive HTTP client and one gunicorn start-up.

Every benchmark creates its own database on the local server, migrates it with the `linli`
command, and drops it again on the way out (also after an error or Ctrl-C), so a run never
touches the demo or development data.
"""

import base64
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
HOST = "127.0.0.1"  # the servers under test listen on loopback only
PASSWORD = "linli-demo"  # the personas' and the demo's password
KEEP_ALIVE = 5  # gunicorn --keep-alive, seconds

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


# --- HTTP: one client, one server ------------------------------------------------------------------


# What a refused, reset, dropped or timed-out connection raises out of HttpClient (http.client over a
# socket). The load loops count these as failed requests and go on; anything else is a bug in the
# benchmark and stops it.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


class HttpClient:
    """One keep-alive connection with a cookie jar and an optional bearer token, like a browser tab.

    Reconnects when the server closes the connection, and before gunicorn's keep-alive runs out
    (`idle_limit` seconds idle) instead of sending into a connection the server is closing. Never
    raises for an HTTP error status; a refused or dropped connection raises (and is closed).
    """

    def __init__(self, port: int, token: str = "", *, headers: dict | None = None, cookies: dict | None = None,
                 timeout: float = 60, idle_limit: float | None = None):
        self.port, self.token, self.timeout, self.idle_limit = port, token, timeout, idle_limit
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = dict(cookies or {})
        self.conn = None
        self.last_used = 0.0

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "",
                headers: dict | None = None, *, with_cookies: bool = True) -> tuple[int, dict, bytes]:
        """(status, headers with lower-case names, body). Explicit `headers` win over the defaults."""
        if (self.conn is not None and self.idle_limit is not None
                and time.monotonic() - self.last_used > self.idle_limit):
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        sent = dict(self.headers)
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if content_type:
            sent["Content-Type"] = content_type
        if with_cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            self.conn.request(method, path, body, sent)
            resp = self.conn.getresponse()
            data = resp.read()
        except Exception:
            self.close()
            raise
        self.last_used = time.monotonic()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                # The flags (Secure, HttpOnly, …) do not matter here; a past expiry or empty value deletes.
                key, _, val = value.split(";", 1)[0].partition("=")
                if "max-age=0" in value.lower() or not val.strip('"'):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val
        answer_headers = {k.lower(): v for k, v in resp.getheaders()}
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return resp.status, answer_headers, data

    def post_json(self, path: str, payload: dict) -> tuple[int, bytes]:
        status, _, data = self.request("POST", path, json.dumps(payload, ensure_ascii=False).encode(),
                                       "application/json")
        return status, data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def api_token(port: int, username: str, password: str = PASSWORD) -> str:
    """A bearer token from /api/v1/auth/token (one password hash: keep it out of timed loops)."""
    client = HttpClient(port, timeout=30)
    status, data = client.post_json("/api/v1/auth/token", {"username": username, "password": password})
    client.close()
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {data[:300]!r}")
    return json.loads(data)["token"]


class Server:
    """gunicorn (gthread) on a free loopback port, in its own session so the whole group ends by its id.

    Started on creation. As a context manager it waits until the server answers, and on the way out
    stops it and prints the tail of its log when something failed or the log holds a traceback.
    The log goes to `log` (an open file the caller reads and closes) or to a temporary file.
    """

    def __init__(self, env: dict, *, workers: int = 4, threads: int = 2, executable: Path | None = None,
                 app: str = "linli.wsgi:application", cwd: Path = ROOT, log=None, label: str = "linli",
                 keep_alive: int = KEEP_ALIVE):
        self.port = free_port()
        self.label = label
        self.own_log = log is None
        self.log = log or tempfile.NamedTemporaryFile("w+", prefix=f"{label}-bench-gunicorn-", suffix=".log",
                                                      delete=False)
        cmd = [str(executable or VENV_BIN / "gunicorn"), app, "--bind", f"{HOST}:{self.port}",
               "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
               "--keep-alive", str(keep_alive), "--timeout", "120"]
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.stopped_text = None

    def wait_ready(self, timeout: float = 60, path: str = "/healthz") -> None:
        """Until the server answers anything at all on `path` (a 404 counts: it is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def token(self, username: str) -> str:
        return api_token(self.port, username)

    def text(self) -> str:
        if self.stopped_text is not None:
            return self.stopped_text
        self.log.flush()
        with contextlib.suppress(OSError):
            return Path(self.log.name).read_text(errors="replace")
        return ""

    def stop(self, keep_as: str = "") -> str:
        """Stop the whole process group; the log's text (also written to `keep_as` if given)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.stopped_text is None:
            text = self.text()
            if self.own_log:
                self.log.close()
                with contextlib.suppress(OSError):
                    os.unlink(self.log.name)
            self.stopped_text = text
        if keep_as:
            Path(keep_as).write_text(self.stopped_text)
        return self.stopped_text

    def __enter__(self):
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, kind, exc, tb):
        text = self.stop()
        if kind is not None or "Traceback" in text:
            sys.stderr.write(f"--- {self.label} gunicorn log (end) ---\n{text[-3000:]}\n")
        return False
