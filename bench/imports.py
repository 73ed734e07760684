"""Import of residents with their households from one .xlsx, beside the project's COPY writer, on PostgreSQL.

    .venv/bin/python bench/imports.py                      # 10,000 and 100,000 rows
    .venv/bin/python bench/imports.py --rows 2000 --profile

The database `linli_impbg` (BENCH_DB) on the local server is dropped, created and migrated; each row
count gets its own compound with one dwelling per three residents (the import creates households and
residents, never dwellings), a community secretary to import as, and an .xlsx written with openpyxl's
write-only mode (head, spouse, child per household; ID numbers as text).

Every measurement runs in a child process of its own, which prints its wall time and peak RSS
(`ru_maxrss`, its own only):
- import: `services.import_commit` as `linli import residents FILE --as USER` runs it: read, check every
  row, write all in one transaction (audited, encrypted), rows/s over the whole of it;
- COPY: the same households and residents written by the generated city's `CopyWriter`
  (`linli generate-city`): encryption and lookup hashes included, no checks, no audit, rolled back.
The database is dropped at the end.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "linli_impbg")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PER_HOUSEHOLD = 3
WORK = Path(os.environ.get("BENCH_TMP", "/tmp")) / "linli_bench_imports"


def child_env() -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"{PG}/{DB}", "DJANGO_SETTINGS_MODULE": "linli.settings", "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-only-for-throwaway-databases",
        "LINLI_DATA_KEY": "bGlubGktYmVuY2gtZGF0YS1rZXktMzItYnl0ZXMhISE=", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    return env


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args], env=child_env(),
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"child {args} failed")
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


# --- children ---------------------------------------------------------------------------------------

def id_number(i: int) -> str:
    """A valid ID number, distinct for each i (each row count starts its own at i = n, so they never meet)."""
    from linli.core.validators import id_check_char

    born = dt.date(1950, 1, 1) + dt.timedelta(days=i // 400)
    first17 = f"140105{born:%Y%m%d}{(i % 400) * 2 + 1:03d}"
    return first17 + id_check_char(first17)


def layout(n: int):
    """(building, entrance, room) for every household: 6 floors × 4 rooms a floor, 4 entrances a building."""
    for h in range((n + PER_HOUSEHOLD - 1) // PER_HOUSEHOLD):
        building, rest = divmod(h, 96)
        entrance, room = divmod(rest, 24)
        floor, door = divmod(room, 4)
        yield f"{building + 1}号楼", f"{entrance + 1}单元", f"{floor + 1}0{door + 1}"


def child_setup(n: int) -> dict:
    from openpyxl import Workbook

    from linli.accounts.models import Role
    from linli.imports.registers import get
    from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid
    from linli.testing import make_user

    district, _ = AdminUnit.objects.get_or_create(code="140105000000", defaults={"name": "小店区", "level": "district"})
    street, _ = AdminUnit.objects.get_or_create(code="140105001000", defaults={"name": "坞城街道", "level": "street",
                                                                                "parent": district})
    code = f"140105001{AdminUnit.objects.filter(level='community').count() + 1:03d}"
    community = AdminUnit.objects.create(code=code, name=f"基准社区{n}", level="community", parent=street)
    grid = Grid.objects.create(community=community, code=code + "001", name=f"基准网格{n}")
    compound = Compound.objects.create(community=community, name=f"基准小区{n}", kind="planned")
    buildings, entrances, dwellings = {}, {}, []
    places = list(layout(n))
    for b, _e, _room in places:
        if b not in buildings:
            buildings[b] = Building(compound=compound, number=b, grid=grid)
    Building.objects.bulk_create(buildings.values())
    for b, e, _room in places:
        if (b, e) not in entrances:
            entrances[(b, e)] = Entrance(building=buildings[b], number=e)
    Entrance.objects.bulk_create(entrances.values())
    dwellings = [Dwelling(entrance=entrances[(b, e)], number=room) for b, e, room in places]
    Dwelling.objects.bulk_create(dwellings, batch_size=2000)
    user = make_user(f"bench{n}", Role.COMMUNITY_SECRETARY, community)

    register = get("residents")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民")
    sheet.append([c.header for c in register.columns])
    relations = ("户主", "配偶", "子女")
    for i in range(n):
        b, e, room = places[i // PER_HOUSEHOLD]
        head = id_number(n + i - i % PER_HOUSEHOLD)
        k = i % PER_HOUSEHOLD
        values = {"community": community.name, "compound": compound.name, "building": b, "entrance": e,
                  "dwelling": room, "head_id_number": "" if k == 0 else head, "name": f"居民{i}",
                  "id_number": id_number(n + i), "phone": f"139{n + i:08d}", "relation": relations[k], "status": "户籍",
                  "is_owner": "是" if k == 0 else "否"}
        sheet.append([values.get(c.key, "") for c in register.columns])
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"residents-{n}.xlsx"
    book.save(path)
    return {"file": str(path), "bytes": path.stat().st_size, "user": user.username,
            "dwellings": [d.pk for d in dwellings]}


def child_import(path: str, username: str, profile: bool) -> dict:
    from linli.accounts.models import User
    from linli.imports import registers, services

    actor = User.objects.get(username=username)
    data = Path(path).read_bytes()
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    report = services.import_commit(actor=actor, register=registers.get("residents"), data=data,
                                    filename=Path(path).name, token=None)
    seconds = time.perf_counter() - started
    if profile:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(30)
    assert report.committed, [(r.number, r.reason) for r in report.rejected[:5]]
    return {"rows": len(report.rows), "seconds": seconds, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "counts": report.counts}


def child_copy(n: int, dwellings: list[int]) -> dict:
    from django.db import transaction

    from linli.core import crypto
    from linli.demo.city import CopyWriter, Progress
    from linli.people.models import Household, Resident, id_birth_date, id_gender, tail_hash

    started = time.perf_counter()
    with transaction.atomic():
        writer = CopyWriter(Progress(out=lambda text: None))
        households = [Household(dwelling_id=pk, number="") for pk in dwellings]
        writer.objects(Household, households)
        batch = []
        for i in range(n):
            number, phone = id_number(n + i), f"139{n + i:08d}"
            batch.append(Resident(
                name=f"居民{i}", id_number=number, id_number_hash=crypto.lookup_hash(number),
                id_number_tail_hash=tail_hash(number), phone=phone, phone_hash=crypto.lookup_hash(phone),
                phone_tail_hash=tail_hash(phone), birth_date=id_birth_date(number), gender=id_gender(number),
                household_id=households[i // PER_HOUSEHOLD].pk, relation="head", status="registered"))
            if len(batch) == 5000:
                writer.objects(Resident, batch)
                batch = []
        writer.objects(Resident, batch)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"rows": n, "seconds": seconds, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def child(argv: list[str]) -> None:
    import django

    django.setup()
    kind = argv[0]
    if kind == "setup":
        result = child_setup(int(argv[1]))
    elif kind == "import":
        result = child_import(argv[1], argv[2], argv[3] == "1")
    else:
        result = child_copy(int(argv[1]), json.loads(Path(argv[2]).read_text()))
    print(json.dumps(result))


# --- the run ----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--profile", action="store_true", help="cProfile the import, 30 costliest calls (cumulative, then own time)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB}"')
    try:
        subprocess.run([sys.executable, "-m", "linli", "migrate", "--no-input", "-v", "0"], env=child_env(),
                       cwd=ROOT, check=True)
        results = {}
        for n in args.rows:
            made = run_child("setup", str(n))
            ids = WORK / f"dwellings-{n}.json"
            ids.write_text(json.dumps(made["dwellings"]))
            copy = run_child("copy", str(n), str(ids))
            imported = run_child("import", made["file"], made["user"], "1" if args.profile else "0")
            results[n] = (made, imported, copy)
        print(f"\n{'rows':>9}{'file MB':>9}{'import s':>10}{'rows/s':>9}{'RSS MB':>8}{'COPY s':>9}{'COPY rows/s':>13}"
              f"{'COPY RSS MB':>13}")
        for n, (made, imported, copy) in results.items():
            print(f"{n:>9,}{made['bytes'] / 2**20:>9.1f}{imported['seconds']:>10.1f}"
                  f"{imported['rows'] / imported['seconds']:>9,.0f}{imported['rss'] / 1024:>8,.0f}"
                  f"{copy['seconds']:>9.1f}{copy['rows'] / copy['seconds']:>13,.0f}{copy['rss'] / 1024:>13,.0f}")
        if len(results) > 1:
            small, large = min(results), max(results)
            ratio = results[large][1]["rss"] / results[small][1]["rss"]
            print(f"import peak RSS {large:,} / {small:,} rows: {ratio:.2f}")
    finally:
        admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
