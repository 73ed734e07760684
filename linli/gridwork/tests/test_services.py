"""The rules of grid work: check-ins, patrols and findings, visits, tasks pushed to grids."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from linli.cases.models import Case, Channel
from linli.core import clock
from linli.core.errors import Forbidden
from linli.gridwork import services
from linli.gridwork.duties import ADMITTED, ASSISTANT_DUTIES, GRID_WORKER_DUTIES, MEASURES
from linli.gridwork.models import CheckIn, Finding, GridTask, Patrol, PatrolStop, Visit
from linli.gridwork.tests.conftest import building_of, photo
from linli.places.tests.factories import BuildingFactory
from linli.testing import refused, table_counts

pytestmark = pytest.mark.django_db


def test_duty_catalogues_have_eight_and_six_duties_each_with_what_counts():
    assert len(GRID_WORKER_DUTIES) == 8 and len(ASSISTANT_DUTIES) == 6
    for duty in GRID_WORKER_DUTIES + ASSISTANT_DUTIES:
        assert duty.counts and duty.measure in MEASURES
        assert duty.purpose == "" or (duty.measure == "visits" and duty.purpose in Visit.Purpose.values)


def test_check_in_records_time_location_accuracy_and_punctuality(world, crew):
    check = services.check_in(actor=world.user("grid_worker"), grid=world.grid1, latitude="37.8", longitude="112.5",
                              accuracy_m="12.4", photo=photo())
    assert check.checked_in_at == clock.now() and check.on_time
    assert (str(check.latitude), check.accuracy_m) == ("37.800000", 12)
    assert check.photo.name.startswith("gridwork/")
    clock.advance(dt.timedelta(hours=8))
    out = services.check_out(actor=world.user("grid_worker"))
    assert out.minutes == 480


def test_location_is_optional_and_a_second_check_in_the_same_day_is_not_on_time(world, crew):
    services.check_in(actor=world.user("grid_worker"), grid=world.grid1)
    services.check_out(actor=world.user("grid_worker"))
    again = services.check_in(actor=world.user("grid_worker"), grid=world.grid1.pk)
    assert again.latitude is None and again.accuracy_m is None and not again.on_time


def test_check_in_after_the_set_time_is_late(world, crew):
    clock.advance(dt.timedelta(hours=1))
    assert not services.check_in(actor=world.user("grid_worker"), grid=world.grid1).on_time


@pytest.mark.parametrize("grid", ["grid2", "grid4", "missing"])
def test_check_in_outside_the_workers_grids_is_refused_and_writes_nothing(world, crew, grid):
    before = table_counts()
    with refused("outside_grids") as info:
        services.check_in(actor=world.user("grid_worker"), grid=getattr(world, grid, 999999))
    assert "康宁一网格" in info.value.message
    assert table_counts() == before


def test_two_open_check_ins_are_refused(world, crew):
    services.check_in(actor=world.user("grid_worker"), grid=world.grid1)
    before = table_counts()
    with refused("already_checked_in") as info:
        services.check_in(actor=world.user("grid_worker"), grid=world.grid1)
    assert info.value.status == 409 and "请先签退" in info.value.message
    assert table_counts() == before


def test_check_out_without_check_in_is_refused(world, crew):
    with refused("not_checked_in"):
        services.check_out(actor=world.user("grid_worker"))


@pytest.mark.parametrize("persona", ["community_secretary", "resident", "street_officer", "admin"])
def test_only_a_registered_grid_worker_checks_in(world, crew, persona):
    before = table_counts()
    with refused("not_grid_worker"):
        services.check_in(actor=world.user(persona), grid=world.grid1)
    assert table_counts() == before


def test_bad_location_is_a_field_error_and_half_a_location_too(world, crew):
    for lat, lon in (("abc", "112"), ("91", "112"), ("37.8", None)):
        with pytest.raises(ValidationError):
            services.check_in(actor=world.user("grid_worker"), grid=world.grid1, latitude=lat, longitude=lon)
    assert not CheckIn.objects.exists()


def test_a_check_in_photo_that_is_not_an_image_is_refused_and_nothing_stored(world, crew):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.check_in(actor=world.user("grid_worker"), grid=world.grid1,
                          photo=SimpleUploadedFile("x.png", b"%PDF-1.4 not a photo"))
    assert not CheckIn.objects.exists()


def test_patrol_route_finding_and_one_tap_case(world, crew):
    worker, _ = crew
    actor = world.user("grid_worker")
    second = BuildingFactory(compound=world.compound1, grid=world.grid1, number="2号楼")
    patrol = services.patrol_start(actor=actor, grid=world.grid1)
    services.patrol_stop(actor=actor, patrol=patrol, building=building_of(world.grid1))
    services.patrol_stop(actor=actor, patrol=patrol, building=building_of(world.grid1))  # tapped twice
    clock.advance(dt.timedelta(minutes=10))
    finding = services.finding_record(actor=actor, patrol=patrol, building=second, category="safety-hazard",
                                      text="2号楼楼道飞线充电，联系人 13912345678", photo=photo(),
                                      latitude="37.81", longitude="112.55", accuracy_m=8)
    assert list(patrol.stops.values_list("building__number", flat=True)) == ["1号楼", "2号楼"]
    assert "13912345678" not in finding.text
    case = services.finding_to_case(actor=actor, finding=finding)
    assert case.channel == Channel.PATROL and case.building_id == second.pk and case.compound_id == world.compound1.pk
    assert "13912345678" in case.description_original and case.photos.count() == 1
    assert case.category.code == "safety-hazard" and case.contact_name == worker.name
    again = services.finding_to_case(actor=actor, finding=Finding.objects.get(pk=finding.pk))
    assert again.pk == case.pk and Case.objects.count() == 1
    clock.advance(dt.timedelta(minutes=20))
    ended = services.patrol_end(actor=actor, patrol=patrol, note="两栋楼巡查完毕")
    assert ended.ended_at == clock.now()


def test_a_patrol_ending_before_it_starts_is_refused(world, crew):
    actor = world.user("grid_worker")
    patrol = services.patrol_start(actor=actor, grid=world.grid1)
    before = table_counts()
    with refused("ends_before_start"):
        services.patrol_end(actor=actor, patrol=patrol, ended_at=clock.now() - dt.timedelta(minutes=1))
    with refused("ends_in_future"):
        services.patrol_end(actor=actor, patrol=patrol, ended_at=clock.now() + dt.timedelta(hours=2))
    assert table_counts() == before and Patrol.objects.get().ended_at is None


def test_patrol_rules_one_at_a_time_own_grid_buildings_and_closed_once_ended(world, crew):
    actor = world.user("grid_worker")
    patrol = services.patrol_start(actor=actor, grid=world.grid1)
    with refused("patrol_running"):
        services.patrol_start(actor=actor, grid=world.grid1)
    with refused("building_outside_grid"):
        services.patrol_stop(actor=actor, patrol=patrol, building=building_of(world.grid2))
    with refused("building_outside_grid"):
        services.finding_record(actor=actor, patrol=patrol, building=building_of(world.grid4), text="垃圾")
    with pytest.raises(ValidationError):
        services.finding_record(actor=actor, patrol=patrol, building=building_of(world.grid1), text=" ")
    with pytest.raises(ValidationError):
        services.finding_record(actor=actor, patrol=patrol, building=building_of(world.grid1), text="x",
                                category="no-such")
    clock.advance(dt.timedelta(minutes=5))
    services.patrol_end(actor=actor, patrol=patrol)
    with refused("patrol_ended"):
        services.patrol_stop(actor=actor, patrol=patrol, building=building_of(world.grid1))
    assert not PatrolStop.objects.exists() and not Finding.objects.exists()


def test_another_workers_patrol_is_not_mine_to_change(world, crew):
    _, far = crew
    patrol = Patrol.objects.create(worker=far, grid=world.grid4, started_at=clock.now())
    with pytest.raises(Forbidden):
        services.patrol_end(actor=world.user("grid_worker"), patrol=patrol)


def test_visit_with_purpose_staff_notes_and_follow_up(world, crew):
    actor = world.user("grid_worker")
    visit = services.visit_record(actor=actor, household=world.household1, minutes=40, purpose="care",
                                  notes="老人血压偏高，女儿电话 13812345678", follow_up="代办高龄补贴",
                                  follow_up_due=clock.today() + dt.timedelta(days=7),
                                  visited_at=clock.now() - dt.timedelta(days=2))
    assert visit.grid_id == world.grid1.pk and "13812345678" not in visit.notes
    done = services.follow_up_done(actor=actor, visit=visit)
    assert done.follow_up_done_at == clock.now()


def test_a_visit_backdated_beyond_the_limit_is_refused(world, crew):
    before = table_counts()
    with refused("backdated_too_far") as info:
        services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=30,
                              purpose="care", visited_at=clock.now() - dt.timedelta(days=3, minutes=1))
    assert "3 天内" in info.value.message
    with refused("visit_in_future"):
        services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=30,
                              purpose="care", visited_at=clock.now() + dt.timedelta(hours=1))
    assert table_counts() == before


@override_settings(LINLI_VISIT_BACKDATE_DAYS=10)
def test_the_backdating_limit_is_a_setting(world, crew):
    services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=30, purpose="care",
                          visited_at=clock.now() - dt.timedelta(days=9))
    assert Visit.objects.count() == 1


def test_a_visit_to_a_household_out_of_sight_is_refused(world, crew):
    before = table_counts()
    with refused("household_out_of_sight"):
        services.visit_record(actor=world.user("grid_worker"), household=world.far_resident.household,
                              minutes=30, purpose="care")
    assert table_counts() == before


def test_visit_fields_are_checked(world, crew):
    for minutes, purpose in ((0, "care"), (481, "care"), ("x", "care"), (30, "gossip")):
        with pytest.raises(ValidationError):
            services.visit_record(actor=world.user("grid_worker"), household=world.household1, minutes=minutes,
                                  purpose=purpose)
    assert not Visit.objects.exists()


def test_only_admitted_tasks_are_pushed_to_grids_and_a_refusal_says_why(world, crew):
    secretary = world.user("community_secretary")
    task = services.task_push(actor=secretary, grid=world.grid1, matter=ADMITTED[0].code, title="核对1号楼住户",
                              department="民政科")
    assert task.pk and GridTask.objects.count() == 1
    before = table_counts()
    with refused("task_not_admitted") as info:
        services.task_push(actor=secretary, grid=world.grid1, matter="fee_collection", title="收卫生费",
                           department="环卫所")
    assert "网格员不经手钱款" in info.value.message
    with refused("task_not_admitted") as info:
        services.task_push(actor=secretary, grid=world.grid1, matter="whatever", title="x", department="y")
    assert "准入事项" in info.value.message
    with refused("grid_out_of_sight"):
        services.task_push(actor=secretary, grid=world.grid4, matter=ADMITTED[0].code, title="x", department="y")
    with pytest.raises(Forbidden):
        services.task_push(actor=world.user("grid_worker"), grid=world.grid1, matter=ADMITTED[0].code, title="x",
                           department="y")
    assert table_counts() == before
    assert services.task_done(actor=world.user("grid_worker"), task=task).done_at == clock.now()


@override_settings(LINLI_CHECKIN_BY=dt.time(9, 30))
def test_the_check_in_time_is_a_setting(world, crew):
    clock.advance(dt.timedelta(hours=1))  # 09:10
    assert services.check_in(actor=world.user("grid_worker"), grid=world.grid1).on_time
