import random
from collections import Counter
from types import SimpleNamespace

from linli.council import demo
from linli.council.models import Ballot, MeetingSeries, Notice, Proposal


def test_demo_populates_series_proposals_and_a_closed_ballot_with_its_notice(world):
    # given resident1 owns her home, and a demo context over the test world
    world.resident.is_owner = True
    world.resident.save()
    context = SimpleNamespace(rng=random.Random(1), counts=Counter(), users={
        "resident1": world.user("resident"), "branch1": world.user("branch_secretary"),
        "community1": world.user("community_secretary"), "admin": world.user("admin")})
    context.add = lambda label, n: context.counts.update({label: n})
    # when
    demo.populate(context)
    # then
    assert set(MeetingSeries.objects.values_list("kind", flat=True)) == {"forum", "joint", "committee"}
    assert Proposal.objects.count() == 3
    closed = Ballot.objects.get(status="closed")
    assert closed.result["conditions"] and closed.passed is not None
    notice = Notice.objects.get(ballot=closed)
    assert notice.evaluations.count() == 1
    # and running it again adds nothing
    demo.populate(context)
    assert Proposal.objects.count() == 3
