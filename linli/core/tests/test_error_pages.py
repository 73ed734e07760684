"""Errors stay inside the site: Chinese pages in the site's frame with a way back, never Django's own."""

import re

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"\b(Not Found|Forbidden|Server Error|Bad Request|CSRF)\b")


def test_unknown_page_answers_the_sites_chinese_404(client_for):
    # given a logged-in worker
    client = client_for("grid_worker")
    # when they follow a link to a page that does not exist
    response = client.get("/places/units/999999/")
    # then they read a Chinese page inside the site's frame, with a way home
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'href="/"' in html and "返回首页" in html
    assert 'class="brand"' in html
    assert not ENGLISH.search(html)


def test_refused_page_answers_the_sites_chinese_403_with_the_reason(client_for):
    # given the property staff, who may look at points but not award them
    client = client_for("property_staff")
    # when they open the award form
    response = client.get("/points/staff/award/")
    # then the 403 is the site's page, in Chinese, saying why, not a bare "403 Forbidden"
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权操作" in html and "返回首页" in html
    assert not ENGLISH.search(html)


def test_an_expired_form_answers_a_chinese_csrf_page(world):
    # given a browser whose form token is gone (a page left open over a long break)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("resident"))
    # when it posts
    response = client.post("/cases/new/", {"description": "x"})
    # then it reads why in Chinese, inside the site
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "没有被受理" in html
    assert not ENGLISH.search(html)


def test_a_server_error_answers_a_chinese_page_that_needs_no_database(rf):
    # given the 500 handler renders without a request context (the failure may be the database)
    from django.views.defaults import server_error

    # when a view fails
    response = server_error(rf.get("/"))
    # then the page is Chinese, complete, and says nothing was half-saved
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统繁忙" in html and "没有保存一半" in html and 'href="/"' in html
    assert not ENGLISH.search(html)


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("linli/favicon.svg")


@override_settings(DEBUG=False)
def test_the_demo_switch_does_not_turn_on_debug_pages():
    # `make run` exports LINLI_DEMO=1 and no DEBUG: demo secrets and console mail, no route listing
    import importlib
    import os


    saved = {k: os.environ.get(k) for k in ("DEBUG", "LINLI_DEMO")}
    try:
        os.environ.pop("DEBUG", None)
        os.environ["LINLI_DEMO"] = "1"
        import linli.settings as live

        module = importlib.reload(live)
        assert module.DEBUG is False
        assert module.DEMO is True
        assert module.EMAIL_BACKEND.endswith("console.EmailBackend")
        assert module.SESSION_COOKIE_SECURE is False
        assert "127.0.0.1" in module.ALLOWED_HOSTS
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        importlib.reload(live)


def test_select_placeholders_read_please_choose_not_dashes(client_for):
    # given a staff form with a blank choice (the award form's resident and rule)
    html = client_for("community_secretary").get("/points/staff/award/").content.decode()
    # then the blank option reads 请选择
    assert "<select" in html
    assert "---------" not in html
    assert "请选择" in html


def test_pages_are_chinese_even_when_the_browser_asks_for_english(client_for):
    # given a worker whose phone's system language is English
    client = client_for("grid_worker")
    # when they open their home page
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    # then it is in Chinese, and English is one button away
    assert 'lang="zh-CN"' in html and "退出" in html
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()


def test_date_fields_render_their_value_in_the_form_a_date_input_shows():
    # given a date field with a value, rendered in Chinese
    import datetime as dt

    from django import forms
    from django.utils import translation

    class F(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("zh-hans"):
        html = str(F(initial={"day": dt.date(2026, 12, 2)})["day"])
    # then the value is YYYY-MM-DD, which <input type="date"> displays (YYYY/MM/DD shows an empty field)
    assert 'value="2026-12-02"' in html
