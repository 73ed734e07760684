"""Points on a phone: staff book volunteer hours, the resident redeems, staff confirm pickup, the
statement explains the balance."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.points.models import Account, Category, Goods, PointRule, RedemptionWindow
from tests.browser.conftest import login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(phone, live_server, username):
    phone.context.clear_cookies()
    try:
        login(phone, live_server, username)
    finally:
        if "/login/" in phone.url:
            # The shared helper clicks the page's first submit button, which is the header's language
            # switch; submit the login form itself instead.
            phone.goto(f"{live_server.url}/login/")
            phone.fill("#id_username", username)
            phone.fill("#id_password", "linli-demo")
            phone.click("main button[type=submit]")
    phone.wait_for_url(lambda url: "/login/" not in url)
    phone.wait_for_load_state("networkidle")


def test_volunteer_hours_to_redemption_to_pickup_on_a_phone(world, live_server, phone):
    # given a time-bank rule (10 points an hour), a soap in the shop and an open redemption window
    rule = PointRule.objects.create(community=world.community1, category=Category.PUBLIC_GOOD, code="volunteer",
                                    name="志愿服务", points=10, unit=PointRule.Unit.HOUR, cap=200)
    soap = Goods.objects.create(community=world.community1, name="香皂", price=15, stock=3, limit_per_person=2)
    now = timezone.now()
    RedemptionWindow.objects.create(community=world.community1, name="本期兑换", opens_at=now - dt.timedelta(days=1),
                                    closes_at=now + dt.timedelta(days=30))

    # when the grid worker books 2.5 volunteer hours for the resident
    _as(phone, live_server, "grid1")
    phone.goto(f"{live_server.url}/points/staff/award/")
    pick(phone, "resident", "张秀英")
    phone.select_option("#id_rule", value=str(rule.pk))
    phone.fill("#id_quantity", "2.5")
    phone.select_option("#id_source_type", value="volunteer")
    phone.fill("#id_source_id", "敬老院义诊-0510")
    phone.click("button[type=submit]:has-text('记分')")
    phone.wait_for_load_state("networkidle")
    # then the award is confirmed
    assert "已为张秀英记 +25 分" in phone.content()

    # when the resident opens her points
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/points/")
    # then she sees the 25 points and where they came from
    assert phone.inner_text("#my-balance") == "25"
    assert "志愿服务" in phone.inner_text("table.statement")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # when she redeems a soap in the shop and confirms what it costs
    phone.goto(f"{live_server.url}/points/shop/")
    phone.click(".goods:has-text('香皂') [data-action=redeem]")
    phone.wait_for_load_state("networkidle")
    assert "兑换后余额" in phone.content() and "10 分" in phone.inner_text(".confirm")
    phone.click("button[name=redeem]")
    phone.wait_for_load_state("networkidle")
    # then she holds a voucher: a pickup code, the place and the hours; the points are reserved
    assert "已兑换“香皂”×1，扣除 15 分" in phone.content()
    assert "待领取" in phone.content() and "领取地点" in phone.content()
    code = phone.inner_text("#pickup-code").strip()
    assert len(code) == 6 and code.isdigit()
    soap.refresh_from_db()
    assert soap.stock == 2

    # when the grid worker types the code she shows and confirms the pickup
    _as(phone, live_server, "grid1")
    phone.goto(f"{live_server.url}/points/staff/pickups/")
    phone.fill("tr:has-text('张秀英') input[name=code]", code)
    phone.click("tr:has-text('张秀英') button:has-text('确认领取')")
    phone.wait_for_load_state("networkidle")
    assert "已确认张秀英领取“香皂”" in phone.content()

    # then the resident's statement explains the balance entry by entry
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/points/")
    assert phone.inner_text("#my-balance") == "10"
    rows = phone.locator("table.statement tbody tr")
    assert rows.count() == 2
    newest, oldest = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "积分超市兑换：香皂×1" in newest and "-15" in newest and "10" in newest
    assert "志愿服务" in oldest and "+25" in oldest
    phone.goto(f"{live_server.url}/points/redemptions/")
    assert "已领取" in phone.content()
    assert Account.objects.get(resident=world.resident).balance == 10
