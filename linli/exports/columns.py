"""The columns of an export: a Chinese header and how a row gives its value.

`field(Model, "community__name")` reads a model field (through foreign keys): its header is the
verbose name of the first field of the path (所属社区), choices give their Chinese label, yes/no
fields 是/否. `secret(...)` is a sensitive value: the full value only on an unmasked export and only
for a row the actor may unmask, otherwise the mask the pages show. Paths through foreign keys are
added to the queryset's `select_related`, so an export costs no query per row.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Col:
    header: str
    value: Callable[[Any, bool], Any]  # (row, full) -> cell value; `full`: this row may be shown unmasked
    related: tuple[str, ...] = ()      # select_related paths the value needs
    sensitive: bool = False


def plain(value):
    """A value a spreadsheet cell and a CSV field both take: dates as dates, aware times as local times."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return value


def _resolve(model, path: str):
    """(the first field of the path, the last field, the select_related path)."""
    parts = path.split("__")
    first = model._meta.get_field(parts[0])
    current, last = model, None
    for part in parts:
        last = current._meta.get_field(part)
        if last.is_relation:
            current = last.related_model
    related = "__".join(parts[:-1]) if len(parts) > 1 else (parts[0] if last.is_relation else "")
    return first, last, related


def _getter(path: str, last) -> Callable:
    parts = path.split("__")
    labels = dict(last.flatchoices) if getattr(last, "choices", None) else None

    def get(row, _full):
        value = row
        for part in parts:
            value = getattr(value, part, None)
            if value is None:
                return ""
        if labels is not None:
            return labels.get(value, value)
        if hasattr(value, "_meta"):
            return str(value)
        return plain(value)

    return get


def field(model, path: str, header: str | None = None) -> Col:
    first, last, related = _resolve(model, path)
    return Col(header or str(first.verbose_name), _getter(path, last), (related,) if related else ())


def fields(model, *paths: str) -> tuple[Col, ...]:
    return tuple(field(model, path) for path in paths)


def secret(header: str, full: Callable, masked: Callable, *, related: tuple[str, ...] = ()) -> Col:
    """A sensitive value: `full(row)` when the row may be shown unmasked, `masked(row)` otherwise."""
    return Col(header, lambda row, ok: (full(row) if ok else masked(row)) or "", related, sensitive=True)


def prefetched(row, name: str):
    """The related rows `prefetch_related(name)` already read: `row.<name>.all()` without a manager and a
    queryset built per row (a tenth of a residents export's time went there)."""
    cache = getattr(row, "_prefetched_objects_cache", None)
    if cache is not None and name in cache:
        return cache[name]
    return getattr(row, name).all()


def computed(header: str, value: Callable, *, related: tuple[str, ...] = ()) -> Col:
    return Col(header, lambda row, _full: plain(value(row)), related)
