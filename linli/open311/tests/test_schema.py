"""The schemas and the small validator catch what they are meant to catch."""

import copy

import pytest

from linli.open311.tests.schema import errors, from_xml, load

GOOD = {
    "service_request_id": "17", "status": "open", "status_notes": "已受理，等待派单", "service_name": "环境卫生",
    "service_code": "sanitation", "description": "垃圾", "agency_responsible": "康宁小区服务站",
    "service_notice": "一般", "requested_datetime": "2025-03-03T09:00:00+08:00",
    "updated_datetime": "2025-03-03T09:00:00Z", "expected_datetime": None, "address": "康宁小区",
    "address_id": "3", "zipcode": None, "lat": 37.8, "long": 112.5, "media_url": None,
}


def test_a_good_request_passes():
    assert errors([GOOD], load("requests")) == []


@pytest.mark.parametrize("change, fragment", [
    ({"service_request_id": 17}, "type"),
    ({"status": "pending"}, "not in"),
    ({"requested_datetime": "2025-03-03T09:00:00"}, "time zone"),
    ({"requested_datetime": "2025-03-03"}, "time zone"),
    ({"description": "长" * 4001}, "longer than 4000"),
    ({"lat": 91.0}, "> 90"),
    ({"phone": "13912345678"}, "unexpected property 'phone'"),
])
def test_bad_requests_fail(change, fragment):
    row = {**copy.deepcopy(GOOD), **change}
    problems = errors([row], load("requests"))
    assert any(fragment in p for p in problems), problems


def test_a_missing_field_fails():
    row = dict(GOOD)
    del row["status"]
    assert any("missing required 'status'" in p for p in errors([row], load("requests")))


def test_errors_need_the_spec_codes():
    assert errors([{"code": 400, "description": "缺少 service_code"}], load("errors")) == []
    assert errors([{"code": 500, "description": "x"}], load("errors"))
    assert errors([], load("errors"))


def test_an_unsupported_keyword_is_refused_rather_than_ignored():
    assert errors("x", {"type": "string", "oneOf": []})


def test_xml_items_must_carry_the_spec_element_names():
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><item><status>open</status></item>' \
           b'</service_requests>'
    with pytest.raises(AssertionError):
        from_xml(body, "requests", "service_requests")


def test_xml_scalars_are_typed_by_the_schema():
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<services><service><service_code>a</service_code>'
            b'<service_name>A</service_name><description /><metadata>true</metadata><type>realtime</type>'
            b'<keywords /><group /></service></services>')
    assert from_xml(body, "services", "services") == [{
        "service_code": "a", "service_name": "A", "description": None, "metadata": True, "type": "realtime",
        "keywords": None, "group": None}]
