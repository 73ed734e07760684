"""With DEBUG off: a Content-Security-Policy of the app's own assets, HSTS when configured, and
sessions that end after a working day (or sooner when idle)."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from linli.core import clock

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_a_policy_of_the_apps_own_assets_without_inline_scripts_or_styles(world, client_for):
    # when
    response = client_for("grid_worker").get("/")
    # then
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_api_and_its_documentation_carry_the_policy_too(world, client_for):
    assert "script-src 'self'" in client_for("admin").get("/api/v1/docs")["Content-Security-Policy"]


def test_templates_have_no_inline_script_style_attribute_or_event_handler():
    # A policy without 'unsafe-inline' silently drops these in the browser; this says where.
    found = []
    for path in ROOT.glob("**/templates/**/*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r"\sstyle=\"", r"\son[a-z]+=\"",
                        r"<style\b", r"\shx-on"):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


def test_hsts_is_off_by_default_and_sent_over_tls_when_configured(world, settings):
    assert "Strict-Transport-Security" not in Client().get("/login/", secure=True)
    # SecurityMiddleware reads its settings when a client's handler loads it, hence a new client.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_login_lasts_eight_hours_by_default(world, client):
    # when
    response = client.post("/login/", {"username": "grid1", "password": "linli-demo"})
    # then
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 8 * 3600


def test_an_idle_login_ends_after_the_idle_limit(world, client_for, settings):
    # given a login in use every 20 minutes, with a 30-minute idle limit
    settings.LINLI_SESSION_IDLE_MINUTES = 30
    client = client_for("grid_worker")
    assert client.get("/").status_code == 200
    clock.advance(dt.timedelta(minutes=20))
    assert client.get("/").status_code == 200
    clock.advance(dt.timedelta(minutes=20))
    assert client.get("/").status_code == 200
    # when it is left alone for 31 minutes
    clock.advance(dt.timedelta(minutes=31))
    response = client.get("/")
    # then the next request finds it logged out
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_every_limit_is_read_from_the_environment():
    # given a server configured through its environment
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x", "LINLI_DATA_KEY": "dGVzdC1rZXktbGlubGktMzItYnl0ZXMtbG9uZy0hISE=",
           "SECURE_HSTS_SECONDS": "600", "SECURE_HSTS_PRELOAD": "1", "SECURE_PROXY_SSL_HEADER": "1",
           "SESSION_COOKIE_AGE": "3600", "SESSION_EXPIRE_AT_BROWSER_CLOSE": "1", "LINLI_SESSION_IDLE_MINUTES": "15",
           "LINLI_LOGIN_FAILURE_LIMIT": "3", "LINLI_LOGIN_ADDRESS_FAILURE_LIMIT": "12",
           "LINLI_LOGIN_COOLOFF_MINUTES": "30", "LINLI_API_WRITE_RATE": "5/m", "LINLI_OPEN311_POST_RATE": "100/h",
           "LINLI_CACHE_URL": "redis://127.0.0.1:6379/3", "LINLI_PROXY_COUNT": "1"}
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_AGE",
             "SESSION_EXPIRE_AT_BROWSER_CLOSE", "LINLI_SESSION_IDLE_MINUTES", "AXES_FAILURE_LIMIT",
             "LINLI_LOGIN_ADDRESS_FAILURE_LIMIT", "LINLI_API_WRITE_RATE", "LINLI_OPEN311_POST_RATE", "LINLI_PROXY_COUNT"]
    script = ("import json, sys, linli.settings as s; print(json.dumps({n: getattr(s, n) for n in sys.argv[1:]} | "
              "{'cooloff': s.AXES_COOLOFF_TIME.total_seconds(), 'cache': s.CACHES['default']['BACKEND'], "
              "'csp': 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE}))")
    # when
    out = subprocess.run([sys.executable, "-c", script, *names], env=env, capture_output=True, text=True, check=True,
                         cwd=ROOT.parent).stdout
    # then
    assert json.loads(out) == {
        "SECURE_HSTS_SECONDS": 600, "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SESSION_COOKIE_AGE": 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "LINLI_SESSION_IDLE_MINUTES": 15, "AXES_FAILURE_LIMIT": 3,
        "LINLI_LOGIN_ADDRESS_FAILURE_LIMIT": 12, "LINLI_API_WRITE_RATE": [5, 60],
        "LINLI_OPEN311_POST_RATE": [100, 3600], "LINLI_PROXY_COUNT": 1, "cooloff": 1800.0,
        "cache": "django.core.cache.backends.redis.RedisCache", "csp": True}
