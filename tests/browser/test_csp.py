"""Under the Content-Security-Policy (DEBUG off), no page has a script, style or image refused."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def refusals(page):
    found = []
    page.on("console", lambda message: found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return found


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "admin"])
def test_every_menu_page_loads_without_a_csp_refusal(world, live_server, phone, persona):
    # given
    found = refusals(phone)
    login(phone, live_server, world.user(persona).username)
    links = phone.eval_on_selector_all("nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    extra = {"admin": ["/api/v1/docs", "/admin/"], "resident": ["/cases/new/"]}.get(persona, [])
    # when each page is opened
    for path in dict.fromkeys(links + extra):
        response = phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("networkidle")
        assert response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    # then the browser refused nothing
    assert found == []
