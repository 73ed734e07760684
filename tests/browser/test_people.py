"""The people registry on a phone: a Party member is registered with the searched picker, by
keyboard and by touch, and without JavaScript."""

import os

import pytest
from django.urls import reverse

from linli.people.models import PartyMember
from tests.browser.conftest import AXE, PHONE, login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the phone screenshot of the picker goes (look at it after a change to the picker).
SHOT = os.environ.get("LINLI_SCREENSHOT_DIR", "/tmp")


def test_party_member_registered_with_the_picker_on_a_phone(world, live_server, phone):
    # given
    login(phone, live_server, world.user("community_secretary").username)
    phone.goto(f"{live_server.url}{reverse('people:partymember_create')}")
    # when the neighbour is found by the last four digits of his ID number and chosen by keyboard
    phone.fill("#id_resident", world.neighbour.id_number[-4:])
    phone.locator("#id_resident_results label.picker-option", has_text="李建国").wait_for()
    phone.focus("#id_resident")
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("Space")
    # then he is the one chip, the search is cleared, and no whole number was shown
    assert phone.locator("#id_resident_chosen .chip").all_inner_texts() == [
        f"李建国（{world.neighbour.household.dwelling}）"]
    assert phone.input_value("#id_resident") == ""
    assert world.neighbour.id_number not in phone.content()
    # when two households of the compound are ticked and one of them removed again
    phone.select_option("#id_category", "retired")
    pick(phone, "cared_households", "康宁", label="1单元 101")
    pick(phone, "cared_households", "康宁", label="1单元 201")
    assert phone.locator("#id_cared_households_chosen .chip").count() == 2
    phone.locator("#id_cared_households_chosen .chip", has_text="1单元 101").click()
    assert phone.locator("#id_cared_households_chosen .chip").count() == 1
    # then the page fits the phone, its touch targets are 44 px high
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    heights = phone.eval_on_selector_all(".picker .chip, .picker-option, .picker-box input",
                                         "nodes => nodes.map(n => n.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44
    phone.fill("#id_cared_households", "康宁")
    phone.locator("#id_cared_households_results label.picker-option").first.wait_for()
    # and the options the search brought (after the page's own check) pass axe-core too
    if AXE.exists():
        assert phone.evaluate("window.__linliAxeRun()") == []
    phone.locator("#id_resident").scroll_into_view_if_needed()
    phone.screenshot(path=os.path.join(SHOT, "linli-party-member-picker.png"))
    phone.locator("#id_cared_households_chosen").scroll_into_view_if_needed()
    phone.screenshot(path=os.path.join(SHOT, "linli-party-member-households.png"))
    # when the form is saved (the waiting search text is not sent)
    phone.click("main form button[type=submit]:has-text('保存')")
    phone.wait_for_load_state("networkidle")
    # then
    assert "已登记党员" in phone.content()
    member = PartyMember.objects.get()
    assert member.resident == world.neighbour
    assert list(member.cared_households.values_list("dwelling__number", flat=True)) == ["201"]


def test_party_member_registered_without_javascript(world, live_server, browser):
    # given a phone whose browser runs no script
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, world.user("community_secretary").username)
        page.goto(f"{live_server.url}{reverse('people:partymember_create')}")
        # when a name is typed and the picker's search button pressed
        page.fill("#id_resident", "李建国")
        page.click("#id_resident ~ button.picker-go")
        # then the form comes back asking to tick the match, and nothing is saved
        assert "请在下方的搜索结果中勾选居民" in page.content()
        assert not PartyMember.objects.exists()
        # when the match is ticked and the form saved
        page.check("#id_resident_results input[type=checkbox]")
        page.select_option("#id_category", "retired")
        page.click("main form button[type=submit]:has-text('保存')")
        # then
        assert "已登记党员" in page.content()
        assert PartyMember.objects.get().resident == world.neighbour
    finally:
        context.close()
