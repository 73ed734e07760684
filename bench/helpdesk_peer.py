"""A peer side by side: Linli and django-helpdesk on the same PostgreSQL, same gunicorn, same clients.

    .venv/bin/python bench/helpdesk_peer.py                       # 8 and 64 clients, 100,000 in the queue
    .venv/bin/python bench/helpdesk_peer.py --queue-size 20000 --requests 500   # a quick check
    .venv/bin/python bench/helpdesk_peer.py --venv /tmp/hd-venv --clients 8

django-helpdesk (the version pinned in bench/helpdesk/requirements.txt, with the same Django,
gunicorn and psycopg versions as Linli) is installed from PyPI into its own virtualenv outside the
repository (default ~/.cache/linli-bench/helpdesk-venv, `--venv`; re-installed only when the pins
change). bench/helpdesk/ holds the small Django project that serves it (settings, urls, wsgi, and
the script that makes its queue and staff user).

The run creates two databases on 127.0.0.1:5432 (user postgres): linli_bench_<pid>_peer for Linli
(migrated, with the test suite's small place tree) and helpdesk_bench_<pid> for helpdesk (migrated,
one queue, one staff agent). Both are served by gunicorn with the same settings as
bench/cases_intake.py (`--workers` 4 gthread workers × `--threads` 2, keep-alive 5 s), each on its
own free port, both up for the whole run; only one of them is under load at a time.

1. Creation over HTTP, for each `--clients` (8,64), Linli then helpdesk, `--requests` (2,000) or
   `--seconds` (60) each after `--warmup` (40) untimed ones, threads with keep-alive http.client
   connections: Linli is bench/cases_intake.py's own driver (`POST /api/v1/cases`, bearer token of
   the resident `resident1`); helpdesk is its REST API (`POST /api/tickets/`, DRF, as a logged-in
   staff agent: session cookie and CSRF header), which goes through helpdesk's TicketForm like its
   pages do (ticket, "opened" follow-up, notice mails rendered; the mail backend is Django's dummy
   one, so nothing is sent). Every 201 must be a stored row (rows counted before and after).
2. Queue listing at the same size: the rows made in step 1 are closed with one UPDATE, then
   `--queue-size` (100,000) open cases are COPYed into one compound of the grid worker `grid1`, and
   as many open tickets (each with its "opened" follow-up, as helpdesk makes them) into the one
   queue; both tables are VACUUM ANALYZEd. Then `--gets` (200) sequential GETs of the first page,
   one client, after 5 untimed ones (each list stops early after `--list-seconds`, 900, and the
   table says how many were timed):
   - Linli `GET /api/v1/cases?status=open&page_size=25` (bearer token of grid1), and the page
     `GET /cases/` (grid1's session; 30 rows in the HTML);
   - helpdesk's list page `GET /tickets/` as the agent, which holds no rows: its DataTable loads them
     with `GET /datatables_ticket_list/<query>?draw=1&start=0&length=25`, the URL taken from the page.
     A person waits for both, so the page row adds them up.
   Every answer must be 200 and report the queue size as its total. `--rest-gets N` also times N
   GETs of helpdesk's REST list `/api/tickets/?status=1` (off by default: that view reads the custom
   fields of every open ticket, one query each, before it pages: 1.8 s a GET at 3,000 open tickets
   in a quick run here, so of the order of a minute at 100,000, near gunicorn's 120 s timeout).

It prints the machine, one table (measure | Linli | helpdesk | Linli ÷ helpdesk) and pgbench's
single-row INSERT rate on the same server with the same clients (`--pgbench-seconds`, 0 skips it).
Both databases are dropped at the end, also after an error or Ctrl-C. Exit status 1 if any request
failed or a count does not match.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_SECRET_KEY,
    CONNECTION_ERRORS,
    PG_HOST,
    PG_PORT,
    PG_USER,
    ROOT,
    BenchDatabase,
    HttpClient,
    Server,
    admin_dsn,
    api_token,
    build_world,
    django_setup,
    machine,
    pgbench_command,
    pgbench_insert_tps,
    print_machine,
    run,
)
from cases_intake import drive as linli_drive  # noqa: E402
from cases_intake import percentile  # noqa: E402

HELPDESK_DIR = ROOT / "bench" / "helpdesk"
REQUIREMENTS = HELPDESK_DIR / "requirements.txt"
DEFAULT_VENV = Path.home() / ".cache" / "linli-bench" / "helpdesk-venv"
AGENT, PASSWORD = "agent1", "linli-demo"  # helpdesk's staff agent; Linli's personas share the password
DESCRIPTION = "3号楼楼道灯不亮，晚上出入不便，请尽快维修"
LIST_WARMUP = 5


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"helpdesk's virtualenv (default {DEFAULT_VENV})")
    p.add_argument("--clients", default="8,64", help="client counts for creation, comma-separated (default 8,64)")
    p.add_argument("--requests", type=int, default=2000, help="creations per side and client count (default 2000)")
    p.add_argument("--seconds", type=float, default=60, help="or stop after this many seconds (default 60)")
    p.add_argument("--warmup", type=int, default=40, help="untimed creations first (default 40)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers, both sides (default 4)")
    p.add_argument("--threads", type=int, default=2, help="threads per gthread worker, both sides (default 2)")
    p.add_argument("--queue-size", type=int, default=100_000, help="open rows in the listed queue (default 100,000)")
    p.add_argument("--gets", type=int, default=200, help="timed GETs of each list (default 200)")
    p.add_argument("--list-seconds", type=float, default=900,
                   help="or stop each list's GETs after this many seconds (default 900)")
    p.add_argument("--rest-gets", type=int, default=0,
                   help="also time this many GETs of helpdesk's REST list /api/tickets/?status=1 (default 0: slow)")
    p.add_argument("--pgbench-seconds", type=int, default=15, help="pgbench baseline length, 0 to skip (default 15)")
    args = p.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    return args


# --- helpdesk's virtualenv and database --------------------------------------------------------


def ensure_venv(venv: Path) -> Path:
    """The virtualenv with the pinned helpdesk; (re)installs only when the pins changed."""
    pins = REQUIREMENTS.read_text()
    marker = venv / "linli-bench-requirements.txt"
    python = venv / "bin" / "python"
    if python.exists() and marker.exists() and marker.read_text() == pins:
        return venv
    print(f"installing django-helpdesk into {venv} …", file=sys.stderr)
    if not python.exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        # The interpreter this venv was made from, not the project's venv itself.
        run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)])
    marker.write_text(pins)
    return venv


class HelpdeskDatabase:
    """A fresh database `helpdesk_bench_<pid>`, migrated by helpdesk's own Django."""

    def __init__(self, venv: Path):
        self.venv = venv
        self.name = f"helpdesk_bench_{os.getpid()}"
        self.dsn = admin_dsn(self.name)

    def env(self) -> dict:
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": str(HELPDESK_DIR),
            "DJANGO_SETTINGS_MODULE": "peer_settings",
            "HELPDESK_DB_NAME": self.name,
            "SECRET_KEY": BENCH_SECRET_KEY,
            "BENCH_PG_HOST": PG_HOST,
            "BENCH_PG_PORT": str(PG_PORT),
            "BENCH_PG_USER": PG_USER,
        })
        for key in ("PGDATABASE", "DATABASE_URL", "VIRTUAL_ENV"):
            env.pop(key, None)
        return env

    def python(self, *args: str) -> str:
        return run([str(self.venv / "bin" / "python"), *args], cwd=HELPDESK_DIR, env=self.env()).stdout

    def drop(self) -> None:
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def __enter__(self):
        self.drop()
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        try:
            self.python("-m", "django", "migrate", "--no-input", "-v", "0")
            ids = json.loads(self.python("peer_setup.py", AGENT, PASSWORD))
        except BaseException:
            self.drop()
            raise
        self.queue_id = ids["queue"]
        return self

    def __exit__(self, *exc):
        self.drop()
        return False


# --- servers and clients -----------------------------------------------------------------------


def login(port: int, username: str) -> dict:
    """Django's login form (both projects use LoginView at /login/): the cookies of the session."""
    tab = HttpClient(port, timeout=120)
    status, _, page = tab.request("GET", "/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or match is None:
        raise RuntimeError(f"login page: {status}")
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": PASSWORD})
    status, _, _ = tab.request("POST", "/login/", form.encode(), "application/x-www-form-urlencoded")
    tab.close()
    if status != 302 or "sessionid" not in tab.cookies:
        raise RuntimeError(f"login as {username}: {status}")
    return tab.cookies


def helpdesk_drive(port, cookies, queue_id, clients, limit, seconds):
    """cases_intake.drive's loop for helpdesk: `clients` threads POSTing /api/tickets/ as the agent."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"Content-Type": "application/json", "X-CSRFToken": cookies["csrftoken"]}

    def take() -> int | None:
        nonlocal issued
        with lock:
            if issued >= limit or time.monotonic() >= deadline:
                return None
            issued += 1
            return issued

    def worker():
        tab = HttpClient(port, cookies=cookies, headers=headers, timeout=120)
        mine, bad = [], []
        while (n := take()) is not None:
            body = json.dumps({"queue": queue_id, "title": "楼道灯不亮", "priority": 3,
                               "description": f"{DESCRIPTION}（压测第 {n} 件）",
                               "submitter_email": "resident1@example.com"}, ensure_ascii=False).encode()
            started = time.perf_counter()
            try:
                status, _, data = tab.request("POST", "/api/tickets/", body)
            except CONNECTION_ERRORS as exc:  # a refused or dropped connection counts as an error
                bad.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            if status == 201:
                mine.append(elapsed)
            else:
                bad.append(f"{status} {data[:200]!r}")
        tab.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, failures


def count(dsn: str, sql: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchone()[0]


def intake_result(elapsed, latencies, failures, stored) -> dict:
    latencies.sort()
    return {"n": len(latencies), "elapsed": elapsed, "rate": len(latencies) / elapsed if elapsed else 0.0,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "errors": len(failures), "stored": stored, "failures": failures[:3]}


def timed_gets(label: str, fetch, n: int, seconds: float, check) -> dict:
    """Up to `n` sequential fetch() calls (or until `seconds` pass) after a few untimed ones.

    fetch() returns a list of (name, status, body, seconds) parts, one per HTTP request; the
    figures are kept per part and for the whole call. check() sees the parts of every call.
    """
    for _ in range(LIST_WARMUP):
        fetch()
    times: dict[str, list[float]] = {}
    failures = []
    deadline = time.monotonic() + seconds
    while len(times.get("all", [])) < n and time.monotonic() < deadline:
        parts = fetch()
        times.setdefault("all", []).append(sum(p[3] for p in parts))
        for name, _, _, elapsed in parts:
            times.setdefault(name, []).append(elapsed)
        problem = check(parts)
        if problem:
            failures.append(problem)
    if failures:
        print(f"{label}: {len(failures)} bad answers, e.g. {failures[:2]}", file=sys.stderr)
    result = {"count": len(times["all"]), "errors": len(failures)}
    for name, values in times.items():
        values.sort()
        result[name] = {"p50": percentile(values, 50), "p95": percentile(values, 95)}
    return result


def timed(tab: HttpClient, name: str, path: str) -> tuple[str, int, bytes, float]:
    started = time.perf_counter()
    status, _, data = tab.request("GET", path)
    return name, status, data, time.perf_counter() - started


# --- the queue of open rows --------------------------------------------------------------------

CASE_COLUMNS = (
    "category_id", "tier", "channel", "description", "compound_id", "building_id", "address",
    "contact_name", "contact_phone", "reporter_id", "level", "status", "assignee_id", "handler_kind",
    "handling_body", "requested_at", "updated_at", "arrive_by", "solve_by", "dispatched_at", "accepted_at",
    "solution", "reopen_count", "supervised", "supervise_note", "rating", "rating_note", "follow_up_note",
)


def load_cases(dsn: str, n: int, now: dt.datetime, place: dict) -> float:
    """n open cases at one compound (half new, a fifth dispatched, the rest accepted) over 30 days."""
    started = time.perf_counter()
    month = 30 * 24 * 3600
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY cases_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            for i in range(n):
                kind = i % 10
                requested = now - dt.timedelta(seconds=60 + (i * 7919) % month)
                status = "new" if kind < 5 else "dispatched" if kind < 7 else "accepted"
                assignee = place["worker_id"] if status != "new" else None
                copy.write_row((
                    place["category_id"], "ordinary", "online", f"{place['name']}{i % 30 + 1}号楼{DESCRIPTION}（{i}）",
                    place["compound_id"], place["building_id"] if i % 2 else None, "", place["contact_name"],
                    place["contact_phone"], place["reporter_id"], "compound", status, assignee,
                    "grid" if assignee else "", "", requested, requested,
                    requested + dt.timedelta(minutes=10), requested + dt.timedelta(days=3),
                    requested + dt.timedelta(minutes=2) if assignee else None,
                    requested + dt.timedelta(minutes=8) if status == "accepted" else None,
                    "", 0, False, "", "", "", "",
                ))
        conn.commit()
    elapsed = time.perf_counter() - started
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE cases_case")
    return elapsed


def load_tickets(dsn: str, n: int, now: dt.datetime, queue_id: int) -> float:
    """n open tickets in one queue, each with the "opened" follow-up helpdesk writes on creation."""
    started = time.perf_counter()
    month = 30 * 24 * 3600
    columns = ("title", "created", "modified", "submitter_email", "status", "on_hold", "description",
               "priority", "queue_id", "secret_key")
    with psycopg.connect(dsn) as conn:
        before = conn.execute("SELECT coalesce(max(id), 0) FROM helpdesk_ticket").fetchone()[0]
        with conn.cursor() as cur, cur.copy(f"COPY helpdesk_ticket ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(n):
                created = now - dt.timedelta(seconds=60 + (i * 7919) % month)
                copy.write_row((f"{i % 30 + 1}号楼楼道灯不亮", created, created, f"resident{i % 500}@example.com",
                                1, False, f"{DESCRIPTION}（{i}）", 1 + i % 5, queue_id, str(uuid.uuid4())))
        conn.execute("INSERT INTO helpdesk_followup (date, title, comment, public, ticket_id) "
                     "SELECT created, '开工单', description, true, id FROM helpdesk_ticket WHERE id > %s", (before,))
        conn.commit()
    elapsed = time.perf_counter() - started
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE helpdesk_ticket")
        conn.execute("VACUUM ANALYZE helpdesk_followup")
    return elapsed


# --- the run -----------------------------------------------------------------------------------


def main(argv):
    args = parse(argv)
    # A plain `kill` should clean up like Ctrl-C does: drop both databases, stop both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    venv = ensure_venv(args.venv)
    helpdesk_version = run([str(venv / "bin" / "python"), "-c",
                            "import importlib.metadata as m; print(m.version('django-helpdesk'))"]).stdout.strip()
    n = args.queue_size
    intake: dict[tuple[str, int], dict] = {}
    lists: dict[str, dict] = {}
    baseline: dict[int, float] = {}
    loads: dict[str, float] = {}

    with BenchDatabase("peer") as db, HelpdeskDatabase(venv) as hd:
        django_setup(db)
        from django.db import connections

        from linli.cases.models import ServiceCategory
        from linli.core import crypto

        world = build_world()
        category = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first()
        compound = world.compound1
        place = {"category_id": category.pk, "compound_id": compound.pk, "name": compound.name,
                 "building_id": compound.buildings.values_list("pk", flat=True).first(),
                 "reporter_id": world.user("resident").pk, "worker_id": world.user("grid_worker").pk,
                 "contact_name": crypto.encrypt("张秀英"), "contact_phone": crypto.encrypt("13800138000")}
        worker_username = world.user("grid_worker").username
        connections.close_all()

        def linli_payload(i: int) -> dict:
            return {"category": category.code, "compound": compound.pk, "description": f"{DESCRIPTION}（压测第 {i} 件）"}

        with contextlib.ExitStack() as servers:
            linli_port = servers.enter_context(Server(
                db.env(), workers=args.workers, threads=args.threads, label="linli")).port
            hd_port = servers.enter_context(Server(
                hd.env(), workers=args.workers, threads=args.threads, executable=venv / "bin" / "gunicorn",
                app="peer_wsgi:application", cwd=HELPDESK_DIR, label="helpdesk")).port

            # 1. Creation over HTTP, the two sides one after the other at each client count.
            resident_token = api_token(linli_port, "resident1")
            agent_cookies = login(hd_port, AGENT)
            for clients in args.clients:
                _, _, bad = linli_drive(linli_port, resident_token, linli_payload, clients, args.warmup, 60)
                if bad:
                    raise RuntimeError(f"Linli warm-up failed: {bad[:3]}")
                before = count(db.dsn, "SELECT count(*) FROM cases_case")
                elapsed, lat, bad = linli_drive(linli_port, resident_token, linli_payload, clients,
                                                args.requests, args.seconds)
                stored = count(db.dsn, "SELECT count(*) FROM cases_case") - before
                intake["linli", clients] = intake_result(elapsed, lat, bad, stored)

                _, _, bad = helpdesk_drive(hd_port, agent_cookies, hd.queue_id, clients, args.warmup, 60)
                if bad:
                    raise RuntimeError(f"helpdesk warm-up failed: {bad[:3]}")
                before = count(hd.dsn, "SELECT count(*) FROM helpdesk_ticket")
                elapsed, lat, bad = helpdesk_drive(hd_port, agent_cookies, hd.queue_id, clients,
                                                   args.requests, args.seconds)
                stored = count(hd.dsn, "SELECT count(*) FROM helpdesk_ticket") - before
                intake["helpdesk", clients] = intake_result(elapsed, lat, bad, stored)

            # 2. The queue: exactly n open rows on each side (what step 1 made is closed first).
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            with psycopg.connect(db.dsn, autocommit=True) as conn:
                conn.execute("UPDATE cases_case SET status = 'closed', closed_at = now() "
                             "WHERE status IN ('new', 'dispatched', 'accepted', 'returned', 'reopened')")
            with psycopg.connect(hd.dsn, autocommit=True) as conn:
                conn.execute("UPDATE helpdesk_ticket SET status = 4 WHERE status IN (1, 2)")
            loads["linli"] = load_cases(db.dsn, n, now, place)
            loads["helpdesk"] = load_tickets(hd.dsn, n, now, hd.queue_id)

            worker_token = api_token(linli_port, worker_username)
            api = HttpClient(linli_port, worker_token, timeout=120)
            page = HttpClient(linli_port, cookies=login(linli_port, worker_username), timeout=120)

            def api_ok(parts):
                _, status, data, _ = parts[0]
                if status != 200:
                    return f"{status} {data[:200]!r}"
                body = json.loads(data)
                if body["count"] != n or len(body["items"]) != 25:
                    return f"count {body['count']}, {len(body['results'])} rows"
                return None

            def page_ok(parts):
                _, status, data, _ = parts[0]
                if status != 200:
                    return f"{status} {data[:200]!r}"
                total = re.search(r"共 ([\d,]+) 条", data.decode())
                rows = len(re.findall(rb'<a href="/cases/\d+/">#', data))
                if total is None or int(total.group(1).replace(",", "")) != n or rows != 30:
                    return f"total {total and total.group(1)}, {rows} rows"
                return None

            lists["linli api"] = timed_gets(
                "Linli API", lambda: [timed(api, "all", "/api/v1/cases?status=open&page_size=25")],
                args.gets, args.list_seconds, api_ok)
            lists["linli page"] = timed_gets(
                "Linli page", lambda: [timed(page, "all", "/cases/")], args.gets, args.list_seconds, page_ok)
            api.close()
            page.close()

            agent = HttpClient(hd_port, cookies=agent_cookies, timeout=120)
            status, _, html = agent.request("GET", "/tickets/")
            match = re.search(rb'"(/datatables_ticket_list/[^"]+)"', html)
            if status != 200 or match is None:
                raise RuntimeError(f"helpdesk ticket list: {status}, no datatables URL")
            rows_url = match.group(1).decode() + "?" + urlencode(
                {"draw": 1, "start": 0, "length": 25, "search[value]": ""})

            def helpdesk_ok(parts):
                (_, status, _, _), (_, rows_status, data, _) = parts
                if status != 200 or rows_status != 200:
                    return f"{status}/{rows_status} {data[:200]!r}"
                body = json.loads(data)
                if body["recordsFiltered"] != n or len(body["data"]) != 25:
                    return f"recordsFiltered {body['recordsFiltered']}, {len(body['data'])} rows"
                return None

            # The page first, then the request its DataTable makes: what a person waits for.
            lists["helpdesk"] = timed_gets(
                "helpdesk", lambda: [timed(agent, "page", "/tickets/"), timed(agent, "rows", rows_url)],
                args.gets, args.list_seconds, helpdesk_ok)
            if args.rest_gets:
                # helpdesk's REST list, the counterpart of Linli's API list; off by default because its
                # get_queryset() reads the custom fields of every accessible ticket (one query each)
                # before DRF takes the first page, so at 100,000 one GET takes minutes.
                def rest_ok(parts):
                    _, status, data, _ = parts[0]
                    if status != 200:
                        return f"{status} {data[:200]!r}"
                    body = json.loads(data)
                    return None if body["count"] == n and len(body["items"]) == 25 else f"count {body['count']}"

                lists["helpdesk rest"] = timed_gets(
                    "helpdesk REST", lambda: [timed(agent, "all", "/api/tickets/?status=1")],
                    args.rest_gets, args.list_seconds, rest_ok)
            agent.close()

        if args.pgbench_seconds:
            for clients in args.clients:
                baseline[clients] = pgbench_insert_tps(db, clients, args.pgbench_seconds)
        info = machine(db)

    report(args, info, helpdesk_version, intake, lists, baseline, loads)
    bad = any(r["errors"] or r["stored"] != r["n"] for r in intake.values())
    bad = bad or any(r.get("errors") for r in lists.values())
    return 1 if bad else 0


def report(args, info, helpdesk_version, intake, lists, baseline, loads):
    n = args.queue_size
    print(f"Linli vs django-helpdesk {helpdesk_version} — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print_machine(info)
    print(f"  gunicorn (both)  {args.workers} gthread workers × {args.threads} threads, keep-alive 5 s")

    def ms(value):
        return f"{value * 1000:,.1f} ms"

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "—"

    rows = [("measure", "Linli", "helpdesk", "Linli ÷ helpdesk")]
    for clients in args.clients:
        lin, hd = intake["linli", clients], intake["helpdesk", clients]
        head = f"create over HTTP, {clients} clients"
        rows += [
            (f"{head}: per second", f"{lin['rate']:,.1f}", f"{hd['rate']:,.1f}", ratio(lin["rate"], hd["rate"])),
            (f"{head}: p50", ms(lin["p50"]), ms(hd["p50"]), ratio(lin["p50"], hd["p50"])),
            (f"{head}: p99", ms(lin["p99"]), ms(hd["p99"]), ratio(lin["p99"], hd["p99"])),
            (f"{head}: created / stored / errors", f"{lin['n']:,} / {lin['stored']:,} / {lin['errors']}",
             f"{hd['n']:,} / {hd['stored']:,} / {hd['errors']}", ""),
            (f"{head}: elapsed", f"{lin['elapsed']:.1f} s", f"{hd['elapsed']:.1f} s", ""),
        ]
    head = f"list of {n:,} open"
    la, lp, hd = lists["linli api"]["all"], lists["linli page"]["all"], lists["helpdesk"]
    rows += [
        (f"load {n:,} open rows with COPY", f"{loads['linli']:.1f} s", f"{loads['helpdesk']:.1f} s",
         "(helpdesk: + follow-ups)"),
        (f"{head}, first page of rows (JSON): p50", ms(la["p50"]), ms(hd["rows"]["p50"]), ratio(la["p50"], hd["rows"]["p50"])),
        (f"{head}, first page of rows (JSON): p95", ms(la["p95"]), ms(hd["rows"]["p95"]), ratio(la["p95"], hd["rows"]["p95"])),
        (f"{head}, page as seen (HTML [+ rows]): p50", ms(lp["p50"]), ms(hd["all"]["p50"]), ratio(lp["p50"], hd["all"]["p50"])),
        (f"{head}, page as seen (HTML [+ rows]): p95", ms(lp["p95"]), ms(hd["all"]["p95"]), ratio(lp["p95"], hd["all"]["p95"])),
        (f"{head}, helpdesk's page alone (no rows): p50", "—", ms(hd["page"]["p50"]), ""),
        *([(f"{head}, helpdesk REST /api/tickets/?status=1: p50 ({lists['helpdesk rest']['count']} GETs)",
            ms(la["p50"]) + " (API)", ms(lists["helpdesk rest"]["all"]["p50"]),
            ratio(la["p50"], lists["helpdesk rest"]["all"]["p50"]))] if "helpdesk rest" in lists else []),
        (f"{head}: GETs timed (JSON / page)", f"{lists['linli api']['count']} / {lists['linli page']['count']}",
         f"{hd['count']} / {hd['count']}", ""),
        (f"{head}: bad answers", str(lists["linli api"]["errors"] + lists["linli page"]["errors"]), str(hd["errors"]), ""),
    ]
    for clients, tps in baseline.items():
        lin, hd = intake["linli", clients], intake["helpdesk", clients]
        rows.append((f"create, {clients} clients ÷ pgbench INSERT ({tps:,.0f} tps)",
                     f"{lin['rate'] / tps * 100:.2f} %", f"{hd['rate'] / tps * 100:.2f} %", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print()
    for i, (label, a, b, c) in enumerate(rows):
        print(f"{label:<{widths[0]}}  {a:>{widths[1]}}  {b:>{widths[2]}}  {c:>{widths[3]}}".rstrip())
        if i == 0:
            print("-" * (sum(widths) + 6))
    print()
    print("Ratios: per second above 1 and latency below 1 favour Linli.")
    for clients, tps in baseline.items():
        print(f"pgbench baseline, same server, same run: {tps:,.0f} tps "
              f"({pgbench_command(clients, args.pgbench_seconds)}, single-row INSERT into a scratch table)")
    print(f"Linli: POST /api/v1/cases as resident1 (bearer); GET /api/v1/cases?status=open&page_size=25 and "
          f"/cases/ (30 rows) as grid1. helpdesk: POST /api/tickets/ as a staff agent (session + CSRF); "
          f"GET /tickets/ then its DataTable's /datatables_ticket_list/… (25 rows). Up to {args.gets} GETs each "
          f"or {args.list_seconds:.0f} s, one client.")
    for (side, clients), r in intake.items():
        if r["failures"]:
            print(f"{side}, {clients} clients, failures e.g.: {r['failures']}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
