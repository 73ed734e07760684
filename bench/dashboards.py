"""Dashboards and worklists at two case volumes: p50/p95 per request and the ratio between the volumes.

Reads two existing generated cities, e.g. one with 1,000,000 cases and one with 10,000,000 (same
registry, `linli generate-city --add-cases`), and times the same requests on each as the demo logins
of the generated city: the district officer `district1` and the grid worker `grid1`. Each database is
measured in its own child process (Django binds one database per process) with Django's test client
in that process, so the figures are the application and the database, without HTTP or a network.
The clock is frozen at the end of the generated case window (the generator's anchor day), so "the
last 30 days" holds the newest cases.

The cockpit is timed too: the district's and a street's page as `district1`, and its case figures
read the way the cockpit did before (`case_figures` once per period and once more for the children)
beside the one read of every period it makes now (`case_figures_of_periods`), in the same run.

    .venv/bin/python bench/dashboards.py --small linli_city_1m --large linli_city_10m

The databases must be migrated and their rollups current (`linli case-rollups --rebuild` and
`linli registry-rollups --rebuild` after a bulk load); the script refuses to time a database with a
backlog of rollup marks, since the first request would pay for it. `--requests` (default 40) timed
requests after 3 untimed ones per measure.

`--registry DB` times only the registry indicators on one database: the indicators API of the
district (the district and its streets) and of one street (the street and its communities), and the
selector `dashboard.selectors.indicators` of one district and one street node (what the cockpit
calls per node), and the registry part alone (`registry_counts`, from the rollups) beside the same
counts taken live from the records (`live_registry_counts`, what the indicators did before), as p50/p95:

    .venv/bin/python bench/dashboards.py --registry linli_roll --requests 20
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _common import BENCH_DATA_KEY, BENCH_SECRET_KEY, PG_HOST, PG_PORT, PG_USER  # noqa: E402


def _time(call, requests: int) -> dict:
    """p50/p95 in ms and statements per call of `call()`, after 3 untimed calls."""
    from django.db import connection

    for _ in range(3):
        call()
    times, statements = [], [0]

    def count(execute, sql, params, many, context, _statements=statements):
        _statements[0] += 1
        return execute(sql, params, many, context)

    # A wrapper, not CaptureQueriesContext: Django empties the query log at every request's start.
    with connection.execute_wrapper(count):
        for _ in range(requests):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
    times.sort()
    return {"p50": statistics.median(times) * 1000, "p95": times[max(0, int(len(times) * 0.95) - 1)] * 1000,
            "queries": statements[0] / requests}


def _setup(dbname: str) -> None:
    os.environ.update({
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", BENCH_SECRET_KEY),
        "LINLI_DATA_KEY": os.environ.get("BENCH_DATA_KEY", BENCH_DATA_KEY),
        "DEBUG": "0", "ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "linli.settings",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _registry_child(dbname: str, requests: int) -> dict:
    """The registry indicators of the district officer's district and of its first street."""
    _setup(dbname)
    from django.test import Client

    from linli.accounts.models import User
    from linli.dashboard import selectors
    from linli.people.models import Resident

    try:  # absent before the registry rollups: the same script then times counting live
        from linli.people.models import RegistryCount, RegistryDirty
    except ImportError:
        RegistryCount = RegistryDirty = None
    if RegistryDirty is not None and RegistryDirty.objects.exists():
        raise SystemExit(f"{dbname}: registry marks pending: run `linli registry-rollups --rebuild` first")
    officer = User.objects.get(username="district1")
    district = officer.assignments.get().unit
    street = district.children.order_by("code").first()
    client = Client()
    client.force_login(officer)

    def api(unit):
        def call():
            response = client.get("/api/v1/indicators", {"unit": unit.pk})
            assert response.status_code == 200, response.status_code
        return call

    measures = [
        ("indicators API, district + its streets", api(district)),
        ("indicators API, a street + its communities", api(street)),
        ("selector indicators(), district node", lambda: selectors.indicators(selectors.node_for_unit(district))),
        ("selector indicators(), street node", lambda: selectors.indicators(selectors.node_for_unit(street))),
    ]
    if hasattr(selectors, "registry_counts"):
        from linli.core import clock

        for name, unit in (("district", district), ("street", street)):
            scope = selectors.node_for_unit(unit).scope
            measures += [
                (f"registry counts from rollups, {name}", lambda s=scope: selectors.registry_counts(s, clock.today())),
                (f"registry counts counted live, {name}",
                 lambda s=scope: selectors.live_registry_counts(s, clock.today())),
            ]
    results = [{"label": label, **_time(call, requests)} for label, call in measures]
    sizes = {"residents": Resident.objects.count(),
             "residents in the district": Resident.objects.filter(
                 household__dwelling__entrance__building__compound__community__code__startswith=district.prefix
             ).count(),
             "registry rollup rows": RegistryCount.objects.count() if RegistryCount else 0}
    return {"db": dbname, "results": results, "sizes": sizes}


def _child(dbname: str, requests: int) -> dict:
    os.environ.update({
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", BENCH_SECRET_KEY),
        "LINLI_DATA_KEY": os.environ.get("BENCH_DATA_KEY", BENCH_DATA_KEY),
        "DEBUG": "0", "ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "linli.settings",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.test import Client

    from linli.accounts.models import User
    from linli.cases.models import Case, CaseDay, CaseDayDirty, Status
    from linli.core import clock
    from linli.demo.city import case_window_end
    from linli.demo.generator import DEFAULT_ANCHOR
    from linli.places.models import AdminUnit

    backlog = CaseDayDirty.objects.count()
    if backlog:
        raise SystemExit(f"{dbname}: {backlog:,} rollup marks pending: run `linli case-rollups --rebuild` first")
    end = case_window_end(DEFAULT_ANCHOR)
    clock.freeze(end - dt.timedelta(minutes=1))
    officer, worker = User.objects.get(username="district1"), User.objects.get(username="grid1")
    district = officer.assignments.get().unit
    assert district.level == AdminUnit.Level.DISTRICT, district
    until = clock.today()
    year = {"since": (until - dt.timedelta(days=364)).isoformat(), "until": until.isoformat()}

    clients = {}
    for user in (officer, worker):
        client = Client()
        client.force_login(user)
        clients[user.username] = client

    measures = [
        ("figures API, district, last 30 days", "district1", "/api/v1/cases/figures", {"unit": district.pk}),
        ("figures API, district, last 365 days", "district1", "/api/v1/cases/figures", {"unit": district.pk, **year}),
        ("figures page, district, last 30 days", "district1", "/cases/figures/", {"unit": district.pk}),
        ("registry indicators API, district", "district1", "/api/v1/indicators", {"unit": district.pk}),
        ("officer home page (indicator cards)", "district1", "/", {}),
        ("grid worker: open cases API, page 1", "grid1", "/api/v1/cases", {"status": "open"}),
        ("grid worker: open cases page /cases/", "grid1", "/cases/", {}),
        ("district officer: open cases API, page 1", "district1", "/api/v1/cases", {"status": "open"}),
    ]
    # The cockpit: its pages, and its case figures read the way it did before (one case_figures call
    # per period, and one more for the children) beside the one read of all periods it makes now.
    from linli.cases.figures import case_figures, case_figures_of_periods
    from linli.cockpit import selectors as cockpit

    street = district.children.order_by("code").first()
    spans = cockpit.periods(until.replace(day=1), until)

    def cases_before(unit):
        return lambda: [case_figures(actor=officer, filters={"unit": unit.pk, "since": p.since, "until": p.until})
                        for p in (*spans, spans[0])]

    def cases_now(unit):
        return lambda: case_figures_of_periods(actor=officer, filters={"unit": unit.pk},
                                               spans=[(p.since, p.until) for p in spans])

    measures += [
        ("cockpit page, district", "district1", f"/cockpit/units/{district.pk}/", {}),
        ("cockpit page, a street", "district1", f"/cockpit/units/{street.pk}/", {}),
        ("cockpit cases, district, 4 x case_figures (before)", "", cases_before(district), {}),
        ("cockpit cases, district, all periods in one (now)", "", cases_now(district), {}),
        ("cockpit cases, street, 4 x case_figures (before)", "", cases_before(street), {}),
        ("cockpit cases, street, all periods in one (now)", "", cases_now(street), {}),
    ]
    results = []
    for label, login, path, params in measures:
        client = clients.get(login)
        if callable(path):
            results.append({"label": label, **_time(path, requests)})
            continue
        for _ in range(3):
            response = client.get(path, params)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
        times = []
        statements = [0]

        def count(execute, sql, params, many, context, _statements=statements):
            _statements[0] += 1
            return execute(sql, params, many, context)

        # A wrapper, not CaptureQueriesContext: Django empties the query log at every request's start.
        with connection.execute_wrapper(count):
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path, params)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
        times.sort()
        results.append({"label": label, "p50": statistics.median(times) * 1000,
                        "p95": times[max(0, int(len(times) * 0.95) - 1)] * 1000,
                        "queries": statements[0] / requests})
    open_statuses = [s.value for s in (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED,
                                       Status.REOPENED)]
    sizes = {
        "cases": Case.objects.count(),
        "open cases": Case.objects.filter(status__in=open_statuses).count(),
        "rollup rows": CaseDay.objects.count(),
        "cases in the district, last 30 days": Case.objects.filter(
            compound__community__code__startswith=district.prefix,
            requested_at__gte=end - dt.timedelta(days=30)).count(),
        "open cases of grid1's grid": clients["grid1"].get("/api/v1/cases", {"status": "open"}).json().get("count"),
        "open cases in the district": Case.objects.filter(
            compound__community__code__startswith=district.prefix, status__in=open_statuses).count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        sizes["database size"] = cursor.fetchone()[0]
    return {"db": dbname, "results": results, "sizes": sizes}


def _measure(dbname: str, requests: int, mode: str = "--child") -> dict:
    done = subprocess.run([sys.executable, __file__, mode, dbname, "--requests", str(requests)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"measuring {dbname} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", default="linli_city_1m")
    parser.add_argument("--large", default="linli_city_10m")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--registry-child", help=argparse.SUPPRESS)
    parser.add_argument("--registry", metavar="DB", help="time only the registry indicators on this database")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.requests)))
        return
    if args.registry_child:
        print(json.dumps(_registry_child(args.registry_child, args.requests)))
        return
    if args.registry:
        found = _measure(args.registry, args.requests, "--registry-child")
        print(f"registry indicators on {args.registry}, {args.requests} timed calls each, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for key, value in found["sizes"].items():
            print(f"{key:<46}{value:>14,}")
        print(f"\n{'measure':<46}{'queries':>8}{'p50 ms':>10}{'p95 ms':>10}")
        for r in found["results"]:
            print(f"{r['label']:<46}{r['queries']:>8.0f}{r['p50']:>10.1f}{r['p95']:>10.1f}")
        return
    small, large = _measure(args.small, args.requests), _measure(args.large, args.requests)
    print(f"dashboards and worklists: {args.small} vs {args.large}, {args.requests} timed requests each, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{'size':<42}{args.small:>18}{args.large:>18}")
    for key in small["sizes"]:
        a, b = small["sizes"][key], large["sizes"][key]
        fmt = (lambda v: f"{v:,}") if isinstance(a, int) else str
        print(f"{key:<42}{fmt(a):>18}{fmt(b):>18}")
    header = (f"\n{'request':<42}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'p50 ms':>9}{'p95 ms':>9}"
              f"{'p50 ratio':>11}")
    print(header)
    print(f"{'':<50}{args.small:>18}{args.large:>18}{'large/small':>11}")
    for a, b in zip(small["results"], large["results"], strict=True):
        print(f"{a['label']:<42}{b['queries']:>8.0f}{a['p50']:>9.1f}{a['p95']:>9.1f}{b['p50']:>9.1f}{b['p95']:>9.1f}"
              f"{b['p50'] / a['p50']:>11.2f}")


if __name__ == "__main__":
    main()
