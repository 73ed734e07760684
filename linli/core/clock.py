"""The one clock. Every deadline, timestamp and "today" in Linli comes from here.

Tests (and `--now` replays) freeze or shift it; the shift is process-wide on purpose so that a
live test server thread sees the same time as the test that moved it.
"""

import datetime as dt
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None
_offset = dt.timedelta(0)


def now() -> dt.datetime:
    if _frozen is not None:
        return _frozen
    return timezone.now() + _offset


def today() -> dt.date:
    return timezone.localdate(now())


def freeze(at: dt.datetime) -> None:
    global _frozen
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    _frozen = at


def advance(delta: dt.timedelta) -> None:
    """Move the clock forward: a frozen clock moves by delta; a running one gains an offset."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset = _offset + delta


def reset() -> None:
    global _frozen, _offset
    _frozen = None
    _offset = dt.timedelta(0)


@contextmanager
def frozen(at: dt.datetime):
    global _frozen, _offset
    saved = (_frozen, _offset)
    freeze(at)
    try:
        yield
    finally:
        _frozen, _offset = saved
