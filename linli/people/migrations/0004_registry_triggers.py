"""Triggers that mark the compounds whose registry counts a write changed (see people.rollups).

Triggers rather than calls in the services because every write path must mark what it changed: the
services, the admin, the import engine's bulk writes, the demo and city generators (COPY) and the
test factories alike. On PostgreSQL they are statement-level with transition tables, so a COPY of
5,000 residents marks the few compounds they live in with one INSERT … SELECT DISTINCT; SQLite has
row triggers only. An update marks the old and the new compound, and only when a column the counts
read changed.

A row is traced to its compound through resident → household → dwelling → entrance → building at
the moment of the write, so a resident moving house, a dwelling moved to another entrance or a
building moved to another compound or grid marks both compounds.

On SQLite a later migration that rebuilds one of these tables (Django remakes the table for most
column changes there) drops its triggers with the old table: such a migration must run
`drop_sqlite_triggers` before and `create_sqlite_triggers` after. `people/tests/test_rollups.py`
checks every trigger is in place in the migrated test database, so forgetting fails the suite.
"""

from django.db import migrations

DIRTY = "people_registrydirty"

# table, the column leading to the compound (None: the table has compound_id), watched columns, events.
ALL = ("insert", "delete", "update")
TABLES = (
    ("people_resident", "household_id", ("household_id", "birth_date"), ALL),
    ("people_household", "dwelling_id", ("dwelling_id",), ALL),
    ("people_partymember", "resident_id", ("resident_id", "category"), ALL),
    ("people_resident_care_tags", "resident_id", ("resident_id", "caretag_id"), ALL),
    ("places_dwelling", "entrance_id", ("entrance_id",), ALL),
    ("places_entrance", "building_id", ("building_id",), ("update",)),
    ("places_building", None, ("compound_id", "grid_id"), ALL),
)
# Each step: the column pointing at a table, that table, and its column pointing at the next one.
CHAIN = (
    ("resident_id", "people_resident", "household_id"),
    ("household_id", "people_household", "dwelling_id"),
    ("dwelling_id", "places_dwelling", "entrance_id"),
    ("entrance_id", "places_entrance", "building_id"),
    ("building_id", "places_building", None),
)


def trigger_names() -> list[tuple[str, str]]:
    """(table, trigger name) of every trigger this migration creates."""
    return [(table, f"registry_mark_{table}_{event}") for table, _fk, _cols, events in TABLES for event in events]


def _compound_of(fk: str | None, rows: str) -> str:
    """SELECT of the compound ids of `rows` (a table or subquery aliased x)."""
    if fk is None:
        return f"SELECT x.compound_id FROM {rows} x"
    joins, prev, col = [], "x", fk
    start = [step[0] for step in CHAIN].index(fk)
    for n, (_col, table, next_col) in enumerate(CHAIN[start:]):
        alias = f"t{n}"
        joins.append(f"JOIN {table} {alias} ON {alias}.id = {prev}.{col}")
        prev, col = alias, next_col
    return f"SELECT {prev}.compound_id FROM {rows} x {' '.join(joins)}"


def _pg(table, fk, cols, events) -> tuple[str, str]:
    forward, backward = [], []
    for event in events:
        name = f"registry_mark_{table}_{event}"
        if event == "update":
            differs = f"({', '.join('o.' + c for c in cols)}) IS DISTINCT FROM ({', '.join('n.' + c for c in cols)})"
            changed = f"(SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differs})"
            rows = (f"(SELECT * FROM old_rows WHERE id IN {changed} "
                    f"UNION ALL SELECT * FROM new_rows WHERE id IN {changed})")
            referencing = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        else:
            rows = "new_rows" if event == "insert" else "old_rows"
            referencing = f"{'NEW' if event == 'insert' else 'OLD'} TABLE AS {rows}"
        forward.append(f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {DIRTY} (compound_id) SELECT DISTINCT compound_id FROM ({_compound_of(fk, rows)}) marks;
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER {event.upper()} ON {table}
    REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();""")
        backward.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(forward), "\n".join(backward)


def _sqlite_mark(fk, cols, row: str) -> str:
    columns = ", ".join(f"{row}.{c} AS {c}" for c in ((fk,) if fk else ("compound_id",)))
    return f"INSERT INTO {DIRTY} (compound_id) {_compound_of(fk, f'(SELECT {columns})')};"


def sqlite_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, fk, cols, events in TABLES:
        for event in events:
            name = f"registry_mark_{table}_{event}"
            if event == "update":
                when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in cols)
                body = f"{_sqlite_mark(fk, cols, 'OLD')} {_sqlite_mark(fk, cols, 'NEW')}"
                forward.append(f"CREATE TRIGGER {name} AFTER UPDATE ON {table} WHEN {when} BEGIN {body} END")
            else:
                row = "NEW" if event == "insert" else "OLD"
                forward.append(f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                               f"BEGIN {_sqlite_mark(fk, cols, row)} END")
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def drop_sqlite_triggers(schema_editor):
    for statement in sqlite_statements()[1]:
        schema_editor.execute(statement)


def create_sqlite_triggers(schema_editor):
    for statement in sqlite_statements()[0]:
        schema_editor.execute(statement)


# Existing compounds are all marked once, so the first refresh builds the counts of an existing database.
MARK_ALL = f"INSERT INTO {DIRTY} (compound_id) SELECT id FROM places_compound"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for spec in TABLES:
            schema_editor.execute(_pg(*spec)[0])
    elif vendor == "sqlite":
        create_sqlite_triggers(schema_editor)
    else:
        raise RuntimeError(f"户籍人口汇总触发器不支持数据库 {vendor}")
    schema_editor.execute(MARK_ALL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for spec in TABLES:
            schema_editor.execute(_pg(*spec)[1])
    else:
        drop_sqlite_triggers(schema_editor)
    schema_editor.execute(f"DELETE FROM {DIRTY}")


class Migration(migrations.Migration):
    # The latest migration of every table with a trigger: a later rebuild of one of them must re-create them.
    dependencies = [
        ("people", "0003_registry_counts"),
        ("people", "0002_resident_tail_hashes"),
        ("places", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, backward)]
