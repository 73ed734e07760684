"""Exporting on a phone: the residents list's 导出 menu keeps the page's filters and downloads the file;
a big export waits in 我的导出 with its progress and is downloaded when done."""

import io
import os

import pytest
from openpyxl import load_workbook

from linli.exports.models import ExportJob
from linli.exports.services import run_job
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = os.environ.get("LINLI_SCREENSHOT_DIR", "/tmp")


def test_a_community_secretary_exports_the_filtered_residents_on_a_phone(world, live_server, phone, settings,
                                                                       tmp_path):
    settings.DATA_DIR = tmp_path
    login(phone, live_server, world.user("community_secretary").username)
    phone.goto(f"{live_server.url}/people/residents/?q=张")
    phone.click("details.export-menu > summary")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    heights = phone.eval_on_selector_all("details.export-menu li a",
                                         "nodes => nodes.map(n => n.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44
    phone.screenshot(path=os.path.join(SHOT, "linli-export-menu.png"))
    with phone.expect_download() as info:
        phone.click("details.export-menu a:has-text('Excel（.xlsx）')")
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[2] == ("筛选条件：搜索：张",)
    assert [r[7] for r in rows[6:]] == ["张秀英"]

    # A big export: made a job (run by the test settings' immediate task backend), shown in 我的导出.
    settings.LINLI_EXPORT_INLINE_MAX = 1
    phone.goto(f"{live_server.url}/exports/residents/?format=csv")
    assert phone.url.endswith("/exports/mine/")
    job = ExportJob.objects.get()
    if job.status == "queued":
        run_job(str(job.pk))
    phone.reload()
    phone.screenshot(path=os.path.join(SHOT, "linli-export-mine.png"))
    with phone.expect_download() as info:
        phone.click("a:has-text('下载')")
    assert "张秀英" in open(info.value.path(), encoding="utf-8-sig").read()


def test_the_owner_cancels_a_waiting_export_on_a_phone(world, live_server, phone, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    owner = world.user("community_secretary")
    job = ExportJob.objects.create(owner=owner, spec="residents", title="居民", format="csv", rows_total=80_000,
                                   rows_written=12_000, status="running")
    login(phone, live_server, owner.username)
    phone.goto(f"{live_server.url}/exports/mine/")
    button = phone.locator(f"#job-{job.pk} button:has-text('取消导出')")
    assert button.bounding_box()["height"] >= 44
    button.click()
    phone.wait_for_selector(f"#job-{job.pk}:has-text('已取消')")
    assert "没有留下文件" in phone.inner_text(f"#job-{job.pk}")
    assert phone.locator(f"#job-{job.pk} button").count() == 0
    phone.screenshot(path=os.path.join(SHOT, "linli-export-cancelled.png"))
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert run_job(str(job.pk)) == 0 and not list(tmp_path.glob("exports/*"))
