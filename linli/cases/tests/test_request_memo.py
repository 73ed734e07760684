"""Case sight read once per request (core.memo) still follows a write made in the same request."""

import pytest

from linli.cases.models import Case, ServiceCategory
from linli.cases.services import deadlines
from linli.core import clock
from linli.core import services as core
from linli.core.memo import request_memo
from linli.core.scoping import scope_for, visible

pytestmark = pytest.mark.django_db


def test_a_moved_building_is_seen_by_the_same_request(world):
    # given a grid worker's page request that has read which buildings grid1 holds
    worker = world.user("grid_worker")
    building = world.compound1.buildings.first()
    now = clock.now()
    arrive_by, solve_by = deadlines("ordinary", now)
    case = Case.objects.create(category=ServiceCategory.objects.get(code="sanitation"), compound=world.compound1,
                               building=building, description="楼道灯不亮", requested_at=now, updated_at=now,
                               arrive_by=arrive_by, solve_by=solve_by)
    with request_memo():
        assert visible(Case.objects.filter(pk=case.pk), scope_for(worker)).exists()
        # when the building is moved to grid2 in the same request (an audited write)
        core.update(actor=world.user("admin"), instance=building, data={"grid": world.grid2})
        # then the worker's sight no longer holds the case
        assert not visible(Case.objects.filter(pk=case.pk), scope_for(worker)).exists()
