import json

import pytest

from linli.cases import services
from linli.cases.models import Case, Status
from linli.cases.tests.conftest import PNG, jpeg, media_files
from linli.testing import PERSONAS

J = "application/json"


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type=J)


def test_resident_files_by_json_and_reads_it_back(client_for, world, frozen):
    client = client_for("resident")
    response = _post(client, "/api/v1/cases", {"category": "sanitation", "description": "垃圾满溢",
                                                "compound": world.compound1.pk})
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert detail["status"] == "new" and detail["events"][0]["kind"] == "opened"
    assert client.get("/api/v1/cases").json()["count"] == 1


def test_multipart_with_photos(client_for, world, frozen, media):
    response = client_for("resident").post("/api/v1/cases", {
        "category": "facilities", "description": "路灯坏了", "compound": world.compound1.pk,
        "photos": [jpeg(), jpeg("b.png", PNG)]})
    assert response.status_code == 201 and response.json()["photos"] == 2
    assert len(media_files(media)) == 2


@pytest.mark.parametrize("data,field", [
    ({"category": "nope"}, "category"),
    ({"description": ""}, "description"),
    ({"description": "长" * 4001}, "description"),
    ({"compound": 10**9}, "compound"),
])
def test_bad_json_is_400_with_field_errors(client_for, world, counts, data, field):
    payload = {"category": "sanitation", "description": "有问题", "compound": world.compound1.pk, **data}
    before = counts()
    response = _post(client_for("resident"), "/api/v1/cases", payload)
    assert response.status_code == 400 and field in response.json()["errors"]
    assert counts() == before


def test_place_out_of_sight_is_a_field_error(client_for, world, counts):
    before = counts()
    response = _post(client_for("resident"), "/api/v1/cases", {
        "category": "sanitation", "description": "x", "compound": world.compound4.pk})
    assert response.status_code == 400 and "compound" in response.json()["errors"]
    assert counts() == before


@pytest.mark.parametrize("files,count_files", [([jpeg(f"{n}.jpg") for n in range(7)], 7),
                                               ([jpeg(), jpeg("x.jpg", b"GIF00 not really")], 2)])
def test_bad_photos_are_400_and_leave_no_files(client_for, world, counts, media, files, count_files):
    before = counts()
    response = client_for("resident").post("/api/v1/cases", {
        "category": "sanitation", "description": "x", "compound": world.compound1.pk, "photos": files})
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert counts() == before and media_files(media) == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_get_case_access(client_for, open_case, persona):
    case = open_case()
    expected = {"anonymous": 401, "property_staff": 404, "outsider": 404}.get(persona, 200)
    assert client_for(persona).get(f"/api/v1/cases/{case.pk}").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_dispatch_access_over_api(client_for, open_case, world, counts, persona):
    case = open_case()
    before = counts()
    response = _post(client_for(persona), f"/api/v1/cases/{case.pk}/dispatch", {"handling_body": "服务站"})
    expected = {"anonymous": 401, "property_staff": 404, "outsider": 404, "resident": 403}.get(persona, 200)
    assert response.status_code == expected
    if expected != 200:
        assert counts() == before


def test_full_loop_over_api(client_for, open_case, world):
    case = open_case()
    worker = client_for("grid_worker")
    uid = world.user("grid_worker").pk
    assert _post(worker, f"/api/v1/cases/{case.pk}/dispatch", {"assignee": uid}).status_code == 200
    assert _post(worker, f"/api/v1/cases/{case.pk}/accept", {}).status_code == 200
    assert _post(client_for("community_secretary"), f"/api/v1/cases/{case.pk}/supervise",
                 {"deadline": "2025-03-03T18:00:00+08:00", "note": "加快"}).status_code == 200
    assert _post(worker, f"/api/v1/cases/{case.pk}/escalate", {"note": "需要社区协调"}).status_code == 200
    assert _post(worker, f"/api/v1/cases/{case.pk}/solve", {}).status_code == 400
    assert _post(worker, f"/api/v1/cases/{case.pk}/solve", {"note": "已办结"}).status_code == 200
    response = _post(client_for("resident"), f"/api/v1/cases/{case.pk}/confirm", {"rating": "satisfied"})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert _post(client_for("community_secretary"), f"/api/v1/cases/{case.pk}/follow-up",
                 {"note": "回访"}).status_code == 200
    assert Case.objects.get(pk=case.pk).level == "community"


def test_worklist_filters_and_pages(client_for, open_case, world):
    for _ in range(3):
        open_case()
    services.case_escalate(actor=world.user("grid_worker"), case=Case.objects.first(), note="难")
    client = client_for("community_secretary")
    body = client.get("/api/v1/cases?page_size=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert client.get("/api/v1/cases?level=community").json()["count"] == 1
    assert client_for("outsider").get("/api/v1/cases").json()["count"] == 0
    assert Case.objects.filter(status=Status.NEW).count() == 3


def test_database_outage_is_a_503_with_retry_after(client_for, world, monkeypatch, counts):
    # when the database connection breaks under a request (PostgreSQL restarting)
    from django.db import OperationalError

    from linli.cases import selectors

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "case_list_visible_to", broken)
    before = counts()
    response = client_for("grid_worker").get("/api/v1/cases")
    # then the client is told to retry, in JSON and in Chinese, and nothing was written
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable" and "稍后重试" in response.json()["detail"]
    assert counts() == before


def test_a_resent_filing_with_the_same_key_files_one_case(client_for, world, frozen):
    body = json.dumps({"category": "sanitation", "description": "楼道灯坏了", "compound": world.compound1.pk})
    resident = client_for("resident")

    def send(client, key):
        return client.post("/api/v1/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    first = send(resident, "phone-7f3a-0001")
    # the answer was lost; the phone sends the same filing again with the same key
    again = send(resident, "phone-7f3a-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    # another key is another filing; the same key from another user is theirs, not this one
    assert send(resident, "phone-7f3a-0002").status_code == 201
    other = send(client_for("grid_worker"), "phone-7f3a-0001")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 3


def test_a_key_reused_for_a_different_filing_is_409_and_files_nothing(client_for, world, frozen, counts):
    # given a filing sent with a key
    resident = client_for("resident")

    def send(description, **extra):
        return resident.post("/api/v1/cases", json.dumps({
            "category": "sanitation", "description": description, "compound": world.compound1.pk, **extra}),
            content_type="application/json", HTTP_IDEMPOTENCY_KEY="phone-7f3a-0009")

    first = send("楼道灯坏了", latitude="37.8123", longitude="112.56")
    assert first.status_code == 201
    before = counts()
    # when the same key comes with another description, or another place
    other_text = send("电梯困人")
    other_place = send("楼道灯坏了", latitude="37.8123", longitude="112.57")
    # then both are refused with a sentence, and nothing is filed
    assert (other_text.status_code, other_place.status_code) == (409, 409)
    assert "请求键已用于" in other_text.json()["detail"]
    assert counts() == before
    # and the same key with the same body still answers the first case
    again = send("楼道灯坏了", latitude="37.812300", longitude="112.560")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_a_bad_key_is_refused_and_nothing_filed(client_for, world, frozen, counts):
    before = counts()
    response = client_for("resident").post(
        "/api/v1/cases", json.dumps({"category": "sanitation", "description": "x", "compound": world.compound1.pk}),
        content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 65)
    assert response.status_code == 400 and "client_key" in response.json()["errors"]
    assert counts() == before


def test_the_worklist_costs_the_same_queries_for_a_full_page(client_for, world, frozen, open_case, media,
                                                             django_assert_max_num_queries):
    # a page of the worklist counts every case's photos in one query, not one per case
    client = client_for("grid_worker")
    services.case_open(actor=world.user("resident"), photo_files=[jpeg()], intake=services.Intake(
        category="sanitation", description="楼道灯坏了", compound=world.compound1.pk))
    client.get("/api/v1/cases")  # sessions and scope warm
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/cases")
    for _ in range(20):
        open_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/cases")
    rows = response.json()["items"]
    assert len(rows) == 21 and sorted(r["photos"] for r in rows)[-1] == 1
