"""A resident files a case with a photo on the phone, meets the duplicate question and files their own
case anyway, without a second form and without choosing the photo again.

Screens and taps once the form is filled (category, words, photo):
  screen 1  the filing form                                   tap 1: 提交
  screen 2  the question: their words and photo kept, the similar case with "是同一件事，关注进展"
                                                              tap 2: 不是，继续提交我的诉求
  screen 3  their case, filed, with the photo.
Three screens, two taps. Before, screen 2 was the form again under a green banner with the photo gone:
a checkbox to tick, the photo to find and choose again, and 提交 once more.
"""

import re

import pytest

from linli.cases import services
from linli.cases.models import Case, Channel
from linli.testing import make_user
from tests.browser.conftest import login
from tests.browser.test_cases import no_sideways_scroll, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "附近已有相似诉求，是同一件事吗？"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_duplicate_question_files_my_own_case_with_its_photo(world, live_server, phone, media):
    services.catalogue_seed()
    # given the resident's open case about the stairwell, and their neighbour with an account
    earlier = services.case_open(actor=world.user("resident"), intake=services.Intake(
        category="sanitation", description="3单元楼道堆满杂物", compound=world.compound1.pk, channel=Channel.ONLINE))
    neighbour = make_user("neighbour1", "resident")
    world.neighbour.user = neighbour
    world.neighbour.save()
    login(phone, live_server, "neighbour1")

    # screen 1: the neighbour fills the form with a photo; tap 1
    phone.goto(f"{live_server.url}/cases/new/")
    phone.select_option("#id_category", "sanitation")
    phone.fill("#id_description", "楼道里堆了很多纸箱，挡住了路")
    phone.set_input_files("#id_photos", files=[{"name": "boxes.png", "mimeType": "image/png", "buffer": png()}])
    phone.click("main form.card > button[type=submit]")

    # screen 2: a question, not a success; the words and the photo are there
    question = phone.locator(".card.question")
    question.wait_for()
    assert QUESTION in question.locator("h2").inner_text()
    assert phone.locator(".messages").count() == 0
    assert question.evaluate("el => getComputedStyle(el).backgroundColor") != "rgb(232, 245, 233)"
    assert "楼道里堆了很多纸箱" in question.inner_text() and "已保留 1 张照片" in question.inner_text()
    thumb = question.locator(".mine .photos img")
    assert phone.evaluate("img => img.complete && img.naturalWidth", thumb.element_handle()) == 4
    assert f"#{earlier.pk}" in question.locator("ul.similar").inner_text()
    assert "3单元楼道堆满杂物" not in phone.inner_text("main")
    follow = question.get_by_role("button", name="是同一件事，关注进展")
    different = question.get_by_role("button", name="不是，继续提交我的诉求")
    for button in (follow, different):
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 280
    assert no_sideways_scroll(phone)

    # tap 2
    different.click()

    # screen 3: their case, with the photo
    phone.wait_for_url(re.compile(r"/cases/\d+/$"))
    mine = Case.objects.exclude(pk=earlier.pk).get()
    assert phone.url.endswith(f"/cases/{mine.pk}/")
    assert f"诉求 #{mine.pk} 已提交" in phone.content()
    photo = phone.locator(".photos img")
    assert photo.count() == 1
    assert phone.evaluate("img => img.complete && img.naturalWidth", photo.element_handle()) == 4
    assert Case.objects.count() == 2 and mine.photos.count() == 1 and mine.reporter == neighbour
