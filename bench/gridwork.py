"""Grid work figures at city scale: a month of a 12,000-worker city's logs, then the community's and the
district's monthly figures read from the rollups, beside the same figures counted from the records.

    .venv/bin/python bench/gridwork.py [--workers 12000] [--reads 30] [--db linli_bench_gridwork] [--keep]

Creates the database `--db` on the local server (BENCH_PG_HOST/PORT/USER), migrates it, writes the
place tree (districts of 10 streets of 10 communities of 20 grids, one worker a grid) with bulk_create
and the month's check-ins, patrols with their stops, findings and visits with COPY (the triggers mark
the workers as for any write), refreshes the rollups, then times, as a community secretary and as a
district officer, the node's month summed by the database (`figures.node_total`) and the team page's and
API's reading (`figures.team_month`: each worker's, each grid's and the total): p50/p95 of `--reads`
reads, each checked equal to the baseline, the same figures counted from the records
(`figures.count_live`, what the pages did before the rollups).
Then the cockpit's grid-work figures of the first district, its first street
(`cockpit.selectors.grid_month`) and all its streets at once (`grid_months_of`) beside what the cockpit read before (every worker's month counted
from the records), checked equal. Drops the database at the end unless `--keep`.

Per worker and month: the working days (21 in November 2026) with a check-in, 2 patrols a day of 12 buildings each, a finding
on every second patrol, 8 visits a day — 756 rows a worker, 9.07 million for 12,000 workers.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = (os.environ.get("BENCH_PG_HOST", "127.0.0.1"), os.environ.get("BENCH_PG_PORT", "5432"),
      os.environ.get("BENCH_PG_USER", "postgres"))
GRIDS_PER_COMMUNITY, COMMUNITIES_PER_STREET, STREETS_PER_DISTRICT = 20, 10, 10
BUILDINGS_PER_COMMUNITY, STOPS, PATROLS_A_DAY, VISITS_A_DAY = 12, 12, 2, 8
MONTH = dt.date(2026, 11, 1)


def _dsn(db):
    return f"host={PG[0]} port={PG[1]} user={PG[2]} dbname={db}"


def _places(n_workers, rng):
    from linli.accounts.models import Assignment, Role, User
    from linli.people.models import GridWorker, Household
    from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid

    n_communities = -(-n_workers // GRIDS_PER_COMMUNITY)
    n_streets = -(-n_communities // COMMUNITIES_PER_STREET)
    n_districts = -(-n_streets // STREETS_PER_DISTRICT)
    districts = AdminUnit.objects.bulk_create(
        [AdminUnit(code=f"1401{d + 1:02d}000000", name=f"第{d + 1}区", level="district") for d in range(n_districts)])
    streets = AdminUnit.objects.bulk_create(
        [AdminUnit(code=f"{districts[s // STREETS_PER_DISTRICT].code[:6]}{s % STREETS_PER_DISTRICT + 1:03d}000",
                   name=f"第{s + 1}街道", level="street", parent=districts[s // STREETS_PER_DISTRICT])
         for s in range(n_streets)])
    communities = AdminUnit.objects.bulk_create(
        [AdminUnit(code=f"{streets[c // COMMUNITIES_PER_STREET].code[:9]}{c % COMMUNITIES_PER_STREET + 1:03d}",
                   name=f"第{c + 1}社区", level="community", parent=streets[c // COMMUNITIES_PER_STREET])
         for c in range(n_communities)])
    grids = Grid.objects.bulk_create(
        [Grid(community=communities[g // GRIDS_PER_COMMUNITY], name=f"第{g + 1}网格",
              code=f"{communities[g // GRIDS_PER_COMMUNITY].code}{g % GRIDS_PER_COMMUNITY + 1:03d}")
         for g in range(n_workers)])
    compounds = Compound.objects.bulk_create([Compound(community=c, name=f"{c.name}小区", kind="planned")
                                              for c in communities])
    buildings = Building.objects.bulk_create(
        [Building(compound=compounds[c], number=f"{b + 1}号楼", grid=grids[c * GRIDS_PER_COMMUNITY + b % GRIDS_PER_COMMUNITY])
         for c in range(n_communities) for b in range(BUILDINGS_PER_COMMUNITY)])
    entrances = Entrance.objects.bulk_create([Entrance(building=buildings[c * BUILDINGS_PER_COMMUNITY], number="1单元")
                                              for c in range(n_communities)])
    dwellings = Dwelling.objects.bulk_create([Dwelling(entrance=e, number="101") for e in entrances])
    households = Household.objects.bulk_create([Household(dwelling=d) for d in dwellings])
    workers = GridWorker.objects.bulk_create([GridWorker(name=f"网格员{w + 1}") for w in range(n_workers)])
    GridWorker.grids.through.objects.bulk_create(
        [GridWorker.grids.through(gridworker_id=w.pk, grid_id=g.pk) for w, g in zip(workers, grids, strict=True)])
    secretary = User.objects.create_user("bench_secretary", password=None)
    officer = User.objects.create_user("bench_district", password=None)
    Assignment.objects.create(user=secretary, role=Role.COMMUNITY_SECRETARY, unit=communities[0])
    Assignment.objects.create(user=officer, role=Role.DISTRICT_OFFICER, unit=districts[0])
    per_community = [([b.pk for b in buildings[c * BUILDINGS_PER_COMMUNITY:(c + 1) * BUILDINGS_PER_COMMUNITY]],
                      households[c].pk) for c in range(n_communities)]
    return workers, grids, per_community, secretary, officer


def _logs(workers, grids, per_community, rng, cursor):
    """COPY the month's rows table by table; returns {table: rows}."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    days = [MONTH + dt.timedelta(days=d) for d in range(31) if (MONTH + dt.timedelta(days=d)).month == MONTH.month
            and (MONTH + dt.timedelta(days=d)).weekday() < 5]
    mornings = [timezone.make_aware(dt.datetime.combine(day, dt.time(8)), tz) for day in days]
    minute = dt.timedelta(minutes=1)
    counts = {}

    def text(value):
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return str(value)

    def copy(table, columns, rows):
        """COPY in text format, written in blocks of 10,000 lines."""
        n, block = 0, []
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
            for row in rows:
                block.append("\t".join(map(text, row)))
                n += 1
                if len(block) == 10_000:
                    out.write("\n".join(block) + "\n")
                    block = []
            if block:
                out.write("\n".join(block) + "\n")
        counts[table] = n

    def next_ids(table, n):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"nextval(pg_get_serial_sequence('{table}', 'id')) + %s) - %s", [n, n])
        return cursor.fetchone()[0]

    def check_ins():
        for w, g in zip(workers, grids, strict=True):
            for morning in mornings:
                at = morning + rng.randrange(0, 60) * minute
                yield (w.pk, g.pk, at, at + rng.randrange(420, 540) * minute, at.minute <= 30 and at.hour == 8, "")
    copy("gridwork_checkin", ("worker_id", "grid_id", "checked_in_at", "checked_out_at", "on_time", "photo"),
         check_ins())

    n_patrols = len(workers) * len(mornings) * PATROLS_A_DAY
    first = next_ids("gridwork_patrol", n_patrols)
    patrols = []  # (id, worker, community index, started)
    pid = first
    for i, (w, g) in enumerate(zip(workers, grids, strict=True)):
        for morning in mornings:
            for k in range(PATROLS_A_DAY):
                patrols.append((pid, w.pk, g.pk, i // GRIDS_PER_COMMUNITY, morning + (90 + 240 * k) * minute))
                pid += 1
    copy("gridwork_patrol", ("id", "worker_id", "grid_id", "started_at", "ended_at", "note"),
         ((p, w, g, at, at + 60 * minute, "") for p, w, g, _c, at in patrols))
    copy("gridwork_patrolstop", ("patrol_id", "building_id", "at"),
         ((p, b, at + s * 5 * minute) for p, _w, _g, c, at in patrols
          for s, b in enumerate(per_community[c][0][:STOPS])))
    copy("gridwork_finding", ("patrol_id", "building_id", "category", "text_original", "text", "photo", "at"),
         ((p, per_community[c][0][0], "other", "", "楼道堆物", "", at + 7 * minute)
          for n, (p, _w, _g, c, at) in enumerate(patrols) if n % 2 == 0))
    purposes = ["care", "information", "policy", "service"]

    def visits():
        for i, (w, g) in enumerate(zip(workers, grids, strict=True)):
            household = per_community[i // GRIDS_PER_COMMUNITY][1]
            for morning in mornings:
                for k in range(VISITS_A_DAY):
                    at = morning + (60 + 50 * k) * minute
                    yield (w.pk, household, g.pk, at, rng.randrange(20, 50), purposes[k % 4], "", "", "", at)
    copy("gridwork_visit", ("worker_id", "household_id", "grid_id", "visited_at", "minutes", "purpose",
                            "notes_original", "notes", "follow_up", "recorded_at"), visits())
    return counts


def _time(fn, n):
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95 + 0.5) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=12_000)
    parser.add_argument("--reads", type=int, default=30)
    parser.add_argument("--live-reads", type=int, default=3)
    parser.add_argument("--db", default="linli_bench_gridwork")
    parser.add_argument("--keep", action="store_true", help="不删除基准测试数据库")
    args = parser.parse_args()
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    os.environ["DATABASE_URL"] = f"postgres://{PG[2]}@{PG[0]}:{PG[1]}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    os.environ.setdefault("DEBUG", "0")
    from bench._common import BENCH_DATA_KEY, BENCH_SECRET_KEY

    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("LINLI_DATA_KEY", BENCH_DATA_KEY)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    try:
        _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def _run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from linli.core import clock
    from linli.gridwork import figures, rollups, selectors
    from linli.gridwork.models import WorkMonth

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"迁移 {time.perf_counter() - started:.1f} 秒")
    rng = random.Random(17)
    started = time.perf_counter()
    with transaction.atomic():
        workers, grids, per_community, secretary, officer = _places(args.workers, rng)
    print(f"区划、网格、网格员 {len(workers):,} 人：{time.perf_counter() - started:.1f} 秒")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        counts = {}
        for _ in range(1):
            with transaction.atomic():
                counts = _logs(workers, grids, per_community, rng, cursor.cursor)
    rows = sum(counts.values())
    elapsed = time.perf_counter() - started
    print(f"一个月的记录 {rows:,} 行（COPY）：{elapsed:.1f} 秒，{rows / elapsed:,.0f} 行/秒")
    for table, n in counts.items():
        print(f"  {table}: {n:,}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    done = rollups.refresh()
    print(f"汇总刷新（{done:,} 个网格员·月）：{time.perf_counter() - started:.1f} 秒；"
          f"月度汇总 {WorkMonth.objects.count():,} 行")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock.freeze(clock.now().replace(year=2026, month=12, day=8))

    def node(actor):
        return figures.node_total(selectors.workers_visible_to(actor=actor), MONTH)

    def team(actor):
        months, total, grids = figures.team_month(selectors.workers_visible_to(actor=actor), MONTH)
        return total, grids, len(months)

    def count(actor):
        workers_ = list(selectors.workers_visible_to(actor=actor))
        months = figures.count_live(workers_, MONTH)
        return figures.total(months), figures.by_grid(workers_, months), len(workers_)

    print(f"读取 {MONTH:%Y-%m} 月度统计：汇总每项 {args.reads} 次，按记录现数（基线）{args.live_reads} 次")
    print(f"{'读取':<30}{'网格员':>8}{'p50 ms':>10}{'p95 ms':>10}{'查询数':>8}")
    for unit, actor in (("社区", secretary), ("区县", officer)):
        node(actor)
        live_total, _g, n = count(actor)
        for label, fn in ((f"{unit}合计（汇总，数据库求和）", node), (f"{unit}每人每网格（汇总）", team)):
            with CaptureQueriesContext(connection) as queries:
                got = fn(actor)
            got = got if isinstance(got, figures.Month) else got[0]
            assert got.as_dict() == live_total.as_dict(), (label, got.as_dict(), live_total.as_dict())
            assert got.below_rule == live_total.below_rule, (label, got.below_rule[:5], live_total.below_rule[:5])
            p50, p95 = _time(lambda a=actor, f=fn: f(a), args.reads)
            print(f"{label:<26}{n:>8,}{p50:>10.1f}{p95:>10.1f}{len(queries):>8}")
        p50, p95 = _time(lambda a=actor: count(a), args.live_reads)
        print(f"{unit + '每人每网格（按记录现数，基线）':<24}{n:>8,}{p50:>10.1f}{p95:>10.1f}")
        total = live_total
    print(f"区县本月：巡查 {total.patrols:,}，发现 {total.findings:,}，走访 {total.visits:,}，"
          f"走访占比 {total.visit_share:.1%}，按时报到 {total.punctuality:.1%}")
    _cockpit(args, officer, MONTH)


def _cockpit(args, officer, month) -> None:
    """The cockpit's grid-work figures of the district and of a street (`cockpit.selectors.grid_month`),
    beside what the cockpit did before in the same run: every worker's month counted from the records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from linli.cockpit import selectors as cockpit
    from linli.gridwork import figures
    from linli.people.models import GridWorker
    from linli.places.models import AdminUnit, Grid

    period = cockpit.periods(month, cockpit._month_end(month))[0]
    until = timezone.make_aware(dt.datetime.combine(period.until + dt.timedelta(days=1), dt.time.min))

    def before(node):
        grids = cockpit.visible(Grid.objects.all(), node.dashboard_node().scope)
        ids = (GridWorker.grids.through.objects.filter(grid__in=grids).order_by("gridworker_id")
               .values_list("gridworker_id", flat=True).distinct())
        workers = [type("W", (), {"pk": pk, "name": ""}) for pk in ids]
        return figures.total(figures.per_worker(workers, period.since, until=until))

    print(f"驾驶舱网格工作（{period.text}）：汇总 {args.reads} 次，按记录现数（此前的做法，基线）{args.live_reads} 次")
    print(f"{'节点':<12}{'网格员':>8}{'汇总 p50/p95 ms':>20}{'查询数':>8}{'基线 p50/p95 ms':>22}{'倍数':>8}")
    district = AdminUnit.objects.filter(level="district").order_by("pk").first()
    street = AdminUnit.objects.filter(parent=district).order_by("pk").first()
    for unit in (district, street):
        node = cockpit.node_in_sight(officer, "unit", unit.pk)
        got, old = cockpit.grid_month(node, period), before(node)
        for attr in ("patrols", "findings", "visits", "visit_minutes", "working_minutes"):
            assert getattr(got, attr) == getattr(old, attr), (unit.name, attr)
        with CaptureQueriesContext(connection) as queries:
            cockpit.grid_month(node, period)
        p50, p95 = _time(lambda n=node: cockpit.grid_month(n, period), args.reads)
        b50, b95 = _time(lambda n=node: before(n), args.live_reads)
        print(f"{unit.name:<12}{got.workers:>8,}{f'{p50:.1f} / {p95:.1f}':>20}{len(queries):>8}"
              f"{f'{b50:.1f} / {b95:.1f}':>22}{b50 / p50:>8.1f}")
    # the district's streets, all at once, beside each street counted from the records
    node = cockpit.node_in_sight(officer, "unit", district.pk)
    children = cockpit.children_of(officer, node)
    got = cockpit.grid_months_of(children, period)
    for child, month_ in zip(children, got, strict=True):
        old = before(child)
        assert (month_.patrols, month_.visits, month_.working_minutes) == (old.patrols, old.visits,
                                                                           old.working_minutes), child.label
    with CaptureQueriesContext(connection) as queries:
        cockpit.grid_months_of(children, period)
    p50, p95 = _time(lambda: cockpit.grid_months_of(children, period), args.reads)
    b50, b95 = _time(lambda: [before(child) for child in children], args.live_reads)
    label = f"下辖{len(children)}个街道"
    print(f"{label:<12}{sum(m.workers for m in got):>8,}{f'{p50:.1f} / {p95:.1f}':>20}{len(queries):>8}"
          f"{f'{b50:.1f} / {b95:.1f}':>22}{b50 / p50:>8.1f}")


if __name__ == "__main__":
    main()
