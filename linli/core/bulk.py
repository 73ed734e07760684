"""Inserting many new rows at once: `bulk_create`, or on PostgreSQL one `COPY` (a set-based writer's batch).

`COPY` streams the rows in psycopg's C encoder instead of binding every value into an INSERT (Django 5.2
sends a batch as `UNNEST` arrays, each value quoted again inside its array text): for an import's batch of
residents and their audit entries that is most of the write's time. The same rows, the same values
(`pre_save` and `get_db_prep_save` of every field, so encrypted fields are encrypted and defaults and
`auto_now_add` apply), the same constraints (a unique key still fails the whole statement, raised as
Django's `IntegrityError`); the primary keys are taken from the table's sequence first, so the objects
come back with their ids like `bulk_create`'s. No signals, as with `bulk_create`.
"""

from django.db import connection, models

# Below this, an INSERT costs no more than taking ids and opening a COPY.
COPY_FROM_ROWS = 50


def insert_many(model: type[models.Model], objs: list) -> list:
    """Insert these new (unsaved) objects; they come back with their primary keys set."""
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM_ROWS:
        return model.objects.bulk_create(objs)
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField | models.BigAutoField) or any(o.pk is not None for o in objs):
        return model.objects.bulk_create(objs)
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    plain = [_plain(f) for f in fields]
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, pk.column, len(objs)])
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, value)
        names = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for obj in objs:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                copy.write_row(tuple(_value(f, obj, p) for f, p in zip(fields, plain, strict=True)))
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


# Values psycopg writes as they are: a field of these kinds holding one of them needs no preparation.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
_PLAIN_VALUES = (str, int, bool)


def _plain(field) -> bool:
    from linli.core.fields import EncryptedTextField

    return isinstance(field, _PLAIN_FIELDS) and not isinstance(field, EncryptedTextField)


def _value(field, obj, plain: bool):
    value = field.pre_save(obj, True)
    if value is None or (plain and type(value) in _PLAIN_VALUES):
        return value
    return field.get_db_prep_save(value, connection)
