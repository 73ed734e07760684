"""The need and resource lists: order → dispatch → accept → done → rate, and what each refuses."""

import pytest

from linli.cases.models import Notification
from linli.core.errors import Forbidden, NotFound
from linli.stations import selectors, services
from linli.stations.models import Need, NeedEvent
from linli.stations.tests.helpers import far_member, member
from linli.testing import refused

pytestmark = pytest.mark.django_db


def _resource(world, handler, community=None, **extra):
    data = {"kind": "member", "name": "李建国（双报到党员）", "offer": "家电维修、上门理发", "capacity": 2}
    data.update(extra)
    return services.resource_create(actor=world.user("community_secretary") if community is None
                                    else world.user("street_officer"),
                                    community=community or world.community1, handler=handler, **data)


def test_a_need_goes_from_order_to_rating(world):
    # given a member of the resource list with a login
    handler = member(world)
    resource = _resource(world, handler)
    # when the resident orders, the community dispatches, the member accepts and does it, the resident rates
    need = services.need_post(actor=world.user("resident"), title="家里水龙头漏水", body="厨房的")
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=resource)
    assert Notification.objects.filter(user=handler, text__startswith="派单").exists()
    assert need in selectors.need_list_visible_to(actor=handler, filters={"mine": "tasks"})
    services.need_accept(actor=handler, need=need)
    services.need_done(actor=handler, need=need, result="已更换阀芯")
    rated = services.need_rate(actor=world.user("resident"), need=need, rating=5, note="很及时")
    # then every step is on the timeline and the need is rated
    assert (rated.status, rated.rating) == ("rated", 5)
    assert list(NeedEvent.objects.filter(need=need).values_list("kind", flat=True)) == [
        "ordered", "dispatched", "accepted", "done", "rated"]


def test_dispatch_outside_the_area_or_beyond_capacity_is_refused(world, counts):
    handler = member(world)
    ours = _resource(world, handler, capacity=1)
    theirs = _resource(world, far_member(world), community=world.community2, name="双东志愿队", kind="volunteer_team")
    first = services.need_post(actor=world.user("resident"), title="需要陪同就医")
    second = services.need_post(actor=world.user("resident"), title="需要代买药品")
    secretary = world.user("community_secretary")
    before = counts()
    with refused("resource_outside"):
        services.need_dispatch(actor=secretary, need=first, resource=theirs)
    with pytest.raises(Forbidden):
        services.need_dispatch(actor=world.user("grid_worker"), need=first, resource=ours)
    assert counts() == before
    services.need_dispatch(actor=secretary, need=first, resource=ours)
    before = counts()
    with refused("resource_full"):
        services.need_dispatch(actor=secretary, need=second, resource=ours)
    with refused("need_not_open"):
        services.need_dispatch(actor=secretary, need=Need.objects.get(pk=first.pk), resource=ours)
    assert counts() == before


def test_only_the_dispatched_resource_accepts_and_only_the_resident_rates(world, counts):
    handler = member(world)
    resource = _resource(world, handler)
    need = services.need_post(actor=world.user("resident"), title="需要修理轮椅")
    stranger = far_member(world)
    before = counts()
    with refused("not_dispatched_to_you"):
        services.need_accept(actor=handler, need=need)  # not dispatched yet
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=resource)
    need.refresh_from_db()
    before = counts()
    for actor in (stranger, world.user("grid_worker"), world.user("resident")):
        with refused("not_dispatched_to_you"):
            services.need_accept(actor=actor, need=need)
    with refused("need_not_accepted"):
        services.need_done(actor=handler, need=need, result="x")
    assert counts() == before
    services.need_accept(actor=handler, need=need)
    services.need_done(actor=handler, need=need, result="已修好")
    before = counts()
    with refused("not_orderer"):
        services.need_rate(actor=handler, need=need, rating=5)
    with refused("rating_invalid"):
        services.need_rate(actor=world.user("resident"), need=need, rating=9)
    assert counts() == before


def test_a_declined_need_returns_to_the_list_for_another_dispatch(world):
    handler = member(world)
    resource = _resource(world, handler)
    need = services.need_post(actor=world.user("resident"), title="需要搬运旧家具")
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=resource)
    back = services.need_decline(actor=handler, need=need, reason="本周出差")
    assert (back.status, back.resource) == ("open", None)
    assert need not in selectors.need_list_visible_to(actor=handler)


def test_a_worker_records_a_need_from_a_visit_for_a_resident_of_their_area(world, counts):
    need = services.need_post(actor=world.user("grid_worker"), resident=world.neighbour, title="独居，需要定期探访",
                              source="visit")
    assert (need.source, need.posted_by) == ("visit", world.user("grid_worker"))
    before = counts()
    with pytest.raises(NotFound):
        services.need_post(actor=world.user("grid_worker"), resident=world.far_resident, title="x")
    with refused("not_resident"):
        services.need_post(actor=world.user("street_officer"), title="x")
    assert counts() == before


def test_the_resource_list_is_kept_by_the_community_office(world, counts):
    before = counts()
    with pytest.raises(Forbidden):
        services.resource_create(actor=world.user("outsider"), community=world.community1, kind="member", name="x",
                                 offer="x", handler=world.user("resident"))
    with refused("kind_invalid"):
        services.resource_create(actor=world.user("community_secretary"), community=world.community1, kind="x",
                                 name="x", offer="x", handler=world.user("resident"))
    assert counts() == before
