"""Recording writes in the audit log. Services call these; nothing else writes AuditEntry."""

import datetime as dt
import decimal

from django.db import models

from linli.core import bulk, memo
from linli.core.channel import get_channel
from linli.core.fields import EncryptedTextField
from linli.core.models import AuditEntry

REDACTED = "（已加密，内容不记录）"


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        # The stored name identifies the file; its bytes never enter the log.
        return value.name or ""
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields=None) -> dict:
    """The concrete field values of an instance, with encrypted fields replaced by a marker.

    `fields` limits it to those names, for a writer that knows which few fields it changes.
    """
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        raw = getattr(instance, field.attname)
        if isinstance(field, EncryptedTextField) or field.name == "password":
            # Only whether it changed is recorded, never the value (nor its ciphertext or hash).
            values[field.name] = ("set", hash(raw)) if raw else ("empty", 0)
        elif field.name.endswith("_hash"):
            continue
        else:
            values[field.name] = _plain(raw)
    return values


def diff(before: dict, after: dict) -> dict:
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            if isinstance(old, tuple) or isinstance(new, tuple):
                changes[key] = [REDACTED, REDACTED]
            else:
                changes[key] = [old, new]
    return changes


def entry(*, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
          changes: dict | None = None, channel: str | None = None) -> AuditEntry:
    """An unsaved entry: for writers that record many at once with `record_many`."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=(actor.get_username() if getattr(actor, "pk", None) else "系统")[:150],
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        object_repr=str(object_repr)[:200],
        changes=changes or {},
        channel=channel or get_channel(),
    )


def record(*, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
           changes: dict | None = None, channel: str | None = None) -> AuditEntry:
    row = entry(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                object_repr=object_repr, changes=changes, channel=channel)
    row.save(force_insert=True)
    memo.forget()  # every write is audited: what this request worked out before it may have changed
    return row


def record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """One INSERT for many entries (a sweep over thousands of cases); one COPY on PostgreSQL."""
    memo.forget()
    return bulk.insert_many(AuditEntry, entries)
