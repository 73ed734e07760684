"""Fault runs: a sweep killed and restarted, PostgreSQL restarted under load, a full upload disk.

    .venv/bin/python bench/faults.py                      # all three (about 5 minutes)
    .venv/bin/python bench/faults.py --only sweep         # or restart, disk (comma-separated)
    .venv/bin/python bench/faults.py --cases 20000 --load-seconds 20

Nothing here touches the shared PostgreSQL on 5432. The run starts its own throw-away PostgreSQL 15
(`initdb` into a temporary directory, run as the `postgres` OS user when started as root, on a free
port on 127.0.0.1 with its socket in that directory), creates one database in it, migrates it with
`linli migrate`, and builds the test suite's small place tree. That server is the one restarted
(`pg_ctl restart -m fast`, then `-m immediate`, i.e. a crash and WAL recovery), and it is stopped and
deleted at the end, also after an error, Ctrl-C or SIGTERM.

1. sweep: COPY --cases breached open cases (as bench/cases_sweep.py does), start `linli sla-sweep
   --now T` as a child, SIGKILL it once --kill-after escalations have committed, check that no case
   is half-escalated, run it again with the same T; then, an hour later (every case breached again
   at its new level), two sweeps at once, and a third that must find nothing. Every case must end
   with exactly one escalation row per breach, and one timeline event and one audit entry per
   escalation, no notice twice.
2. restart: gunicorn (4 gthread workers × 2 threads, the production settings) with intake clients
   (POST /api/v1/cases as resident1) and redemption clients (POST /api/v1/points/redemptions with an
   idempotency key, residents with points, shelves with limited stock) running; PostgreSQL is
   restarted with -m fast and later with -m immediate. A client that gets an error or a dropped
   connection sends the same content again (up to --retries times); every attempt is recorded.
   Afterwards: every 201 case exists once, no case without its opening event and audit entry, how
   many unanswered cases exist (and which ones twice because they were retried), the points
   ledger verifies, balances equal their entries, stock is never negative and never oversold, and
   the requests that failed after PostgreSQL was back (the app itself is never restarted). Then a
   third restart (-m fast) while no client is sending, and requests one by one until ten in a row
   succeed: each one that fails there met a connection the restart had killed.
   `--no-health-checks` runs gunicorn with Django's CONN_HEALTH_CHECKS off
   (bench/faults/settings_no_health.py) to show that failure: one 500 per gunicorn thread.
3. disk: MEDIA_ROOT on a 2 MB tmpfs (`mount -t tmpfs`; skipped with a message if mounting is not
   allowed) with 512 KB of ballast, a gunicorn on it, cases with two photos each filed through the
   API until the disk is full. Afterwards: the answer the resident got, cases with missing or short
   photos, files no photo row refers to (orphans); then the ballast is deleted and filing must work.

It prints one table per fault and a verdict line per check, and exits 1 if any check failed.
The throughput figures before each restart are the baseline for the ones after it (same run).
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_DATA_KEY,
    BENCH_SECRET_KEY,
    CONNECTION_ERRORS,
    HOST,
    ROOT,
    VENV_BIN,
    HttpClient,
    Server,
    build_world,
    django_setup,
    free_port,
    machine,
    print_machine,
    print_table,
    run,
)

PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "linli_faults"
RETRY_PAUSE = 0.5  # seconds a client waits before sending the same request again


# ---------------------------------------------------------------- the throw-away server


class OwnPostgres:
    """A private PostgreSQL cluster in a temporary directory, on a free port: ours to kill."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="linli-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.started = False

    def _as_owner(self, cmd: list[str]) -> list[str]:
        # initdb and postgres refuse to run as root.
        return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        run(self._as_owner([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                            "-E", "UTF8", "--locale=C.UTF-8"]))
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.dir} -c max_connections=100"
        run(self._as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                            "-o", options, "start"]))
        self.started = True

    def restart(self, mode: str) -> float:
        """`pg_ctl restart -m mode`, waiting until it accepts connections again; seconds taken."""
        started = time.perf_counter()
        # pg_ctl restart reuses the options of the last start (postmaster.opts).
        run(self._as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                            "-m", mode, "restart"]))
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.started:
            subprocess.run(self._as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate",
                                           "stop"]), capture_output=True)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


class FaultDatabase:
    """The one database in the private server, shaped like _common.BenchDatabase for its helpers."""

    def __init__(self, server: OwnPostgres):
        self.server = server
        self.name = DB_NAME
        self.url = f"postgres://postgres@{HOST}:{server.port}/{DB_NAME}"
        self.dsn = f"host={HOST} port={server.port} user=postgres dbname={DB_NAME}"

    def env(self, **extra) -> dict:
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.url, "SECRET_KEY": BENCH_SECRET_KEY, "LINLI_DATA_KEY": BENCH_DATA_KEY,
            "DEBUG": "0", "ALLOWED_HOSTS": HOST, "DJANGO_SETTINGS_MODULE": "linli.settings",
            "LOG_LEVEL": "WARNING", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
            # Load benchmarks measure throughput, not the abuse limits (docs/OPERATIONS.md).
            "LINLI_API_WRITE_RATE": "1000000/m", "LINLI_OPEN311_POST_RATE": "1000000/m",
        })
        env.pop("PGDATABASE", None)
        env.update(extra)
        return env

    def create(self) -> None:
        import psycopg

        with psycopg.connect(f"host={HOST} port={self.server.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        run([str(VENV_BIN / "linli"), "migrate", "--no-input", "-v", "0"], env=self.env())


def close_django() -> None:
    """Drop this process's Django connections (they die with every restart of the server)."""
    from django.db import connections

    for conn in connections.all():
        with contextlib.suppress(Exception):
            conn.close()


# ---------------------------------------------------------------- verdicts


class Verdicts:
    def __init__(self):
        self.rows: list[tuple[str, str, bool]] = []

    def check(self, fault: str, what: str, ok: bool, detail: str = "", show: bool = False) -> bool:
        """`detail` is printed when the check fails, or always with show=True (figures worth seeing)."""
        self.rows.append((fault, what + (f": {detail}" if detail and (show or not ok) else ""), ok))
        return ok

    def note(self, fault: str, what: str) -> None:
        self.rows.append((fault, what, None))

    def print(self) -> bool:
        print("\nverdicts")
        print("--------")
        for fault, what, ok in self.rows:
            mark = "note" if ok is None else ("ok  " if ok else "FAIL")
            print(f"{mark}  [{fault}] {what}")
        failed = [r for r in self.rows if r[2] is False]
        print(f"\n{len(failed)} check(s) failed" if failed else "\nall checks passed")
        return not failed


# ---------------------------------------------------------------- HTTP


# One keep-alive connection (reopened after the server closes it); never raises for HTTP errors.
Client = HttpClient


def multipart(fields: dict, files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = f"----linli{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data, kind in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {kind}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def gunicorn(db: "FaultDatabase", workers: int, threads: int, **env) -> Server:
    """gunicorn on the throw-away server's database, with extra environment for the scenario."""
    return Server(db.env(**env), workers=workers, threads=threads, label="linli-faults")


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def readable(data: bytes) -> str:
    """The body as text, JSON with its Chinese un-escaped."""
    text = data.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def snippet(data: bytes, limit: int = 160) -> str:
    text = readable(data)
    if "<html" in text.lower() or "<!doctype" in text.lower():
        title = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
        h1 = re.search(r"<h1>(.*?)</h1>", text, re.S | re.I)
        text = "HTML: " + " / ".join(x.group(1).strip() for x in (title, h1) if x)
    return " ".join(text.split())[:limit]


# ---------------------------------------------------------------- 1. the sweep, killed


def sweep_process(db: FaultDatabase, at: dt.datetime, batch_size: int, log: Path) -> subprocess.Popen:
    cmd = [str(VENV_BIN / "linli"), "sla-sweep", "--now", at.isoformat(), "--batch-size", str(batch_size)]
    return subprocess.Popen(cmd, cwd=ROOT, env=db.env(), stdout=log.open("w"), stderr=subprocess.STDOUT)


def sweep_output(proc: subprocess.Popen, log: Path) -> tuple[int, int]:
    """(exit code, cases escalated) of a finished sweep."""
    code = proc.wait()
    text = log.read_text(errors="replace")
    if code != 0:
        sys.stderr.write(text[-2000:])
        return code, -1
    match = re.search(r"escalated (\d+)", text)
    return code, int(match.group(1)) if match else -1


def escalation_count(db: FaultDatabase) -> int:
    import psycopg

    with psycopg.connect(db.dsn, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM cases_escalation").fetchone()[0]


def sweep_state(ids: range, initial: dict[int, str]) -> dict:
    """Per-case consistency of escalations, levels, events, audit entries and notices."""
    from django.db.models import Count

    from linli.cases.models import Case, CaseEvent, Escalation, Notification, next_level
    from linli.core.models import AuditEntry

    close_django()
    lo, hi = ids.start, ids.stop
    escalations = Counter(dict(Escalation.objects.filter(case_id__gte=lo, case_id__lt=hi).values("case_id")
                               .annotate(n=Count("id")).values_list("case_id", "n")))
    events = Counter(dict(CaseEvent.objects.filter(case_id__gte=lo, case_id__lt=hi, kind="escalated")
                          .values("case_id").annotate(n=Count("id")).values_list("case_id", "n")))
    audits = Counter()
    for object_id, n in (AuditEntry.objects.filter(action="case.escalate", object_type="cases.case")
                         .values("object_id").annotate(n=Count("id")).values_list("object_id", "n")):
        audits[int(object_id)] = n
    levels = dict(Case.objects.filter(pk__gte=lo, pk__lt=hi).values_list("pk", "level"))
    notices = Notification.objects.filter(text__contains="提级")
    doubled_notices = (notices.values("user_id", "text").annotate(n=Count("id")).filter(n__gt=1).count())
    noticed = Counter()
    for link in notices.values_list("link", flat=True).iterator(chunk_size=5000):
        match = re.search(r"(\d+)/?$", link)
        if match:
            noticed[int(match.group(1))] += 1

    per_case = Counter()
    half = []
    for pk, level in levels.items():
        n = escalations[pk]
        per_case[n] += 1
        expected = initial[pk]
        for _ in range(n):
            expected = next_level(expected) or expected
        if level != expected or events[pk] != n or audits[pk] != n or (n == 0 and noticed[pk]):
            half.append(pk)
    return {"per_case": per_case, "half": half, "escalations": sum(escalations.values()),
            "events": sum(events.values()), "audit": sum(audits[pk] for pk in levels),
            "notices": sum(noticed[pk] for pk in levels), "doubled_notices": doubled_notices}


def fault_sweep(db: FaultDatabase, world, args, verdicts: Verdicts) -> None:
    import cases_sweep

    from linli.cases.models import Case, ServiceCategory
    from linli.core import crypto

    places = []
    for compound in (world.compound1, world.compound2, world.compound3, world.compound4):
        places.append({"compound_id": compound.pk, "name": compound.name,
                       "building_id": compound.buildings.values_list("pk", flat=True).first(),
                       "reporter_id": world.user("resident").pk if compound == world.compound1 else None})
    category_id = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first().pk
    worker_id = world.user("grid_worker").pk
    secret = (crypto.encrypt("张秀英"), crypto.encrypt("13800138000"))
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    close_django()

    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    loaded, load_seconds = cases_sweep.load(db, cases_sweep.case_rows(args.cases, at, places, category_id,
                                                                      worker_id, secret))
    initial = dict(Case.objects.filter(pk__gte=first_id).values_list("pk", "level"))
    ids = range(first_id, max(initial) + 1)
    close_django()
    logs = [Path(tempfile.mkstemp(prefix="linli-faults-sweep-", suffix=".log")[1]) for _ in range(5)]
    rows = [("breached open cases loaded (COPY)", f"{loaded:,}", f"in {load_seconds:.1f} s")]
    try:
        # 1. Killed mid-way.
        started = time.perf_counter()
        proc = sweep_process(db, at, args.batch_size, logs[0])
        seen = 0
        while proc.poll() is None:
            seen = escalation_count(db)
            if seen >= args.kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        killed_after = time.perf_counter() - started
        code = proc.wait()
        killed = code == -signal.SIGKILL
        verdicts.check("sweep", "the first sweep was killed with SIGKILL mid-way", killed,
                       f"exit {code}" if not killed else "")
        state = sweep_state(ids, initial)
        committed = state["escalations"]
        rows += [("sweep 1 killed after", f"{killed_after:.1f}", f"s, {seen:,} escalations seen committed"),
                 ("escalated cases after the kill", f"{committed:,}",
                  f"({committed // args.batch_size} batches of {args.batch_size} and "
                  f"{committed % args.batch_size} more)")]
        verdicts.check("sweep", "after the kill, no case half-escalated (level, escalation, event, audit agree)",
                       not state["half"], f"{len(state['half'])} cases, e.g. {state['half'][:5]}")
        verdicts.check("sweep", "after the kill, whole batches only",
                       committed % args.batch_size == 0, f"{committed:,} escalations", show=True)

        # 2. Restarted with the same --now: does the rest, once.
        started = time.perf_counter()
        code, again = sweep_output(sweep_process(db, at, args.batch_size, logs[1]), logs[1])
        rerun_seconds = time.perf_counter() - started
        rows += [("sweep 2 (same --now) escalated", f"{again:,}", f"cases in {rerun_seconds:.1f} s = "
                  f"{again / rerun_seconds:,.0f} cases/s")]
        state = sweep_state(ids, initial)
        verdicts.check("sweep", "restart with the same --now escalates exactly the rest",
                       code == 0 and again == loaded - committed, f"{again:,} of {loaded - committed:,}", show=True)
        verdicts.check("sweep", "every breached case has exactly one escalation row",
                       set(state["per_case"]) == {1}, f"cases by escalation rows: {dict(state['per_case'])}", show=True)
        verdicts.check("sweep", "one timeline event and one audit entry per escalation, nothing half-done",
                       not state["half"] and state["events"] == state["audit"] == state["escalations"],
                       f"{state['escalations']:,} escalations, {state['events']:,} events, {state['audit']:,} "
                       f"audit entries, {len(state['half'])} inconsistent cases", show=True)
        verdicts.check("sweep", "no notice sent twice", state["doubled_notices"] == 0,
                       f"{state['notices']:,} notices, {state['doubled_notices']} (user, text) doubled", show=True)

        # 3. An hour later every case is breached again at its new level: two sweeps at once.
        later = at + dt.timedelta(hours=1)
        started = time.perf_counter()
        pair = [sweep_process(db, later, args.batch_size, logs[2]), sweep_process(db, later, args.batch_size, logs[3])]
        results = [sweep_output(p, log) for p, log in zip(pair, logs[2:4], strict=True)]
        pair_seconds = time.perf_counter() - started
        code, third = sweep_output(sweep_process(db, later, args.batch_size, logs[4]), logs[4])
        state = sweep_state(ids, initial)
        split = " + ".join(f"{n:,}" for _, n in results)
        rows += [("two sweeps at once (T + 1 h) escalated", split, f"cases in {pair_seconds:.1f} s = "
                  f"{sum(n for _, n in results) / pair_seconds:,.0f} cases/s together"),
                 ("a third sweep at T + 1 h escalated", f"{third:,}", "cases"),
                 ("escalation rows in all", f"{state['escalations']:,}",
                  f"events {state['events']:,}, audit {state['audit']:,}, notices {state['notices']:,}")]
        rerun_rate = again / rerun_seconds
        rows.append(("baseline: sweep 2 alone (above)", f"{rerun_rate:,.0f}", "cases/s"))
        verdicts.check("sweep", "two concurrent sweeps together escalate every case once",
                       all(c == 0 for c, _ in results) and sum(n for _, n in results) == loaded, split, show=True)
        verdicts.check("sweep", "a third sweep at the same moment escalates nothing", code == 0 and third == 0,
                       f"{third}")
        verdicts.check("sweep", "every case has exactly two escalation rows (one per breach)",
                       set(state["per_case"]) == {2}, f"cases by escalation rows: {dict(state['per_case'])}", show=True)
        verdicts.check("sweep", "events and audit entries one per escalation, levels consistent, no notice twice",
                       not state["half"] and state["events"] == state["audit"] == state["escalations"]
                       and state["doubled_notices"] == 0,
                       f"{len(state['half'])} inconsistent cases, {state['doubled_notices']} doubled notices")
    finally:
        for log in logs:
            log.unlink(missing_ok=True)
    print_table(f"fault 1: linli sla-sweep killed (SIGKILL) and restarted, batches of {args.batch_size}", rows)


# ---------------------------------------------------------------- 2. PostgreSQL restarted under load


class Recorder:
    """Every attempt of every client: (kind, logical request, attempt, start, end, status or error)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempts: list[tuple[str, str, int, float, float, str]] = []

    def add(self, *row) -> None:
        with self.lock:
            self.attempts.append(row)


def intake_client(port, token, compound_id, category, name, stop, rec: Recorder, retries: int, outcome: dict):
    client = Client(port, token)
    n = 0
    while not stop.is_set():
        n += 1
        key = f"{name}-{n}"
        payload = {"category": category, "compound": compound_id,
                   "description": f"5号楼电梯停运，老人上下楼困难，请尽快维修（故障测试 {key}）"}
        for attempt in range(1, retries + 2):
            t0 = time.monotonic()
            try:
                status, data = client.post_json("/api/v1/cases", payload)
                result = str(status)
            except CONNECTION_ERRORS as exc:  # dropped or refused connection: the answer is unknown
                status, data, result = 0, b"", type(exc).__name__
            rec.add("intake", key, attempt, t0, time.monotonic(), result)
            if status == 201:
                outcome[key] = ("201", attempt, json.loads(data)["id"])
                break
            if 400 <= status < 500:
                outcome[key] = (result, attempt, None)
                break
            outcome[key] = ("error", attempt, None)
            time.sleep(RETRY_PAUSE)
    client.close()


def redeem_client(port, token, goods_ids, name, stop, rec: Recorder, retries: int, outcome: dict):
    client = Client(port, token)
    n = 0
    sold_out: set[int] = set()
    while not stop.is_set() and len(sold_out) < len(goods_ids):
        n += 1
        goods = [g for g in goods_ids if g not in sold_out][n % (len(goods_ids) - len(sold_out))]
        key = f"{name}-{n}"
        payload = {"idempotency_key": key, "goods_id": goods, "quantity": 1}
        for attempt in range(1, retries + 2):
            t0 = time.monotonic()
            try:
                status, data = client.post_json("/api/v1/points/redemptions", payload)
                result = str(status)
            except CONNECTION_ERRORS as exc:
                status, data, result = 0, b"", type(exc).__name__
            rec.add("redeem", key, attempt, t0, time.monotonic(), result)
            if status in (200, 201):
                outcome[key] = (result, attempt, goods)
                break
            if 400 <= status < 500:
                outcome[key] = (result, attempt, goods)
                if "库存不足" in data.decode("utf-8", "replace"):
                    sold_out.add(goods)
                elif "余额不足" in data.decode("utf-8", "replace"):
                    client.close()  # this resident has spent everything
                    return
                break
            outcome[key] = ("error", attempt, goods)
            time.sleep(RETRY_PAUSE)
    client.close()


def setup_shop(world, residents: int, stock: int, shelves: int):
    """Residents with users and points, an open window, shelves of `stock` items at 1 point each."""
    from django.db import transaction
    from django.utils import timezone

    from linli.accounts.models import Role
    from linli.people.tests.factories import ResidentFactory
    from linli.points import services
    from linli.points.models import Goods, PointRule, RedemptionWindow
    from linli.testing import make_user

    with transaction.atomic():
        staff = world.user("community_secretary")
        rule = PointRule.objects.create(community=world.community1, category="public_good", code="fault-volunteer",
                                        name="志愿服务", points=10, unit="hour")
        now = timezone.now()
        RedemptionWindow.objects.create(community=world.community1, name="故障测试兑换期",
                                        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
        names = []
        for i in range(residents):
            resident = ResidentFactory(household=world.household1, name=f"故障测试居民{i}")
            user = make_user(f"fault{i}", Role.RESIDENT)
            resident.user = user
            resident.save()
            for k in range(3):  # 3 × 24 h × 10 = 720 points
                services.award_grant(actor=staff, key=f"fault-seed-{i}-{k}", rule=rule, resident=resident,
                                     quantity="24")
            names.append(user.username)
        goods = [Goods.objects.create(community=world.community1, name=f"故障测试毛巾{r}", price=1, stock=stock,
                                      limit_per_person=stock) for r in range(shelves)]
    close_django()
    return names, [g.pk for g in goods]


def fault_restart(db: FaultDatabase, world, server: OwnPostgres, args, verdicts: Verdicts) -> None:
    from django.db.models import Count, Sum

    from linli.cases.models import Case, CaseEvent, ServiceCategory
    from linli.core.models import AuditEntry
    from linli.points import ledger
    from linli.points.models import Account, Entry, Goods, Redemption

    category = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first().code
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    shoppers, goods_ids = setup_shop(world, args.shoppers, args.stock, 3)
    extra = {}
    if args.no_health_checks:
        # The same settings with CONN_HEALTH_CHECKS off (bench/faults/settings_no_health.py).
        extra = {"DJANGO_SETTINGS_MODULE": "settings_no_health", "PYTHONPATH": str(Path(__file__).parent / "faults")}
    app = gunicorn(db, args.workers, args.threads, **extra)
    rec = Recorder()
    intake_outcome: dict = {}
    redeem_outcome: dict = {}
    restarts: list[tuple[str, float, float]] = []
    stop = threading.Event()
    threads = []
    try:
        app.wait_ready()
        token = app.token("resident1")
        shopper_tokens = [app.token(name) for name in shoppers]
        for i in range(args.intake_clients):
            threads.append(threading.Thread(target=intake_client, args=(
                app.port, token, world.compound1.pk, category, f"i{i}", stop, rec, args.retries, intake_outcome)))
        for i, shopper_token in enumerate(shopper_tokens):
            threads.append(threading.Thread(target=redeem_client, args=(
                app.port, shopper_token, goods_ids, f"r{i}", stop, rec, args.retries, redeem_outcome)))
        load_started = time.monotonic()
        for t in threads:
            t.start()
        third = args.load_seconds / 3
        for mode in ("fast", "immediate"):
            time.sleep(third)
            began = time.monotonic()
            server.restart(mode)
            restarts.append((mode, began, time.monotonic()))
        time.sleep(third)
        stop.set()
        for t in threads:
            t.join()
        load_ended = time.monotonic()
        # A third restart while nobody is sending: at night, say. Every gunicorn thread still holds
        # the connection it used under load (CONN_MAX_AGE); the app itself is not restarted. Then
        # requests one after another, each on a new HTTP connection so they spread over the
        # workers and threads, until 10 in a row succeed (40 at most).
        quiet_took = server.restart("fast")
        probes = []
        while len(probes) < 40 and probes[-10:].count(201) < 10:
            probe = Client(app.port, token)
            try:
                status, _ = probe.post_json("/api/v1/cases", {"category": category, "compound": world.compound1.pk,
                                                              "description": f"故障测试：空闲时重启后的请求 {len(probes)}"})
            except CONNECTION_ERRORS as exc:
                status = type(exc).__name__
            probe.close()
            probes.append(status)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        server_log = app.stop(str(Path(args.log_dir) / "restart-gunicorn.log") if args.log_dir else "")

    # --- what the clients saw, by phase
    attempts = rec.attempts
    ok_codes = {"200", "201"}
    refused_codes = {str(c) for c in range(400, 500)}

    failed = [a for a in attempts if a[5] not in ok_codes and a[5] not in refused_codes]

    def answered_ok(lo, hi) -> int:
        return sum(1 for a in attempts if lo <= a[4] < hi and a[5] in ok_codes)

    # An attempt that overlaps a restart (sent before it, answered during or after it) belongs to that
    # restart; only attempts sent after the server was back count against the app's recovery.
    rows = []
    first_began = restarts[0][1]
    base_good = answered_ok(load_started, first_began)
    base_bad = [a for a in failed if a[4] < first_began]
    rows.append(("baseline: answered 200/201 before the first restart", f"{base_good / (first_began - load_started):,.1f}",
                 f"requests/s ({base_good:,} in {first_began - load_started:.1f} s, {len(base_bad)} errors)"))
    after_back_errors = 0
    for i, (mode, began, back) in enumerate(restarts):
        nxt = restarts[i + 1][1] if i + 1 < len(restarts) else load_ended
        down_bad = [a for a in failed if a[3] < back and a[4] >= began]
        bad = [a for a in failed if back <= a[3] and a[4] < nxt]
        good = answered_ok(back, nxt)
        first_ok = min((a[4] for a in attempts if a[3] >= back and a[5] in ok_codes), default=None)
        last_bad = max((a[4] for a in bad), default=None)
        after_back_errors += len(bad)
        rows += [(f"restart -m {mode}: pg_ctl took", f"{back - began:.1f}", "s (until it accepted connections)"),
                 ("  failed attempts overlapping the restart", f"{len(down_bad):,}",
                  ", ".join(f"{k} × {v}" for k, v in Counter(a[5] for a in down_bad).most_common())),
                 ("  failed attempts sent after it was back", f"{len(bad):,}",
                  ", ".join(f"{k} × {v}" for k, v in Counter(a[5] for a in bad).most_common()) or "none"),
                 ("  first success after it was back", f"{first_ok - back:.2f}" if first_ok else "never", "s"),
                 ("  last failure after it was back", f"{last_bad - back:.2f}" if last_bad else "—", "s"),
                 ("  answered 200/201 after it was back", f"{good / max(nxt - back, 1e-9):,.1f}",
                  f"requests/s ({good:,} in {nxt - back:.1f} s)")]
    rows += [("restart -m fast while idle: pg_ctl took", f"{quiet_took:.1f}", "s"),
             (f"  then {len(probes)} requests one by one", f"{probes.count(201)}",
              "answered 201; in order: " + " ".join(map(str, probes)))]

    # --- the database afterwards
    close_django()
    rows_by_key = defaultdict(list)
    for pk, description in Case.objects.filter(pk__gte=first_id).values_list("pk", "description"):
        match = re.search(r"故障测试 (i\d+-\d+)）", description)
        if match:
            rows_by_key[match.group(1)].append(pk)
    tries = Counter(a[1] for a in attempts if a[0] == "intake")
    answered = {k: v for k, v in intake_outcome.items() if v[0] == "201"}
    lost = [k for k, v in answered.items() if v[2] not in rows_by_key.get(k, [])]
    unanswered = [k for k, v in intake_outcome.items() if v[0] == "error"]
    unanswered_rows = Counter(len(rows_by_key.get(k, [])) for k in unanswered)
    doubled = {k: rows_by_key[k] for k in intake_outcome if len(rows_by_key.get(k, [])) > 1}
    doubled_retried = [k for k in doubled if tries[k] > 1]
    doubled_unretried = [k for k in doubled if tries[k] <= 1]
    retried = sum(1 for k in intake_outcome if tries[k] > 1)
    all_ids = [pk for pks in rows_by_key.values() for pk in pks]
    opened = dict(CaseEvent.objects.filter(case_id__in=all_ids, kind="opened").values("case_id")
                  .annotate(n=Count("id")).values_list("case_id", "n"))
    audited = Counter()
    for object_id, n in (AuditEntry.objects.filter(action="case.open", object_type="cases.case",
                                                   object_id__in=[str(pk) for pk in all_ids])
                         .values("object_id").annotate(n=Count("id")).values_list("object_id", "n")):
        audited[int(object_id)] = n
    half = [pk for pk in all_ids if opened.get(pk) != 1 or audited[pk] != 1]
    rows += [("intake: cases sent (distinct contents)", f"{len(intake_outcome):,}",
              f"{sum(tries.values()):,} attempts, {retried:,} sent more than once"),
             ("  answered 201", f"{len(answered):,}",
              f"of which after a retry: {sum(1 for v in answered.values() if v[1] > 1):,}"),
             ("  never answered 201 (gave up)", f"{len(unanswered):,}",
              "stored: " + ", ".join(f"{n} row(s) × {c}" for n, c in sorted(unanswered_rows.items())) if unanswered
              else ""),
             ("  stored twice", f"{len(doubled):,}",
              f"{len(doubled_retried)} of them were retried by the client"),
             ("  cases without exactly one opening event and audit entry", f"{len(half):,}", "")]
    verdicts.check("restart", "every case answered 201 is stored", not lost, f"{len(lost)} lost, e.g. {lost[:3]}")
    verdicts.check("restart", "no case stored twice without a client retry", not doubled_unretried,
                   f"{doubled_unretried[:3]}")
    if doubled_retried:
        verdicts.note("restart", f"{len(doubled_retried)} case(s) stored twice because the client re-sent a request "
                      "whose answer it never got (intake has no idempotency key): "
                      + ", ".join(f"{k} → #{'/#'.join(map(str, doubled[k]))}" for k in doubled_retried[:5]))
    verdicts.check("restart", "every stored case has its opening event and audit entry", not half, f"{half[:5]}")

    # --- the ledger afterwards
    report = ledger.verify()
    mismatched = [a.pk for a in Account.objects.all()
                  if a.balance != (Entry.objects.filter(account=a).aggregate(s=Sum("amount"))["s"] or 0)]
    goods_rows = list(Goods.objects.filter(pk__in=goods_ids))
    negative = [g.pk for g in goods_rows if g.stock < 0]
    booked = dict(Redemption.objects.filter(goods_id__in=goods_ids).exclude(status="cancelled").values("goods_id")
                  .annotate(s=Sum("quantity")).values_list("goods_id", "s"))
    oversold = sum(abs(booked.get(g.pk, 0) + g.stock - args.stock) for g in goods_rows)
    keys = set(Redemption.objects.filter(goods_id__in=goods_ids).values_list("key", flat=True))
    redeemed = {k for k, v in redeem_outcome.items() if v[0] in ok_codes}
    redeem_lost = sorted(redeemed - keys)
    redeem_unanswered = [k for k, v in redeem_outcome.items() if v[0] == "error"]
    redeem_tries = Counter(a[1] for a in attempts if a[0] == "redeem")
    replays = sum(1 for a in attempts if a[0] == "redeem" and a[5] == "200")
    rows += [("redemptions sent (distinct keys)", f"{len(redeem_outcome):,}",
              f"{sum(redeem_tries.values()):,} attempts, {sum(1 for v in redeem_tries.values() if v > 1):,} "
              f"keys sent more than once, {replays} answered as replays (200)"),
             ("  booked (200/201)", f"{len(redeemed):,}",
              f"refused (4xx): {sum(1 for v in redeem_outcome.values() if v[0] in refused_codes):,}"),
             ("  never answered (gave up)", f"{len(redeem_unanswered):,}",
              f"of which stored: {sum(1 for k in redeem_unanswered if k in keys)}"),
             ("  stock left on the 3 shelves", " / ".join(str(g.stock) for g in goods_rows),
              f"of {args.stock} each; oversold {oversold}"),
             ("ledger-verify", "ok" if report.ok else "FAILED", f"{report.checked:,} entries, "
              f"{report.accounts} accounts, total {report.total}" + (f"; {report.first_bad}" if not report.ok else ""))]
    verdicts.check("restart", "every redemption answered 200/201 is stored", not redeem_lost, f"{redeem_lost[:3]}")
    verdicts.check("restart", "the points ledger verifies (chains, balances, zero sum)", report.ok, report.first_bad)
    verdicts.check("restart", "every balance equals the sum of its entries", not mismatched, f"{mismatched[:5]}")
    verdicts.check("restart", "stock never negative, nothing oversold", not negative and oversold == 0,
                   f"negative {negative}, oversold {oversold}")
    tracebacks = server_log.count("Traceback")
    operational = len(re.findall(r"OperationalError|InterfaceError", server_log))
    rows.append(("gunicorn log", f"{tracebacks}", f"tracebacks ({operational} lines naming OperationalError/"
                 "InterfaceError); workers were never restarted"))
    verdicts.check("restart", "the app serves again after the restarts without being restarted",
                   probes[-10:].count(201) == 10, f"answers after the idle restart: {probes}")
    verdicts.check("restart", "no request fails once PostgreSQL accepts connections again (under load)",
                   after_back_errors == 0, f"{after_back_errors} failed")
    idle_failures = len(probes) - probes.count(201)
    verdicts.check("restart", "no request fails after a restart while the app was idle", idle_failures == 0,
                   f"{idle_failures} of {len(probes)} failed")
    settings = "CONN_HEALTH_CHECKS off" if args.no_health_checks else "linli.settings"
    print_table(f"fault 2: PostgreSQL restarted under load — {args.intake_clients} intake clients, "
                f"{args.shoppers} redemption clients, gunicorn {args.workers}×{args.threads} ({settings})", rows)
    if args.verbose:
        print(server_log[-4000:])


# ---------------------------------------------------------------- 3. the upload disk fills up


def photo(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(size - 11)


def fault_disk(db: FaultDatabase, world, args, verdicts: Verdicts) -> None:
    from linli.cases.models import Case, CaseEvent, CasePhoto, ServiceCategory
    from linli.core.models import AuditEntry

    category = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first().code
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    close_django()
    mount = Path(tempfile.mkdtemp(prefix="linli-faults-media-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        mount.rmdir()
        print(f"\nfault 3 skipped: cannot mount a tmpfs ({(done.stderr or done.stdout).strip()}); "
              "run as root to fill a real upload disk")
        verdicts.note("disk", "skipped: mount -t tmpfs refused")
        return
    ballast = mount / "ballast.bin"
    rows = []
    app = None
    try:
        ballast.write_bytes(b"\0" * 512 * 1024)
        app = gunicorn(db, 1, 2, LINLI_MEDIA_ROOT=str(mount))
        app.wait_ready()
        client = Client(app.port, app.token("resident1"))
        answers = []  # (n, status, body)
        for n in range(1, 40):
            body, kind = multipart({"category": category, "compound": world.compound1.pk,
                                    "description": f"楼道墙皮脱落，附照片（磁盘测试 d{n}）"},
                                   [("photos", f"p{n}a.jpg", photo(args.photo_kb * 1024), "image/jpeg"),
                                    ("photos", f"p{n}b.jpg", photo(args.photo_kb * 1024), "image/jpeg")])
            try:
                status, _, data = client.request("POST", "/api/v1/cases", body, kind)
            except CONNECTION_ERRORS as exc:
                status, data = 0, type(exc).__name__.encode()
            answers.append((n, status, data))
            if status != 201:
                break
        filed = sum(1 for a in answers if a[1] == 201)
        failed = [a for a in answers if a[1] != 201]
        usage = shutil.disk_usage(mount)
        rows += [("tmpfs", f"{usage.total // 1024:,}", f"KiB, 512 KiB ballast, photos {args.photo_kb} KiB × 2 per case"),
                 ("cases filed (201) before the disk was full", f"{filed}", "")]
        if failed:
            n, status, data = failed[0]
            text = readable(data)
            rows.append(("answer when full", f"{status}", snippet(data)))
            verdicts.check("disk", "a full disk is answered with a clear Chinese message",
                           status in (400, 503, 507) and has_chinese(text) and "照片" in text,
                           f"HTTP {status}, {snippet(data, 80)!r}")
        else:
            verdicts.note("disk", "the disk never filled up (raise --photo-kb)")

        # The page the resident uses on the phone, on the same full disk.
        page = Client(app.port)
        page.request("GET", "/login/")
        login_body = (f"username=resident1&password=linli-demo&csrfmiddlewaretoken={page.cookies.get('csrftoken', '')}")
        page.request("POST", "/login/", login_body.encode(), "application/x-www-form-urlencoded",
                     {"Referer": f"http://{HOST}:{app.port}/login/"})
        body, kind = multipart({"csrfmiddlewaretoken": page.cookies.get("csrftoken", ""), "category": category,
                                "compound": world.compound1.pk, "description": "楼道墙皮脱落，附照片（磁盘测试 page）",
                                "answer": "different"},
                               [("photos", "page.jpg", photo(args.photo_kb * 1024), "image/jpeg")])
        page_status, _, data = page.request("POST", "/cases/new/", body, kind,
                                            {"Referer": f"http://{HOST}:{app.port}/cases/new/"})
        page_text = data.decode("utf-8", "replace")
        rows.append(("phone page /cases/new/ when full", f"{page_status}", snippet(data)))
        # The form is shown again (200) with the reason; a redirect (302) would mean it was filed.
        page_ok = page_status == 200 and "照片" in page_text and ("空间" in page_text or "稍后" in page_text)
        verdicts.check("disk", "the phone page shows a clear Chinese message when the disk is full", page_ok,
                       f"HTTP {page_status}, {snippet(data, 80)!r}")

        # What is on disk and in the database now.
        close_django()
        cases = list(Case.objects.filter(pk__gte=first_id).values_list("pk", "description"))
        stored_photos = {p.file.name: p for p in CasePhoto.objects.filter(case_id__gte=first_id)}
        files = {str(p.relative_to(mount)): p.stat().st_size for p in mount.rglob("*")
                 if p.is_file() and p != ballast}
        orphans = {name: size for name, size in files.items() if name not in stored_photos}
        short = [p.case_id for name, p in stored_photos.items() if files.get(name) != p.size]
        photo_count = Counter(p.case_id for p in stored_photos.values())
        incomplete = [pk for pk, description in cases if photo_count[pk] != (1 if "page" in description else 2)]
        half = [pk for pk, _ in cases if not CaseEvent.objects.filter(case_id=pk, kind="opened").exists()
                or not AuditEntry.objects.filter(action="case.open", object_id=str(pk)).exists()]
        failed_keys = {f"d{n}" for n, status, _ in failed} | ({"page"} if page_status != 302 else set())
        stored_failed = [pk for pk, description in cases
                         if re.search(r"磁盘测试 (\w+)）", description).group(1) in failed_keys]
        rows += [("cases stored", f"{len(cases)}", f"{len(stored_photos)} photo rows"),
                 ("cases stored for a failed request", f"{len(stored_failed)}", ""),
                 ("cases with missing or short photo files", f"{len(set(short) | set(incomplete))}", ""),
                 ("orphan files (no photo row)", f"{len(orphans)}",
                  ", ".join(f"{name} {size:,} B" for name, size in list(orphans.items())[:3]))]
        verdicts.check("disk", "no case stored for a request that failed", not stored_failed, f"{stored_failed}")
        verdicts.check("disk", "no case without all its photos on disk", not short and not incomplete and not half,
                       f"short {short[:3]}, incomplete {incomplete[:3]}, half-written {half[:3]}")
        verdicts.check("disk", "no orphan files left behind", not orphans,
                       f"{len(orphans)} file(s), {sum(orphans.values()):,} bytes: "
                       + ", ".join(f"{name} ({size:,} B)" for name, size in list(orphans.items())[:3]))

        # Free the ballast: filing must work again, without restarting anything.
        ballast.unlink()
        body, kind = multipart({"category": category, "compound": world.compound1.pk,
                                "description": "楼道墙皮脱落，附照片（磁盘测试 after）"},
                               [("photos", "after-a.jpg", photo(args.photo_kb * 1024), "image/jpeg"),
                                ("photos", "after-b.jpg", photo(args.photo_kb * 1024), "image/jpeg")])
        status, _, data = client.request("POST", "/api/v1/cases", body, kind)
        after_ok = False
        if status == 201:
            close_django()
            saved = list(CasePhoto.objects.filter(case_id=json.loads(data)["id"]))
            after_ok = len(saved) == 2 and all((mount / p.file.name).stat().st_size == p.size for p in saved)
        rows.append(("after freeing 512 KiB", f"{status}", snippet(data, 80) if status != 201 else "filed again"))
        verdicts.check("disk", "after freeing space filing works again (no restart)", after_ok, f"HTTP {status}")
        client.close()
        page.close()
    finally:
        log = app.stop(str(Path(args.log_dir) / "disk-gunicorn.log") if args.log_dir else "") if app else ""
        if args.verbose:
            print(log[-3000:])
        subprocess.run(["umount", str(mount)], capture_output=True)
        with contextlib.suppress(OSError):
            mount.rmdir()
    print_table("fault 3: upload disk full (MEDIA_ROOT on a 2 MB tmpfs)", rows)


# ---------------------------------------------------------------- main


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default="sweep,restart,disk", help="faults to run: sweep,restart,disk")
    p.add_argument("--cases", type=int, default=50_000, help="breached cases for the sweep (default 50,000)")
    p.add_argument("--batch-size", type=int, default=1000, help="sla-sweep batch size (default 1000)")
    p.add_argument("--kill-after", type=int, default=3000, help="SIGKILL the sweep once this many escalations "
                   "have committed (default 3000)")
    p.add_argument("--load-seconds", type=float, default=36, help="load around the two restarts (default 36)")
    p.add_argument("--intake-clients", type=int, default=6)
    p.add_argument("--shoppers", type=int, default=4, help="redemption clients, one resident each")
    p.add_argument("--stock", type=int, default=400, help="items per shelf (3 shelves)")
    p.add_argument("--retries", type=int, default=20,
                   help=f"times a client re-sends after an error ({RETRY_PAUSE} s apart; default 20)")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--photo-kb", type=int, default=150)
    p.add_argument("--no-health-checks", action="store_true",
                   help="run gunicorn with CONN_HEALTH_CHECKS off (bench/faults/settings_no_health.py)")
    p.add_argument("--verbose", action="store_true", help="print the tail of the gunicorn logs")
    p.add_argument("--log-dir", help="keep the gunicorn logs in this directory")
    return p.parse_args(argv)


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv) -> int:
    args = parse(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    # SIGTERM ends the run like Ctrl-C, so the private server is still removed.
    signal.signal(signal.SIGTERM, _interrupted)
    verdicts = Verdicts()
    server = OwnPostgres()
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    try:
        server.start()
        db = FaultDatabase(server)
        db.create()
        django_setup(db)
        world = build_world()
        close_django()
        print(f"fault runs — {started}, private PostgreSQL on port {server.port} ({server.dir})")
        sys.stdout.flush()
        if "sweep" in only:
            fault_sweep(db, world, args, verdicts)
        if "restart" in only:
            fault_restart(db, world, server, args, verdicts)
        if "disk" in only:
            fault_disk(db, world, args, verdicts)
        close_django()
        info = machine(db)
        close_django()
    except BaseException:
        sys.stderr.write("\nprivate PostgreSQL log, last lines:\n" + server.log_tail() + "\n")
        raise
    finally:
        close_django()
        server.stop()
    print()
    print_machine(info)
    return 0 if verdicts.print() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
