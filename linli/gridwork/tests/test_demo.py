import random
from collections import Counter
from types import SimpleNamespace

import pytest

from linli.cases.models import Case
from linli.gridwork import demo, figures
from linli.gridwork.models import CheckIn, Finding, GridTask, Patrol, Reminder, Training, Trial, Visit
from linli.people.models import GridWorker
from linli.people.tests.factories import GridWorkerFactory, HouseholdFactory
from linli.places.models import Dwelling
from linli.places.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db


def test_demo_writes_a_month_of_two_workers_through_the_services(world, crew):
    # given the grid worker of grid1 and a second, unlinked worker of the same community (grid2)
    first, _ = crew
    BuildingFactory(compound=world.compound1, grid=world.grid1, number="2号楼")
    second = GridWorkerFactory(name="孙网格", kind="assistant", grids=[world.grid2])
    HouseholdFactory(dwelling=Dwelling.objects.filter(entrance__building__grid=world.grid2).first())
    context = SimpleNamespace(rng=random.Random(3), counts=Counter(),
                              users={"grid1": world.user("grid_worker"), "community1": world.user("community_secretary")},
                              homes={"grid1": world.grid1})
    context.add = lambda label, n: context.counts.update({label: n})
    # when
    demo.populate(context)
    # then both have a month of working days, with patrols, findings (some cases) and visits
    second.refresh_from_db()
    assert second.user.username == demo.SECOND_LOGIN
    for worker in (first, second):
        assert CheckIn.objects.filter(worker=worker, checked_out_at__isnull=False).count() >= 20
        assert Patrol.objects.filter(worker=worker, ended_at__isnull=False).count() >= 20
        assert Visit.objects.filter(worker=worker).exists()
    assert Finding.objects.filter(case__isnull=False).count() == Case.objects.filter(channel="patrol").count() > 0
    assert GridTask.objects.count() == 2 and context.counts["走访"] == Visit.objects.count()
    assert list(Trial.objects.values_list("outcome", flat=True)) == ["confirmed"]  # the one assistant
    assert Training.objects.filter(worker=first).count() == Training.objects.filter(worker=second).count() == 3
    assert Reminder.objects.count() == context.counts["逾期提醒"]
    # and grid1's worker meets the 50 % rule while the second does not
    month = Visit.objects.order_by("visited_at").last().visited_at.date()
    shares = {m.worker_id: m.visit_share for m in figures.per_worker(GridWorker.objects.all(), month)}
    assert shares[first.pk] >= 0.5 > shares[second.pk]
    # and running it again adds nothing
    before = Visit.objects.count()
    demo.populate(context)
    assert Visit.objects.count() == before
