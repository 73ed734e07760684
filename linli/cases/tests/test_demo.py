import random

from linli.cases import demo
from linli.cases.models import Case


def test_demo_populates_cases_in_every_state(world):
    # given the demo's context
    users = {u.username: u for u in world.users.values() if u is not None}
    # when the cases are populated (twice: the second run adds nothing)
    made = demo.populate({"rng": random.Random(7), "users": users})
    again = demo.populate({"rng": random.Random(7), "users": users})
    # then every state appears
    assert made == 7 and again == 0
    states = set(Case.objects.values_list("status", flat=True))
    # (the returned hotline case has since been taken by the community: "returned" is in its history)
    assert {"new", "dispatched", "accepted", "solved", "closed"} <= states
    assert Case.objects.filter(level="community").count() >= 1
