"""Time and peak memory of generating demo data at a few scales, on a throw-away database.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/demo_load.py [copies ...]

Each run migrates a fresh database, then loads one shape; "copies" widens the demo shape
(more streets and communities) to see how time and memory grow. Memory is the tracemalloc peak of
Python allocations during generation (tracemalloc itself slows the run roughly threefold, so the
time is measured on a separate untraced run).
"""

import dataclasses
import os
import sys
import time
import tracemalloc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings_test")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from linli.demo.generator import SHAPES, generate  # noqa: E402
from linli.people.models import Resident  # noqa: E402


def fresh_database() -> None:
    if connection.vendor == "sqlite":
        connection.close()
        name = connection.settings_dict["NAME"]
        if os.path.exists(name):
            os.remove(name)
    call_command("migrate", verbosity=0)


def run(shape, traced: bool) -> tuple[float, int, int]:
    fresh_database()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with transaction.atomic():
        generate(shape, extensions=False)
    elapsed = time.perf_counter() - started
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, peak, Resident.objects.count()


def main(argv: list[str]) -> None:
    copies = [int(a) for a in argv] or [1, 4]
    print(f"database: {connection.vendor}")
    print(f"{'shape':<24}{'residents':>10}{'seconds':>9}{'res./s':>9}{'peak MB':>9}")
    for n in copies:
        demo = SHAPES["demo"]
        shape = dataclasses.replace(demo, name=f"demo x{n}", streets=demo.streets * n) if n > 1 else demo
        elapsed, _, residents = run(shape, traced=False)
        _, peak, _ = run(shape, traced=True)
        print(f"{shape.name:<24}{residents:>10,}{elapsed:>9.1f}{residents / elapsed:>9,.0f}{peak / 1e6:>9.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
