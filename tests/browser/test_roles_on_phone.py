"""Each role logs in on a phone-sized screen, sees its home page and opens one registry page."""

import pytest
from django.urls import reverse

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def registry_page(world, persona):
    """The one registry page each role opens from its home page."""
    if persona == "resident":
        return reverse("places:compound_detail", args=[world.compound1.pk]), "康宁小区"
    if persona == "property_staff":
        return reverse("places:compound_list"), "幸福苑"
    if persona in ("grid_worker", "branch_secretary"):
        return reverse("people:resident_list"), "张秀英"
    return reverse("places:compound_list"), "康宁小区"


@pytest.mark.parametrize(
    "persona",
    ["resident", "grid_worker", "branch_secretary", "property_staff", "community_secretary",
     "street_officer", "district_officer", "admin"],
)
def test_role_home_and_registry_page_on_a_phone(world, live_server, phone, persona):
    # given
    user = world.user(persona)
    # when
    login(phone, live_server, user.username)
    # then the home page greets the user, in Chinese, without horizontal scrolling
    assert phone.url.rstrip("/") == live_server.url
    assert phone.locator("header.top").inner_text().find(str(user)) >= 0
    assert phone.evaluate("document.documentElement.lang") == "zh-CN"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # and one registry page shows something from the user's own area
    path, expected = registry_page(world, persona)
    response = phone.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert expected in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_outsider_cannot_open_a_compound_outside_its_area(world, live_server, phone):
    login(phone, live_server, world.user("outsider").username)
    response = phone.goto(f"{live_server.url}{reverse('places:compound_detail', args=[world.compound1.pk])}")
    assert response.status == 404
    assert "康宁小区" not in phone.content()
