"""Root fixtures: the clock, a small world with personas, and clients logged in as each persona."""

import pytest
from django.test import Client

from linli.core import clock
from linli.testing import PERSONAS, build_world, ensure_reference_data, table_counts


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (live server, concurrency) start with the shipped reference rows."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for("grid_worker") → a test client logged in as that persona (anonymous: not logged in)."""

    def make(persona: str) -> Client:
        client = Client()
        user = world.user(persona)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def counts():
    """Call counts() before and after a request; equal dicts mean nothing was written."""
    return table_counts


__all__ = ["PERSONAS"]
