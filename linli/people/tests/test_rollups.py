"""The registry rollups give the same counts as counting the records, for every node, on every date,
and stay current through every write path."""

import datetime as dt
import importlib
import random
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from linli.core import clock
from linli.core.scoping import Scope
from linli.dashboard import selectors
from linli.people import rollups
from linli.people.models import (
    CareTag,
    Household,
    PartyMember,
    RegistryAnchor,
    RegistryCount,
    RegistryDirty,
    Resident,
    elderly_born_before,
)
from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid
from linli.places.tests.factories import BuildingFactory, DwellingFactory, EntranceFactory

TRIGGERS = importlib.import_module("linli.people.migrations.0004_registry_triggers")
TODAY = dt.date(2025, 6, 15)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


def _scopes(world) -> list[Scope]:
    """Every node: each unit, grid and compound, and everything."""
    scopes = [Scope(everything=True)]
    scopes += [Scope(unit_prefixes=(u.prefix,)) for u in AdminUnit.objects.all()]
    scopes += [Scope(grid_ids=(pk,)) for pk in Grid.objects.values_list("pk", flat=True)]
    scopes += [Scope(compound_ids=(pk,)) for pk in Compound.objects.values_list("pk", flat=True)]
    return scopes


def _assert_exact(world, day: dt.date) -> None:
    clock.freeze(_at(day))
    for scope in _scopes(world):
        rolled = {k: v for k, v in selectors.registry_counts(scope, day).items() if v}
        assert rolled == selectors.live_registry_counts(scope, day), (scope, day)


def _random_registry(world, seed: int, n: int = 80, *, check: bool = False) -> None:
    """Random households, residents (births around the 65 boundary too), tags and members across compounds,
    then random moves, edits and deletions through the ORM's bulk paths."""
    rng = random.Random(seed)
    # A second building of compound1 in grid2: a compound spread over two grids.
    extra = BuildingFactory(compound=world.compound1, grid=Grid.objects.get(code="140105001001002"), number="2号楼")
    DwellingFactory(entrance=EntranceFactory(building=extra, number="1单元"), number="101")
    tags = [CareTag.objects.create(code=f"tag{i}", name=f"关爱{i}") for i in range(3)]
    dwellings = list(Dwelling.objects.all())
    households = Household.objects.bulk_create([Household(dwelling=rng.choice(dwellings), number=f"R{i}")
                                                for i in range(n // 3)])
    boundary = elderly_born_before(TODAY)
    births = [boundary + dt.timedelta(days=rng.randrange(-500, 500)) for _ in range(n // 2)]
    births += [dt.date(rng.randrange(1930, 2020), rng.randrange(1, 13), rng.randrange(1, 29)) for _ in range(n // 2)]
    births += [None, boundary, boundary + dt.timedelta(days=1), dt.date(1960, 2, 29)]
    residents = Resident.objects.bulk_create([
        Resident(name=f"随机{i}", household=rng.choice(households), birth_date=born) for i, born in enumerate(births)])
    for resident in rng.sample(residents, len(residents) // 3):
        resident.care_tags.set(rng.sample(tags, rng.randrange(1, 3)))
    PartyMember.objects.bulk_create([PartyMember(resident=r, category=rng.choice(PartyMember.Category.values))
                                     for r in rng.sample(residents, len(residents) // 4)])
    # Moves and edits, set-wise, each checked on its own (a refresh in between, so no other mark hides a miss).
    if check:
        _assert_exact(world, TODAY)
    moved = [r.pk for r in rng.sample(residents, 10)]
    members = list(PartyMember.objects.values_list("pk", flat=True)[:3])
    gone = [r.pk for r in rng.sample(residents, 5) if not hasattr(r, "party_member")]
    gone_not = list(Resident.objects.filter(party_member__isnull=True).exclude(pk__in=gone)
                    .exclude(care_tags=tags[2]).values_list("pk", flat=True)[:2])
    steps = [
        lambda: Resident.objects.filter(pk__in=moved[:5]).update(household=rng.choice(households)),
        lambda: Resident.objects.filter(pk__in=moved[5:]).update(birth_date=boundary - dt.timedelta(days=3)),
        lambda: PartyMember.objects.filter(pk__in=members).update(category=PartyMember.Category.RETIRED),
        lambda: Resident.care_tags.through.objects.filter(caretag=tags[0], resident_id__in=moved).delete(),
        lambda: Household.objects.filter(pk=households[0].pk).update(dwelling=rng.choice(dwellings)),
        lambda: Dwelling.objects.filter(pk=dwellings[0].pk).update(
            entrance=Entrance.objects.filter(building=extra).get(), number="移入"),
        lambda: Entrance.objects.filter(pk=Entrance.objects.filter(building__compound=world.compound4).get().pk)
        .update(building=extra, number="2单元"),
        lambda: Building.objects.filter(pk=Building.objects.filter(compound=world.compound3).get().pk).update(
            grid=Grid.objects.get(code="140105001002001"), compound=world.compound2, number="9号楼"),
        lambda: Building.objects.filter(pk=extra.pk).update(grid=Grid.objects.get(code="140105001001001")),
        lambda: Resident.care_tags.through.objects.filter(resident_id__in=gone).delete(),
        lambda: Resident.objects.filter(pk__in=gone).delete(),
        lambda: Resident.objects.create(name="新来的", household=households[1], birth_date=boundary),
        lambda: Household.objects.create(dwelling=dwellings[-1], number="新户"),
        lambda: Household.objects.filter(number="新户").delete(),
        lambda: PartyMember.objects.create(resident_id=gone_not[0], category=PartyMember.Category.FLOATING),
        lambda: PartyMember.objects.filter(resident_id=gone_not[0]).delete(),
        lambda: Resident.objects.get(pk=gone_not[1]).care_tags.add(tags[2]),
        lambda: DwellingFactory(entrance=Entrance.objects.filter(building__compound=world.compound2).first(),
                                number="新房"),
        lambda: Dwelling.objects.filter(number="新房").delete(),
        lambda: BuildingFactory(compound=world.compound4, grid=Grid.objects.get(code="140105002001001"), number="新楼"),
        lambda: Building.objects.filter(number="新楼").delete(),
    ]
    for step in steps:
        step()
        if check:
            _assert_exact(world, TODAY)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_node_counts_what_counting_the_records_gives(world, seed):
    clock.freeze(_at(TODAY))
    _random_registry(world, seed, check=True)
    boundary = elderly_born_before(TODAY)
    # Today, birthdays today and tomorrow, a year back and forward, and a 29 February.
    for day in (TODAY, TODAY + dt.timedelta(days=1), TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=365),
                TODAY - dt.timedelta(days=300), dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2024, 2, 29)):
        _assert_exact(world, day)
    assert RegistryCount.objects.filter(measure=f"born:{boundary.isoformat()}").exists()


def test_birthdays_today_count_without_any_write(world):
    clock.freeze(_at(TODAY))
    turning = Resident.objects.create(name="今天满65", household=world.household1,
                                      birth_date=elderly_born_before(TODAY))
    Resident.objects.create(name="明天满65", household=world.household1,
                            birth_date=elderly_born_before(TODAY) + dt.timedelta(days=1))
    scope = Scope(compound_ids=(world.compound1.pk,))
    yesterday = selectors.registry_counts(scope, TODAY - dt.timedelta(days=1))["elderly"]
    assert selectors.registry_counts(scope, TODAY)["elderly"] == yesterday + 1
    assert selectors.registry_counts(scope, TODAY + dt.timedelta(days=1))["elderly"] == yesterday + 2
    assert turning.is_elderly


@pytest.mark.parametrize("seed", [4, 5])
def test_indicators_of_every_unit_equal_counting_live(world, monkeypatch, seed):
    clock.freeze(_at(TODAY))
    _random_registry(world, seed)
    for unit in AdminUnit.objects.all():
        for node in [selectors.node_for_unit(unit), *selectors.child_nodes(unit)]:
            rolled = selectors.indicators(node).as_dict()
            with monkeypatch.context() as m:
                m.setattr(selectors, "registry_counts", selectors.live_registry_counts)
                assert selectors.indicators(node).as_dict() == rolled


def test_a_date_far_from_the_anchor_is_counted_live(world):
    clock.freeze(_at(TODAY))
    rollups.refresh()
    far = TODAY + dt.timedelta(days=3 * 365)
    scope = Scope(everything=True)
    assert rollups.totals(scope, far) is None
    assert selectors.registry_counts(scope, far) == selectors.live_registry_counts(scope, far)
    clock.freeze(_at(far))
    rollups.rebuild()
    assert RegistryAnchor.objects.get().born_on_or_before == elderly_born_before(far)
    assert rollups.totals(scope, far) == selectors.live_registry_counts(scope, far)


def test_services_and_the_admin_keep_the_counts(world, client):
    from linli.core import services

    clock.freeze(_at(TODAY))
    rollups.refresh()
    scope = Scope(compound_ids=(world.compound1.pk,))
    before = selectors.registry_counts(scope, TODAY)
    resident = services.create(actor=world.user("admin"), model=Resident,
                               data={"name": "新居民", "household": world.household1})
    assert selectors.registry_counts(scope, TODAY)["residents"] == before["residents"] + 1
    services.delete(actor=world.user("admin"), instance=resident)
    assert selectors.registry_counts(scope, TODAY) == before
    client.force_login(world.user("admin"))
    client.post(f"/admin/people/resident/{world.neighbour.pk}/delete/", {"post": "yes"})
    assert selectors.registry_counts(scope, TODAY)["residents"] == before["residents"] - 1


def test_queries_do_not_grow_with_the_population(world):
    clock.freeze(_at(TODAY))
    rollups.refresh()
    node = selectors.node_for_unit(world.district)
    with CaptureQueriesContext(connection) as small:
        selectors.indicators(node)
    _random_registry(world, 9, n=200)
    rollups.refresh()
    with CaptureQueriesContext(connection) as large:
        selectors.indicators(node)
    assert len(small) == len(large)


def test_every_trigger_is_in_place(db):
    """A later migration that rebuilds one of the tables on SQLite drops its triggers: it must re-create them."""
    expected = {name for _table, name in TRIGGERS.trigger_names()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    assert expected <= present, sorted(expected - present)
    assert len(expected) == 19


def test_no_later_migration_rebuilds_a_watched_table_without_the_triggers():
    """Statically too: a migration after 0004 that alters a watched table must call create_sqlite_triggers."""
    from django.db.migrations.loader import MigrationLoader

    watched = {table for table, _name in TRIGGERS.trigger_names()}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = loader.graph.forwards_plan(("people", "0004_registry_triggers"))
    later = [key for key in loader.graph.leaf_nodes() if key[0] in ("people", "places")]
    for app, name in {node for leaf in later for node in loader.graph.forwards_plan(leaf)} - set(plan):
        if app not in ("people", "places"):
            continue
        migration = loader.get_migration(app, name)
        source = importlib.import_module(migration.__module__).__loader__.get_source(migration.__module__)
        alters = any(type(op).__name__ in ("AlterField", "RemoveField", "RenameField", "AddField")
                     and f"{app}_{op.model_name}" in watched for op in migration.operations)
        assert not alters or "create_sqlite_triggers" in source, f"{app}.{name} 重建了带触发器的表"


def test_command_refreshes_rebuilds_and_verifies(world):
    clock.freeze(_at(TODAY))
    out = StringIO()
    call_command("registry-rollups", stdout=out)
    assert "个小区的户籍人口汇总" in out.getvalue()
    call_command("registry-rollups", "--verify", stdout=out)
    assert "一致" in out.getvalue()
    RegistryCount.objects.filter(measure="residents").update(n=99)
    with pytest.raises(CommandError, match="不一致"):
        call_command("registry-rollups", "--verify", stdout=out, stderr=StringIO())
    call_command("registry-rollups", "--rebuild", stdout=out)
    assert "已重建户籍人口汇总" in out.getvalue()
    assert rollups.drift() == [] and not RegistryDirty.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_and_refreshes_lose_nothing():
    """Writers and refreshers racing on PostgreSQL: no error, and the counts end equal to the records."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is PostgreSQL's")
    from linli.testing import build_world

    world = build_world()
    clock.freeze(_at(TODAY))
    dwellings = list(Dwelling.objects.values_list("pk", flat=True))
    errors = []

    def writer(seed):
        try:
            rng = random.Random(seed)
            for i in range(15):
                household = Household.objects.create(dwelling_id=rng.choice(dwellings), number=f"W{seed}-{i}")
                made = Resident.objects.bulk_create([
                    Resident(name=f"并发{seed}-{i}-{k}", household=household,
                             birth_date=elderly_born_before(TODAY) + dt.timedelta(days=rng.randrange(-3, 3)))
                    for k in range(3)])
                if i % 3 == 0:
                    Resident.objects.filter(pk=made[0].pk).update(household=world.household1)
        except Exception as e:  # noqa: BLE001  # pragma: no cover - any failure in a thread is reported below
            errors.append(e)
        finally:
            connections.close_all()

    def refresher():
        try:
            for _ in range(10):
                rollups.refresh()
        except Exception as e:  # noqa: BLE001  # pragma: no cover - any failure in a thread is reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
    threads += [threading.Thread(target=refresher) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert rollups.drift() == []
    scope = Scope(everything=True)
    assert rollups.totals(scope, TODAY)["residents"] == Resident.objects.count() == 3 + 3 * 15 * 3


def test_the_demo_generator_and_the_city_writer_keep_the_counts(db, monkeypatch):
    from linli.demo.generator import SHAPES, generate

    monkeypatch.setattr("linli.demo.generator.extension_modules", lambda: [])
    generate(SHAPES["small"], seed=3)
    assert RegistryDirty.objects.exists()
    assert rollups.drift() == []
    assert rollups.totals(Scope(everything=True), clock.today())["residents"] == Resident.objects.count()


def test_an_import_keeps_the_counts(world, tmp_path):
    from linli.imports import engine, services
    from linli.imports.registers import get
    from linli.imports.tests.helpers import family, write_xlsx

    DwellingFactory(entrance=Entrance.objects.get(building__compound=world.compound1, number="1单元"), number="102")
    rollups.refresh()
    scope = Scope(compound_ids=(world.compound1.pk,))
    before = selectors.registry_counts(scope, clock.today())
    actor, register = world.user("community_secretary"), get("residents")
    data = write_xlsx(tmp_path / "family.xlsx", family()).read_bytes()
    report = services.import_commit(actor=actor, register=register, data=data, filename="family.xlsx",
                                    token=engine.check_token(actor, register, data))
    assert report.committed
    after = selectors.registry_counts(scope, clock.today())
    assert (after["residents"], after["households"]) == (before["residents"] + 3, before["households"] + 1)
    assert rollups.drift() == []


def test_generate_city_leaves_the_counts_built_and_nothing_pending(db):
    import json

    from linli.demo.tests.test_generate_city import TINY

    out = StringIO()
    call_command("generate-city", "--shape-json", json.dumps(TINY), "--cases", "0", "--seed", "7", stdout=out)
    assert "户籍人口汇总" in out.getvalue()
    assert not RegistryDirty.objects.exists() and RegistryCount.objects.exists()
    assert rollups.drift() == []
