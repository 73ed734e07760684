"""A clerk tries an import on the demo: downloads the filled example, checks it, confirms, on a phone and a desk."""

import datetime as dt

import pytest
from django.db import transaction

from linli.demo.generator import SHAPES, generate
from linli.people.models import Resident
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr("linli.demo.generator.extension_modules", lambda: [("imports", "linli.imports.demo")])
    with transaction.atomic():
        return generate(SHAPES["small"])


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_clerk_imports_the_example_residents_file(demo, live_server, request, tmp_path, screen):
    page = request.getfixturevalue(screen)
    # given
    login(page, live_server, "community1")
    page.goto(f"{live_server.url}/imports/")
    assert "先试一试" in page.content()
    # when: the example file of 居民及户籍 is downloaded and uploaded on the register's page
    page.goto(f"{live_server.url}/imports/residents/")
    with page.expect_download() as download:
        page.click("text=下载示例文件")
    path = tmp_path / "示例.xlsx"
    download.value.save_as(path)
    page.set_input_files("#import-file", str(path))
    page.click("button[value=check]")
    # then: every row passes and nothing is written yet
    page.wait_for_selector("text=全部 6 行通过检查")
    assert not Resident.objects.filter(name="周建华").exists()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # when
    page.click("button[value=commit]")
    # then
    page.wait_for_selector("text=已导入：新增 6 行")
    assert Resident.objects.filter(household__dwelling__entrance__building__compound__name="示范家园").count() == 6


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_big_file_shows_its_progress_and_can_be_cancelled(demo, live_server, request, tmp_path, settings,
                                                            monkeypatch, screen):
    from linli.accounts.models import User
    from linli.core import clock
    from linli.imports.models import ImportJob

    page = request.getfixturevalue(screen)
    settings.LINLI_IMPORT_BACKGROUND_BYTES = 0  # every file through a background job
    # given: the example file, checked by a job (the test's worker runs at once)
    login(page, live_server, "community1")
    page.goto(f"{live_server.url}/imports/residents/")
    with page.expect_download() as download:
        page.click("text=下载示例文件")
    path = tmp_path / "示例.xlsx"
    download.value.save_as(path)
    page.set_input_files("#import-file", str(path))
    page.click("button[value=check]")
    page.wait_for_selector("text=全部 6 行通过检查")
    job = ImportJob.objects.get(actor=User.objects.get(username="community1"))
    # when: the clerk confirms, and the worker (held back here) is half-way through writing
    monkeypatch.setattr("linli.imports.tasks.commit_job", type("Held", (), {"enqueue": staticmethod(print)}))
    page.click("#job button:has-text('确认导入')")
    page.wait_for_selector("text=正在导入")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.IMPORTING, rows_written=3, rows_to_write=6,
                                               started_at=clock.now() - dt.timedelta(seconds=12))
    page.wait_for_selector("text=已写入 3 / 6 行（50%）", timeout=5000)
    # then: the bar fills the card, the time left is shown, nothing scrolls sideways
    bar = page.locator("#job-progress")
    assert bar.get_attribute("value") == "3" and bar.get_attribute("max") == "6"
    card = page.locator(".card").bounding_box()
    assert bar.bounding_box()["width"] > card["width"] * 0.8
    assert "预计还需" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # when: the clerk cancels
    page.click("#job button:has-text('取消')")
    # then
    page.wait_for_selector("text=已取消，没有导入任何一行")
    job.refresh_from_db()
    assert job.state == ImportJob.State.CANCELLED and job.sealed_file is None
    assert not Resident.objects.filter(name="周建华").exists()
