"""CPU per request of every page and API operation a role opens daily, in one run, in this process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_perf LINLI_DEMO=1 DEBUG=0 \\
        .venv/bin/python bench/pages_cpu.py [--rounds 30] [--profile LABEL]

Run it on a database holding the demo (`linli migrate && linli demo`). Django's test client drives
the whole stack (middleware, sessions, the API's bearer tokens, templates, the database) without
HTTP. For each request it prints, beside `GET /healthz` (the framework's floor) measured in the same
run: the CPU per request (`time.process_time`, median of `--rounds` after two warm-up requests), the
Python function calls per request (cProfile over a further `--rounds // 3` requests) and the SQL
statements per request. Then, for the lists, the statements of the same request with the list's
rows grown by 1,000 (cases filed in the actor's sight in a transaction rolled back at the end): the
count must not grow with the rows (no N+1).

`--profile LABEL` prints cProfile's top functions (cumulative) for the request of that label.
Intake (`POST /api/v1/cases`) files real cases into the database at hand.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "linli-demo"
HOMES = ["member1", "grid1", "grid2", "community1", "branch1", "property1", "street1", "district1", "admin"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", default="", help="print cProfile's top functions for this label")
    parser.add_argument("--grow", type=int, default=1000, help="rows added to the lists (default 1000)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from linli.accounts.models import User
    from linli.accounts.services import token_issue
    from linli.cases.models import Case, ServiceCategory
    from linli.core.scoping import scope_for
    from linli.places.models import AdminUnit, Compound

    def session(username):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    def bearer(username):
        raw, _ = token_issue(username=username, password=PASSWORD)
        return Client(headers={"authorization": f"Bearer {raw}"})

    anonymous = Client()
    resident_api = bearer("resident1")
    district_api = bearer("district1")
    grid_api = bearer("grid1")
    grid_page = session("grid1")
    district_page = session("district1")
    resident = User.objects.get(username="resident1")
    home_compound = scope_for(resident).home_compound_ids[0]
    category = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first()
    grid_scope = scope_for(User.objects.get(username="grid1"))
    worker_case = (Case.objects.filter(compound_id__in=Compound.objects.filter(
        buildings__grid_id__in=grid_scope.grid_ids).values("pk")).order_by("-pk").first())
    district = AdminUnit.objects.filter(level="district").order_by("code").first()
    filed = [0]

    def intake():
        filed[0] += 1
        return resident_api.post("/api/v1/cases", {
            "category": category.code, "compound": home_compound,
            "description": f"3号楼楼道灯不亮，晚上出入不便，请尽快维修（测量第 {filed[0]} 件）"},
            content_type="application/json")

    requests = [
        ("GET /healthz", lambda: anonymous.get("/healthz"), 200),
        ("POST /api/v1/cases (resident1)", intake, 201),
        ("GET / (resident1)", lambda: session_of("resident1").get("/"), 200),
        ("GET /api/v1/indicators (district1)", lambda: district_api.get("/api/v1/indicators"), 200),
        ("GET /api/v1/cases (grid1)", lambda: grid_api.get("/api/v1/cases"), 200),
        ("GET /cases/ (grid1)", lambda: grid_page.get("/cases/"), 200),
        (f"GET /cases/{worker_case.pk}/ (grid1)", lambda: grid_page.get(f"/cases/{worker_case.pk}/"), 200),
        ("GET /api/v1/cases/{id} (grid1)", lambda: grid_api.get(f"/api/v1/cases/{worker_case.pk}"), 200),
        (f"GET /cockpit/units/{district.pk}/ (district1)",
         lambda: district_page.get(f"/cockpit/units/{district.pk}/"), 200),
    ]
    sessions = {}

    def session_of(username):
        if username not in sessions:
            sessions[username] = session(username)
        return sessions[username]

    for username in HOMES:
        requests.append((f"GET / ({username})", lambda u=username: session_of(u).get("/"), 200))

    def measure(label, call, status):
        for _ in range(2):
            response = call()
            assert response.status_code == status, (label, response.status_code, response.content[:300])
        times = []
        for _ in range(args.rounds):
            start = time.process_time()
            call()
            times.append(time.process_time() - start)
        with CaptureQueriesContext(connection) as queries:
            call()
        statements = len(queries)  # now: the next request empties the log
        profile = cProfile.Profile()
        profiled = max(1, args.rounds // 3)
        for _ in range(profiled):
            profile.runcall(call)
        stats = pstats.Stats(profile)
        calls = stats.total_calls / profiled
        if args.profile and args.profile in label:
            stats.sort_stats("cumulative").print_stats(40)
        return statistics.median(times) * 1000, calls, statements

    print(f"{connection.vendor}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{os.getloadavg()[0]:.1f}; median of {args.rounds} requests each after 2 warm-up ones")
    print(f"{'request':<44} {'CPU ms':>8} {'× floor':>8} {'calls':>8} {'SQL':>5}")
    floor = None
    for label, call, status in requests:
        cpu, calls, statements = measure(label, call, status)
        floor = floor or cpu
        print(f"{label:<44} {cpu:8.2f} {cpu / floor:8.1f} {calls:8,.0f} {statements:5d}")

    # The lists with 1,000 more rows in sight: the statements must stay the same.
    lists = [("GET /api/v1/cases (grid1)", lambda: grid_api.get("/api/v1/cases")),
             ("GET /cases/ (grid1)", lambda: grid_page.get("/cases/")),
             ("GET /cases/mine/ (resident1)", lambda: session_of("resident1").get("/cases/mine/")),
             ("GET /api/v1/cases?mine (resident1)", lambda: resident_api.get("/api/v1/cases?mine=true"))]

    def counts():
        out = []
        for _, call in lists:
            call()
            with CaptureQueriesContext(connection) as queries:
                call()
            out.append(len(queries))
        return out

    before = counts()
    worker_rows = Case.objects.filter(compound_id=worker_case.compound_id).count()
    with transaction.atomic():
        template = Case.objects.filter(reporter=resident).order_by("-pk").first()
        grid_template = Case.objects.get(pk=worker_case.pk)
        rows = []
        for _ in range(args.grow):
            for source in (template, grid_template):
                row = Case(**{f.attname: getattr(source, f.attname) for f in Case._meta.concrete_fields
                              if not f.primary_key})
                rows.append(row)
        Case.objects.bulk_create(rows)
        after = counts()
        transaction.set_rollback(True)
    print(f"\nstatements per list request, rows in sight grown by {args.grow:,} "
          f"(the worker's compound held {worker_rows:,} cases)")
    print(f"{'list':<44} {'before':>8} {'+rows':>8}")
    for (label, _), a, b in zip(lists, before, after, strict=True):
        print(f"{label:<44} {a:8d} {b:8d}{'' if a == b else '   grows'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
