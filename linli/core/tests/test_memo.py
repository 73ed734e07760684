"""A request works a read out once; an audited write in between makes it read again."""

import pytest

from linli.core import audit
from linli.core.memo import remembered, request_memo

pytestmark = pytest.mark.django_db


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_request_computes_once_and_outside_a_request_every_time():
    calls, compute = counter()
    # outside a request: every call computes
    assert remembered("k", compute) == 1 and remembered("k", compute) == 2
    # inside one: the first answer is kept, another key computes on its own
    with request_memo():
        assert remembered("k", compute) == 3
        assert remembered("k", compute) == 3
        assert remembered("other", compute) == 4
    # the next request starts empty
    with request_memo():
        assert remembered("k", compute) == 5
    assert len(calls) == 5


def test_an_audited_write_makes_the_request_read_again(world):
    calls, compute = counter()
    with request_memo():
        assert remembered("grid buildings", compute) == 1
        # when the request writes (every write is audited)
        audit.record(actor=world.user("admin"), action="test.write", object_type="test", object_id="1")
        # then the read is made again
        assert remembered("grid buildings", compute) == 2

