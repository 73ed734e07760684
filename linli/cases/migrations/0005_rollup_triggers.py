"""Triggers that mark the days whose rollups a write to cases or escalations changed.

Triggers rather than calls in the services because every write path must mark what it changed:
bulk loads (COPY), the set-wise sweep, the admin and the test factories alike. On PostgreSQL they
are statement-level with transition tables, so a bulk UPDATE of a million cases marks them in one
INSERT … SELECT; SQLite has row triggers only.

Only columns the figures read matter: an update touching none of them marks nothing. Existing
cases are all marked once, so the first refresh builds the rollups of an existing database.

On SQLite a later migration that rebuilds cases_case or cases_escalation (Django remakes the table
for most column changes there) drops these triggers with the old table: such a migration must run
`drop_sqlite_triggers` before and `create_sqlite_triggers` after (test_rollups fails otherwise).
"""

from django.db import migrations

# The columns of cases_case the figures read.
WATCHED = ("tier", "status", "compound_id", "requested_at", "arrive_by", "solve_by", "accepted_at", "solved_at",
           "rating", "reopen_count")

PG_FORWARD = f"""
CREATE FUNCTION cases_case_mark_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_casedaydirty (compound_id, requested_at) SELECT compound_id, requested_at FROM new_rows;
    RETURN NULL;
END $$;
CREATE FUNCTION cases_case_mark_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_casedaydirty (compound_id, requested_at) SELECT compound_id, requested_at FROM old_rows;
    RETURN NULL;
END $$;
CREATE FUNCTION cases_case_mark_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_casedaydirty (compound_id, requested_at)
    SELECT n.compound_id, n.requested_at FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE ({", ".join("o." + c for c in WATCHED)}) IS DISTINCT FROM ({", ".join("n." + c for c in WATCHED)})
    UNION ALL
    SELECT o.compound_id, o.requested_at FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.compound_id, o.requested_at) IS DISTINCT FROM (n.compound_id, n.requested_at);
    RETURN NULL;
END $$;
CREATE FUNCTION cases_escalation_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO cases_casedaydirty (compound_id, requested_at)
        SELECT c.compound_id, c.requested_at FROM cases_case c WHERE c.id IN (SELECT case_id FROM new_rows);
    ELSE
        INSERT INTO cases_casedaydirty (compound_id, requested_at)
        SELECT c.compound_id, c.requested_at FROM cases_case c WHERE c.id IN (SELECT case_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_case_mark_insert AFTER INSERT ON cases_case
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_case_mark_insert();
CREATE TRIGGER cases_case_mark_delete AFTER DELETE ON cases_case
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_case_mark_delete();
CREATE TRIGGER cases_case_mark_update AFTER UPDATE ON cases_case
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_case_mark_update();
CREATE TRIGGER cases_escalation_mark_insert AFTER INSERT ON cases_escalation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_escalation_mark();
CREATE TRIGGER cases_escalation_mark_delete AFTER DELETE ON cases_escalation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_escalation_mark();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS cases_case_mark_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_case_mark_delete ON cases_case;
DROP TRIGGER IF EXISTS cases_case_mark_update ON cases_case;
DROP TRIGGER IF EXISTS cases_escalation_mark_insert ON cases_escalation;
DROP TRIGGER IF EXISTS cases_escalation_mark_delete ON cases_escalation;
DROP FUNCTION IF EXISTS cases_case_mark_insert();
DROP FUNCTION IF EXISTS cases_case_mark_delete();
DROP FUNCTION IF EXISTS cases_case_mark_update();
DROP FUNCTION IF EXISTS cases_escalation_mark();
"""

_MARK = "INSERT INTO cases_casedaydirty (compound_id, requested_at) VALUES ({0}.compound_id, {0}.requested_at);"
_MARK_CASE = ("INSERT INTO cases_casedaydirty (compound_id, requested_at) "
              "SELECT compound_id, requested_at FROM cases_case WHERE id = {0}.case_id;")

SQLITE_FORWARD = [
    f"CREATE TRIGGER cases_case_mark_insert AFTER INSERT ON cases_case BEGIN {_MARK.format('NEW')} END",
    f"CREATE TRIGGER cases_case_mark_delete AFTER DELETE ON cases_case BEGIN {_MARK.format('OLD')} END",
    f"CREATE TRIGGER cases_case_mark_update AFTER UPDATE ON cases_case "
    f"WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in WATCHED)} "
    f"BEGIN {_MARK.format('OLD')} {_MARK.format('NEW')} END",
    f"CREATE TRIGGER cases_escalation_mark_insert AFTER INSERT ON cases_escalation "
    f"BEGIN {_MARK_CASE.format('NEW')} END",
    f"CREATE TRIGGER cases_escalation_mark_delete AFTER DELETE ON cases_escalation "
    f"BEGIN {_MARK_CASE.format('OLD')} END",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "cases_case_mark_insert", "cases_case_mark_delete", "cases_case_mark_update", "cases_escalation_mark_insert",
    "cases_escalation_mark_delete")]

MARK_ALL = "INSERT INTO cases_casedaydirty (compound_id, requested_at) SELECT compound_id, requested_at FROM cases_case"


def drop_sqlite_triggers(schema_editor):
    for statement in SQLITE_BACKWARD:
        schema_editor.execute(statement)


def create_sqlite_triggers(schema_editor):
    for statement in SQLITE_FORWARD:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        create_sqlite_triggers(schema_editor)
    else:
        raise RuntimeError(f"诉求汇总触发器不支持数据库 {vendor}")
    schema_editor.execute(MARK_ALL)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [PG_BACKWARD] if vendor == "postgresql" else SQLITE_BACKWARD:
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM cases_casedaydirty")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_due_at")]
    operations = [migrations.RunPython(forward, backward)]
