"""Values worked out once per request: a read that several checks of the same request repeat.

`remembered(key, compute)` answers compute() the first time in a request and the same value after;
outside a request (tasks, commands, tests calling a selector) it computes every time. Every write
through `core.services` empties the request's memo, so a request that changes something and reads
again reads afresh. Only for reads whose answer a request may assume fixed (e.g. which buildings a
grid holds), never across requests: sight across requests is the versioned cache of `core.scoping`.
"""

from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict | None] = ContextVar("linli_request_memo", default=None)


def remembered(key: Hashable, compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Something was written: later reads of this request compute again."""
    memo = _memo.get()
    if memo:
        memo.clear()


@contextmanager
def request_memo():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)
