"""Login throttling: an account or an address that keeps failing is locked for the cool-off."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from linli.accounts.models import ApiToken
from linli.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"


def token(client, username, password, ip="10.0.0.1"):
    return client.post(TOKEN, {"username": username, "password": password}, content_type="application/json",
                       REMOTE_ADDR=ip)


def page_login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_sixth_login_on_the_page_is_refused_even_with_the_right_password(world, client):
    # given five wrong passwords (the fifth already answers with the lockout)
    statuses = [page_login(client, "street1", "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # when the right one comes
    response = page_login(client, "street1", "linli-demo")
    # then the page says so in Chinese, nobody is logged in, and the lockout is audited once
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "登录失败次数过多，已暂时锁定，请 15 分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session
    rows = AuditEntry.objects.filter(action="login_lockout")
    assert [(r.object_repr, r.object_id, r.changes["locked_by"]) for r in rows] == [
        ("street1", str(world.user("street_officer").pk), "account")]


def test_token_endpoint_answers_429_with_retry_after_and_issues_nothing_when_locked(world, client):
    # given five wrong passwords on the API
    statuses = [token(client, "street1", "wrong").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    # when
    response = token(client, "street1", "linli-demo")
    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json()["detail"].startswith("登录失败次数过多")
    assert ApiToken.objects.count() == 0
    assert AuditEntry.objects.filter(action="login_lockout", object_repr="street1").count() == 1


def test_the_account_is_locked_from_every_address_and_the_page_and_api_share_the_count(world, client):
    # given wrong passwords from two addresses, through both doors
    for i in range(3):
        page_login(client, "grid1", "wrong", ip=f"10.0.1.{i}")
    for i in range(2):
        token(client, "grid1", "wrong", ip=f"10.0.2.{i}")
    # when the right password comes from a third address
    response = token(client, "grid1", "linli-demo", ip="10.0.3.1")
    # then
    assert response.status_code == 429
    # and another account from that address is not affected
    assert token(client, "street1", "linli-demo", ip="10.0.3.1").status_code == 200


def test_an_address_is_locked_after_its_own_larger_limit(world, client, settings):
    # given one wrong password each for many names from one address
    settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for i in range(8):
        token(client, f"nobody{i}", "wrong", ip="10.9.9.9")
    # when a real account logs in from that address, and from another
    locked = token(client, "street1", "linli-demo", ip="10.9.9.9")
    elsewhere = token(client, "street1", "linli-demo", ip="10.9.9.10")
    # then
    assert locked.status_code == 429
    assert elsewhere.status_code == 200
    assert AuditEntry.objects.filter(action="login_lockout", changes__locked_by="address").exists()


def test_fewer_failures_than_the_limit_still_log_in(world, client):
    for _ in range(4):
        token(client, "street1", "wrong")
    assert token(client, "street1", "linli-demo").status_code == 200


def test_after_the_cool_off_the_right_password_works_again(world, client):
    # given a lockout
    for _ in range(6):
        token(client, "street1", "wrong")
    assert token(client, "street1", "linli-demo").status_code == 429
    # when the cool-off has passed since the last attempt
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=16))
    # then
    assert token(client, "street1", "linli-demo").status_code == 200


def test_limit_and_cool_off_come_from_settings(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=3)
    for _ in range(2):
        token(client, "street1", "wrong")
    response = token(client, "street1", "linli-demo")
    assert response.status_code == 429
    assert response["Retry-After"] == "180"
    assert "3 分钟" in response.json()["detail"]
