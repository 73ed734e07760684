import datetime as dt

import pytest

from linli.cases import services
from linli.cases.models import Case, Status
from linli.cases.tests.conftest import PNG, jpeg, media_files
from linli.core import clock
from linli.testing import PERSONAS

SEES_COMPOUND1 = {"resident": 200, "grid_worker": 200, "community_secretary": 200, "branch_secretary": 200,
                  "property_staff": 404, "street_officer": 200, "district_officer": 200, "outsider": 404,
                  "admin": 200, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONAS)
def test_case_detail_access(client_for, open_case, persona):
    case = open_case()
    response = client_for(persona).get(f"/cases/{case.pk}/")
    assert response.status_code == SEES_COMPOUND1[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_worklist_access_and_counts(client_for, open_case, world, persona):
    open_case()
    response = client_for(persona).get("/cases/")
    staff = persona not in ("resident", "anonymous")
    assert response.status_code == (200 if staff else 302 if persona == "anonymous" else 403)
    if staff:
        sees = SEES_COMPOUND1[persona] == 200
        assert len(response.context["page"].object_list) == (1 if sees else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_case_page_is_for_residents(client_for, world, persona):
    response = client_for(persona).get("/cases/new/")
    assert response.status_code == {"resident": 200, "anonymous": 302}.get(persona, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_intake_page_is_for_editing_staff(client_for, world, persona):
    response = client_for(persona).get("/cases/intake/")
    editors = {"grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
               "outsider", "admin"}
    assert response.status_code == (200 if persona in editors else 302 if persona == "anonymous" else 403)


DISPATCH = {"resident": 403, "grid_worker": 302, "community_secretary": 302, "branch_secretary": 302,
            "property_staff": 404, "street_officer": 302, "district_officer": 302, "outsider": 404,
            "admin": 302, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONAS)
def test_dispatch_by_persona_writes_only_when_allowed(client_for, open_case, world, counts, persona):
    case = open_case()
    before = counts()
    response = client_for(persona).post(f"/cases/{case.pk}/dispatch/", {"handling_body": "康宁小区服务站"})
    assert response.status_code == DISPATCH[persona]
    case.refresh_from_db()
    if persona != "anonymous" and DISPATCH[persona] == 302:
        assert case.status == Status.DISPATCHED
    else:
        assert counts() == before and case.status == Status.NEW


@pytest.mark.parametrize("action,data", [
    ("accept", {}), ("return", {"reason": "不归我管"}), ("transfer", {"handling_body": "物业", "reason": "物业负责"}),
    ("solve", {"note": "已处理"}), ("escalate", {"note": "协调不了"}), ("confirm", {"rating": "satisfied"}),
    ("supervise", {"deadline": "2025-03-04T09:00", "note": "尽快"}), ("follow-up", {"note": "已回访"}),
])
@pytest.mark.parametrize("persona", ["resident", "property_staff", "outsider", "anonymous"])
def test_refused_actions_write_nothing(client_for, open_case, world, counts, action, data, persona):
    # given a case dispatched to the grid worker
    case = open_case()
    services.case_dispatch(actor=world.user("grid_worker"), case=case, assignee=world.user("grid_worker"))
    before = counts()
    # when someone without the right tries the action
    response = client_for(persona).post(f"/cases/{case.pk}/{action}/", data)
    # then it is refused (out of sight: 404) and nothing was written
    expected = {"resident": (403, 400), "property_staff": (404,), "outsider": (404,), "anonymous": (302,)}[persona]
    assert response.status_code in expected
    assert counts() == before


def test_resident_page_flow_with_photo_and_rating(client_for, world, frozen, media):
    resident, worker = client_for("resident"), client_for("grid_worker")
    # the resident files a case with a photo
    response = resident.post("/cases/new/", {"category": "facilities", "description": "单元门坏了",
                                             "compound": world.compound1.pk, "photos": [jpeg("door.png", PNG)]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert len(media_files(media)) == 1
    assert resident.get(f"/cases/{case.pk}/photos/{case.photos.get().pk}/").status_code == 200
    # the worker takes it, the clock passes, the officer supervises, the worker solves
    assert worker.post(f"/cases/{case.pk}/dispatch/", {"assignee": world.user("grid_worker").pk}).status_code == 302
    assert worker.post(f"/cases/{case.pk}/accept/").status_code == 302
    clock.advance(dt.timedelta(minutes=31))
    assert services.sla_sweep().escalated == 1
    officer = client_for("street_officer")
    assert officer.post(f"/cases/{case.pk}/supervise/", {"deadline": "2025-03-03T12:00",
                                                         "note": "今天办结"}).status_code == 302
    assert worker.post(f"/cases/{case.pk}/solve/", {"note": "已修好"}).status_code == 302
    # the resident sees the timeline without staff-only lines and rates it
    page = resident.get(f"/cases/{case.pk}/")
    assert "确认评价" in page.content.decode()
    assert resident.post(f"/cases/{case.pk}/confirm/", {"rating": "satisfied"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.level == "community" and case.supervised


def test_staff_only_notes_are_hidden_from_the_resident(client_for, open_case, world):
    case = open_case()
    worker = world.user("grid_worker")
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_return(actor=worker, case=case, reason="内部原因甲乙丙")
    assert "内部原因甲乙丙" not in client_for("resident").get(f"/cases/{case.pk}/").content.decode()
    assert "内部原因甲乙丙" in client_for("grid_worker").get(f"/cases/{case.pk}/").content.decode()


def test_duplicate_is_shown_before_filing_and_can_be_followed(client_for, open_case, world, frozen):
    from linli.testing import make_user

    case = open_case()
    neighbour = make_user("neighbour1", "resident")
    world.neighbour.user = neighbour
    world.neighbour.save()
    from django.test import Client

    client = Client()
    client.force_login(neighbour)
    response = client.post("/cases/new/", {"category": "sanitation", "description": "楼道杂物",
                                           "compound": world.compound1.pk})
    assert response.status_code == 200 and f"#{case.pk}" in response.content.decode()
    assert Case.objects.count() == 1
    offer = response.context["follow_offer"]
    assert client.post(f"/cases/{case.pk}/follow/", {"offer": offer}).status_code == 302
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_bad_input_on_the_page_shows_field_messages(client_for, world, counts, media):
    before = counts()
    response = client_for("resident").post("/cases/new/", {
        "category": "sanitation", "description": "", "compound": world.compound1.pk,
        "photos": [jpeg("x.jpg", b"not an image at all")]})
    body = response.content.decode()
    assert response.status_code == 200 and "请填写诉求内容" in body and "不是图片" in body
    assert counts() == before and media_files(media) == []


def test_worklist_sorts_by_urgency_and_marks_overdue(client_for, open_case, world, frozen):
    slow = open_case(category="safety-hazard")
    fast = open_case(category="sanitation")
    worker = world.user("grid_worker")
    services.case_dispatch(actor=worker, case=slow, assignee=worker)
    services.case_accept(actor=worker, case=slow)  # its next deadline is now 4 h away
    clock.advance(dt.timedelta(minutes=12))
    response = client_for("grid_worker").get("/cases/")
    rows = list(response.context["page"].object_list)
    assert [c.pk for c in rows] == [fast.pk, slow.pk]
    assert "已超时 2 分钟" in response.content.decode()


def test_notifications_page_and_bell(client_for, open_case, world):
    open_case()  # the grid worker is told about the new case
    client = client_for("grid_worker")
    from linli.cases.selectors import unread_count

    assert unread_count(world.user("grid_worker")) == 1
    assert "未读 1 条" in client.get("/cases/").content.decode()
    assert "新诉求" in client.get("/cases/notifications/").content.decode()
    client.post("/cases/notifications/")
    assert unread_count(world.user("grid_worker")) == 0


def test_solving_on_the_page_with_photos_keeps_them(client_for, open_case, world):
    # a grid worker solves on the case page and attaches two photos of the result
    case = open_case()
    worker = world.user("grid_worker")
    services.case_dispatch(actor=worker, case=case, assignee=worker)
    services.case_accept(actor=worker, case=case)
    response = client_for("grid_worker").post(f"/cases/{case.pk}/solve/", {
        "note": "已清理完毕", "photos": [jpeg("after1.jpg"), jpeg("after2.jpg")]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SOLVED
    assert case.photos.count() == 2
