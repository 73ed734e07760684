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


def _member_of_community2(world):
    from linli.people.tests.factories import HouseholdFactory, ResidentFactory
    from linli.places.models import Dwelling

    dwelling = Dwelling.objects.filter(entrance__building__compound=world.compound3).first()
    return member(world, ResidentFactory(household=HouseholdFactory(dwelling=dwelling), name="赵双东"), "member3")


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
    theirs = _resource(world, _member_of_community2(world), community=world.community2, name="双东志愿队",
                       kind="volunteer_team")
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
    far = far_member(world)
    before = counts()
    with pytest.raises(Forbidden):
        services.resource_create(actor=world.user("outsider"), community=world.community1, kind="member", name="x",
                                 offer="x", handler=world.user("resident"))
    with refused("kind_invalid"):
        services.resource_create(actor=world.user("community_secretary"), community=world.community1, kind="x",
                                 name="x", offer="x", handler=world.user("resident"))
    with refused("handler_outside"):
        services.resource_create(actor=world.user("community_secretary"), community=world.community1, kind="member",
                                 name="x", offer="x", handler=far)
    assert counts() == before
    # a member living elsewhere who dual-registered with community1 may take its orders
    record = world.far_resident.party_member
    record.category, record.dual_registered_community, record.dual_registered_on = (
        "in_service", world.community1, "2026-03-01")
    record.save()
    made = services.resource_create(actor=world.user("community_secretary"), community=world.community1,
                                    kind="member", name="王磊", offer="法律咨询", handler=far)
    assert made.handler == far


def _client(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_whole_need_over_pages_and_api(world):
    handler = member(world)
    resource = _resource(world, handler)
    resident = _client(world.user("resident"))
    made = resident.post("/api/v1/needs", {"title": "需要上门理发"}, content_type="application/json")
    assert made.status_code == 201
    pk = made.json()["id"]
    secretary = _client(world.user("community_secretary"))
    page = secretary.get(f"/stations/needs/{pk}/")
    assert page.status_code == 200 and resource.name in page.content.decode()
    assert secretary.post(f"/stations/needs/{pk}/dispatch/", {"resource": resource.pk}).status_code == 302
    assert _client(handler).get("/api/v1/needs?mine=tasks").json()["count"] == 1
    # the handler sees the task without the resident's name
    assert _client(handler).get(f"/api/v1/needs/{pk}").json()["orderer"] is None
    assert _client(handler).post(f"/api/v1/needs/{pk}/accept").json()["status"] == "accepted"
    assert _client(handler).post(f"/stations/needs/{pk}/done/", {"result": "理好了"}).status_code == 302
    rated = resident.post(f"/api/v1/needs/{pk}/rate", {"rating": 5}, content_type="application/json")
    assert rated.json()["status"] == "rated" and rated.json()["orderer"] == "张秀英"


@pytest.mark.parametrize("persona", ["anonymous", "resident", "grid_worker", "community_secretary",
                                     "branch_secretary", "property_staff", "street_officer", "district_officer",
                                     "outsider", "admin"])
def test_accepting_across_personas_only_the_dispatched_handler_may(world, counts, persona):
    handler = member(world)
    need = services.need_post(actor=world.user("resident"), title="需要修理轮椅")
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=_resource(world, handler))
    before = counts()
    answer = _client(world.user(persona)).post(f"/api/v1/needs/{need.pk}/accept")
    expected = {"anonymous": 401, "property_staff": 404, "outsider": 404}.get(persona, 403)
    assert answer.status_code == expected
    assert counts() == before
    assert _client(handler).post(f"/api/v1/needs/{need.pk}/accept").status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", "resident", "grid_worker", "community_secretary",
                                     "property_staff", "street_officer", "outsider", "admin"])
def test_need_pages_across_personas(world, persona):
    need = services.need_post(actor=world.user("resident"), title="需要代买药品")
    client = _client(world.user(persona))
    expected = {"anonymous": 302, "property_staff": 404, "outsider": 404}.get(persona, 200)
    assert client.get(f"/stations/needs/{need.pk}/").status_code == expected
    assert client.get("/stations/needs/").status_code == (302 if persona == "anonymous" else 200)
    resources = client.get("/stations/resources/").status_code
    assert resources == {"anonymous": 302, "resident": 403}.get(persona, 200)


def test_bad_input_on_needs_is_never_a_500(world, counts):
    need = services.need_post(actor=world.user("resident"), title="需要代买药品")
    secretary = _client(world.user("community_secretary"))
    before = counts()
    assert secretary.post(f"/stations/needs/{need.pk}/dispatch/", {"resource": "abc"}).status_code == 302
    assert secretary.post(f"/stations/needs/{need.pk}/dispatch/", {"resource": "99999999999999999999"}).status_code == 302
    assert _client(world.user("resident")).post(f"/stations/needs/{need.pk}/rate/", {"rating": "x"}).status_code == 302
    for body in ({"rating": 0}, {"rating": "five"}, {}):
        assert _client(world.user("resident")).post(f"/api/v1/needs/{need.pk}/rate", body,
                                                    content_type="application/json").status_code in (400, 409, 422)
    assert secretary.post(f"/api/v1/needs/{need.pk}/dispatch", {"resource_id": 2**70},
                          content_type="application/json").status_code == 422
    assert counts() == before


def test_a_proxy_errand_ordered_from_the_catalogue_counts_for_its_station_and_month(world, counts):
    from linli.core import clock
    from linli.stations.models import ServiceItem
    from linli.stations.tests.helpers import station

    # given the compound's station and its catalogue
    made = station(world)
    item = ServiceItem.objects.get(station=made, name="社保卡申领代办")
    handler = member(world)
    resource = _resource(world, handler)
    # when the resident orders the item from the station page and it is done
    page = _client(world.user("resident")).get(f"/stations/{made.pk}/")
    assert f"/stations/needs/new/?service={item.pk}" in page.content.decode()
    form = _client(world.user("resident")).get(f"/stations/needs/new/?service={item.pk}")
    assert "社保卡申领代办" in form.content.decode()
    _client(world.user("resident")).post("/stations/needs/new/", {"title": "社保卡申领代办", "service": item.pk})
    need = Need.objects.get()
    assert (need.station, need.service) == (made, item)
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=resource)
    services.need_accept(actor=handler, need=need)
    services.need_done(actor=handler, need=need, result="已代为提交申领材料")
    # then the station's month counts one errand done
    figures = selectors.indicators(actor=world.user("street_officer"))
    assert [(name, n, needs) for name, _month, n, needs, _errands in figures["delivered"]] == [
        ("康宁小区党群服务站", 1, 1)]
    assert figures["delivered"][0][1].month == clock.now().month
    # and an item of another community's station, or a paused one, cannot be ordered
    other = services.station_create(actor=world.user("street_officer"), community=world.community2,
                                    compound=world.compound3, name="双东服务站", kind="compound", address="x")
    paused = ServiceItem.objects.get(station=made, name="党费收缴")
    paused.active = False
    paused.save()
    before = counts()
    for bad in (ServiceItem.objects.filter(station=other).first(), paused):
        with refused("service_outside"):
            services.need_post(actor=world.user("resident"), service=bad)
    assert counts() == before
