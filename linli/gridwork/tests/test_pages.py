"""The grid worker's pages on a phone and the community's: across personas, refusals write nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from linli.cases.models import Case
from linli.core import clock
from linli.gridwork import services
from linli.gridwork.models import CheckIn, Finding, Patrol, PatrolStop, Visit
from linli.gridwork.tests.conftest import building_of, photo
from linli.testing import PERSONAS, table_counts

pytestmark = pytest.mark.django_db


def test_the_workers_day_through_the_pages(world, crew, client_for):
    page = client_for("grid_worker")
    today = page.get(reverse("gridwork:today"))
    assert today.status_code == 200 and "报到" in today.content.decode()
    answer = page.post(reverse("gridwork:check_in"), {"grid": world.grid1.pk, "photo": photo(),
                                                      "latitude": "37.8", "longitude": "112.5", "accuracy_m": "20"},
                       follow=True)
    assert "已在康宁一网格报到" in answer.content.decode()
    assert CheckIn.objects.get().accuracy_m == 20
    answer = page.post(reverse("gridwork:patrol_start"), {"grid": world.grid1.pk})
    patrol = Patrol.objects.get()
    assert answer.url == reverse("gridwork:patrol", args=[patrol.pk])
    page.post(reverse("gridwork:patrol_stop", args=[patrol.pk]), {"building": building_of(world.grid1).pk})
    page.post(reverse("gridwork:finding_record", args=[patrol.pk]),
              {"building": building_of(world.grid1).pk, "category": "sanitation", "text": "垃圾桶满溢", "photo": photo()})
    finding = Finding.objects.get()
    assert finding.photo and PatrolStop.objects.count() == 1
    shown = page.get(reverse("gridwork:patrol", args=[patrol.pk])).content.decode()
    assert "垃圾桶满溢" in shown and "转为诉求" in shown
    page.post(reverse("gridwork:finding_case", args=[finding.pk]))
    assert Case.objects.get().channel == "patrol"
    clock.advance(dt.timedelta(minutes=40))
    page.post(reverse("gridwork:patrol_end", args=[patrol.pk]), {"note": "完成"})
    answer = page.post(reverse("gridwork:visit_new"), {"household": world.household1.pk, "purpose": "care",
                                                       "minutes": "30", "notes": "独居老人，状态良好"}, follow=True)
    assert "已登记走访" in answer.content.decode() and Visit.objects.count() == 1
    clock.advance(dt.timedelta(hours=6))
    page.post(reverse("gridwork:check_out"))
    assert CheckIn.objects.get().checked_out_at == clock.now()
    day = page.get(reverse("gridwork:today")).context["day"]
    assert (day.patrols, day.findings, day.cases, day.visits, day.working_minutes) == (1, 1, 1, 1, 400)
    mine = page.get(reverse("gridwork:my_figures"))
    assert len(mine.context["duties"]) == 8 and "信息采集" in mine.content.decode()
    counted = {row["duty"].code: row["value"] for row in mine.context["duties"]}
    assert (counted["care"], counted["mediation"], counted["reporting"], counted["patrol"]) == (1, 0, 1, 1)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_day_page_across_personas(world, crew, client_for, persona):
    answer = client_for(persona).get(reverse("gridwork:today"))
    if persona == "anonymous":
        assert answer.status_code == 302
    else:
        assert answer.status_code == 200
        registered = persona == "grid_worker"
        assert ("还没有关联到网格员名册" in answer.content.decode()) != registered


@pytest.mark.parametrize("persona", PERSONAS)
def test_team_figures_page_for_officers_only(world, crew, client_for, persona):
    answer = client_for(persona).get(reverse("gridwork:team"))
    if persona == "anonymous":
        assert answer.status_code == 302
    elif persona in ("community_secretary", "street_officer", "district_officer", "admin", "outsider"):
        assert answer.status_code == 200
        shown = answer.content.decode()
        assert ("赵网格" in shown) == (persona not in ("outsider",))
        assert ("钱网格" in shown) == (persona in ("district_officer", "admin", "outsider"))
    else:
        assert answer.status_code == 403


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "grid_worker"])
def test_writes_of_others_are_refused_and_write_nothing(world, crew, client_for, persona):
    patrol = services.patrol_start(actor=world.user("grid_worker"), grid=world.grid1)
    finding = services.finding_record(actor=world.user("grid_worker"), patrol=patrol, text="井盖松动",
                                      building=building_of(world.grid1))
    client = client_for(persona)
    before = table_counts()
    for url, data in ((reverse("gridwork:check_in"), {"grid": world.grid1.pk}),
                      (reverse("gridwork:patrol_stop", args=[patrol.pk]), {"building": building_of(world.grid1).pk}),
                      (reverse("gridwork:finding_record", args=[patrol.pk]),
                       {"building": building_of(world.grid1).pk, "text": "x"}),
                      (reverse("gridwork:finding_case", args=[finding.pk]), {}),
                      (reverse("gridwork:patrol_end", args=[patrol.pk]), {}),
                      (reverse("gridwork:visit_new"), {"household": world.household1.pk, "purpose": "care",
                                                       "minutes": 30})):
        answer = client.post(url, data)
        assert answer.status_code in (200, 302, 403, 404), (url, answer.status_code)
    assert table_counts() == before


def test_page_refusals_show_the_sentence_and_write_nothing(world, crew, client_for):
    page = client_for("grid_worker")
    before = table_counts()
    answer = page.post(reverse("gridwork:check_in"), {"grid": world.grid2.pk}, follow=True)
    assert "不是您负责的网格" in answer.content.decode()
    answer = page.post(reverse("gridwork:check_in"), {"grid": "abc", "latitude": "x"}, follow=True)
    assert answer.status_code == 200
    old = (clock.now() - dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    answer = page.post(reverse("gridwork:visit_new"), {"household": world.household1.pk, "purpose": "care",
                                                       "minutes": "30", "visited_at": old})
    assert "超过补登期限" in answer.content.decode()
    answer = page.post(reverse("gridwork:visit_new"), {"household": world.far_resident.household_id,
                                                       "purpose": "care", "minutes": "30"})
    assert answer.status_code == 200 and "不存在或不在您的工作范围内" in answer.content.decode()
    assert table_counts() == before


def test_tasks_page_refuses_a_task_not_on_the_admission_list(world, crew, client_for):
    page = client_for("community_secretary")
    assert page.get(reverse("gridwork:tasks")).status_code == 200
    before = table_counts()
    answer = page.post(reverse("gridwork:tasks"), {"grid": world.grid1.pk, "matter": "law_enforcement",
                                                   "title": "查处违建", "department": "城管"})
    assert "网格员没有执法权" in answer.content.decode()
    assert table_counts() == before
    page.post(reverse("gridwork:tasks"), {"grid": world.grid1.pk, "matter": "policy", "title": "宣传医保",
                                          "department": "医保局"})
    assert "宣传医保" in client_for("grid_worker").get(reverse("gridwork:today")).content.decode()
    assert client_for("grid_worker").get(reverse("gridwork:tasks")).status_code == 403


def test_missed_check_ins_for_the_worker_and_the_community(world, crew, client_for):
    # given Monday 7 December: the working days 1–4 December had no check-in
    mine = client_for("grid_worker").get(reverse("gridwork:my_figures"))
    assert mine.context["row"].missed_days == 4 and "4 个工作日未报到" in mine.content.decode()
    # when the check-in time has passed and the worker has not checked in
    clock.advance(dt.timedelta(hours=1))
    team = client_for("community_secretary").get(reverse("gridwork:team"))
    # then the community sees who has not checked in today
    assert team.context["not_in_today"] == ["赵网格"] and team.context["total"].missed_days == 4
    services.check_in(actor=world.user("grid_worker"), grid=world.grid1)
    assert client_for("community_secretary").get(reverse("gridwork:team")).context["not_in_today"] == []
    assert client_for("community_secretary").get(reverse("gridwork:team") + "?month=2026-11").context[
        "not_in_today"] == []
