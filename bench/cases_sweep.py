"""The 1341 sweep over many breached cases: `linli sla-sweep` on PostgreSQL.

    .venv/bin/python bench/cases_sweep.py                  # 1,000,000 cases
    .venv/bin/python bench/cases_sweep.py --cases 20000    # a quick check

It creates the database linli_bench_<pid>_sweep on 127.0.0.1:5432 (user postgres), migrates it,
builds the test suite's small place tree, and streams N open cases that are all past a deadline into
cases_case with COPY (constant memory): 60 % new, 20 % dispatched to the grid worker (both past the
10-minute "on site" limit), 20 % accepted but past the solve limit; 80 % held at the compound, 20 %
already at the community. Then it runs `linli sla-sweep --now T` as a separate process and times it
(wall clock, and the peak RSS of that process), checks that every case was escalated exactly once,
and runs the same sweep again to show it escalates nothing the second time.

Beside it, in the same run and on the same server, pgbench's rate of single-row INSERTs into a
scratch table, with one client (the sweep is one process on one connection) and with 8.
The database is dropped at the end, also on failure.
"""

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    VENV_BIN,
    BenchDatabase,
    build_world,
    django_setup,
    machine,
    pgbench_command,
    pgbench_insert_tps,
    print_machine,
    print_table,
)

COLUMNS = (
    "category_id", "tier", "channel", "description", "compound_id", "building_id", "address",
    "contact_name", "contact_phone", "reporter_id", "level", "status", "assignee_id", "handler_kind",
    "handling_body", "requested_at", "updated_at", "arrive_by", "solve_by", "dispatched_at", "accepted_at",
    "solution", "reopen_count", "supervised", "supervise_note", "rating", "rating_note", "follow_up_note",
    "description_original",
)


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=1_000_000, help="breached open cases to load (default 1,000,000)")
    p.add_argument("--batch-size", type=int, default=None, help="passed to sla-sweep (default: its own)")
    p.add_argument("--pgbench-seconds", type=int, default=15)
    return p.parse_args(argv)


def case_rows(n: int, now: dt.datetime, places: list[dict], category_id: int, worker_id: int, secret: tuple):
    """Rows for COPY, generated one at a time so memory stays flat whatever n is."""
    contact_name, contact_phone = secret
    week = 7 * 24 * 3600
    for i in range(n):
        place = places[i % len(places)]
        kind = i % 10
        # Filed between 2 hours and a week before `now`: every deadline (10 or 30 minutes) has passed.
        requested = now - dt.timedelta(seconds=2 * 3600 + (i * 7919) % week)
        status = "new" if kind < 6 else "dispatched" if kind < 8 else "accepted"
        assignee = worker_id if status != "new" else None
        yield (
            category_id, "ordinary", "online", f"{place['name']}{i % 30 + 1}号楼楼道灯不亮，请尽快维修（{i}）",
            place["compound_id"], place["building_id"] if i % 2 else None, "", contact_name, contact_phone,
            place["reporter_id"], "community" if i % 5 == 4 else "compound", status, assignee,
            "grid" if assignee else "", "", requested, requested,
            requested + dt.timedelta(minutes=10), requested + dt.timedelta(minutes=30),
            requested + dt.timedelta(minutes=2) if assignee else None,
            requested + dt.timedelta(minutes=8) if status == "accepted" else None,
            "", 0, False, "", "", "", "", "",
        )


def load(db: BenchDatabase, rows) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    with psycopg.connect(db.dsn) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY cases_case ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        conn.commit()
    elapsed = time.perf_counter() - started
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE cases_case")
    return count, elapsed


def sweep(db: BenchDatabase, at: dt.datetime, batch_size) -> tuple[float, int, int, str]:
    """One `linli sla-sweep` process: seconds, cases escalated, peak RSS in bytes, its output."""
    cmd = [str(VENV_BIN / "linli"), "sla-sweep", "--now", at.isoformat()]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    log = Path(f"/tmp/linli_bench_{os.getpid()}_sweep.out")
    started = time.perf_counter()
    with log.open("w+") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=db.env(), stdout=out, stderr=subprocess.STDOUT)
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in migrate and pgbench).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    log.unlink()
    if proc.returncode != 0:
        sys.stderr.write(text[-3000:])
        raise RuntimeError(f"sla-sweep exited with {proc.returncode}")
    match = re.search(r"escalated (\d+)", text)
    if match is None:
        raise RuntimeError(f"no count in sla-sweep output: {text[-500:]}")
    return elapsed, int(match.group(1)), usage.ru_maxrss * 1024, text


def main(argv):
    args = parse(argv)
    with BenchDatabase("sweep") as db:
        django_setup(db)
        from django.db import connections

        from linli.cases.models import Case, CaseEvent, Escalation, Notification, ServiceCategory
        from linli.core import crypto
        from linli.core.models import AuditEntry

        world = build_world()
        places = []
        for compound in (world.compound1, world.compound2, world.compound3, world.compound4):
            places.append({"compound_id": compound.pk, "name": compound.name,
                           "building_id": compound.buildings.values_list("pk", flat=True).first(),
                           "reporter_id": world.user("resident").pk if compound == world.compound1 else None})
        category_id = ServiceCategory.objects.filter(active=True).order_by("sort", "code").first().pk
        worker_id = world.user("grid_worker").pk
        secret = (crypto.encrypt("张秀英"), crypto.encrypt("13800138000"))
        connections.close_all()

        at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        loaded, load_seconds = load(db, case_rows(args.cases, at, places, category_id, worker_id, secret))

        first_seconds, escalated, first_rss, _ = sweep(db, at, args.batch_size)
        second_seconds, escalated_again, second_rss, _ = sweep(db, at, args.batch_size)

        counts = {
            "escalations": Escalation.objects.count(),
            "cases escalated once": Escalation.objects.values("case_id").distinct().count(),
            "events": CaseEvent.objects.filter(kind="escalated").count(),
            "notifications": Notification.objects.count(),
            "audit": AuditEntry.objects.filter(action="case.escalate").count(),
            "still breached": Case.objects.filter(arrive_by__lt=at, status__in=("new", "dispatched")).exclude(
                level="district").count(),
        }
        connections.close_all()

        tps1 = pgbench_insert_tps(db, 1, args.pgbench_seconds)
        tps8 = pgbench_insert_tps(db, 8, args.pgbench_seconds)
        info = machine(db)

    rate = escalated / first_seconds
    print(f"cases SLA sweep — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print_machine(info)
    print_table(f"linli sla-sweep over {loaded:,} breached open cases", [
        ("loaded with COPY", f"{loaded:,}", f"rows in {load_seconds:.1f} s"),
        ("load rate", f"{loaded / load_seconds:,.0f}", "rows/s"),
        ("sweep 1: time", f"{first_seconds:,.1f}", "s"),
        ("sweep 1: escalated", f"{escalated:,}", "cases"),
        ("sweep 1: rate", f"{rate:,.0f}", "cases/s"),
        ("sweep 1: peak RSS", f"{first_rss / 2**20:,.0f}", "MiB (the sweep process)"),
        ("sweep 2 (same --now): escalated", f"{escalated_again:,}", f"cases, in {second_seconds:.1f} s"),
        ("sweep 2: peak RSS", f"{second_rss / 2**20:,.0f}", "MiB"),
        ("escalation rows", f"{counts['escalations']:,}", f"on {counts['cases escalated once']:,} distinct cases"),
        ("timeline events / audit entries", f"{counts['events']:,}", f"/ {counts['audit']:,}"),
        ("notifications stored", f"{counts['notifications']:,}", ""),
        ("pgbench single-row INSERT, 1 client", f"{tps1:,.0f}", f"tps ({pgbench_command(1, args.pgbench_seconds)})"),
        ("pgbench single-row INSERT, 8 clients", f"{tps8:,.0f}", f"tps ({pgbench_command(8, args.pgbench_seconds)})"),
        ("sweep ÷ pgbench insert (1 client)", f"{rate / tps1 * 100:.1f}", "%"),
    ])
    ok = (escalated == loaded and escalated_again == 0 and counts["escalations"] == loaded
          and counts["cases escalated once"] == loaded and counts["still breached"] == 0)
    if not ok:
        print("\nFAILED: every case must be escalated exactly once and the second sweep must escalate none",
              file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
