"""Partner staff logins, cases at a station, co-building projects and proxy errands: what each does,
what each refuses (nothing written), and the figures per station and month."""

import datetime as dt

import pytest

from linli.cases import services as case_services
from linli.cases.models import Channel, Notification
from linli.core import clock
from linli.core.errors import Forbidden, NotFound
from linli.stations import selectors, services
from linli.stations.models import Errand, NeedEvent, ProjectEvent, StationCase
from linli.stations.tests.helpers import partner, partner_login, station
from linli.testing import refused

pytestmark = pytest.mark.django_db


# --- partner staff ---------------------------------------------------------------------------------

def test_a_partner_login_accepts_a_dispatched_need_and_sees_nothing_else(world):
    handler, resource = partner_login(world)
    need = services.need_post(actor=world.user("resident"), title="洗衣机不脱水")
    other = services.need_post(actor=world.user("resident"), title="想学用智能手机")
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=resource)
    assert Notification.objects.filter(user=handler, text__startswith="派单").exists()
    # the narrow role: only the need dispatched to them, no resident, no station, no wish
    listed = set(selectors.need_list_visible_to(actor=handler))
    assert listed == {need} and other not in listed
    assert not selectors.station_list_visible_to(actor=handler).exists()
    services.need_accept(actor=handler, need=need)
    services.need_done(actor=handler, need=need, result="更换了排水泵")
    rated = services.need_rate(actor=world.user("resident"), need=need, rating=4)
    assert rated.status == "rated"
    assert list(NeedEvent.objects.filter(need=need).values_list("kind", flat=True)) == [
        "ordered", "dispatched", "accepted", "done", "rated"]
    assert Notification.objects.filter(user=world.user("resident"), text__contains="已由").exists()


def test_acceptance_by_a_partner_not_dispatched_is_refused_and_writes_nothing(world, counts):
    handler, resource = partner_login(world)
    stranger, _ = partner_login(world, "partner2", partner(world, name="幸福苑便民超市"))
    need = services.need_post(actor=world.user("resident"), title="洗衣机不脱水")
    services.need_dispatch(actor=world.user("community_secretary"), need=need, resource=resource)
    before = counts()
    with refused("not_dispatched_to_you"):
        services.need_accept(actor=stranger, need=need)
    assert counts() == before
    need.refresh_from_db()
    assert need.status == "dispatched"


def test_a_partner_login_is_opened_by_the_community_only_with_a_fresh_name(world, counts):
    unit = partner(world)
    before = counts()
    with pytest.raises(Forbidden):
        services.partner_staff_add(actor=world.user("outsider"), partner=unit, name="王师傅", username="p9",
                                   password="Linli-partner-2026")
    with refused("username_taken"):
        services.partner_staff_add(actor=world.user("community_secretary"), partner=unit, name="王师傅",
                                   username="resident1", password="Linli-partner-2026")
    with refused("password_weak"):
        services.partner_staff_add(actor=world.user("community_secretary"), partner=unit, name="王师傅",
                                   username="p9", password="1")
    assert counts() == before


def test_a_resource_of_another_partner_cannot_be_handled_by_this_partners_staff(world, counts):
    handler, _ = partner_login(world)
    other = partner(world, name="幸福苑便民超市")
    before = counts()
    with refused("handler_other_partner"):
        services.resource_create(actor=world.user("community_secretary"), community=world.community1,
                                 kind="partner", name=other.name, offer="送货上门", handler=handler, partner=other)
    assert counts() == before


def test_a_closed_partner_login_can_no_longer_be_made_a_handler(world):
    handler, _ = partner_login(world)
    staff = handler.partner_staff
    services.partner_staff_deactivate(actor=world.user("community_secretary"), staff=staff)
    handler.refresh_from_db()
    assert not handler.is_active
    with refused("handler_required"):
        services.resource_create(actor=world.user("community_secretary"), community=world.community1,
                                 kind="partner", name="x", offer="y", handler=handler)


# --- cases at a station ------------------------------------------------------------------------------

def _intake(world, **extra):
    data = {"category": "sanitation", "description": "楼道堆满杂物，影响通行", "compound": world.compound1.pk,
            "channel": Channel.WALK_IN, "contact_name": "张秀英", "contact_phone": "13800000000"}
    data.update(extra)
    return case_services.Intake(**data)


def test_a_case_filed_at_or_assigned_to_a_station_points_at_it_and_counts_in_its_figures(world):
    home = station(world)
    secretary = world.user("community_secretary")
    filed = services.station_case_file(actor=secretary, station=home, intake=_intake(world))
    online = case_services.case_open(actor=world.user("resident"), intake=_intake(world, channel=Channel.ONLINE,
                                                                                  contact_name="", contact_phone=""))
    assigned = services.station_case_assign(actor=secretary, station=home, case=online, note="请站里处理")
    online.refresh_from_db()
    assert (online.status, online.handler_kind, online.handling_body) == ("dispatched", "station", home.name)
    assert {filed.how, assigned.how} == {"filed", "assigned"}
    assert set(StationCase.objects.filter(station=home).values_list("case_id", flat=True)) == {filed.case_id, online.pk}
    figures = selectors.station_figures(actor=secretary, station=home)["cases"]
    assert [(r["cases"], r["open"], r["solved"]) for r in figures] == [(2, 2, 0)]
    # the same figures in the indicators of the street
    rows = selectors.indicators(actor=world.user("street_officer"))["cases"]
    assert [(r["station__name"], r["cases"]) for r in rows] == [(home.name, 2)]
    # and no one outside sees the station's cases
    assert not selectors.station_case_list_visible_to(actor=world.user("outsider")).exists()


def test_a_case_of_another_community_or_twice_is_refused_and_writes_nothing(world, counts):
    home = station(world)
    street = world.user("street_officer")
    elsewhere = case_services.case_open(actor=street, intake=_intake(world, compound=world.compound3.pk))
    mine = case_services.case_open(actor=street, intake=_intake(world))
    services.station_case_assign(actor=street, station=home, case=mine)
    before = counts()
    with refused("case_outside"):
        services.station_case_assign(actor=street, station=home, case=elsewhere)
    with refused("case_linked"):
        services.station_case_assign(actor=street, station=home, case=mine)
    with pytest.raises(Forbidden):
        services.station_case_assign(actor=world.user("property_staff"), station=home, case=mine)
    assert counts() == before


# --- co-building projects ----------------------------------------------------------------------------

def test_a_need_becomes_a_project_with_owners_dates_and_a_result(world):
    secretary = world.user("community_secretary")
    need = services.need_post(actor=world.user("resident"), title="楼道没有扶手，老人上下楼困难")
    handler, _ = partner_login(world)
    today = clock.today()
    project = services.project_create(actor=secretary, community=world.community1, title="康宁小区加装楼道扶手",
                                      starts_on=today, ends_on=today + dt.timedelta(days=30), need=need)
    assert project.compound == world.compound1
    services.project_owner_add(actor=secretary, project=project, partner=handler.partner_staff.partner,
                               user=handler, part="提供材料和安装")
    services.project_owner_add(actor=secretary, project=project, name="康宁小区党支部", part="组织居民议事")
    services.project_start(actor=secretary, project=project)
    done = services.project_finish(actor=secretary, project=project, result="12 个单元加装扶手 240 米")
    assert (done.status, done.result) == ("done", "12 个单元加装扶手 240 米")
    assert list(ProjectEvent.objects.filter(project=project).values_list("kind", flat=True)) == [
        "created", "owner", "owner", "started", "done"]
    # the owner with a login sees it; the resident whose need it was is told
    assert project in selectors.project_list_visible_to(actor=handler)
    assert Notification.objects.filter(user=world.user("resident"), text__contains="共建项目").exists()
    assert project not in selectors.project_list_visible_to(actor=world.user("outsider"))


def test_a_project_refuses_bad_dates_a_foreign_need_and_a_start_without_owners(world, counts):
    secretary = world.user("community_secretary")
    today = clock.today()
    far_need = services.need_post(actor=world.user("district_officer"), resident=world.far_resident,
                                  title="想要加装电梯", source="visit")
    project = services.project_create(actor=secretary, community=world.community1, title="垃圾分类亭改造",
                                      starts_on=today, ends_on=today)
    before = counts()
    with refused("dates_invalid"):
        services.project_create(actor=secretary, community=world.community1, title="t", starts_on=today,
                                ends_on=today - dt.timedelta(days=1))
    with refused("need_outside"):
        services.project_create(actor=secretary, community=world.community1, title="t",
                                starts_on=today, ends_on=today, need=far_need)
    with refused("owners_required"):
        services.project_start(actor=secretary, project=project)
    with pytest.raises(Forbidden):
        services.project_create(actor=world.user("outsider"), community=world.community1, title="t",
                                starts_on=today, ends_on=today)
    with refused("project_not_ongoing"):
        services.project_finish(actor=secretary, project=project, result="完成")
    assert counts() == before


# --- proxy errands -------------------------------------------------------------------------------------

def test_an_errand_records_who_did_what_for_whom_and_counts_as_a_service_delivered(world):
    home = station(world)
    item = home.services.get(name="社保卡申领代办")
    grid_worker = world.user("grid_worker")
    errand = services.errand_record(actor=grid_worker, station=home, service=item, resident=world.resident,
                                    result="已代为提交申领材料")
    assert (errand.done_by, errand.resident, errand.service, errand.outcome) == (grid_worker, world.resident, item, "done")
    assert Notification.objects.filter(user=world.user("resident"), text__contains="社保卡申领代办").exists()
    # the resident sees their own errand; the outsider none
    assert errand in selectors.errand_list_visible_to(actor=world.user("resident"))
    assert errand not in selectors.errand_list_visible_to(actor=world.user("outsider"))
    delivered = selectors.indicators(actor=world.user("community_secretary"))["delivered"]
    assert [(name, n, needs, errands) for name, _month, n, needs, errands in delivered] == [(home.name, 1, 0, 1)]


def test_an_errand_outside_the_catalogue_the_area_or_the_role_is_refused(world, counts):
    home = station(world)
    other = station(world, compound=world.compound2, name="幸福苑党群服务站")
    foreign_item = other.services.first()
    item = home.services.first()
    before = counts()
    with refused("service_outside"):
        services.errand_record(actor=world.user("community_secretary"), station=home, service=foreign_item,
                               resident=world.resident, result="x")
    with pytest.raises(NotFound):
        services.errand_record(actor=world.user("community_secretary"), station=home, service=item,
                               resident=world.far_resident, result="x")
    with pytest.raises(Forbidden):
        services.errand_record(actor=world.user("resident"), station=home, service=item, resident=world.resident,
                               result="x")
    with refused("required"):
        services.errand_record(actor=world.user("community_secretary"), station=home, service=item,
                               resident=world.resident, result=" ")
    assert counts() == before
    assert not Errand.objects.exists()
