"""Playwright driving Debian's chromium (never a downloaded browser) against a live test server."""

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here are
# still plain synchronous code, so Django's async-safety guard is relaxed for browser tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Any violation of these impacts fails the test that visited the page.
FAILING_IMPACTS = ("critical", "serious")
# After each page load the page checks itself and reports to the test (an exposed function).
AXE_RUNNER = """
window.__linliAxeRun = () => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
  .filter(v => IMPACTS.includes(v.impact))
  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))})));
window.addEventListener("load", () => setTimeout(() => {
  window.__linliAxeRun().then(found => window.__linliAxeReport(location.href, found)).catch(() => {});
}, 0));
""".replace("IMPACTS", json.dumps(list(FAILING_IMPACTS)))


def _chromium_path():
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if not path:
        if os.environ.get("LINLI_REQUIRE_BROWSER"):
            pytest.fail("chromium 未安装：CI 要求运行浏览器测试（apt-get install chromium）")
        pytest.skip("chromium 未安装（apt-get install chromium），跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


def _axe_source():
    if AXE.exists():
        return AXE.read_text()
    if os.environ.get("LINLI_REQUIRE_BROWSER"):
        pytest.fail("axe-core 未安装：CI 要求检查无障碍（make install 会用 npm ci 安装）")
    return None


def _ours(url: str) -> bool:
    # The API's documentation page is django-ninja's own (Swagger UI), not a page of the site.
    return "/api/v1/docs" not in url


class AxeWatch:
    """Checks every page a test's browser loads with axe-core; the test fails on a serious violation.

    Pages are checked as they load; a page the test left before its check finished is loaded again
    (GET) at the end and checked then, so every page visited is checked once.
    """

    def __init__(self, page, source):
        self.page = page
        self.visited: list[str] = []
        self.checked: dict[str, list] = {}
        page.context.add_init_script(source + AXE_RUNNER)
        page.expose_function("__linliAxeReport", self._report)
        page.on("load", lambda p: self.visited.append(p.url))

    def _report(self, url, found):
        if not _ours(url):
            return
        self.checked[url] = found

    def finish(self) -> dict[str, list]:
        for url in dict.fromkeys(self.visited):
            if url in self.checked or not url.startswith("http") or not _ours(url):
                continue
            try:
                self.page.goto(url)
                self.checked[url] = self.page.evaluate("window.__linliAxeRun()")
            except Exception as exc:  # noqa: BLE001 - a page that cannot be re-read is reported, not hidden
                self.checked[url] = [{"id": "recheck-failed", "impact": "serious", "help": str(exc)[:200],
                                      "nodes": []}]
        return {url: found for url, found in self.checked.items() if found}


def _page(browser, **options):
    context = browser.new_context(locale="zh-CN", bypass_csp=True, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    source = _axe_source()
    watch = AxeWatch(page, source) if source else None
    return context, page, watch


def _finish(context, watch):
    try:
        problems = watch.finish() if watch else {}
    finally:
        context.close()
    if problems:
        lines = [f"{url}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
                 for url, found in problems.items() for v in found]
        pytest.fail("axe-core 发现严重的无障碍问题：\n" + "\n".join(lines), pytrace=False)


@pytest.fixture
def phone(browser):
    """A fresh phone-sized page (iPhone 12-like viewport, Chinese locale), checked by axe-core."""
    context, page, watch = _page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield page
    _finish(context, watch)


@pytest.fixture
def desktop(browser):
    """A desktop-sized page, checked by axe-core like the phone."""
    context, page, watch = _page(browser, viewport=DESKTOP)
    yield page
    _finish(context, watch)


def login(page, live_server, username, password="linli-demo"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def pick(page, field: str, text: str, label: str | None = None) -> None:
    """Choose with the searched picker (core.picker): type, wait for the options, tick the one wanted;
    it becomes a chip."""
    page.fill(f"#id_{field}", text)
    page.locator(f"#id_{field}_results label.picker-option", has_text=label or text).first.click()
    page.locator(f"#id_{field}_chosen .chip", has_text=label or text).wait_for()
