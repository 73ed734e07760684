"""The duplicate check asks a question and loses nothing: the words and photos entered are kept (photos
in a pending folder named in a signed note that belongs to the user and expires), "mine is different"
files exactly that case with them at once, "the same thing" follows the other case and files nothing."""

import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from linli.cases import pending, services
from linli.cases.models import Case, CaseFollower, Channel
from linli.cases.tests.conftest import PNG, jpeg, media_files
from linli.core import clock
from linli.core.errors import Refused
from linli.testing import make_user, table_counts

QUESTION = "附近已有相似诉求，是同一件事吗？"
STATIC = Path(__file__).resolve().parents[1] / "static" / "cases" / "cases.css"


@pytest.fixture
def neighbour(world):
    """The resident's neighbour in compound1, with an account, on their own phone."""
    user = make_user("neighbour1", "resident")
    world.neighbour.user = user
    world.neighbour.save()
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def earlier(open_case):
    """The resident's open case about the stairwell, with words and a place only its reporter may read."""
    return open_case(description="3单元楼道堆满杂物，我是张秀英 13912345678", address="康宁小区1号楼3单元")


def _file(client, world, description="楼道里堆了很多纸箱", photos=(), **extra):
    data = {"category": "sanitation", "description": description, "compound": world.compound1.pk, **extra}
    if photos:
        data["photos"] = list(photos)
    return client.post("/cases/new/", data)


def _form(body: str, marker: str) -> dict:
    """The inputs of the page's form whose opening tag holds `marker`, as the browser would send them."""
    start = body.index(marker)
    block = body[body.rindex("<form", 0, start):body.index("</form>", start)]
    fields = {}
    for tag in re.findall(r"<(?:input|button)\b[^>]*>", block):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="file"' not in tag:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select name="([^"]*)"[^>]*>(.*?)</select>', block, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name, text in re.findall(r'<textarea name="([^"]*)"[^>]*>(.*?)</textarea>', block, re.S):
        fields[name] = html.unescape(text).strip("\n")
    return fields


def _different(body):
    return _form(body, 'class="answer-form"')


def _pending(media):
    return [p for p in media_files(media) if "pending" in p.parts]


def test_the_question_keeps_the_words_and_the_photos(earlier, neighbour, world, media, counts):
    # given
    user, client = neighbour
    before = counts()
    # when the neighbour files the same matter with two photos
    page = _file(client, world, photos=[jpeg("a.jpg"), jpeg("b.png", PNG)])
    body = page.content.decode()
    # then they are asked, nothing is filed, and what they entered is on the page, photos as thumbnails
    assert page.status_code == 200 and QUESTION in body
    assert counts() == before
    assert "楼道里堆了很多纸箱" in body and "已保留 2 张照片" in body
    answer = _different(body)
    assert answer["description"] == "楼道里堆了很多纸箱" and answer["compound"] == str(world.compound1.pk)
    assert len(_pending(media)) == 2
    thumbs = re.findall(r'<img src="(/cases/new/kept/\d/\?kept=[^"]+)"', body)
    assert len(set(thumbs)) == 2
    shown = client.get(html.unescape(thumbs[0]))
    assert shown.status_code == 200 and b"".join(shown.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_question_is_not_dressed_as_success(earlier, neighbour, world):
    # given
    user, client = neighbour
    # when
    body = _file(client, world).content.decode()
    # then no green message says anything happened; the question has its own attention style
    assert 'class="messages"' not in body
    assert 'class="card question"' in body and "是同一件事，关注进展" in body and "不是，继续提交我的诉求" in body
    rule = re.search(r"\.card\.question \{([^}]*)\}", STATIC.read_text()).group(1)
    assert "--ok" not in rule and "#e8f5e9" not in rule and "--warn" in rule


def test_the_question_shows_only_what_a_follower_may_read(earlier, neighbour, world, open_case):
    # given besides the resident's case: the same matter in another compound, and one already solved
    elsewhere = services.case_open(actor=world.user("community_secretary"), intake=services.Intake(
        category="sanitation", description="幸福苑楼道杂物", compound=world.compound2.pk, channel=Channel.HOTLINE,
        contact_phone="13800000000"))
    solved = open_case(description="垃圾桶满了")
    worker = world.user("grid_worker")
    services.case_dispatch(actor=worker, case=solved, assignee=worker)
    services.case_accept(actor=worker, case=solved)
    services.case_solve(actor=worker, case=solved, note="已清运")
    user, client = neighbour
    # when
    body = _file(client, world).content.decode()
    # then the resident's case is offered with its category, time, status and stage, nothing of theirs
    assert f"#{earlier.pk} {earlier.category.name}" in body
    assert "待派单" in body and "已受理，正在派单（小区级办理）" in body and "刚刚" in body
    for bit in ("3单元楼道堆满杂物", "张秀英", "13912345678", "1号楼3单元"):
        assert bit not in body
    assert f"#{elsewhere.pk} " not in body and f"#{solved.pk} " not in body


def test_mine_is_different_files_exactly_one_case_with_the_kept_photos(earlier, neighbour, world, media):
    # given the question, with two photos kept
    user, client = neighbour
    answer = _different(_file(client, world, photos=[jpeg("a.jpg"), jpeg("b.png", PNG)]).content.decode())
    # when they tap "不是，继续提交我的诉求" (the browser sends the question's own form, no photos again)
    response = client.post("/cases/new/", answer)
    # then one case is filed, theirs, with both photos, and the pending copies are gone
    mine = Case.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{mine.pk}/"
    assert mine.reporter == user and mine.description == "楼道里堆了很多纸箱"
    assert sorted(p.content_type for p in mine.photos.all()) == ["image/jpeg", "image/png"]
    assert _pending(media) == [] and len(media_files(media)) == 2
    assert client.get(f"/cases/{mine.pk}/photos/{mine.photos.first().pk}/").status_code == 200
    assert "已提交" in client.get(response["Location"]).content.decode()


def test_the_same_note_sent_again_files_nothing_more(earlier, neighbour, world, media, counts):
    # given the case filed from the question
    user, client = neighbour
    answer = _different(_file(client, world, photos=[jpeg()]).content.decode())
    first = client.post("/cases/new/", answer)
    before, files = counts(), media_files(media)
    # when the same form is sent again (a double tap, the back button)
    again = client.post("/cases/new/", answer, follow=True)
    # then it leads to the same case and nothing more is written
    assert again.redirect_chain[0][0] == first["Location"]
    assert "已经提交过，没有重复提交" in again.content.decode()
    assert counts() == before and media_files(media) == files
    assert Case.objects.count() == 2


def test_the_same_note_with_other_words_after_filing_is_refused(earlier, neighbour, world, counts):
    # given the case filed from the question
    user, client = neighbour
    answer = _different(_file(client, world).content.decode())
    client.post("/cases/new/", answer)
    before = counts()
    # when the back button brings the form back and other words are sent with the same note
    page = client.post("/cases/new/", {**answer, "description": "改过的内容"})
    # then nothing is filed and the person reads why, in words of the page
    assert page.status_code == 200 and pending.KEPT_FILED in page.content.decode()
    assert counts() == before


def test_same_thing_follows_that_case_and_files_nothing(earlier, neighbour, world, media, counts):
    # given the question, with a photo kept
    user, client = neighbour
    body = _file(client, world, photos=[jpeg()]).content.decode()
    follow = _form(body, f'action="/cases/{earlier.pk}/follow/"')
    before = counts()
    # when they tap "是同一件事，关注进展"
    response = client.post(f"/cases/{earlier.pk}/follow/", follow, follow=True)
    # then they follow it and see it; no case is filed and their kept photo is removed
    assert response.redirect_chain[-1][0] == f"/cases/{earlier.pk}/"
    assert "您关注了这件同类诉求" in response.content.decode()
    assert CaseFollower.objects.filter(case=earlier, user=user).exists()
    assert Case.objects.count() == before["cases.case"] == 1
    assert _pending(media) == []


def _refused_on_the_page(client, answer, message, counts, media):
    before, files = counts(), media_files(media)
    page = client.post("/cases/new/", answer)
    body = page.content.decode()
    assert page.status_code == 200 and message in body
    assert counts() == before and media_files(media) == files
    # the words stay on the page for another try
    assert "楼道里堆了很多纸箱" in body


def test_another_users_note_is_refused_and_files_nothing(earlier, neighbour, world, media, counts, client_for):
    # given the neighbour's question with a photo
    user, client = neighbour
    body = _file(client, world, photos=[jpeg()]).content.decode()
    answer = _different(body)
    thumb = html.unescape(re.search(r'<img src="(/cases/new/kept/0/\?kept=[^"]+)"', body).group(1))
    resident = client_for("resident")
    # when the resident sends it, or asks for its photo
    _refused_on_the_page(resident, answer, pending.KEPT_INVALID, counts, media)
    # then the photo is not theirs to see either
    assert resident.get(thumb).status_code == 404
    assert client.get(thumb).status_code == 200


def test_an_expired_note_is_refused_and_files_nothing(earlier, neighbour, world, media, counts, frozen):
    # given
    user, client = neighbour
    answer = _different(_file(client, world, photos=[jpeg()]).content.decode())
    # when an hour and a minute later they answer
    clock.advance(dt.timedelta(minutes=61))
    # then
    _refused_on_the_page(client, answer, pending.KEPT_EXPIRED, counts, media)


def test_an_altered_note_is_refused_and_files_nothing(earlier, neighbour, world, media, counts):
    # given
    user, client = neighbour
    answer = _different(_file(client, world, photos=[jpeg()]).content.decode())
    # when the note is altered by hand
    _refused_on_the_page(client, {**answer, "kept": answer["kept"][:-3] + "abc"}, pending.KEPT_INVALID, counts, media)


def test_a_note_whose_photos_were_removed_is_refused(earlier, neighbour, world, media, counts):
    # given the question, and the kept photo removed since (a sweep after a long wait)
    user, client = neighbour
    answer = _different(_file(client, world, photos=[jpeg()]).content.decode())
    for path in _pending(media):
        path.unlink()
    # when / then nothing is filed without the photo the person saw kept
    _refused_on_the_page(client, answer, pending.KEPT_GONE, counts, media)


def test_editing_keeps_the_photos_and_adds_new_ones(earlier, neighbour, world, media):
    # given the question with two photos kept
    user, client = neighbour
    body = _file(client, world, photos=[jpeg("a.jpg"), jpeg("b.jpg")]).content.decode()
    token = _different(body)["kept"]
    # when they open "修改我填写的内容", change the words and add a photo: the question comes back
    again = _file(client, world, description="楼道里堆了很多纸箱，还有旧沙发", photos=[jpeg("c.png", PNG)],
                  kept=token).content.decode()
    assert QUESTION in again and "已保留 3 张照片" in again
    response = client.post("/cases/new/", _different(again))
    # then the case has the new words and all three photos
    mine = Case.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and mine.description == "楼道里堆了很多纸箱，还有旧沙发"
    assert mine.photos.count() == 3 and _pending(media) == []


def test_more_than_six_photos_in_all_are_refused(earlier, neighbour, world, media):
    # given four photos kept
    user, client = neighbour
    token = _different(_file(client, world, photos=[jpeg(f"{n}.jpg") for n in range(4)]).content.decode())["kept"]
    # when three more are added
    page = _file(client, world, photos=[jpeg(f"x{n}.jpg") for n in range(3)], kept=token)
    # then they are refused with the count, and only the four stay kept
    body = page.content.decode()
    assert "最多 6 张照片：已保留 4 张，本次又选了 3 张" in body and "已保留 4 张照片" in body
    assert len(_pending(media)) == 4


def test_a_bad_photo_stops_at_the_question_and_keeps_nothing(earlier, neighbour, world, media, counts):
    # given
    user, client = neighbour
    before = counts()
    # when
    page = _file(client, world, photos=[jpeg("x.jpg", b"not an image at all")])
    # then
    body = page.content.decode()
    assert "不是图片" in body and QUESTION not in body
    assert counts() == before and media_files(media) == []


def test_a_form_error_after_answering_keeps_the_photos_and_does_not_ask_again(earlier, neighbour, world, media):
    # given the question with a photo kept; the person answers "different" with the words emptied
    user, client = neighbour
    answer = _different(_file(client, world, photos=[jpeg()]).content.decode())
    page = client.post("/cases/new/", {**answer, "description": ""}).content.decode()
    assert "请填写诉求内容" in page and "已保留 1 张照片" in page and QUESTION not in page
    # when they fill the words in the form shown and send it
    form = _form(page, 'enctype="multipart/form-data"')
    response = client.post("/cases/new/", {**form, "description": "楼道里堆了很多纸箱"})
    # then it is filed at once (they already said it is different), with the photo
    mine = Case.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and mine.photos.count() == 1


def test_photos_stay_after_another_fields_error_without_duplicates(world, client_for, media):
    # given no similar case; the resident forgets the words but attaches a photo
    client = client_for("resident")
    page = _file(client, world, description="", photos=[jpeg()]).content.decode()
    assert "请填写诉求内容" in page and "已保留 1 张照片" in page
    # when they fill the words in
    form = _form(page, 'enctype="multipart/form-data"')
    response = client.post("/cases/new/", {**form, "description": "单元门坏了"})
    # then the case has the photo they chose the first time
    assert response.status_code == 302 and Case.objects.get().photos.count() == 1


def test_kept_photos_never_used_are_swept_by_sla_sweep(earlier, neighbour, world, media, frozen):
    # given a question left unanswered, and another asked half an hour later
    user, client = neighbour
    _file(client, world, photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    clock.advance(dt.timedelta(minutes=30))
    _file(client, world, photos=[jpeg("c.jpg")])
    # when the first note has just expired, a request that read it may still be filing: nothing goes
    clock.advance(dt.timedelta(minutes=31))
    assert pending.sweep() == 0 and len(_pending(media)) == 3
    # when the sweep runs after the first note's end plus its grace
    clock.advance(pending.SWEEP_GRACE)
    out = io.StringIO()
    call_command("sla-sweep", stdout=out)
    # then the first two photos are removed, the one still in time stays
    assert "cleared 2" in out.getvalue() and len(_pending(media)) == 1
    clock.advance(dt.timedelta(minutes=30))
    assert pending.sweep() == 1 and _pending(media) == []


def test_the_note_is_read_for_its_owner_only(world, neighbour, frozen):
    # given
    user, _ = neighbour
    kept = pending.keep(actor=user, photo_files=[jpeg()])
    # when / then
    assert pending.unseal(actor=user, token=kept.token).photos == kept.photos
    for actor, token in ((world.user("resident"), kept.token), (user, kept.token + "x"), (user, "")):
        with pytest.raises(Refused) as info:
            pending.unseal(actor=actor, token=token)
        assert info.value.code == "kept_invalid"
    clock.advance(dt.timedelta(minutes=pending.KEEP_MINUTES, seconds=1))
    with pytest.raises(Refused) as info:
        pending.unseal(actor=user, token=kept.token)
    assert info.value.code == "kept_expired"


def test_two_answers_at_once_file_one_case_and_the_slower_one_gets_it(earlier, neighbour, world, media,
                                                                      monkeypatch):
    # given a kept photo, and a second request that files and clears the photos while the first is
    # between its check for an earlier filing and its reading of the photo
    user, _ = neighbour
    kept = pending.keep(actor=user, photo_files=[jpeg()])
    intake = services.Intake(category="sanitation", description="楼道里堆了很多纸箱", compound=world.compound1.pk)
    opened = pending._StoredUpload._open
    raced, other = [], []

    def slow_open(self):
        if not raced:
            raced.append(True)
            other.append(pending.case_open_kept(actor=user, intake=intake, token=kept.token))
        return opened(self)

    monkeypatch.setattr(pending._StoredUpload, "_open", slow_open)
    # when
    case = pending.case_open_kept(actor=user, intake=intake, token=kept.token)
    # then the slower one answers with the case the other filed, not with a refusal
    assert case.pk == other[0].pk and case.replayed and not other[0].replayed
    assert Case.objects.count() == 2 and case.photos.count() == 1
    assert table_counts()["cases.casephoto"] == 1
