import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from linli.cases.models import Case, Status
from linli.core.validators import validate_admin_code, validate_id_number, validate_phone
from linli.demo import city
from linli.demo.generator import CITY_SHAPES, DEFAULT_ANCHOR, Geometry, Shape
from linli.people.models import PartyMember, Resident
from linli.places.models import AdminUnit, Compound, Dwelling, Grid

TINY = {"districts": 2, "streets": 1, "communities_per_street": 2, "compounds_per_community": 3,
        "grids_per_community": 2, "property_companies": 4,
        "planned": {"buildings": [1, 2], "entrances": [1, 1], "floors": [3, 4]},
        "old_courtyard": {"buildings": [1, 1], "entrances": [1, 1], "floors": [3, 4]},
        "scattered": {"buildings": [1, 1], "entrances": [1, 1], "floors": [2, 3]}}
TINY_SHAPE = Shape(name="tiny", districts=2, streets=1, communities_per_street=2, compounds_per_community=3,
                   grids_per_community=2, property_companies=4,
                   planned=Geometry(buildings=(1, 2), entrances=(1, 1), floors=(3, 4)),
                   old_courtyard=Geometry(buildings=(1, 1), entrances=(1, 1), floors=(3, 4)),
                   scattered=Geometry(buildings=(1, 1), entrances=(1, 1), floors=(2, 3)))


def run(*args) -> str:
    out = io.StringIO()
    call_command("generate-city", *args, stdout=out)
    return out.getvalue()


def quiet(_line):
    pass


def snapshot() -> dict:
    return {
        "units": list(AdminUnit.objects.order_by("code").values_list("code", "name", "level")),
        "compounds": list(Compound.objects.order_by("id").values_list("name", "kind")),
        "residents": [(r.name, r.id_number, r.phone) for r in Resident.objects.order_by("id")],
        "cases": [(c.status, c.level, c.description, c.contact_name, c.contact_phone, c.requested_at)
                  for c in Case.objects.order_by("id")],
    }


def generate_and_roll_back(seed: int, *, copy: bool | None = None) -> tuple[dict, dict]:
    from linli.testing import table_counts

    with transaction.atomic():
        city.generate_city(TINY_SHAPE, seed, 60, copy=copy, out=quiet)
        taken, counts = snapshot(), table_counts()
        transaction.set_rollback(True)
    return taken, counts


def test_tiny_shape_gives_the_counts_of_its_shape_and_prints_rates(db):
    # when a tiny custom shape is generated with 80 cases
    out = run("--shape-json", json.dumps(TINY), "--cases", "80", "--seed", "7")
    # then the place tree has exactly the shape's numbers
    assert AdminUnit.objects.filter(level="district").count() == 2
    assert AdminUnit.objects.filter(level="street").count() == 2
    assert AdminUnit.objects.filter(level="community").count() == 4
    assert Compound.objects.count() == 12
    assert Grid.objects.count() == 8
    assert Dwelling.objects.count() > 0 and Resident.objects.count() > Dwelling.objects.count() // 2
    assert PartyMember.objects.count() > 0
    assert Case.objects.count() == 80
    # and the second district is another district of the same city
    assert set(AdminUnit.objects.filter(level="district").values_list("code", flat=True)) == {
        "140105000000", "140106000000"}
    # and progress, rates, the encryption cost and the peak memory are printed
    assert "社区 4/4" in out and "行/秒" in out
    assert "crypto.encrypt" in out and "内存峰值（RSS）" in out
    # and on PostgreSQL a bare COPY measured in the same run stands beside the rates
    assert ("基线（同次运行）" in out) == (connection.vendor == "postgresql")


def test_generated_ids_are_valid_and_cases_are_in_every_state(db):
    # when
    city.generate_city(TINY_SHAPE, 11, 40, out=quiet)
    # then every code, ID number and phone passes the validators the forms use
    for code, level in AdminUnit.objects.values_list("code", "level"):
        validate_admin_code(code, level)
    for resident in Resident.objects.all():
        validate_id_number(resident.id_number)
        if resident.phone:
            validate_phone(resident.phone)
    for case in Case.objects.all():
        validate_phone(case.contact_phone)
        assert case.contact_name
        assert case.arrive_by > case.requested_at and case.solve_by >= case.arrive_by
    # and the cases take every state, spread over two years
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    first = Case.objects.order_by("requested_at").first().requested_at
    last = Case.objects.order_by("requested_at").last().requested_at
    assert (last - first).days > 300
    # and closed cases carry their solution and rating, new ones none
    assert not Case.objects.filter(status="closed", closed_at__isnull=True).exists()
    assert not Case.objects.filter(status="new", dispatched_at__isnull=False).exists()


def test_encrypted_columns_hold_ciphertexts(db):
    # when
    city.generate_city(TINY_SHAPE, 11, 10, out=quiet)
    # then the stored columns are ciphertexts, not the plain values
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM people_resident LIMIT 5")
        for stored, digest in cursor.fetchall():
            assert stored.startswith("v1:") and len(digest) == 64
        cursor.execute("SELECT contact_phone FROM cases_case LIMIT 5")
        assert all(row[0].startswith("v1:") for row in cursor.fetchall())


def test_same_seed_same_city_other_seed_other_city(db):
    # when
    first, _ = generate_and_roll_back(5)
    again, _ = generate_and_roll_back(5)
    other, _ = generate_and_roll_back(6)
    # then
    assert first == again
    assert first["residents"] != other["residents"]
    assert first["cases"] != other["cases"]


def test_refuses_a_database_that_already_has_places(db):
    # given
    city.generate_city(TINY_SHAPE, 1, 0, out=quiet)
    # when / then
    with pytest.raises(CommandError):
        run("--shape-json", json.dumps(TINY), "--cases", "0")


def test_city_shapes_are_in_proportion():
    # then street ≈ 1/60 and district ≈ 1/6 of the city, which has 6 districts, 60 streets, 600 communities
    c, d, s = CITY_SHAPES["city"], CITY_SHAPES["district"], CITY_SHAPES["street"]
    assert c.districts * c.streets * c.communities_per_street == 600
    assert c.districts * c.streets * c.communities_per_street * c.grids_per_community == 12_000
    assert c.cases == 10_000_000
    assert round(c.cases / d.cases) == 6 and round(c.cases / s.cases) == 60
    assert d.streets * d.communities_per_street * 6 == 600 and s.communities_per_street * 60 == 600


@pytest.mark.postgres
def test_copy_writes_what_bulk_create_writes(db):
    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    # when the same seed is loaded once with COPY and once with bulk_create
    by_copy, copy_counts = generate_and_roll_back(9, copy=True)
    by_bulk, bulk_counts = generate_and_roll_back(9, copy=False)
    # then every table has the same number of rows, and the rows say the same
    assert copy_counts == bulk_counts
    assert copy_counts["cases.case"] == 60
    assert by_copy == by_bulk


def case_keys() -> set:
    return {(c.requested_at, c.contact_name, c.contact_phone, c.compound_id)
            for c in Case.objects.order_by("id")}


def test_add_cases_refuses_a_database_without_a_city(db):
    # when / then
    with pytest.raises(CommandError, match="还没有城市数据"):
        run("--add-cases", "10")
    assert Case.objects.count() == 0


def test_add_cases_appends_new_cases_over_the_same_window_and_leaves_the_registry_alone(db):
    from linli.core.models import AuditEntry
    from linli.testing import table_counts

    # given a tiny city with 30 cases
    run("--shape-json", json.dumps(TINY), "--cases", "30", "--seed", "7")
    first = case_keys()
    before = table_counts()
    # when as many cases again are added (the same number, so the first load's stream would repeat them)
    out = run("--add-cases", "30")
    # then there are 60 cases, none a repeat of the first 30
    assert "种子 7，第 1 部分" in out and "crypto.encrypt" in out and "内存峰值（RSS）" in out
    added = case_keys() - first
    assert Case.objects.count() == 60 and len(added) == 30
    # and they are filed over the same two years, up to the same end
    end = city.case_window_end(DEFAULT_ANCHOR)
    window = [c.requested_at for c in Case.objects.order_by("id")]
    assert all(end - dt.timedelta(days=365 * city.CASE_YEARS) <= at < end for at in window)
    assert max(window[30:]) - min(window[30:]) > dt.timedelta(days=300)
    # and only the cases table (and the audit log) changed
    after = table_counts()
    changed = {label for label in after if after[label] != before[label]}
    assert changed == {"cases.case", "core.auditentry"}
    # and the next addition takes the next part, while a part already loaded is refused
    assert "第 2 部分" in run("--add-cases", "5")
    assert len(case_keys()) == 65
    with pytest.raises(CommandError, match="已经追加过"):
        run("--add-cases", "5", "--part", "1")
    assert AuditEntry.objects.filter(action="generate_city_cases").count() == 2


def test_add_cases_refuses_to_be_mixed_with_a_new_city(db):
    # given
    city.generate_city(TINY_SHAPE, 1, 0, out=quiet)
    # when / then
    with pytest.raises(CommandError, match="不能与"):
        run("--add-cases", "5", "--cases", "5")
    assert Case.objects.count() == 0


def test_each_part_draws_its_own_cases():
    # given one place and one category
    end = city.case_window_end(DEFAULT_ANCHOR)
    places, categories = [(1, "某小区", [(1, "1号楼")])], [(1, "水电", "ordinary", "station")]

    def rows(part):
        return list(city.case_rows(50, 3, end=end, compounds=places, categories=categories, part=part))

    # then the same part gives the same rows, another part other rows
    assert rows(0) == rows(0)
    assert not {r[13] for r in rows(0)} & {r[13] for r in rows(1)}
    assert not {r[13] for r in rows(1)} & {r[13] for r in rows(2)}


@pytest.mark.postgres
def test_add_cases_can_drop_the_case_indexes_for_the_load_and_builds_them_again(db):
    if connection.vendor != "postgresql":
        pytest.skip("the indexes are only dropped on PostgreSQL")
    # given a tiny city and the case table's indexes
    city.generate_city(TINY_SHAPE, 4, 10, out=quiet)
    before = city.secondary_indexes(Case)
    # when cases are added with the indexes dropped meanwhile
    report = city.add_cases(25, 4, 1, rebuild_indexes=True, out=quiet)
    # then the same indexes are back, and the rows are in
    assert report["indexes_rebuilt"] == len(before) > 5

    def shape(indexes):
        # PostgreSQL prints a re-created partial index's predicate with other casts: compare the index
        # up to its predicate, and that it has one.
        return [(name, sql.split(" WHERE ")[0], " WHERE " in sql) for name, sql in indexes]

    assert shape(city.secondary_indexes(Case)) == shape(before)
    assert Case.objects.count() == 35
