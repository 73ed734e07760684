"""A clerk tries an import on the demo: downloads the filled example, checks it, confirms, on a phone and a desk."""

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
