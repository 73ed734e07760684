"""Twenty members claim one wish at the same moment on PostgreSQL: exactly one wins."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from linli.accounts.models import Role
from linli.core.audit import AuditEntry
from linli.core.errors import Refused
from linli.people.models import PartyMember
from linli.people.tests.factories import ResidentFactory
from linli.stations import services
from linli.stations.models import MicroWish, WishEvent
from linli.stations.tests.helpers import wish
from linli.testing import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL）才能检验同时认领")


def _members(world, n):
    users = []
    for i in range(n):
        resident = ResidentFactory(household=world.neighbour.household, name=f"党员{i}")
        user = make_user(f"claimer{i}", Role.RESIDENT)
        resident.user = user
        resident.save()
        PartyMember.objects.create(resident=resident, category=PartyMember.Category.RESIDENT)
        users.append(user)
    return users


def test_twenty_members_claim_one_wish_at_once_and_exactly_one_wins(world):
    # given an open wish and 20 Party members of its community
    posted = wish(world)
    users = _members(world, 20)
    barrier = threading.Barrier(20)

    def claim(user):
        mine = MicroWish.objects.select_related("resident").get(pk=posted.pk)
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        try:
            return services.wish_claim(actor=user, wish=mine)
        except Refused as exc:
            return exc
        finally:
            connections.close_all()

    # when all of them claim it at the same moment, each on its own connection
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(claim, users))
    # then exactly one claim succeeded, the others were told it is taken, and one claim is recorded
    won = [r for r in results if isinstance(r, MicroWish)]
    lost = [r for r in results if isinstance(r, Refused)]
    assert len(won) == 1 and len(lost) == 19
    assert {r.code for r in lost} == {"wish_taken"}
    stored = MicroWish.objects.get(pk=posted.pk)
    assert stored.status == "claimed" and stored.claimed_by_id == won[0].claimed_by_id
    assert WishEvent.objects.filter(wish=posted, kind="claimed").count() == 1
    assert AuditEntry.objects.filter(action="wish.claim").count() == 1
