"""Exports at scale: time and peak RSS of the residents and cases exports, CSV and .xlsx, at two sizes.

    .venv/bin/python bench/exports.py                      # 100,000 and 1,000,000 rows
    .venv/bin/python bench/exports.py --small 20000 --large 100000 --communities 1  # shared machine
    BENCH_DB=linli_mine .venv/bin/python bench/exports.py --formats csv   # another database, CSV only

It creates the PostgreSQL database `linli_exp` (dropped at the end, also after an error), migrates it
with this checkout's `python -m linli`, and fills it with the project's generator (`linli generate-city
--scale street --cases N`: about 81,000 residents, then `--add-cases` up to the large size). Residents
beyond what the street holds are copies of generated ones made in SQL (same households, relation 其他,
a fresh lookup hash), so the row count can be exactly the one asked for.

Every export runs in a fresh child process as a superuser (everything in sight, masked, as the page's
导出 menu): the child calls the same `services.start` and writer as a request (CSV lines consumed as a
response would, .xlsx through openpyxl's write-only mode into a temporary file) and reports wall time
and its peak RSS (`resource.getrusage`). The line to read is the ratio of peak RSS, large / small,
which must stay within 1.10: memory holds one chunk of rows, not the export.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import BenchDatabase, admin_dsn  # noqa: E402

DBNAME = os.environ.get("BENCH_DB", "linli_exp")


class ExportDatabase(BenchDatabase):
    def __init__(self):
        super().__init__()
        self.name = DBNAME
        self.url = f"postgres://postgres@127.0.0.1:5432/{DBNAME}"
        self.dsn = admin_dsn(DBNAME)

    def linli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "linli", *args], cwd=ROOT, env=self.env(LINLI_DATA_DIR=DATA),
                              capture_output=True, text=True)
        if done.returncode:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise RuntimeError(f"linli {' '.join(args)} exited with {done.returncode}")
        return done.stdout

    def migrate(self) -> None:
        self.linli("migrate", "--no-input", "-v", "0")


DATA = tempfile.mkdtemp(prefix="linli-exp-bench-")


def _child_setup():
    import django

    django.setup()


def child_grow(target: int) -> None:
    """Copies of generated residents until there are `target` (one INSERT … SELECT per round)."""
    _child_setup()
    from django.db import connection

    from linli.people.models import Resident

    columns = [f.column for f in Resident._meta.concrete_fields if f.column not in ("id",)]
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM people_resident")
            have = cursor.fetchone()[0]
            if have >= target:
                break
            chosen = []
            for column in columns:
                chosen.append({"id_number_hash": "md5(id_number_hash || clock_timestamp()::text || id::text)",
                               "relation": "'other'", "user_id": "NULL"}.get(column, column))
            cursor.execute(f"INSERT INTO people_resident ({', '.join(columns)}) "
                           f"SELECT {', '.join(chosen)} FROM people_resident ORDER BY id LIMIT %s", [target - have])
    print(json.dumps({"residents": target}))


def child_export(key: str, fmt: str) -> None:
    _child_setup()
    from django.http import QueryDict

    from linli.accounts.models import User
    from linli.exports import services, writer

    actor = User.objects.filter(is_superuser=True).first()
    started = time.perf_counter()
    prepared = services.start(actor, key, QueryDict(f"format={fmt}&status=all" if key == "cases" else f"format={fmt}"))
    rows = prepared.total
    with tempfile.TemporaryFile() as out:
        if fmt == "csv":
            for chunk in writer.csv_lines(prepared.spec, prepared.queryset, prepared.filters, unmask=False, total=rows):
                out.write(chunk)
        else:
            writer.write_xlsx(out, prepared.spec, prepared.queryset, prepared.filters, unmask=False, total=rows)
        size = out.tell()
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "rss": rss, "bytes": size}))


def _child(db: ExportDatabase, *args: str) -> dict:
    env = db.env(LINLI_DATA_DIR=DATA, LINLI_EXPORT_INLINE_MAX=str(10**9))
    done = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise RuntimeError(f"child {args} exited with {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


FORMATS = ("csv", "xlsx")


def _measure(db, size: int, results: dict) -> None:
    for key in ("residents", "cases"):
        for fmt in FORMATS:
            got = _child(db, "export", key, fmt)
            results[(key, fmt, size)] = got
            print(f"{key:9} {fmt:4} {got['rows']:>9,} rows  {got['seconds']:7.1f} s  "
                  f"{got['rows'] / got['seconds']:9,.0f} rows/s  peak RSS {got['rss'] / 2**20:6.1f} MiB  "
                  f"file {got['bytes'] / 2**20:7.1f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=10,
                        help="communities of the generated street (10: about 75,000 residents)")
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or both (csv,xlsx)")
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    global FORMATS
    FORMATS = tuple(f for f in args.formats.split(",") if f in ("csv", "xlsx"))
    if args.child is not None:
        if args.child[0] == "grow":
            child_grow(int(args.child[1]))
        else:
            child_export(args.child[1], args.child[2])
        return
    print(f"CPUs {os.cpu_count()}, load {os.getloadavg()[0]:.1f}; database {DBNAME}", flush=True)
    results: dict = {}
    with ExportDatabase() as db:
        started = time.perf_counter()
        db.linli("generate-city", "--shape-json", json.dumps({"communities_per_street": args.communities}),
                 "--cases", str(args.small), "--no-rollups")
        db.linli("createsuperuser", "--no-input", "--username", "bench-admin", "--email", "bench@example.cn")
        _child(db, "grow", str(args.small))
        print(f"generated {args.small:,} residents and cases in {time.perf_counter() - started:.0f} s", flush=True)
        _measure(db, args.small, results)
        started = time.perf_counter()
        db.linli("generate-city", "--add-cases", str(args.large - args.small), "--no-rollups")
        _child(db, "grow", str(args.large))
        print(f"grown to {args.large:,} residents and cases in {time.perf_counter() - started:.0f} s", flush=True)
        _measure(db, args.large, results)
    print(f"\npeak RSS ratio {args.large:,} / {args.small:,} rows (must be ≤ 1.10):")
    for key in ("residents", "cases"):
        for fmt in FORMATS:
            ratio = results[(key, fmt, args.large)]["rss"] / results[(key, fmt, args.small)]["rss"]
            print(f"  {key:9} {fmt:4} {ratio:.3f}")


if __name__ == "__main__":
    main()
