"""Bad input is a 400/422 with the API's error body, never a 500, and nothing is written.

Integers beyond 64 bits, out-of-range years, JSON nested thousands deep and NUL characters each
crashed a request once (issue 11); the same requests, and their page and form twins, live here.
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from linli.core import clock

BIG = 2**70  # 1180591620717411303424: beyond any 64-bit column
DEEP = '{"description": ' + "[" * 50_000 + "]" * 50_000 + "}"


def _post(client, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def _quiet(client):
    client.raise_request_exception = False  # a crash shows as the 500 it would be, not a test error
    return client


def _refused_field(response, field):
    body = response.json()
    assert body["detail"] == "请求参数有误"
    assert any(error["loc"][-1] == field or field in error["loc"] for error in body["errors"]), body


@pytest.mark.parametrize(("persona", "url", "field"), [
    ("district_officer", f"/api/v1/households?building={BIG}", "building"),
    ("district_officer", f"/api/v1/compounds?grid={BIG}", "grid"),
    ("district_officer", f"/api/v1/property-services?company={BIG}", "company"),
    ("district_officer", f"/api/v1/points/rules?community={BIG}", "community"),
    ("resident", f"/api/v1/proposals?compound_id={BIG}", "compound_id"),
])
def test_an_id_filter_beyond_64_bits_is_refused(client_for, persona, url, field):
    # given
    client = _quiet(client_for(persona))
    # when
    response = client.get(url)
    # then
    assert response.status_code == 422
    _refused_field(response, field)


def test_ids_beyond_64_bits_in_a_body_are_refused_and_nothing_is_written(world, client_for, counts):
    # given
    client = _quiet(client_for("district_officer"))
    requests = [
        ("/api/v1/grid-workers", {"name": "刘网格", "grids": [world.grid1.pk, BIG]}, "grids"),
        ("/api/v1/property/area-contracts",
         {"name": "片区合同", "compound_ids": [world.compound1.pk, BIG], "start": "2026-01-01"}, "compound_ids"),
        ("/api/v1/party-members", {"resident": BIG, "category": "full"}, "resident"),
    ]
    before = counts()
    for url, body, field in requests:
        # when
        response = _post(client, url, body)
        # then
        assert response.status_code == 422, url
        _refused_field(response, field)
    assert counts() == before


def test_a_budget_for_year_minus_one_is_refused_and_nothing_is_written(world, client_for, counts):
    # given
    client = _quiet(client_for("district_officer"))
    before = counts()
    # when
    response = _post(client, "/api/v1/property/budgets",
                     {"unit_id": world.district.pk, "year": -1, "kind": "party_building", "amount": "1000"})
    # then
    assert response.status_code == 422
    _refused_field(response, "year")
    assert counts() == before


def test_an_id_beyond_64_bits_in_a_page_filter_is_not_a_server_error(world, client_for):
    # given
    client = _quiet(client_for("district_officer"))
    pages = ["/places/compounds/", "/places/grids/", "/places/units/", "/people/residents/", "/people/households/",
             "/people/party-members/", "/people/grid-workers/", "/orgs/party/", "/orgs/self/", "/orgs/property/",
             "/orgs/partners/", "/points/rules/", "/council/proposals/"]
    names = ["compound", "building", "grid", "community", "company", "parent", "resident", "branch", "street"]
    # when every list page is filtered by every id filter with a number no column holds
    answers = {url: client.get(url, dict.fromkeys(names, BIG)).status_code for url in pages}
    # then each answers as for an id that does not exist (a list, or 404 for a page about that one thing)
    assert all(code in (200, 404) for code in answers.values()), answers


def _case(world):
    from linli.cases import services
    from linli.cases.models import Channel

    intake = services.Intake(category="sanitation", description="楼道堆满杂物，影响通行", compound=world.compound1.pk,
                             channel=Channel.ONLINE)
    return services.case_open(actor=world.user("resident"), intake=intake)


def _ballot(world):
    from linli.council import services

    return services.ballot_open(actor=world.user("branch_secretary"), compound=world.compound1, title="筹集维修资金",
                                question="是否同意续筹维修资金", rule="owners_278",
                                closes_at=clock.now() + dt.timedelta(days=7))


def _account(world):
    from linli.orgs.models import PropertyCompany, PropertyService
    from linli.property import services

    company = PropertyCompany.objects.create(name="诚信物业")
    PropertyService.objects.create(compound=world.compound1, mode="trust", company=company, start=dt.date(2025, 12, 1))
    return services.account_open(actor=world.user("branch_secretary"), compound=world.compound1,
                                 opened_on=dt.date(2026, 1, 1))


def test_deeply_nested_json_on_the_hand_parsed_endpoints_is_refused(world, client_for, counts, settings, tmp_path):
    # given a case, an open ballot and a trust account, and the people who may write to each
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.freeze(timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0)))
    case, ballot, account = _case(world), _ballot(world), _account(world)
    world.resident.is_owner = True
    world.resident.save()
    resident, grid_worker = _quiet(client_for("resident")), _quiet(client_for("grid_worker"))
    booker = _quiet(client_for("branch_secretary"))
    before = counts()
    # when
    answers = [
        _post(resident, "/api/v1/cases", DEEP),
        _post(grid_worker, f"/api/v1/cases/{case.pk}/accept", DEEP),
        _post(resident, f"/api/v1/ballots/{ballot.pk}/votes", DEEP),
        _post(booker, f"/api/v1/property/accounts/{account.pk}/entries", DEEP),
    ]
    # then each is refused before parsing, in the API's error body
    assert [a.status_code for a in answers] == [400] * 4
    assert {a.json()["detail"] for a in answers} == {"请求体的 JSON 嵌套过深（超过 32 层）。"}
    assert counts() == before


def test_json_nested_a_little_is_still_parsed():
    # given / when / then: nesting inside strings does not count, and a shallow body passes
    from linli.core.input_guard import json_too_deep

    assert not json_too_deep(b'{"a": "' + b"[" * 100 + b'"}')
    assert not json_too_deep(b'{"a": [' + b"[1]," * 100 + b"[2]]}")
    assert json_too_deep(b"[" * 33 + b"]" * 33)


def test_a_nul_character_in_an_api_string_is_refused_and_nothing_is_written(world, client_for, counts):
    # given
    client = _quiet(client_for("resident"))
    before = counts()
    # when: in a hand-parsed body, a schema body and a query string
    answers = [
        _post(client, "/api/v1/cases", {"category": "sanitation", "description": "楼道\x00堆满杂物",
                                        "compound": world.compound1.pk}),
        _post(client, "/api/v1/points/claims", {"rule_id": 1, "evidence": "\x00"}),
        client.get("/api/v1/proposals", {"q": "维修\x00"}),
    ]
    # then
    assert [a.status_code for a in answers] == [400] * 3
    assert {a.json()["detail"] for a in answers} == {"请求中含有不允许的空字符（\\x00），请删除后重试。"}
    assert counts() == before


def test_a_nul_character_in_a_form_or_page_query_is_refused_and_nothing_is_written(world, client_for, counts):
    # given
    client = _quiet(client_for("resident"))
    before = counts()
    # when
    posted = client.post("/cases/new/", {"category": "sanitation", "description": "楼道\x00堆满杂物",
                                         "compound": world.compound1.pk})
    searched = _quiet(client_for("district_officer")).get("/places/compounds/", {"q": "\x00"})
    # then
    assert posted.status_code == 400 and searched.status_code == 400
    assert "空字符" in posted.content.decode()
    assert counts() == before


@pytest.mark.postgres
def test_a_nul_character_is_refused_on_postgresql_too(world, client_for, counts):
    if connection.vendor != "postgresql":
        pytest.skip("NUL in text is PostgreSQL's refusal")
    # given: PostgreSQL text cannot hold NUL; this is where it used to crash
    client = _quiet(client_for("district_officer"))
    before = counts()
    # when
    searched = client.get("/api/v1/compounds", {"q": "\x00"})
    created = _post(client, "/api/v1/grid-workers", {"name": "刘\x00网格", "grids": [world.grid1.pk]})
    # then
    assert searched.status_code == 400 and created.status_code == 400
    assert counts() == before


def test_an_amount_too_large_to_round_is_refused_and_nothing_is_written(world, client_for, counts, settings, tmp_path):
    # given a trust account and its booker
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.freeze(timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0)))
    account = _account(world)
    officer, booker = _quiet(client_for("district_officer")), _quiet(client_for("branch_secretary"))
    before = counts()
    # when
    budget = _post(officer, "/api/v1/property/budgets",
                   {"unit_id": world.district.pk, "year": 2026, "kind": "party_building", "amount": "1e30"})
    entry = _post(booker, f"/api/v1/property/accounts/{account.pk}/entries", {"kind": "fee", "amount": "1e30"})
    # then
    assert (budget.status_code, entry.status_code) == (400, 400)
    assert budget.json()["detail"] == entry.json()["detail"] == "金额过大。"
    assert counts() == before


def test_an_open311_request_id_beyond_64_bits_is_refused(world, client):
    # given / when
    response = client.get("/open311/v2/requests.json", {"service_request_id": f"1,{BIG}"})
    # then
    assert response.status_code == 400
    assert "service_request_id" in response.json()[0]["description"]
