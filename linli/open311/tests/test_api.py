"""Open311 over Django's test client: every response is checked against the JSON Schemas."""

import datetime as dt
import json

import pytest

from linli.cases.models import Case, CaseEvent, Notification
from linli.core import clock
from linli.core.models import AuditEntry
from linli.open311.models import Open311Submission
from linli.open311.tests.conftest import DISTRICT_CODE
from linli.open311.tests.schema import from_xml, validate, validate_xml

BASE = "/open311/v2"

ROOTS = {"requests": "service_requests", "request_created": "service_requests",
         "services": "services", "service_definition": "service_definition", "errors": "errors",
         "discovery": "discovery"}


def body(response, schema: str, fmt: str = "json"):
    """The response's content validated against the schema, in the JSON shape whatever the format."""
    if fmt == "xml":
        assert response["Content-Type"].startswith("text/xml")
        return validate_xml(response.content, schema, ROOTS[schema])
    assert response["Content-Type"].startswith("application/json")
    return validate(json.loads(response.content), schema)


def post(client, fmt="json", headers=None, **data):
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers)


def keyed(key):
    """The header a reader sends its key in (GET has no body, and a URL is no place for a key)."""
    return {"X-Api-Key": key}


def submit(client, key, world, fmt="json", **extra):
    data = {"api_key": key, "service_code": "sanitation", "description": "垃圾站两天没有清运",
            "attribute[compound]": str(world.compound1.pk), **extra}
    return post(client, fmt, **data)


# ---------------------------------------------------------------- discovery and services


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_endpoint_and_both_formats(client, catalogue, fmt):
    # when
    response = client.get(f"{BASE}/discovery.{fmt}")
    # then
    assert response.status_code == 200
    data = body(response, "discovery", fmt)
    endpoint = data["endpoints"][0]
    # without a trailing slash: clients append "/services.json" to it
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_list_the_active_catalogue(client, catalogue, fmt):
    # given a deactivated category
    from linli.cases.models import ServiceCategory

    ServiceCategory.objects.filter(code="other").update(active=False)
    # when
    response = client.get(f"{BASE}/services.{fmt}")
    # then
    data = body(response, "services", fmt)
    codes = [s["service_code"] for s in data]
    assert "sanitation" in codes and "other" not in codes
    sanitation = next(s for s in data if s["service_code"] == "sanitation")
    assert sanitation == {"service_code": "sanitation", "service_name": "环境卫生",
                          "description": "垃圾清运、楼道堆物、卫生死角", "metadata": True, "type": "realtime",
                          "keywords": "垃圾清运, 楼道堆物, 卫生死角", "group": "环境"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_offers_compound_building_and_urgency(client, world, key_for, fmt):
    # given a key bound to the grid worker of grid1 (compound1 only)
    key = key_for("grid_worker")
    # when the definition is read with and without the key
    mine = body(client.get(f"{BASE}/services/lift.{fmt}", headers=keyed(key)), "service_definition", fmt)
    public = body(client.get(f"{BASE}/services/lift.{fmt}"), "service_definition", fmt)
    # then the attributes are the same and the compound picker holds what the reader may choose
    assert mine["service_code"] == "lift"
    codes = [a["code"] for a in mine["attributes"]]
    assert codes == ["compound", "building", "urgency"]
    picker = mine["attributes"][0]
    assert picker["datatype"] == "singlevaluelist"
    assert picker["values"] == [{"key": str(world.compound1.pk), "name": "康宁小区"}]
    assert len(public["attributes"][0]["values"]) == 4
    urgency = mine["attributes"][2]
    assert [v["key"] for v in urgency["values"]] == ["ordinary", "complex", "major"]
    assert urgency["values"][0]["name"] == "一般：10 分钟内响应到场，30 分钟内解决"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404_in_the_spec_error_format(client, catalogue, fmt):
    response = client.get(f"{BASE}/services/no-such-thing.{fmt}")
    assert response.status_code == 404
    assert body(response, "errors", fmt)[0]["code"] == 404


# ---------------------------------------------------------------- POST requests


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_files_a_case_through_case_open(client, world, key_for, frozen, fmt):
    # given a key bound to the district officer
    key = key_for("district_officer")
    # when a request is posted with a building, urgency, contact and media
    response = submit(client, key, world, fmt, **{
        "attribute[building]": "1号楼", "attribute[urgency]": "complex", "first_name": "秀英", "last_name": "张",
        "phone": "13912345678", "email": "zhang@example.cn", "account_id": "u-42", "device_id": "d-1",
        "media_url": "https://img.example.cn/1.jpg", "lat": "37.8123", "long": "112.5601",
        "address_string": "康宁小区1号楼东侧"})
    # then a case exists with the same timeline, audit and notifications as any intake
    assert response.status_code == 201
    created = body(response, "request_created", fmt)[0]
    assert "token" not in created  # the id or a token, never both: the case exists already
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert created["account_id"] == "u-42"
    assert created["service_notice"] == "复杂：10 分钟内响应到场，4 小时内解决"
    assert case.compound == world.compound1 and case.building.number == "1号楼"
    assert case.tier == "complex" and case.solve_by == frozen + dt.timedelta(hours=4)
    assert case.contact_name == "张秀英" and case.contact_phone == "13912345678"
    assert case.reporter == world.user("district_officer") and case.channel == "online"
    assert [e.kind for e in case.events.all()] == [CaseEvent.Kind.OPENED]
    assert case.events.get().channel == "api"
    actions = set(AuditEntry.objects.filter(channel="api").values_list("action", flat=True))
    assert actions == {"case.open", "open311.submit"}
    assert Notification.objects.filter(user=world.user("grid_worker"), text__contains=f"#{case.pk}").exists()
    submission = Open311Submission.objects.get(case=case)
    assert submission.email == "zhang@example.cn"
    assert submission.media_url == "https://img.example.cn/1.jpg"


def test_post_locates_the_compound_from_address_id_a_map_point_or_the_address(client, world, key_for):
    # given compound2 with coordinates and a key over the whole district
    world.compound2.latitude, world.compound2.longitude = "37.800000", "112.550000"
    world.compound2.save()
    key = key_for("district_officer")
    # when three requests name the place three ways
    by_id = post(client, api_key=key, service_code="parking", description="车辆堵住消防通道",
                 address_id=str(world.compound3.pk))
    by_point = post(client, api_key=key, service_code="parking", description="车辆堵住消防通道",
                    lat="37.8010", long="112.5505")
    by_name = post(client, api_key=key, service_code="parking", description="车辆堵住消防通道",
                   address_string="小店区南内环小区北门")
    # then each case is on the intended compound
    ids = [int(body(r, "request_created")[0]["service_request_id"]) for r in (by_id, by_point, by_name)]
    compounds = [Case.objects.get(pk=pk).compound for pk in ids]
    assert compounds == [world.compound3, world.compound2, world.compound4]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key, status", [(None, 403), ("wrong-key", 403)])
def test_post_without_a_valid_key_is_403_and_writes_nothing(client, world, key_for, counts, fmt, key, status):
    # given
    key_for("district_officer")
    before = counts()
    # when
    data = {"service_code": "sanitation", "description": "垃圾", "address_id": str(world.compound1.pk)}
    if key:
        data["api_key"] = key
    response = post(client, fmt, **data)
    # then
    assert response.status_code == status
    assert body(response, "errors", fmt)[0]["code"] == status
    assert counts() == before


def test_a_disabled_key_is_refused(client, world, key_for, counts):
    # given
    key = key_for("district_officer")
    from linli.open311.models import Open311Client

    Open311Client.objects.update(active=False)
    before = counts()
    # when
    response = submit(client, key, world)
    # then
    assert response.status_code == 403 and counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("change, status, fragment", [
    ({"service_code": "no-such-service"}, 400, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"description": "长" * 4001}, 400, "4000"),
    ({"service_code": "other", "description": "   "}, 400, "description"),
    ({"service_code": "policy", "description": ""}, 400, "description"),
    ({"attribute[compound]": "", "address_id": ""}, 400, "位置"),
    ({"attribute[building]": "99号楼"}, 400, "99号楼"),
    ({"attribute[urgency]": "yesterday"}, 400, "urgency"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
    ({"phone": "12345"}, 400, "phone"),
    ({"lat": "north", "long": "112.5"}, 400, "lat"),
    ({"jurisdiction_id": "999999000000"}, 404, "jurisdiction_id"),
])
def test_bad_posts_are_refused_with_the_spec_errors_and_nothing_written(client, world, key_for, counts, fmt,
                                                                       change, status, fragment):
    # given
    key = key_for("district_officer")
    before = counts()
    # when
    response = submit(client, key, world, fmt, **change)
    # then
    assert response.status_code == status
    errors = body(response, "errors", fmt)
    assert all(e["code"] == status for e in errors)
    assert any(fragment in e["description"] for e in errors), errors
    assert counts() == before


def test_a_description_of_exactly_4000_characters_is_accepted(client, world, key_for):
    key = key_for("district_officer")
    response = submit(client, key, world, description="长" * 4000)
    assert response.status_code == 201
    case = Case.objects.get(pk=int(body(response, "request_created")[0]["service_request_id"]))
    assert len(case.description) == 4000


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("persona", ["street_officer", "grid_worker", "outsider"])
def test_a_key_cannot_file_outside_its_users_jurisdiction(client, world, key_for, counts, fmt, persona):
    # given a key bound to a user who does not hold compound4 (street2), however it is named
    key = key_for(persona)
    before = counts()
    target = world.compound4 if persona != "outsider" else world.compound1
    # when
    attempts = [
        submit(client, key, world, fmt, **{"attribute[compound]": str(target.pk)}),
        submit(client, key, world, fmt, **{"attribute[compound]": "", "address_id": str(target.pk)}),
        submit(client, key, world, fmt, **{"attribute[compound]": "", "address_string": f"{target.name}3号楼"}),
        submit(client, key, world, fmt, **{"attribute[compound]": str(target.pk), "attribute[building]": "9号楼"}),
    ]
    # then every attempt is refused and nothing is written
    for response in attempts:
        assert response.status_code == 400
        errors = body(response, "errors", fmt)
        assert not any("9号楼" in e["description"] for e in errors)  # nothing said about what is out of sight
    assert counts() == before


def test_a_key_bound_to_a_resident_cannot_file_at_all(client, world, key_for, counts):
    # given a key bound to a resident (not staff): the resident has a home, but the platform is not them
    key = key_for("resident")
    before = counts()
    # when
    response = submit(client, key, world, **{"attribute[compound]": str(world.compound4.pk)})
    # then
    assert response.status_code == 400 and counts() == before


def test_jurisdiction_id_must_be_the_district_code(client, world, key_for):
    key = key_for("district_officer")
    ok = submit(client, key, world, jurisdiction_id=DISTRICT_CODE)
    street = submit(client, key, world, jurisdiction_id="140105001000")
    assert ok.status_code == 201
    assert street.status_code == 404 and body(street, "errors")[0]["code"] == 404


# ---------------------------------------------------------------- GET requests


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request_returns_a_one_element_array(client, world, file_case, frozen, fmt):
    # given
    case = file_case(building=world.compound1.buildings.get().pk)
    # when
    response = client.get(f"{BASE}/requests/{case.pk}.{fmt}")
    # then
    rows = body(response, "requests", fmt)
    assert len(rows) == 1
    row = rows[0]
    assert row["service_request_id"] == str(case.pk)
    assert row["status"] == "open" and row["status_notes"] == "已受理，等待派单"
    assert row["service_code"] == "sanitation" and row["service_name"] == "环境卫生"
    assert row["requested_datetime"] == "2025-03-03T09:00:00+08:00"
    assert row["expected_datetime"] == "2025-03-03T09:30:00+08:00"
    assert row["address"] == "康宁小区 1号楼" and row["address_id"] == str(world.compound1.pk)
    assert row["agency_responsible"] == "康宁小区服务站"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_private_request_is_404(client, world, file_case, fmt):
    # given a neighbour dispute (a private category) and a missing id
    private = file_case(category="neighbour-dispute", description="楼上噪音")
    # when
    missing = client.get(f"{BASE}/requests/999999.{fmt}")
    hidden = client.get(f"{BASE}/requests/{private.pk}.{fmt}")
    junk = client.get(f"{BASE}/requests/abc.{fmt}")
    # then all three look the same
    for response in (missing, hidden, junk):
        assert response.status_code == 404
        assert body(response, "errors", fmt)[0]["code"] == 404


def test_public_reads_mask_personal_data_and_keyed_reads_do_not(client, world, file_case, key_for):
    # given a case whose text carries a phone number, filed on a dwelling by a hotline operator
    dwelling = world.household1.dwelling
    case = file_case(description="请联系 13912345678 处理楼道垃圾", dwelling=dwelling.pk, channel="hotline",
                     contact_name="赵桂兰", contact_phone="13935100000")
    key = key_for("grid_worker")
    # when
    public = body(client.get(f"{BASE}/requests/{case.pk}.json"), "requests")[0]
    mine = body(client.get(f"{BASE}/requests/{case.pk}.json", headers=keyed(key)), "requests")[0]
    # then the public sees no phone, no name and no dwelling; the key holder sees the text as stored
    # (numbers typed into it come back only through the audited unmask)
    raw = json.dumps(public, ensure_ascii=False)
    assert "13912345678" not in raw and "13935100000" not in raw and "赵桂兰" not in raw
    assert "139****5678" in public["description"]
    assert dwelling.number not in public["address"]
    assert mine["description"] == "请联系 139****5678 处理楼道垃圾"
    assert dwelling.number in mine["address"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_list_filters_by_ids_code_status_and_dates(client, world, file_case, key_for, frozen, fmt):
    # given cases over four months, one closed
    from linli.cases import services as case_services

    old = file_case(description="很久以前的问题")
    clock.advance(dt.timedelta(days=100))
    lift = file_case(category="lift", description="电梯停运")
    sanitation = file_case(description="垃圾没清运")
    worker = world.user("grid_worker")
    case_services.case_dispatch(actor=worker, case=sanitation, assignee=worker)
    case_services.case_solve(actor=worker, case=sanitation, note="已清运")
    clock.advance(dt.timedelta(hours=1))

    def ids(**params):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 200, response.content
        return [int(r["service_request_id"]) for r in body(response, "requests", fmt)]

    # then the default window is the last 90 days, newest first
    assert ids() == [sanitation.pk, lift.pk]
    assert ids(service_code="lift") == [lift.pk]
    assert ids(service_code="lift,sanitation") == [sanitation.pk, lift.pk]
    assert ids(status="closed") == [sanitation.pk]
    assert ids(status="open") == [lift.pk]
    assert ids(status="open,closed") == [sanitation.pk, lift.pk]
    assert ids(start_date="2025-03-01T00:00:00+08:00", end_date="2025-03-31T00:00:00+08:00") == [old.pk]
    assert ids(start_date="2025-03-03T09:00:00Z") == []
    # a list of ids overrides the other filters
    assert ids(service_request_id=f"{old.pk},{lift.pk}", status="closed") == [lift.pk, old.pk]
    assert ids(page_size=1) == [sanitation.pk]
    assert ids(page_size=1, page=2) == [lift.pk]
    assert ids(page_size=1, page=3) == []
    closed = body(client.get(f"{BASE}/requests/{sanitation.pk}.{fmt}"), "requests", fmt)[0]
    assert closed["status"] == "closed" and "办理结果：已清运" in closed["status_notes"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("params", [
    {"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2025-04-02T00:00:00+08:00"},
    {"start_date": "2025-03-01T00:00:00+08:00", "end_date": "2025-02-01T00:00:00+08:00"},
    {"start_date": "yesterday"},
    {"status": "pending"},
    {"service_request_id": "1,x"},
    {"page": "0"},
    {"page_size": "1000"},
])
def test_bad_list_parameters_are_400(client, catalogue, fmt, params):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    assert body(response, "errors", fmt)[0]["code"] == 400


def test_a_span_of_exactly_90_days_is_allowed(client, catalogue):
    response = client.get(f"{BASE}/requests.json", {"start_date": "2025-01-01T00:00:00+08:00",
                                                    "end_date": "2025-04-01T00:00:00+08:00"})
    assert response.status_code == 200


def test_anonymous_list_leaves_out_private_categories_and_a_key_sees_its_jurisdiction(client, world, file_case,
                                                                                      key_for):
    # given a public case in compound1, a private one in compound1 and a public one in compound4
    public = file_case()
    private = file_case(category="elderly-help", description="独居老人需要代买药品")
    far = file_case(compound=world.compound4, persona="district_officer")
    street_key = key_for("street_officer")

    def ids(key=None, **params):
        response = client.get(f"{BASE}/requests.json", params, headers=keyed(key) if key else None)
        return {int(r["service_request_id"]) for r in body(response, "requests")}

    # then
    assert ids() == {public.pk, far.pk}
    assert ids(key=street_key) == {public.pk, private.pk}
    assert ids(jurisdiction_id=DISTRICT_CODE) == {public.pk, far.pk}
    bad = client.get(f"{BASE}/requests.json", headers=keyed("nope"))
    assert bad.status_code == 403 and body(bad, "errors")[0]["code"] == 403
    unknown = client.get(f"{BASE}/requests.xml", {"jurisdiction_id": "140106000000"})
    assert unknown.status_code == 404 and body(unknown, "errors", "xml")[0]["code"] == 404


def test_status_notes_follow_the_case_through_escalation_and_supervision(client, world, file_case, frozen):
    # given a case left undispatched past its deadline, escalated by the sweep, then supervised
    from linli.cases import services as case_services

    case = file_case()
    clock.advance(dt.timedelta(minutes=11))
    case_services.sla_sweep()
    case.refresh_from_db()
    case_services.case_supervise(actor=world.user("street_officer"), case=case,
                                 deadline=clock.now() + dt.timedelta(hours=2), note="今天处理")
    clock.advance(dt.timedelta(minutes=20))
    # when
    row = body(client.get(f"{BASE}/requests/{case.pk}.json"), "requests")[0]
    # then
    assert row["status"] == "open"
    assert row["status_notes"] == "已受理，等待派单；已提级至社区办理；上级已督办；已超过到场时限"
    assert row["agency_responsible"] == "康宁社区"
    assert row["updated_datetime"] == "2025-03-03T09:11:00+08:00"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_token_is_issued_and_the_token_path_is_gone(client, world, key_for, fmt):
    # given a posted request
    key = key_for("district_officer")
    created = body(submit(client, key, world, fmt), "request_created", fmt)[0]
    # when a client still asks the token resource
    response = client.get(f"{BASE}/tokens/{created['service_request_id']}.{fmt}")
    # then it is an unknown path, answered as the specification's 404
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert response.status_code == 404 and body(response, "errors", fmt)[0]["code"] == 404


def test_xml_uses_the_spec_element_names(client, world, file_case):
    # given
    case = file_case()
    # when
    response = client.get(f"{BASE}/requests.xml")
    # then
    text = response.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f"<service_requests><request><service_request_id>{case.pk}</service_request_id>" in text
    assert "<zipcode />" in text or "<zipcode></zipcode>" in text
    assert from_xml(response.content, "requests", "service_requests")[0]["zipcode"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("method, path, allow", [
    ("post", "services", "GET"),
    ("delete", "requests", "GET, POST"),
    ("put", "requests", "GET, POST"),
    ("patch", "requests/1", "GET"),
    ("post", "discovery", "GET"),
    ("delete", "services/lift", "GET"),
])
def test_a_wrong_method_is_405_in_the_spec_error_format(client, catalogue, counts, fmt, method, path, allow):
    # given
    before = counts()
    # when
    response = getattr(client, method)(f"{BASE}/{path}.{fmt}")
    # then
    assert response.status_code == 405
    assert response["Allow"] == allow
    errors = body(response, "errors", fmt)
    assert errors[0]["code"] == 405 and method.upper() in errors[0]["description"]
    assert counts() == before


@pytest.mark.parametrize("path, fmt", [
    ("nothing-here.json", "json"), ("nothing-here.xml", "xml"), ("services.html", "json"), ("", "json"),
    ("requests/1/notes.xml", "xml"), ("v3/services.json", "json"), ("discovery", "json"),
])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_path_is_404_in_the_spec_error_format(client, catalogue, method, path, fmt):
    response = getattr(client, method)(f"{BASE}/{path}")
    assert response.status_code == 404
    assert body(response, "errors", fmt)[0]["code"] == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_doubled_slash_is_answered_like_a_single_one(client, world, key_for, fmt):
    # given a client that joined "…/v2/" and "/services.json"
    key = key_for("district_officer")
    # when
    services = client.get(f"{BASE}//services.{fmt}")
    definition = client.get(f"{BASE}//services/lift.{fmt}")
    created = client.post(f"{BASE}//requests.{fmt}", {
        "api_key": key, "service_code": "sanitation", "description": "垃圾站两天没有清运",
        "attribute[compound]": str(world.compound1.pk)})
    request_id = body(created, "request_created", fmt)[0]["service_request_id"]
    one = client.get(f"{BASE}//requests/{request_id}.{fmt}")
    # then each answers as its single-slash path does
    assert services.status_code == 200 and body(services, "services", fmt)
    assert body(definition, "service_definition", fmt)["service_code"] == "lift"
    assert created.status_code == 201
    assert body(one, "requests", fmt)[0]["service_request_id"] == request_id
    assert services.content == client.get(f"{BASE}/services.{fmt}").content


# ---------------------------------------------------------------- optional description


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("description", [None, "", "  "])
def test_a_request_without_description_is_summarised_by_its_service(client, world, key_for, fmt, description):
    # given a service that says what is to be done
    key = key_for("district_officer")
    data = {"api_key": key, "service_code": "lift", "attribute[compound]": str(world.compound1.pk),
            "attribute[building]": "1号楼"}
    if description is not None:
        data["description"] = description
    # when
    response = post(client, fmt, **data)
    # then the case is filed, its summary the service's name
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=int(body(response, "request_created", fmt)[0]["service_request_id"]))
    assert case.description == "电梯故障" and case.building.number == "1号楼"
    assert body(client.get(f"{BASE}/requests/{case.pk}.{fmt}"), "requests", fmt)[0]["description"] == "电梯故障"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code, name", [("other", "其他诉求"), ("policy", "政策咨询"), ("proxy-service", "帮办代办")])
def test_a_request_that_says_nothing_is_still_refused(client, world, key_for, counts, fmt, code, name):
    # given a service whose name says nothing of what is to be done, and attributes that say only where
    key = key_for("district_officer")
    before = counts()
    # when it is posted without a description
    response = post(client, fmt, api_key=key, service_code=code, **{
        "attribute[compound]": str(world.compound1.pk), "attribute[building]": "1号楼",
        "attribute[urgency]": "ordinary"})
    # then
    assert response.status_code == 400
    errors = body(response, "errors", fmt)
    assert [e["code"] for e in errors] == [400]
    assert "description" in errors[0]["description"] and name in errors[0]["description"]
    assert counts() == before


# ---------------------------------------------------------------- where the key travels


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_key_in_the_header_files_a_request(client, world, key_for, fmt):
    key = key_for("district_officer")
    response = post(client, fmt, headers=keyed(key), service_code="sanitation", description="垃圾站两天没有清运",
                    **{"attribute[compound]": str(world.compound1.pk)})
    assert response.status_code == 201
    case = Case.objects.get(pk=int(body(response, "request_created", fmt)[0]["service_request_id"]))
    assert case.reporter == world.user("district_officer")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("method, path", [("get", "requests"), ("get", "services/lift"), ("post", "requests"),
                                          ("get", "discovery")])
def test_a_key_in_the_query_string_is_refused_not_ignored(client, world, key_for, counts, fmt, method, path):
    # given a valid key, sent in the URL (where access logs keep it)
    key = key_for("district_officer")
    before = counts()
    # when
    url = f"{BASE}/{path}.{fmt}?api_key={key}"
    data = {"service_code": "sanitation", "description": "垃圾", "attribute[compound]": str(world.compound1.pk)}
    response = client.post(url, data) if method == "post" else client.get(url)
    # then
    assert response.status_code == 400
    errors = body(response, "errors", fmt)
    assert "api_key" in errors[0]["description"] and "X-Api-Key" in errors[0]["description"]
    assert counts() == before


def test_a_key_in_the_query_string_is_refused_even_beside_a_good_one(client, world, key_for, counts):
    key = key_for("district_officer")
    before = counts()
    response = client.post(f"{BASE}/requests.json?api_key={key}", {
        "api_key": key, "service_code": "sanitation", "description": "垃圾",
        "attribute[compound]": str(world.compound1.pk)}, headers=keyed(key))
    assert response.status_code == 400 and counts() == before


def test_two_different_keys_are_refused(client, world, key_for, counts):
    key, other = key_for("district_officer"), key_for("street_officer")
    before = counts()
    response = submit(client, key, world, headers=keyed(other))
    assert response.status_code == 400
    assert "X-Api-Key" in body(response, "errors")[0]["description"]
    assert counts() == before
