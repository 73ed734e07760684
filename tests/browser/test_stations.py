"""Stations and micro-wishes on a phone: the resident reads the station's timetable and catalogue and
posts a wish, a Party member of the community claims it and fulfils it with a photo, the resident
confirms."""

import datetime as dt
import io

import pytest
from PIL import Image

from linli.stations import services
from linli.stations.models import MicroWish
from linli.stations.tests.helpers import member
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(phone, live_server, username):
    phone.context.clear_cookies()
    login(phone, live_server, username)
    if "/login/" in phone.url:
        phone.goto(f"{live_server.url}/login/")
        phone.fill("#id_username", username)
        phone.fill("#id_password", "linli-demo")
        phone.click("main button[type=submit]")
    phone.wait_for_url(lambda url: "/login/" not in url)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _fits(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_resident_posts_a_wish_a_member_claims_and_fulfils_it_the_resident_confirms(world, live_server, phone):
    # given the compound's station with its hours, and a Party member living in the community
    station = services.station_create(actor=world.user("community_secretary"), community=world.community1,
                                      compound=world.compound1, name="康宁小区党群服务站", kind="compound",
                                      address="康宁小区3号楼一层", on_call=True, on_call_phone="0351-1234567")
    services.slot_add(actor=world.user("community_secretary"), station=station, weekday=0, opens=dt.time(9),
                      closes=dt.time(12))
    services.slot_add(actor=world.user("community_secretary"), station=station, weekday=5, opens=dt.time(18),
                      closes=dt.time(20), mode="staggered")
    member(world)

    # when the resident opens the station from the list
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/stations/")
    phone.click("text=康宁小区党群服务站")
    # then the timetable shows the three modes and the catalogue its items
    timetable = phone.inner_text("#timetable")
    assert "定时" in timetable and "错时" in timetable and "随时" in timetable and "09:00–12:00" in timetable
    assert "社保卡申领代办" in phone.inner_text("#catalogue")
    assert _fits(phone)

    # when she posts a wish
    phone.goto(f"{live_server.url}/stations/wishes/")
    phone.click("text=发布微心愿")
    phone.fill("#id_title", "想要一副老花镜")
    phone.fill("#id_body", "看药品说明书很吃力")
    phone.click("main button[type=submit]:has-text('发布')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#wish-status") == "待认领"

    # when the member opens the open wishes: the wish is there without her name, and he claims it
    _as(phone, live_server, "member1")
    phone.goto(f"{live_server.url}/stations/wishes/")
    assert "张秀英" not in phone.content()
    phone.locator("#open-wishes a", has_text="想要一副老花镜").click()
    phone.click("text=认领这个心愿")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#wish-status") == "已认领"
    # and fulfils it with a photo
    phone.fill("#id_note", "已送到家中，试戴合适")
    phone.set_input_files("#id_photos", files=[{"name": "glasses.png", "mimeType": "image/png", "buffer": _png()}])
    phone.click("main button[type=submit]:has-text('登记实现')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#wish-status") == "已实现待确认"
    assert _fits(phone)

    # when the resident comes back, sees the photo and confirms
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/stations/wishes/")
    phone.locator("#my-wishes a", has_text="想要一副老花镜").click()
    assert phone.locator("img.photo").count() == 1
    phone.fill("#confirm-note", "非常合适，谢谢！")
    phone.click("text=确认已实现")
    phone.wait_for_load_state("networkidle")
    # then the wish is confirmed and its timeline tells the whole story
    assert phone.inner_text("#wish-status") == "已确认"
    assert MicroWish.objects.get().status == "confirmed"
    timeline = phone.inner_text("ol.timeline")
    assert all(word in timeline for word in ("发布", "认领", "实现", "确认"))


def test_resident_orders_an_errand_the_community_dispatches_the_member_does_it_the_resident_rates(
        world, live_server, phone):
    # given the compound's station and a member on the community's resource list
    station = services.station_create(actor=world.user("community_secretary"), community=world.community1,
                                      compound=world.compound1, name="康宁小区党群服务站", kind="compound",
                                      address="康宁小区3号楼一层")
    handler = member(world)
    services.resource_create(actor=world.user("community_secretary"), community=world.community1, kind="member",
                             name="李建国（党员）", offer="帮办代办", handler=handler)

    # when the resident orders 社保卡申领代办 from the station's catalogue
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/stations/{station.pk}/")
    phone.click("a[aria-label='点单：社保卡申领代办']")
    phone.click("main button[type=submit]:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "待派单"
    need_url = phone.url

    # when the community secretary dispatches it to the member
    _as(phone, live_server, "community1")
    phone.goto(need_url)
    phone.select_option("#dispatch-resource", label="李建国（党员） · 帮办代办")
    phone.click("main button[type=submit]:has-text('派单')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已派单"

    # when the member accepts it from his tasks and records the result
    _as(phone, live_server, "member1")
    phone.goto(f"{live_server.url}/stations/needs/")
    phone.locator("#my-tasks a", has_text="社保卡申领代办").click()
    phone.click("main button[type=submit]:has-text('接单')")
    phone.wait_for_load_state("networkidle")
    phone.fill("#done-result", "已代为提交材料")
    phone.click("main button[type=submit]:has-text('登记办理结果')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已办理待评价"
    assert _fits(phone)

    # then the resident rates it
    _as(phone, live_server, "resident1")
    phone.goto(need_url)
    phone.select_option("#rate-rating", value="5")
    phone.click("main button[type=submit]:has-text('提交评价')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已评价"
    assert "5 星" in phone.inner_text("main")


def test_a_partner_accepts_a_dispatched_need_on_the_phone_and_the_resident_rates_it(world, live_server, phone):
    from linli.orgs.models import PartnerUnit
    from linli.stations.models import Need, NeedEvent

    # given a partner unit of the community whose staff member got a login of the narrow role
    unit = PartnerUnit.objects.create(name="康宁家电维修部", kind="unit", community=world.community1, offer="家电维修")
    staff = services.partner_staff_add(actor=world.user("community_secretary"), partner=unit, name="王师傅",
                                       username="partner1", password="linli-demo")

    # when the secretary puts the partner's login on the resource list, on the page
    _as(phone, live_server, "community1")
    phone.goto(f"{live_server.url}/stations/resources/new/")
    phone.select_option("#id_community", label="康宁社区")
    phone.select_option("#id_kind", value="partner")
    phone.fill("#id_name", "康宁家电维修部")
    phone.fill("#id_offer", "上门维修家电")
    phone.select_option("#id_partner_handler", label="王师傅（康宁家电维修部）")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "康宁家电维修部" in phone.inner_text("#resources")

    # and the resident orders, the secretary dispatches it to the partner
    need = services.need_post(actor=world.user("resident"), title="洗衣机不脱水")
    phone.goto(f"{live_server.url}/stations/needs/{need.pk}/")
    phone.select_option("#dispatch-resource", label="康宁家电维修部 · 上门维修家电")
    phone.click("main button[type=submit]:has-text('派单')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已派单"

    # when the partner logs in on the phone: the tab bar offers the needs, the task is there
    _as(phone, live_server, "partner1")
    phone.click("nav.tabs a:has-text('点单')")
    phone.locator("#my-tasks a", has_text="洗衣机不脱水").click()
    assert "张秀英" not in phone.content()
    phone.click("main button[type=submit]:has-text('接单')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已接单"
    phone.fill("#done-result", "更换了排水泵")
    phone.click("main button[type=submit]:has-text('登记办理结果')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已办理待评价"
    assert _fits(phone)

    # then the resident rates it and the timeline tells every step
    _as(phone, live_server, "resident1")
    phone.goto(f"{live_server.url}/stations/needs/{need.pk}/")
    phone.select_option("#rate-rating", value="4")
    phone.fill("#rate-note", "师傅很专业")
    phone.click("main button[type=submit]:has-text('提交评价')")
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("#need-status") == "已评价"
    assert Need.objects.get().resource.handler == staff.user
    assert list(NeedEvent.objects.filter(need=need).values_list("kind", flat=True)) == [
        "ordered", "dispatched", "accepted", "done", "rated"]
