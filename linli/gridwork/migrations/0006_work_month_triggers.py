"""Triggers that mark the workers whose monthly counts a write changed (see gridwork.rollups).

Triggers rather than calls in the services, as for the case and registry rollups: the services, the
admin, the demo, the bench's COPY and the test factories all write these tables. On PostgreSQL they are
statement-level with transition tables, so a COPY of a month of check-ins marks each worker once with
the first and last moment it wrote for them; SQLite has row triggers only. An update marks the old and
the new row, and only when a column the counts read changed. A finding reaches its worker through its
patrol.
"""

from django.db import migrations

DIRTY = "gridwork_workdirty"
ALL = ("insert", "delete", "update")
# table, the worker column of a row x (or of its patrol p), the moment column, the watched columns.
TABLES = (
    ("gridwork_checkin", "x.worker_id", "checked_in_at", ("worker_id", "checked_in_at", "checked_out_at", "on_time")),
    ("gridwork_patrol", "x.worker_id", "started_at", ("worker_id", "started_at")),
    ("gridwork_finding", "p.worker_id", "at", ("patrol_id", "at", "case_id")),
    ("gridwork_visit", "x.worker_id", "visited_at", ("worker_id", "visited_at", "minutes")),
)


def trigger_names() -> list[tuple[str, str]]:
    return [(table, f"workmonth_mark_{table}_{event}") for table, *_ in TABLES for event in ALL]


def _join(worker: str) -> str:
    return " JOIN gridwork_patrol p ON p.id = x.patrol_id" if worker.startswith("p.") else ""


def _pg(table, worker, at, cols) -> tuple[str, str]:
    forward, backward = [], []
    for event in ALL:
        name = f"workmonth_mark_{table}_{event}"
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
    INSERT INTO {DIRTY} (worker_id, since, until)
        SELECT {worker}, min(x.{at}), max(x.{at}) FROM {rows} x{_join(worker)} GROUP BY {worker};
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER {event.upper()} ON {table}
    REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();""")
        backward.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(forward), "\n".join(backward)


def _sqlite_mark(worker, at, row: str) -> str:
    if worker.startswith("p."):
        return (f"INSERT INTO {DIRTY} (worker_id, since, until) SELECT p.worker_id, {row}.{at}, {row}.{at} "
                f"FROM gridwork_patrol p WHERE p.id = {row}.patrol_id;")
    return f"INSERT INTO {DIRTY} (worker_id, since, until) VALUES ({row}.worker_id, {row}.{at}, {row}.{at});"


def sqlite_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, worker, at, cols in TABLES:
        for event in ALL:
            name = f"workmonth_mark_{table}_{event}"
            if event == "update":
                when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in cols)
                body = f"{_sqlite_mark(worker, at, 'OLD')} {_sqlite_mark(worker, at, 'NEW')}"
                forward.append(f"CREATE TRIGGER {name} AFTER UPDATE ON {table} WHEN {when} BEGIN {body} END")
            else:
                row = "NEW" if event == "insert" else "OLD"
                forward.append(f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                               f"BEGIN {_sqlite_mark(worker, at, row)} END")
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


# Existing records are marked once per worker, so the first refresh counts an existing database.
MARK_ALL = (f"INSERT INTO {DIRTY} (worker_id, since, until) SELECT worker_id, min(checked_in_at), max(checked_in_at) "
            "FROM gridwork_checkin GROUP BY worker_id UNION ALL "
            "SELECT worker_id, min(started_at), max(started_at) FROM gridwork_patrol GROUP BY worker_id UNION ALL "
            "SELECT worker_id, min(visited_at), max(visited_at) FROM gridwork_visit GROUP BY worker_id UNION ALL "
            "SELECT p.worker_id, min(f.at), max(f.at) FROM gridwork_finding f JOIN gridwork_patrol p ON p.id = f.patrol_id "
            "GROUP BY p.worker_id")


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for spec in TABLES:
            schema_editor.execute(_pg(*spec)[0])
    elif vendor == "sqlite":
        for statement in sqlite_statements()[0]:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"网格工作汇总触发器不支持数据库 {vendor}")
    schema_editor.execute(MARK_ALL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for spec in TABLES:
            schema_editor.execute(_pg(*spec)[1])
    else:
        for statement in sqlite_statements()[1]:
            schema_editor.execute(statement)
    schema_editor.execute(f"DELETE FROM {DIRTY}")


class Migration(migrations.Migration):
    dependencies = [("gridwork", "0005_work_months")]

    operations = [migrations.RunPython(forward, backward)]
