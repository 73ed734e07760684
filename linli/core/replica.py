"""Lagged reads on a streaming replica (docs/ARCHITECTURE.md "Reads on a replica").

With `DATABASE_REPLICA_URL` set, settings add a second database alias, `replica`, and `ReplicaRouter`.
Nothing goes to the replica unless its entry point asks for it: a view, an API operation or a task
that tolerates a few seconds of lag (the cockpit and its figures, exports, public Open311 reads)
runs inside `lagged_reads()` (a context manager and a decorator), which sets a context variable the
router reads. Even then the router keeps on the primary:

- every write (`db_for_write` is always the primary) and every read inside a transaction of the
  primary (`transaction.atomic`: a service, a rollup refresh, an audited unmask), so a write never
  decides on what a lagging copy says;
- the tables whose staleness would be wrong rather than late (`PRIMARY_ONLY`): sessions, users,
  assignments and tokens (sight: a revoked assignment must end sight at once), the login throttle,
  the cache table, task and job rows (a job just created must be found by its worker).

A replica that cannot be reached when a read wants it sends the read to the primary: the failure is
logged once, and the replica is tried again after `LINLI_REPLICA_RETRY_SECONDS`. Unset, the router is
not installed and everything reads the primary, as before. Migrations never run on the replica.
"""

import contextvars
import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections

log = logging.getLogger(__name__)

ALIAS = "replica"
# App labels whose rows are always read on the primary, lagged or not.
PRIMARY_ONLY = frozenset({
    "sessions", "auth", "accounts", "axes", "contenttypes", "django_cache", "django_tasks_database",
    "exports", "imports",
})

_lagged: contextvars.ContextVar[bool] = contextvars.ContextVar("linli_lagged_reads", default=False)


class _Health:
    """Per process: when the replica may be tried again, and whether its outage was logged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.down = False

    def reset(self) -> None:
        with self.lock:
            self.down_until = 0.0
            self.down = False


health = _Health()


def configured() -> bool:
    return ALIAS in connections.settings


def retry_seconds() -> float:
    return float(getattr(settings, "LINLI_REPLICA_RETRY_SECONDS", 30))


@contextmanager
def lagged_reads():
    """Reads inside may be served by the replica (a few seconds behind the primary).

    Usable as `with lagged_reads():` and as a decorator (`@lagged_reads()`).
    """
    token = _lagged.set(True)
    try:
        yield
    finally:
        _lagged.reset(token)


@contextmanager
def primary_reads():
    """Reads inside go to the primary even within `lagged_reads()`."""
    token = _lagged.set(False)
    try:
        yield
    finally:
        _lagged.reset(token)


def is_lagged() -> bool:
    return _lagged.get()


def _reachable() -> bool:
    """Is the replica connected (connecting now if need be)? A failure is logged once per outage."""
    if time.monotonic() < health.down_until:
        return False
    conn = connections[ALIAS]
    try:
        conn.close_if_health_check_failed()
        conn.ensure_connection()
    except Error as exc:
        with health.lock:
            health.down_until = time.monotonic() + retry_seconds()
            first = not health.down
            health.down = True
        if first:
            log.warning("只读副本不可用，读取改由主库承担（%.0f 秒后重试）：%s", retry_seconds(), exc)
        try:
            conn.close()
        except Error:
            pass
        return False
    if health.down:
        with health.lock:
            was_down, health.down = health.down, False
        if was_down:
            log.warning("只读副本已恢复，延迟可接受的读取重新由副本承担")
    return True


def read_alias(model=None) -> str:
    """The alias a read of `model` goes to now (the router's answer, or the primary)."""
    if not _lagged.get() or not configured():
        return DEFAULT_DB_ALIAS
    if model is not None and model._meta.app_label in PRIMARY_ONLY:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return ALIAS if _reachable() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Installed by settings when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        return read_alias(model)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != ALIAS
