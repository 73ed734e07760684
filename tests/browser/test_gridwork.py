"""A grid worker's day on a phone: check in, patrol two buildings, record a finding with a photo, turn it
into a case, visit a household, check out, and see the day's figures."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from linli.cases import services as case_services
from linli.cases.models import Case
from linli.core import clock
from linli.gridwork.models import CheckIn, Finding, Visit
from linli.people.models import GridWorker
from linli.places.tests.factories import BuildingFactory
from tests.browser.conftest import login, pick
from tests.browser.test_cases import no_sideways_scroll, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Set LINLI_SCREENSHOTS=/some/dir to keep a screenshot of each step.
SHOTS = os.environ.get("LINLI_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_grid_workers_day_on_a_phone(world, live_server, phone, media):
    case_services.catalogue_seed()
    clock.freeze(timezone.make_aware(dt.datetime(2026, 12, 7, 8, 12)))
    worker = GridWorker.objects.create(name="赵网格", user=world.user("grid_worker"))
    worker.grids.set([world.grid1])
    BuildingFactory(compound=world.compound1, grid=world.grid1, number="2号楼")
    base = live_server.url
    page = phone
    login(page, live_server, "grid1")

    # the 网格工作 tab opens today's plan
    page.locator("nav.tabs a", has_text="网格工作").click()
    page.wait_for_url(re.compile(r"/gridwork/$"))
    assert "今日工作" in page.inner_text("h1") and no_sideways_scroll(page)
    shot(page, "1-today")
    # check in (the phone's location is optional; the photo is not needed)
    check_in = page.get_by_role("button", name="报到", exact=True)
    assert check_in.bounding_box()["height"] >= 44
    check_in.click()
    page.wait_for_load_state("networkidle")
    assert "已在康宁一网格报到，08:12" in page.inner_text(".messages")
    assert CheckIn.objects.get().on_time

    # patrol two buildings
    page.get_by_role("button", name="开始巡查").click()
    page.wait_for_url(re.compile(r"/gridwork/patrols/\d+/$"))
    page.get_by_role("button", name="到达 1号楼").click()
    page.wait_for_load_state("networkidle")
    clock.advance(dt.timedelta(minutes=12))
    page.get_by_role("button", name="到达 2号楼").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("ul.route li.reached").count() == 2
    # record a finding with a photo at 2号楼
    page.select_option("#id_building", label="康宁小区2号楼")
    page.select_option("#id_category", "safety-hazard")
    page.fill("#id_text", "2号楼楼道有电动车飞线充电")
    page.set_input_files("#id_photo", files=[{"name": "wire.png", "mimeType": "image/png", "buffer": png()}])
    page.get_by_role("button", name="记录发现").click()
    page.wait_for_load_state("networkidle")
    assert "已记录巡查发现" in page.inner_text(".messages") and "有照片" in page.inner_text("ul.findings")
    shot(page, "2-patrol")
    assert no_sideways_scroll(page)
    # turn it into a case in one tap
    page.get_by_role("button", name="转为诉求").click()
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert case.channel == "patrol" and case.photos.count() == 1 and Finding.objects.get().case_id == case.pk
    assert f"已转为诉求 #{case.pk}" in page.inner_text(".messages")
    clock.advance(dt.timedelta(minutes=20))
    page.get_by_role("button", name="结束巡查").click()
    page.wait_for_url(re.compile(r"/gridwork/$"))

    # visit a household
    page.get_by_role("link", name="登记走访").click()
    page.wait_for_url(re.compile(r"/gridwork/visits/new/$"))
    pick(page, "household", "张秀英", label="康宁小区")
    page.select_option("#id_purpose", "care")
    page.fill("#id_minutes", "40")
    page.fill("#id_notes", "老人身体不错，反映楼道灯不亮")
    shot(page, "3-visit")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gridwork/$"))
    assert Visit.objects.get().household_id == world.household1.pk

    # check out at the end of the day and see the day's figures
    clock.advance(dt.timedelta(hours=8))
    page.get_by_role("button", name="签退").click()
    page.wait_for_load_state("networkidle")
    assert "已签退" in page.inner_text(".messages")
    figures = page.inner_text(".stats")
    shot(page, "4-day")
    values = dict(zip(page.locator(".stats .label").all_inner_texts(), page.locator(".stats .value").all_inner_texts(),
                      strict=True))
    assert values["巡查"] == "1" and values["巡查发现"] == "1" and values["发现转诉求"] == "1"
    assert values["走访（户次）"] == "1" and values["在岗（分钟）"] == str(CheckIn.objects.get().minutes)
    assert "%" in figures
    page.get_by_role("link", name="我的本月统计与职责").click()
    page.wait_for_url(re.compile(r"/gridwork/me/$"))
    assert "信息采集" in page.inner_text("table.list") and no_sideways_scroll(page)
    shot(page, "5-me")
    page.goto(f"{base}/cases/{case.pk}/")
    assert "网格巡查" in page.inner_text("main")
