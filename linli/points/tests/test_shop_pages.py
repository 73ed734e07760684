"""The shop as a resident meets it: what they can afford, a confirmation, and a voucher with a pickup code."""

import re

import pytest

from linli.points import services
from linli.points.models import Redemption

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_enough_for_soap(world, shop):
    # 30 points from three hours of volunteering (10 an hour): a soap (10) yes, an umbrella (50) no
    services.award_grant(actor=world.user("grid_worker"), key="seed", rule=shop.volunteer, resident=world.resident,
                         quantity=3, source_type="volunteer", source_id="义诊", evidence="")
    return shop


def test_shop_shows_what_the_resident_can_afford_and_how_far_they_are_from_the_rest(rich_enough_for_soap,
                                                                                    client_for):
    # when the resident opens the shop with 30 points
    html = client_for("resident").get("/points/shop/").content.decode()
    # then the soap offers a redeem link, the umbrella says how many points are missing and offers none
    soap = re.search(r'<div class="card goods">\s*<h3>香皂.*?</div>', html, re.S).group(0)
    umbrella = re.search(r'<div class="card goods">\s*<h3>雨伞.*?</div>', html, re.S).group(0)
    assert 'data-action="redeem"' in soap
    assert 'data-action="redeem"' not in umbrella
    assert "积分不足，还差 20 分" in umbrella


def test_redeem_asks_for_confirmation_first_and_writes_nothing(rich_enough_for_soap, client_for, counts):
    # given
    shop = rich_enough_for_soap
    before = counts()
    # when the resident taps 兑换
    response = client_for("resident").get(f"/points/shop/{shop.soap.pk}/redeem/")
    # then a confirmation shows the cost, the balance after it and where to collect it; nothing is booked
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认兑换，扣除 10 分" in html
    assert "兑换后余额" in html and "20 分" in html
    assert "领取地点" in html and "党群服务中心" in html
    assert counts() == before


def test_confirmed_redemption_gives_a_voucher_with_code_place_and_hours(rich_enough_for_soap, client_for):
    # given
    shop = rich_enough_for_soap
    client = client_for("resident")
    page = client.get(f"/points/shop/{shop.soap.pk}/redeem/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    # when she confirms
    response = client.post(f"/points/shop/{shop.soap.pk}/redeem/", {"key": key, "quantity": 1}, follow=True)
    # then she lands on the voucher with a six-digit code, the place and the hours
    redemption = Redemption.objects.get(key=key)
    html = response.content.decode()
    assert re.fullmatch(r"\d{6}", redemption.pickup_code)
    assert redemption.pickup_code in html
    assert "领取地点" in html and "领取时间" in html and "工作日" in html


def test_staff_see_the_voucher_without_its_code(rich_enough_for_soap, world, client_for):
    # given a reservation
    r = services.redemption_create(actor=world.user("resident"), goods=rich_enough_for_soap.soap, key="v1")
    # when the grid worker opens it
    html = client_for("grid_worker").get(f"/points/redemptions/{r.pk}/").content.decode()
    # then the code, which proves the resident is there, is not shown to staff
    assert r.pickup_code not in html


def test_pickup_needs_the_residents_code(rich_enough_for_soap, world, client_for, counts):
    # given a reservation and the station's worker
    r = services.redemption_create(actor=world.user("resident"), goods=rich_enough_for_soap.soap, key="p1")
    worker = client_for("grid_worker")
    wrong = "000000" if r.pickup_code != "000000" else "111111"
    before = counts()
    # when the worker types a wrong code
    response = worker.post(f"/points/staff/redemptions/{r.pk}/pickup/", {"code": wrong}, follow=True)
    # then nothing is handed over or booked, and the worker reads why
    assert "领取码不正确" in response.content.decode()
    assert counts() == before
    r.refresh_from_db()
    assert r.status == Redemption.Status.RESERVED
    # when the worker types the right one
    worker.post(f"/points/staff/redemptions/{r.pk}/pickup/", {"code": r.pickup_code})
    # then the item is handed over
    r.refresh_from_db()
    assert r.status == Redemption.Status.COMPLETED
