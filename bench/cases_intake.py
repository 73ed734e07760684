"""Case intake over HTTP: gunicorn on PostgreSQL, N concurrent clients POSTing /api/v1/cases.

    .venv/bin/python bench/cases_intake.py                 # 8 clients, 2,000 cases or 60 s
    .venv/bin/python bench/cases_intake.py --clients 64

It creates the database linli_bench_<pid>_intake on 127.0.0.1:5432 (user postgres), migrates it,
builds the test suite's small place tree, starts gunicorn against it on a free port, takes an API
token for the resident `resident1`, and lets the clients file cases through the public API with
keep-alive connections (each one the full intake: checks, the case row, its timeline event, the
audit entry and the notices to the compound's officers). Every answer must be 201.

Beside it, in the same run: the same clients against a bare Django JSON view (`bench/bare_json.py`: no
middleware, no database) served by the same gunicorn settings, the framework's floor, with intake's
rate as a share of it (goal: 20 % or more); and, on the same server, pgbench's rate of single-row INSERTs into a
scratch table with the same number of clients: the ceiling a write path could approach if it did
nothing but one insert per request. The database is dropped at the end, also on failure.
"""

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CONNECTION_ERRORS,
    BenchDatabase,
    HttpClient,
    Server,
    build_world,
    django_setup,
    machine,
    pgbench_command,
    pgbench_insert_tps,
    print_machine,
    print_table,
)


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    p.add_argument("--requests", type=int, default=2000, help="stop after this many cases (default 2000)")
    p.add_argument("--seconds", type=float, default=60, help="or after this many seconds (default 60)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    p.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    p.add_argument("--warmup", type=int, default=40, help="untimed requests first (default 40)")
    p.add_argument("--pgbench-seconds", type=int, default=15)
    p.add_argument("--floor-requests", type=int, default=0,
                   help="requests to the bare Django view (default: as many as intake sent, at least 2000)")
    return p.parse_args(argv)


def drive(port, token, payload_for, clients, limit, seconds):
    """Run `clients` threads until `limit` requests are sent or `seconds` pass; per-request results."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def take() -> int | None:
        nonlocal issued
        with lock:
            if issued >= limit or time.monotonic() >= deadline:
                return None
            issued += 1
            return issued

    def worker():
        client = HttpClient(port, token)
        mine, bad = [], []
        while (n := take()) is not None:
            started = time.perf_counter()
            try:
                status, body = client.post_json("/api/v1/cases", payload_for(n))
            except CONNECTION_ERRORS as exc:  # a refused or dropped connection counts as an error
                bad.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            if status == 201:
                mine.append(elapsed)
            else:
                bad.append(f"{status} {body[:200]!r}")
        client.close()
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


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def main(argv):
    args = parse(argv)
    with BenchDatabase("intake") as db:
        django_setup(db)
        from django.db import connections

        from linli.cases.models import Case, ServiceCategory

        world = build_world()
        category = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first()
        compound_id = world.compound1.pk
        connections.close_all()

        def payload_for(n: int) -> dict:
            return {"category": category.code, "compound": compound_id,
                    "description": f"3号楼楼道灯不亮，晚上出入不便，请尽快维修（压测第 {n} 件）"}

        with Server(db.env(), workers=args.workers, threads=args.threads) as server:
            token = server.token("resident1")
            _, _, warm_failures = drive(server.port, token, payload_for, args.clients, args.warmup, 60)
            if warm_failures:
                raise RuntimeError(f"warm-up failed: {warm_failures[:3]}")
            before = Case.objects.count()
            elapsed, latencies, failures = drive(server.port, token, payload_for, args.clients, args.requests,
                                                 args.seconds)
            stored = Case.objects.count() - before
            connections.close_all()
        server_log = server.text()
        if failures:
            print(f"{len(failures)} failed requests, e.g. {failures[:3]}", file=sys.stderr)
            sys.stderr.write(server_log[-3000:])

        floor_env = {k: v for k, v in db.env().items() if k != "DJANGO_SETTINGS_MODULE"}
        floor_env["PYTHONPATH"] = str(Path(__file__).resolve().parent)
        with Server(floor_env, workers=args.workers, threads=args.threads, app="bare_json:application",
                    cwd=Path(__file__).resolve().parent, label="floor") as floor:
            limit = args.floor_requests or max(2000, len(latencies))
            drive(floor.port, "", payload_for, args.clients, args.warmup, 60)
            floor_elapsed, floor_latencies, floor_failures = drive(floor.port, "", payload_for, args.clients,
                                                                   limit, args.seconds)
        if floor_failures:
            print(f"{len(floor_failures)} failed requests to the floor, e.g. {floor_failures[:3]}", file=sys.stderr)

        tps = pgbench_insert_tps(db, args.clients, args.pgbench_seconds)
        info = machine(db)

    latencies.sort()
    floor_latencies.sort()
    rate = len(latencies) / elapsed
    floor_rate = len(floor_latencies) / floor_elapsed
    print(f"cases intake over HTTP — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print_machine(info)
    print_table(f"POST /api/v1/cases, {args.clients} clients, gunicorn {args.workers} gthread workers × "
                f"{args.threads} threads", [
        ("cases filed (201)", f"{len(latencies):,}", f"in {elapsed:.1f} s"),
        ("cases stored", f"{stored:,}", "rows in cases_case"),
        ("errors", f"{len(failures):,}", "non-201 answers or dropped connections"),
        ("throughput", f"{rate:,.0f}", "cases/s"),
        ("latency p50", f"{percentile(latencies, 50) * 1000:,.1f}", "ms"),
        ("latency p99", f"{percentile(latencies, 99) * 1000:,.1f}", "ms"),
        ("latency max", f"{latencies[-1] * 1000 if latencies else float('nan'):,.1f}", "ms"),
        ("bare Django JSON view, same gunicorn", f"{floor_rate:,.0f}",
         f"requests/s (bench/bare_json.py), p99 {percentile(floor_latencies, 99) * 1000:,.1f} ms"),
        ("intake ÷ bare Django view", f"{rate / floor_rate * 100:.1f}", "% (goal ≥ 20 %)"),
        (f"pgbench single-row INSERT, {args.clients} clients", f"{tps:,.0f}",
         f"tps ({pgbench_command(args.clients, args.pgbench_seconds)})"),
        ("intake ÷ pgbench insert", f"{rate / tps * 100:.1f}", "%"),
    ])
    return 1 if failures or floor_failures or stored != len(latencies) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
