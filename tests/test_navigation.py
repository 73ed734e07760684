"""Each role sees its own few entries, the rest one tap away, and no link the navigation offers is refused."""

import re

import pytest

from linli.testing import PERSONAS

pytestmark = pytest.mark.django_db

LOGGED_IN = [p for p in PERSONAS if p != "anonymous"]


def _links(html: str, nav_class: str) -> list[str]:
    block = re.search(rf'<nav class="{nav_class}"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'<a href="([^"]+)"', block.group(1)) if block else []


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_every_navigation_link_opens_for_the_person_it_is_shown_to(client_for, persona, counts):
    # given the person's home page
    client = client_for(persona)
    html = client.get("/").content.decode()
    links = set(_links(html, "side")) | set(_links(html, "tabs"))
    before = counts()
    # when they follow every entry the navigation offers
    refused = {}
    for url in sorted(links):
        status = client.get(url).status_code
        if status != 200:
            refused[url] = status
    # then none of them is refused or missing, and reading wrote nothing
    assert links
    assert refused == {}
    assert counts() == before


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_the_phone_tab_bar_holds_at_most_five_entries(client_for, persona):
    html = client_for(persona).get("/").content.decode()
    tabs = _links(html, "tabs")
    assert 2 <= len(tabs) <= 6  # 首页, up to four of the role's own, 更多


def test_roles_get_their_own_tabs(client_for):
    def tabs(persona):
        html = client_for(persona).get("/").content.decode()
        block = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', html, re.S).group(1)
        return re.findall(r"<span>([^<]+)</span>", block)

    assert tabs("resident")[:4] == ["首页", "我的诉求", "积分", "议事"]
    assert tabs("grid_worker")[:4] == ["首页", "网格工作", "诉求", "居民"]
    assert tabs("district_officer")[:2] == ["首页", "驾驶舱"]
    # property staff neither award points nor see the entry for it
    assert "积分管理" not in client_for("property_staff").get("/more/").content.decode()
    assert "积分管理" not in tabs("property_staff")


def test_the_admin_link_is_only_for_those_who_may_use_the_admin(client_for):
    assert 'href="/admin/"' in client_for("admin").get("/more/").content.decode()
    assert 'href="/admin/"' not in client_for("district_officer").get("/more/").content.decode()


def test_more_page_needs_a_login(client):
    response = client.get("/more/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_partner_staff_login_gets_the_needs_dispatched_to_it_and_every_link_opens(world, counts):
    from django.test import Client

    from linli.stations.tests.helpers import partner_login

    handler, _resource = partner_login(world)
    client = Client()
    client.force_login(handler)
    html = client.get("/").content.decode()
    links = set(_links(html, "side")) | set(_links(html, "tabs"))
    assert "/stations/needs/" in links
    before = counts()
    assert {url: client.get(url).status_code for url in sorted(links)} == {url: 200 for url in sorted(links)}
    assert counts() == before
