"""Mixed traffic on loopback: residents, grid workers and officers against gunicorn for a bounded time.

    .venv/bin/python bench/load_mixed.py                        # 40 users for 300 s
    .venv/bin/python bench/load_mixed.py --seconds 30           # a quick check
    .venv/bin/python bench/load_mixed.py --users 80 --mix 75,15,10 --think 1,5

Setup (untimed). It creates the database linli_bench_<pid>_load on 127.0.0.1:5432 (user postgres),
migrates it, loads the demo with `linli demo` (42 compounds, 2,010 residents), COPY-loads `--background`
(20,000) past cases spread over two years with `generate-city`'s case generator, and settles their
backlog with one SLA sweep. It then gives logins (password linli-demo, e-mail addresses) to one
resident per resident user, to the grid workers (the grids shared out so that each grid has exactly
one worker user) and to community secretaries, street and district officers, files the officers'
supervision targets (hard cases, tier "major", accepted by a backlog handler who is not a user of the
run) and, just before the run, cases whose 10-minute arrive deadline falls inside the run, so the
sweep has something to escalate while the users work. Gunicorn serves `linli.wsgi:application`
(`--workers` gthread workers × `--threads`), `linli db_worker` sends the e-mail notices (console
backend into its log) and `linli sla-sweep` runs every `--sweep-every` seconds, as `make run` does.
Every user logs in twice (an API token from POST /api/v1/auth/token and a page session through
/login/, with the CSRF cookie) before the clock starts.

Traffic (timed, `--seconds`, default 300). `--users` (40) threads, split by `--mix` (65,25,10 %) into
residents, workers and officers; each has its own keep-alive connection and waits a random think time
(`--think`, 0.5–3 s) between actions, which are picked by weight:

- residents file cases (about one action in ten: JSON `POST /api/v1/cases`, or one time in three
  the phone page `/cases/new/` with a photo), list and read their cases, open their notifications,
  their case page and home page, and rate their solved cases (`POST /api/v1/cases/{id}/confirm`;
  5 % unsatisfied, which reopens the case);
- grid workers list their cases and work them a step at a time (take a new one on: dispatch it to
  themselves and accept it; solve, a third of the solves through the case page with a photo), and
  open `/cases/`, case pages, home and notifications;
- officers open the figures (`/cases/figures/`, `GET /api/v1/cases/figures`), home, the indicators
  page and API, the resident and compound registries, the case list, and supervise hard cases in
  their area (API, or the case page's form).

Refused actions are designed out, not tolerated: each grid has one worker, residents always name
their building (so a case is in exactly one grid), workers leave the cases filed before the run to
their backlog handler, officers supervise only cases that no one else moves during the run and that
are below their level. So every answer must be the expected one (200, 201, or a 302 to the expected
page); anything else, or a dropped connection, is an error.

At the end it prints, per kind of request, count, errors, p50, p95, p99 and max latency, the totals,
and every error (status and first line, or a page's form errors). Two baselines from the same run
stand beside them: `GET /healthz` (Django and a `SELECT 1` through the same gunicorn), probed once a
second during the run, is the floor any request pays on the machine as loaded; and pgbench's rate of
single-row INSERTs with as many clients as gunicorn has threads, measured right after the run.

It then checks in the database that every case a client was told about (a 201's id, a 302 to its
page) exists exactly once and that no other case was filed by the run's residents, that no
background task failed, that every sweep exited 0, that the gunicorn and worker logs have no
traceback, and that `linli ledger-verify` passes. Exit 1 if anything failed. The database is dropped
at the end, also on failure.

To measure the committed code while the working tree holds changes in progress, run it from an
export of HEAD that uses this virtualenv:

    mkdir /tmp/linli-head && git archive HEAD | tar -x -C /tmp/linli-head
    ln -s "$PWD/.venv" /tmp/linli-head/.venv
    cd /tmp/linli-head && PYTHONPATH=$PWD .venv/bin/python bench/load_mixed.py
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CONNECTION_ERRORS,
    KEEP_ALIVE,
    PASSWORD,
    ROOT,
    VENV_BIN,
    BenchDatabase,
    HttpClient,
    Server,
    django_setup,
    machine,
    pgbench_command,
    pgbench_insert_tps,
    print_machine,
    print_table,
    run,
)

# Residents file every category but the one whose default tier is "major": the officers' supervision
# targets are the major cases, and a resident's case must never become one.
SUPERVISE_TIER = "major"


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=300, help="timed run (default 300)")
    p.add_argument("--users", type=int, default=40, help="virtual users (default 40)")
    p.add_argument("--mix", default="65,25,10", help="residents,workers,officers in %% (default 65,25,10)")
    p.add_argument("--think", default="0.5,3", help="think time range in seconds (default 0.5,3)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    p.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    p.add_argument("--background", type=int, default=20000, help="past cases loaded before the run (default 20000)")
    p.add_argument("--sweep-every", type=float, default=10, help="seconds between SLA sweeps (default 10)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    mix = [float(x) for x in args.mix.split(",")]
    if len(mix) != 3 or min(mix) < 0 or sum(mix) <= 0:
        p.error("--mix takes three non-negative numbers")
    args.mix = mix
    low, high = (float(x) for x in args.think.split(","))
    args.think = (low, high)
    return args


# ------------------------------------------------------------------------------------------------
# Figures


@dataclass
class Stats:
    """Latencies and errors per kind of request, shared by all user threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    error_list: list = field(default_factory=list)

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error is not None:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                self.error_list.append(f"{kind}: {error}")


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank, as bench/cases_intake.py."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


# ------------------------------------------------------------------------------------------------
# HTTP


def tiny_png() -> bytes:
    """A valid 8×8 PNG (the server sniffs the first bytes; a real image keeps the test honest)."""
    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    raw = b"".join(b"\x00" + bytes([200, 120, 40]) * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (8).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PHOTO = tiny_png()


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, kind) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def first_line(self) -> str:
        text = self.body.decode("utf-8", "replace").strip()
        if text[:15].lower() in ("<!doctype html>", "<html") or text.startswith("<html"):
            # A page: its form errors and messages say more than its first line.
            said = re.findall(r'<ul class="(?:errorlist|messages)[^"]*">(.*?)</ul>', text, re.S)
            items = [re.sub(r"<[^>]+>", "", li).strip() for block in said for li in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]
            title = re.search(r"<title>(.*?)</title>", text, re.S)
            return ("page: " + " / ".join(items or [title.group(1).strip() if title else ""]))[:300]
        return text.splitlines()[0][:300] if text else ""


class Unexpected(Exception):
    """An answer the scenario did not expect: counted as an error of its request kind."""


class Browser:
    """One user's keep-alive connection with a cookie jar (session and CSRF) and an API token."""

    def __init__(self, port: int, stats: Stats):
        self.stats = stats
        # Reconnect a second before gunicorn closes an idle connection, as a browser would.
        self.http = HttpClient(port, timeout=120, idle_limit=KEEP_ALIVE - 1)
        self.token = ""

    @property
    def cookies(self) -> dict[str, str]:
        return self.http.cookies

    def close(self):
        self.http.close()

    def _send(self, method, path, body, headers) -> Answer:
        # call() chooses per request between the session cookie and the token (a POST carrying both
        # would be held to the CSRF check), so the client adds no cookies of its own.
        status, heads, data = self.http.request(method, path, body, headers=headers, with_cookies=False)
        return Answer(status, heads, data)

    def call(self, kind, method, path, *, expect=(200,), json_body=None, form=None, files=None,
             api=False, redirect=None) -> Answer:
        """One timed request; raises Unexpected (already recorded) unless the status is expected."""
        headers = {}
        body = None
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            form = dict(form, csrfmiddlewaretoken=self.cookies.get("csrftoken", ""))
            if files:
                body, headers["Content-Type"] = multipart(form, files)
            else:
                body = urlencode(form).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            answer = self._send(method, path, body, headers)
        except CONNECTION_ERRORS as exc:  # a refused, dropped or timed-out connection
            self.stats.record(kind, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
            raise Unexpected(str(exc)) from None
        elapsed = time.perf_counter() - started
        problem = None
        if answer.status not in expect:
            problem = f"{answer.status} {method} {path} {answer.first_line()}"
        elif answer.status == 302 and redirect is not None and not re.fullmatch(redirect, answer.location):
            problem = f"302 to {answer.location!r}, expected {redirect}"
        self.stats.record(kind, elapsed, problem)
        if problem:
            raise Unexpected(problem)
        return answer

    def login(self, username: str) -> None:
        """API token and page session; untimed (two password hashes per user)."""
        answer = self._send("POST", "/api/v1/auth/token",
                            json.dumps({"username": username, "password": PASSWORD}),
                            {"Content-Type": "application/json"})
        if answer.status != 200:
            raise RuntimeError(f"token for {username}: {answer.status} {answer.first_line()}")
        self.token = answer.json()["token"]
        answer = self._send("GET", "/login/", None, {})
        if answer.status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"login page: {answer.status}")
        body = urlencode({"username": username, "password": PASSWORD,
                          "csrfmiddlewaretoken": self.cookies["csrftoken"]}).encode()
        answer = self._send("POST", "/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login {username}: {answer.status} {answer.first_line()}")


# ------------------------------------------------------------------------------------------------
# Virtual users


@dataclass
class World:
    """What the setup made and the users need to know."""

    watermark: int  # the last case filed before the run: workers leave these to the backlog handler
    backlog_user: int
    categories: list  # codes residents may file
    residents: list  # (username, compound id, building id)
    workers: list  # usernames
    officers: list  # (username, rank)
    created: list = field(default_factory=list)  # case ids the clients were told about
    created_lock: threading.Lock = field(default_factory=threading.Lock)

    def told(self, case_id: int) -> None:
        with self.created_lock:
            self.created.append(case_id)


CASE_PAGE = r"/cases/(\d+)/"
TEXTS = ("楼道灯不亮，晚上出入不便", "垃圾站两天没有清运，气味很大", "单元门禁坏了，陌生人随意进出",
         "楼下有人飞线给电动车充电", "健身器材松动，老人使用有危险", "楼上深夜噪音，影响休息",
         "消防通道被车辆堵住", "独居老人需要帮忙代买药品")


class User:
    weights: dict = {}

    def __init__(self, name, world: World, port: int, stats: Stats, seed: int, think):
        self.name, self.world = name, world
        self.browser = Browser(port, stats)
        self.rng = random.Random(seed)
        self.think = think
        self.me = None

    def start(self):
        self.browser.login(self.name)
        self.me = self.browser._send("GET", "/api/v1/me", None,
                                     {"Authorization": f"Bearer {self.browser.token}"}).json()

    def loop(self, deadline: float) -> None:
        actions, weights = zip(*self.weights.items(), strict=True)
        while time.monotonic() < deadline:
            action = self.rng.choices(actions, weights=weights)[0]
            with contextlib.suppress(Unexpected):
                getattr(self, action)()
            pause = self.rng.uniform(*self.think)
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
        self.browser.close()

    def get(self, kind, path, **kw):
        return self.browser.call(kind, "GET", path, **kw)

    def post(self, kind, path, **kw):
        return self.browser.call(kind, "POST", path, **kw)


class Resident(User):
    # About one action in ten files a case, so the workers' loop keeps up with the default mix.
    weights = {"file_api": 1, "file_page": 0.5, "list_api": 3, "detail_api": 2, "notifications": 2,
               "mine_page": 1, "detail_page": 1, "home": 1, "rate": 3}

    def __init__(self, *a, compound, building, **kw):
        super().__init__(*a, **kw)
        self.compound, self.building = compound, building
        self.mine: dict[int, str] = {}  # case id → last status seen

    def _description(self):
        return f"{self.rng.choice(TEXTS)}，请尽快处理（{self.name}）"

    def file_api(self):
        answer = self.post("POST /api/v1/cases", "/api/v1/cases", api=True, expect=(201,), json_body={
            "category": self.rng.choice(self.world.categories), "compound": self.compound,
            "building": self.building, "description": self._description()})
        case_id = answer.json()["id"]
        self.world.told(case_id)
        self.mine[case_id] = "new"

    def file_page(self):
        self.get("GET /cases/new/", "/cases/new/")
        # answer=different: the resident has read the duplicate question and still files (its "不是" answer).
        answer = self.post("POST /cases/new/ (photo)", "/cases/new/", expect=(302,), redirect=CASE_PAGE, form={
            "category": self.rng.choice(self.world.categories), "description": self._description(),
            "compound": self.compound, "building": self.building, "dwelling": "", "address": "",
            "latitude": "", "longitude": "", "answer": "different",
        }, files={"photos": ("photo.png", PHOTO, "image/png")})
        case_id = int(re.fullmatch(CASE_PAGE, answer.location).group(1))
        self.world.told(case_id)
        self.mine[case_id] = "new"
        self.get("GET /cases/{id}/ (resident)", answer.location)

    def list_api(self):
        answer = self.get("GET /api/v1/cases (resident)", "/api/v1/cases?page_size=100", api=True)
        for row in answer.json()["items"]:
            self.mine[row["id"]] = row["status"]

    def detail_api(self):
        if not self.mine:
            return self.list_api()
        case_id = self.rng.choice(list(self.mine))
        answer = self.get("GET /api/v1/cases/{id} (resident)", f"/api/v1/cases/{case_id}", api=True)
        self.mine[case_id] = answer.json()["status"]

    def detail_page(self):
        if not self.mine:
            return self.home()
        self.get("GET /cases/{id}/ (resident)", f"/cases/{self.rng.choice(list(self.mine))}/")

    def notifications(self):
        self.get("GET /cases/notifications/", "/cases/notifications/")

    def mine_page(self):
        self.get("GET /cases/mine/", "/cases/mine/")

    def home(self):
        self.get("GET / (resident)", "/")

    def rate(self):
        # Only the reporter moves a solved case on, so a case seen solved is still solved now.
        solved = [pk for pk, status in self.mine.items() if status == "solved"]
        if not solved:
            return self.list_api()
        case_id = self.rng.choice(solved)
        rating = self.rng.choices(("satisfied", "basic", "unsatisfied"), weights=(80, 15, 5))[0]
        answer = self.post("POST /api/v1/cases/{id}/confirm", f"/api/v1/cases/{case_id}/confirm", api=True,
                           json_body={"rating": rating, "note": "谢谢" if rating != "unsatisfied" else "问题还在"})
        self.mine[case_id] = answer.json()["status"]


class Worker(User):
    weights = {"work": 10, "list_page": 2, "detail_page": 1, "home": 1, "notifications": 1}

    def _mine(self):
        answer = self.get("GET /api/v1/cases?mine=true", "/api/v1/cases?mine=true&page_size=100", api=True)
        return answer.json()["items"]

    def work(self):
        """One step of the loop on the most pressing case: solve, else accept, else dispatch to myself."""
        mine = self._mine()
        for status, step in (("accepted", self._solve), ("dispatched", self._accept), ("reopened", self._dispatch)):
            rows = [r for r in mine if r["status"] == status]
            if rows:
                return step(rows[0]["id"])
        answer = self.get("GET /api/v1/cases?status=new", "/api/v1/cases?status=new&page_size=100", api=True)
        # Cases filed before the run are the backlog handler's; residents always name their building,
        # so a fresh case with a building is in exactly one grid: mine.
        fresh = [r for r in answer.json()["items"] if r["id"] > self.world.watermark and r["building_id"]]
        if fresh:
            # Taking a case on is dispatching it to oneself and accepting it, one after the other.
            self._dispatch(fresh[0]["id"])
            self._accept(fresh[0]["id"])

    def _dispatch(self, case_id):
        self.post("POST /api/v1/cases/{id}/dispatch", f"/api/v1/cases/{case_id}/dispatch", api=True,
                  json_body={"assignee": self.me["id"], "note": "本人前往处理"})

    def _accept(self, case_id):
        self.post("POST /api/v1/cases/{id}/accept", f"/api/v1/cases/{case_id}/accept", api=True, json_body={})

    def _solve(self, case_id):
        if self.rng.random() < 1 / 3:
            self.get("GET /cases/{id}/ (staff)", f"/cases/{case_id}/")
            self.post("POST /cases/{id}/solve/ (photo)", f"/cases/{case_id}/solve/", expect=(302,),
                      redirect=f"/cases/{case_id}/", form={"note": "已到现场处理完毕，附现场照片"},
                      files={"photos": ("done.png", PHOTO, "image/png")})
        else:
            self.post("POST /api/v1/cases/{id}/solve", f"/api/v1/cases/{case_id}/solve", api=True,
                      json_body={"note": "已到现场处理完毕"})

    def list_page(self):
        self.get("GET /cases/ (worker)", "/cases/")

    def detail_page(self):
        rows = self._mine()
        if rows:
            self.get("GET /cases/{id}/ (staff)", f"/cases/{rows[0]['id']}/")

    def home(self):
        self.get("GET / (staff)", "/")

    def notifications(self):
        self.get("GET /cases/notifications/", "/cases/notifications/")


LEVEL_RANK = {"compound": 0, "community": 1, "street": 2, "district": 3}


class Officer(User):
    weights = {"figures_page": 2, "figures_api": 2, "home": 2, "indicators_page": 1, "indicators_api": 1,
               "residents_api": 2, "compounds_api": 1, "case_list_page": 1, "supervise": 1}

    def __init__(self, *a, rank, **kw):
        super().__init__(*a, **kw)
        self.rank = rank

    def figures_page(self):
        self.get("GET /cases/figures/", "/cases/figures/")

    def figures_api(self):
        self.get("GET /api/v1/cases/figures", "/api/v1/cases/figures", api=True)

    def home(self):
        self.get("GET / (staff)", "/")

    def indicators_page(self):
        self.get("GET /dashboard/indicators/", "/dashboard/indicators/")

    def indicators_api(self):
        self.get("GET /api/v1/indicators", "/api/v1/indicators", api=True)

    def residents_api(self):
        self.get("GET /api/v1/residents", f"/api/v1/residents?page={self.rng.randint(1, 3)}", api=True)

    def compounds_api(self):
        self.get("GET /api/v1/compounds", "/api/v1/compounds", api=True)

    def case_list_page(self):
        self.get("GET /cases/ (officer)", "/cases/?status=open")

    def supervise(self):
        answer = self.get("GET /api/v1/cases?status=accepted&tier=major",
                          f"/api/v1/cases?status=accepted&tier={SUPERVISE_TIER}&page_size=100", api=True)
        # Only the backlog handler's hard cases: nobody moves them during the run, and supervision is
        # for a level above the one holding the case.
        targets = [r for r in answer.json()["items"]
                   if r["assignee_id"] == self.world.backlog_user and LEVEL_RANK[r["level"]] < self.rank]
        if not targets:
            return
        case_id = self.rng.choice(targets)["id"]
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(hours=self.rng.randint(2, 48))
        if self.rng.random() < 0.5:
            self.get("GET /cases/{id}/ (staff)", f"/cases/{case_id}/")
            # The page's form takes the local time of the server (Asia/Shanghai by default).
            local = deadline.astimezone(dt.timezone(dt.timedelta(hours=8)))
            self.post("POST /cases/{id}/supervise/", f"/cases/{case_id}/supervise/", expect=(302,),
                      redirect=f"/cases/{case_id}/",
                      form={"deadline": local.strftime("%Y-%m-%dT%H:%M"), "note": "请加快办理，按时反馈进展"})
        else:
            self.post("POST /api/v1/cases/{id}/supervise", f"/api/v1/cases/{case_id}/supervise", api=True,
                      json_body={"deadline": deadline.isoformat(), "note": "请加快办理，按时反馈进展"})


# ------------------------------------------------------------------------------------------------
# Setup through the ORM (in this process, against the bench database)


def split(users: int, mix: list[float]) -> tuple[int, int, int]:
    total = sum(mix)
    workers = round(users * mix[1] / total)
    officers = round(users * mix[2] / total)
    if mix[1] and users >= 3:
        workers = max(1, workers)
    if mix[2] and users >= 3:
        officers = max(1, officers)
    return users - workers - officers, workers, officers


def prepare(args, n_res, n_work, n_off, out):
    """Demo users, background cases, supervision targets; returns the World (less the sweep fodder)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from linli.accounts.models import Assignment, Role
    from linli.accounts.models import User as Account
    from linli.cases import services
    from linli.cases.models import ServiceCategory
    from linli.core import clock
    from linli.demo.city import Progress, generate_cases, writer_for
    from linli.people.models import Resident
    from linli.places.models import AdminUnit, Building, Compound, Grid

    started = time.perf_counter()
    generate_cases(args.background, args.seed, writer=writer_for(Progress(out=lambda s: None)),
                   end=clock.now(), out=lambda s: None)
    out(f"  {args.background:,} background cases loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    settled = services.sla_sweep()
    out(f"  backlog sweep: {settled.escalated:,} escalated, {settled.closed:,} closed "
        f"in {time.perf_counter() - started:.1f} s")

    password = make_password(PASSWORD)  # one slow hash for all the run's logins
    district = AdminUnit.objects.get(level="district")
    streets = list(AdminUnit.objects.filter(level="street").order_by("code"))
    communities = list(AdminUnit.objects.filter(level="community").order_by("code"))
    grids = list(Grid.objects.order_by("id"))
    if n_work > len(grids):
        out(f"  only {len(grids)} grids: {n_work - len(grids)} worker users become residents")
        n_res, n_work = n_res + n_work - len(grids), len(grids)

    with transaction.atomic():
        backlog = Account.objects.create(username="bench_backlog", display_name="积压承办人", password=password)
        Assignment.objects.create(user=backlog, role=Role.COMMUNITY_WORKER, unit=district)

        adults = (Resident.objects.filter(user__isnull=True, household__dwelling__isnull=False,
                                          birth_date__lte=dt.date(2006, 1, 1), birth_date__gte=dt.date(1946, 1, 1))
                  .order_by("id").values_list("id", "name", "household__dwelling__entrance__building_id",
                                              "household__dwelling__entrance__building__compound_id"))
        adults = list(adults)
        if len(adults) < n_res:
            raise SystemExit(f"only {len(adults)} adult residents with a home for {n_res} resident users")
        step = len(adults) / n_res
        chosen = [adults[int(i * step)] for i in range(n_res)]  # spread over the compounds
        residents = []
        for i, (resident_id, name, building_id, compound_id) in enumerate(chosen):
            username = f"bench_res{i:04d}"
            user = Account.objects.create(username=username, display_name=name, password=password,
                                          email=f"{username}@bench.invalid")
            Resident.objects.filter(pk=resident_id).update(user=user)
            residents.append((username, compound_id, building_id))

        workers = []
        for i in range(n_work):
            username = f"bench_grid{i:02d}"
            user = Account.objects.create(username=username, display_name=f"网格员{i + 1}", password=password,
                                          email=f"{username}@bench.invalid")
            for grid in grids[i::n_work]:  # every grid has exactly one worker user
                Assignment.objects.create(user=user, role=Role.GRID_WORKER, grid=grid)
            workers.append(username)

        officers = []
        kinds = [(Role.COMMUNITY_SECRETARY, communities, 1), (Role.STREET_OFFICER, streets, 2),
                 (Role.DISTRICT_OFFICER, [district], 3)]
        for i in range(n_off):
            role, nodes, rank = kinds[i % 3]
            username = f"bench_off{i:02d}"
            user = Account.objects.create(username=username, display_name=f"干部{i + 1}", password=password,
                                          email=f"{username}@bench.invalid")
            Assignment.objects.create(user=user, role=role, unit=nodes[(i // 3) % len(nodes)])
            officers.append((username, rank))

        # Supervision targets: hard cases the backlog handler holds, accepted, due in a day.
        category = ServiceCategory.objects.get(code="renovation")
        rng = random.Random(args.seed)
        targets = 0
        for compound in Compound.objects.order_by("id"):
            building = Building.objects.filter(compound=compound).order_by("id").first()
            if building is None:
                continue
            for _ in range(2):
                case = services.case_open(actor=backlog, intake=services.Intake(
                    category=category.code, description=f"{compound.name}外墙保温层脱落，需要整体改造方案",
                    compound=compound.pk, building=building.pk, channel="hotline", tier=SUPERVISE_TIER,
                    contact_name="居民代表", contact_phone=f"139{rng.randrange(10 ** 8):08d}"))
                case = services.case_dispatch(actor=backlog, case=case, assignee=backlog)
                services.case_accept(actor=backlog, case=case)
                targets += 1
    out(f"  users: {n_res} residents, {n_work} grid workers ({len(grids)} grids), {n_off} officers; "
        f"{targets} supervision targets")
    categories = list(ServiceCategory.objects.filter(active=True).exclude(default_tier=SUPERVISE_TIER)
                      .order_by("sort").values_list("code", flat=True))
    return World(watermark=0, backlog_user=backlog.pk, categories=categories, residents=residents,
                 workers=workers, officers=officers)


def sweep_fodder(seconds: float, start_in: float) -> int:
    """NEW cases whose 10-minute arrive deadline falls inside the run: the sweep's work while users work."""
    from django.db import transaction

    from linli.accounts.models import User as Account
    from linli.cases import services
    from linli.cases.models import TierRule
    from linli.core import clock
    from linli.places.models import Building

    backlog = Account.objects.get(username="bench_backlog")
    arrive, _ = TierRule.limits("ordinary")
    buildings = list(Building.objects.order_by("id").values_list("id", "compound_id"))
    n = max(1, int(seconds / 3))
    start = clock.now() + dt.timedelta(seconds=start_in) - arrive
    rng = random.Random(n)
    with transaction.atomic():
        for i in range(n):
            building_id, compound_id = rng.choice(buildings)
            with clock.frozen(start + dt.timedelta(seconds=seconds * (i + 0.5) / n)):
                services.case_open(actor=backlog, intake=services.Intake(
                    category="sanitation", description="巡查发现楼道堆放杂物", compound=compound_id,
                    building=building_id, channel="patrol"))
    return n


# ------------------------------------------------------------------------------------------------
# Background processes


class SweepLoop(threading.Thread):
    """`linli sla-sweep` every `every` seconds, as `make run` does (a pause after each run)."""

    def __init__(self, env, every, log):
        super().__init__(daemon=True)
        self.env, self.every, self.log = env, every, log
        self.stop = threading.Event()
        self.runs: list[tuple[float, int]] = []

    def run(self):
        while not self.stop.is_set():
            started = time.perf_counter()
            done = subprocess.run([str(VENV_BIN / "linli"), "sla-sweep"], cwd=ROOT, env=self.env,
                                  stdout=self.log, stderr=subprocess.STDOUT)
            self.runs.append((time.perf_counter() - started, done.returncode))
            self.stop.wait(self.every)


def probe(port: int, stats: Stats, deadline: float) -> None:
    """The baseline: GET /healthz once a second for the whole run."""
    browser = Browser(port, stats)
    while time.monotonic() < deadline:
        tick = time.monotonic()
        with contextlib.suppress(Unexpected):
            browser.call("GET /healthz", "GET", "/healthz")
        time.sleep(max(0.0, min(1.0 - (time.monotonic() - tick), deadline - time.monotonic())))
    browser.close()


def stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ------------------------------------------------------------------------------------------------
# The run


def main(argv):
    args = parse(argv)
    n_res, n_work, n_off = split(args.users, args.mix)
    say = print
    with BenchDatabase("load") as db, tempfile.TemporaryDirectory(prefix="linli-load-") as tmp:
        tmp = Path(tmp)
        env = db.env(LINLI_MEDIA_ROOT=str(tmp / "media"),
                     EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
        say(f"setup: database {db.name}")
        started = time.perf_counter()
        run([str(VENV_BIN / "linli"), "demo"], cwd=ROOT, env=env)
        say(f"  linli demo in {time.perf_counter() - started:.1f} s")
        django_setup(db)
        from django.db import connections
        from django.db.models import Count, Max

        from linli.cases.models import Case

        world = prepare(args, n_res, n_work, n_off, say)
        connections.close_all()

        logs = {name: open(tmp / f"{name}.log", "w+") for name in ("gunicorn", "worker", "sweep")}
        gunicorn = Server(env, workers=args.workers, threads=args.threads, log=logs["gunicorn"])
        port = gunicorn.port
        worker = subprocess.Popen([str(VENV_BIN / "linli"), "db_worker", "--queue-name", "*", "--no-reload"],
                                  cwd=ROOT, env=env, stdout=logs["worker"], stderr=subprocess.STDOUT,
                                  start_new_session=True)
        sweeps = SweepLoop(env, args.sweep_every, logs["sweep"])
        stats = Stats()
        baseline = Stats()
        failed_setup = None
        try:
            gunicorn.wait_ready()
            users = []
            seeds = random.Random(args.seed)
            for username, compound, building in world.residents:
                users.append(Resident(username, world, port, stats, seeds.random(), args.think,
                                      compound=compound, building=building))
            for username in world.workers:
                users.append(Worker(username, world, port, stats, seeds.random(), args.think))
            for username, rank in world.officers:
                users.append(Officer(username, world, port, stats, seeds.random(), args.think, rank=rank))
            started = time.perf_counter()
            logins = [threading.Thread(target=u.start) for u in users]
            for t in logins:
                t.start()
            for t in logins:
                t.join()
            missing = [u.name for u in users if u.me is None]
            if missing:
                raise RuntimeError(f"login failed for {missing[:5]} (see the gunicorn log)")
            say(f"  {len(users)} users logged in (token + session) in {time.perf_counter() - started:.1f} s")
            fodder = sweep_fodder(args.seconds, start_in=5)
            world.watermark = Case.objects.aggregate(m=Max("id"))["m"]
            open_before = Case.objects.filter(status__in=("new", "dispatched", "accepted", "returned",
                                                          "reopened")).count()
            connections.close_all()
            say(f"  {fodder} cases due to breach during the run; {open_before:,} open cases before the run")

            sweeps.start()
            run_started = dt.datetime.now(dt.UTC)
            deadline = time.monotonic() + args.seconds
            threads = [threading.Thread(target=u.loop, args=(deadline,)) for u in users]
            threads.append(threading.Thread(target=probe, args=(port, baseline, deadline)))
            load_before = os.getloadavg()
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - t0
        except BaseException as exc:
            failed_setup = exc
            raise
        finally:
            sweeps.stop.set()
            if sweeps.is_alive():
                sweeps.join(timeout=120)
            # Give the task worker a moment to send what the last requests queued.
            if failed_setup is None:
                with contextlib.suppress(Exception):
                    from django_tasks_db.models import DBTaskResult

                    for _ in range(60):
                        if not DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).exists():
                            break
                        time.sleep(1)
                    connections.close_all()
            gunicorn.stop()
            stop_group(worker)
            texts = {}
            for name, handle in logs.items():
                handle.flush()
                handle.seek(0)
                texts[name] = handle.read()
                handle.close()
            if failed_setup is not None:
                sys.stderr.write(texts["gunicorn"][-4000:])

        # ---- checks in the database
        from django_tasks_db.models import DBTaskResult

        from linli.cases.models import Escalation

        problems = []
        told = world.created
        duplicates_told = len(told) - len(set(told))
        stored = Case.objects.filter(pk__in=set(told)).count()
        resident_names = [name for name, _, _ in world.residents]
        filed = Case.objects.filter(pk__gt=world.watermark, reporter__username__in=resident_names)
        untold = filed.exclude(pk__in=set(told)).count()
        if duplicates_told:
            problems.append(f"{duplicates_told} case ids were told to clients twice")
        if stored != len(set(told)):
            problems.append(f"{len(set(told)) - stored} cases told to clients are not stored")
        if untold:
            problems.append(f"{untold} cases filed by the run's residents were never told to a client")
        states = dict(filed.values_list("status").annotate(n=Count("id")).order_by())
        tasks = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
        if tasks.get("FAILED"):
            problems.append(f"{tasks['FAILED']} background tasks failed")
        escalated = Escalation.objects.filter(at__gte=run_started).count()
        supervised = Case.objects.filter(supervised=True, assignee_id=world.backlog_user).count()
        bad_sweeps = [code for _, code in sweeps.runs if code != 0]
        if bad_sweeps:
            problems.append(f"{len(bad_sweeps)} of {len(sweeps.runs)} sweeps failed (exit {bad_sweeps[0]})")
        tracebacks = texts["gunicorn"].count("Traceback") + texts["worker"].count("Traceback")
        if tracebacks:
            problems.append(f"{tracebacks} tracebacks in the gunicorn and worker logs")
        ledger = subprocess.run([str(VENV_BIN / "linli"), "ledger-verify"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        if ledger.returncode != 0:
            problems.append(f"ledger-verify exited {ledger.returncode}: {ledger.stdout.strip()} {ledger.stderr.strip()}")
        emails = texts["worker"].count("Subject: ")
        connections.close_all()
        pg_clients = args.workers * args.threads
        tps = pgbench_insert_tps(db, pg_clients, 15)
        info = machine(db)

    # ---- figures
    print(f"\nmixed load on loopback — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print_machine(info)
    print(f"\n{len(users)} users ({n_res} residents, {len(world.workers)} grid workers, {n_off} officers), "
          f"think time {args.think[0]:g}–{args.think[1]:g} s, {elapsed:.0f} s; gunicorn {args.workers} gthread "
          f"workers × {args.threads} threads; sla-sweep every {args.sweep_every:g} s and db_worker alongside; "
          f"load average {load_before[0]:.2f} when the run started")
    kinds = sorted(stats.latencies, key=lambda k: (k.split(" ", 2)[1], k))
    head = f"{'request':<46} {'count':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print("\n" + head + "\n" + "-" * len(head))
    everything = []
    for kind in kinds:
        values = sorted(stats.latencies[kind])
        everything.extend(values)
        print(f"{kind:<46} {len(values):>6} {stats.errors.get(kind, 0):>6} "
              + " ".join(f"{percentile(values, q) * 1000:>8.0f}" for q in (50, 95, 99))
              + f" {values[-1] * 1000:>8.0f}")
    everything.sort()
    errors = sum(stats.errors.values())
    print("-" * len(head))
    print(f"{'all requests':<46} {len(everything):>6} {errors:>6} "
          + " ".join(f"{percentile(everything, q) * 1000:>8.0f}" for q in (50, 95, 99))
          + f" {everything[-1] * 1000 if everything else float('nan'):>8.0f}")
    floor = sorted(baseline.latencies.get("GET /healthz", [])) or [float("nan")]
    probe_errors = sum(baseline.errors.values())
    errors += probe_errors
    print(f"{'baseline: GET /healthz, 1 probe/s, same run':<46} {len(floor):>6} {probe_errors:>6} "
          + " ".join(f"{percentile(floor, q) * 1000:>8.0f}" for q in (50, 95, 99)) + f" {floor[-1] * 1000:>8.0f}")
    sweep_times = sorted(s for s, _ in sweeps.runs)
    print_table("totals and checks", [
        ("requests", f"{len(everything):,}", f"{len(everything) / elapsed:,.1f} per second"),
        ("errors", f"{errors:,}", "unexpected status, redirect or dropped connection"),
        ("cases filed by residents (told)", f"{len(told):,}", f"stored {stored:,}, never told {untold:,}"),
        ("  their state at the end", ", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "-", ""),
        ("open cases before the run", f"{open_before:,}", f"background {args.background:,} + targets + fodder"),
        ("escalations during the run", f"{escalated:,}", f"by {len(sweep_times)} sweeps, "
         + (f"median {percentile(sweep_times, 50):.1f} s, max {sweep_times[-1]:.1f} s each" if sweep_times else "")),
        ("supervised targets", f"{supervised:,}", "hard cases supervised by officers (distinct)"),
        ("background tasks", ", ".join(f"{k} {v}" for k, v in sorted(tasks.items())) or "none",
         f"{emails:,} e-mails sent (console backend)"),
        (f"baseline: pgbench single-row INSERT, {pg_clients} clients", f"{tps:,.0f}",
         f"tps right after the run ({pgbench_command(pg_clients, 15)})"),
        ("ledger-verify", "ok" if ledger.returncode == 0 else "FAILED", ledger.stdout.strip().splitlines()[0]
         if ledger.stdout.strip() else ""),
    ])
    if stats.error_list or baseline.error_list:
        listed = stats.error_list + baseline.error_list
        print(f"\nerrors ({len(listed)}):")
        for line in listed[:50]:
            print(f"  {line}")
    if problems:
        print("\nproblems:")
        for line in problems:
            print(f"  {line}")
    if (errors or tracebacks) and texts["gunicorn"]:
        print("\ngunicorn log (tail):")
        print(texts["gunicorn"][-6000:])
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
