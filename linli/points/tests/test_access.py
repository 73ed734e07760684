"""Every points page and API operation across personas: the status, and nothing written when refused."""

import json

import pytest

from linli.points import services
from linli.testing import PERSONAS

STAFF = ["grid_worker", "community_secretary", "branch_secretary", "property_staff", "street_officer",
         "district_officer", "outsider", "admin"]
# Editors whose jurisdiction covers world.resident (compound1 in grid1, community1, street1).
EDITORS_IN_SIGHT = ["grid_worker", "community_secretary", "branch_secretary", "street_officer", "district_officer",
                    "admin"]
MANAGERS = ["community_secretary", "street_officer", "district_officer", "admin"]


def expect(default, **by_persona):
    return {p: by_persona.get(p, default) for p in PERSONAS}


def _for(personas, status, rest, **extra):
    table = {p: (status if p in personas else rest) for p in PERSONAS}
    table.update(extra)
    return table


RESIDENT_PAGE = _for(["resident"], 200, 403, anonymous=302)
STAFF_PAGE = _for(STAFF, 200, 403, anonymous=302)
IN_SIGHT_PAGE = _for(EDITORS_IN_SIGHT, 200, 404, anonymous=302, resident=403)


@pytest.fixture
def state(world, shop):
    """30 points for the resident, one reserved soap, one pending claim."""
    services.award_grant(actor=world.user("grid_worker"), key="seed", rule=shop.volunteer, resident=world.resident,
                         quantity="3", source_type="volunteer")
    redemption = services.redemption_create(actor=world.user("resident"), goods=shop.soap, key="seed-r")
    claim = services.award_claim(actor=world.user("resident"), key="seed-c", rule=shop.patrol, quantity="1",
                                 evidence="夜间巡逻 5月8日")
    return {"redemption": redemption, "claim": claim, "resident": world.resident, "shop": shop}


GETS = [
    ("/points/", RESIDENT_PAGE),
    ("/points/shop/", RESIDENT_PAGE),
    ("/points/redemptions/", RESIDENT_PAGE),
    ("/points/statement.xlsx", RESIDENT_PAGE),
    ("/points/staff/", STAFF_PAGE),
    ("/points/staff/approve/", STAFF_PAGE),
    ("/points/staff/stock/", STAFF_PAGE),
    ("/points/staff/pickups/", STAFF_PAGE),
    ("/points/staff/rules/", STAFF_PAGE),
    ("/points/reports/", STAFF_PAGE),
    ("/points/reports/civilised/?format=xlsx", STAFF_PAGE),
    ("/points/staff/award/", _for(STAFF, 200, 403, anonymous=302, property_staff=403)),
    ("/points/staff/residents/{resident}/", IN_SIGHT_PAGE),
    ("/api/v1/points/me", _for(["resident"], 200, 403, anonymous=401)),
    ("/api/v1/points/reports/rankings", _for(STAFF, 200, 403, anonymous=401)),
    ("/api/v1/points/residents/{resident}/statement", _for(EDITORS_IN_SIGHT, 200, 404, anonymous=401,
                                                           resident=403)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "statuses"), GETS, ids=[g[0] for g in GETS])
def test_reads(state, client_for, counts, persona, url, statuses):
    # given
    client = client_for(persona)
    before = counts()
    # when
    response = client.get(url.format(resident=state["resident"].pk))
    # then
    assert response.status_code == statuses[persona]
    assert counts() == before


def _award_page(state):
    return "/points/staff/award/", {"resident": state["resident"].pk, "rule": state["shop"].volunteer.pk,
                                    "quantity": "2", "source_type": "volunteer", "key": "page-award"}


def _pickup_page(state):
    # The station types the code the resident shows.
    return (f"/points/staff/redemptions/{state['redemption'].pk}/pickup/",
            {"code": state["redemption"].pickup_code})


def _api(path, payload=None):
    return lambda state: (path.format(**{k: getattr(v, "pk", v) for k, v in state.items()}), payload)


WRITES = [
    # (name, method, request builder, statuses, statuses that write)
    ("page award", "page", _award_page,
     _for(EDITORS_IN_SIGHT, 302, 403, anonymous=302, outsider=200), EDITORS_IN_SIGHT),
    ("page pickup", "page", _pickup_page,
     _for(EDITORS_IN_SIGHT, 302, 404, anonymous=302, resident=403), EDITORS_IN_SIGHT),
    ("page approve", "page", _api("/points/staff/awards/{claim}/approve/", {}),
     _for(EDITORS_IN_SIGHT, 302, 404, anonymous=302, resident=403), EDITORS_IN_SIGHT),
    ("page redeem", "page", _api("/points/shop/{soap}/redeem/", {"key": "page-r", "quantity": 1}),
     _for(["resident"], 302, 403, anonymous=302), ["resident"]),
    ("page cancel", "page", _api("/points/redemptions/{redemption}/cancel/", {}),
     _for(EDITORS_IN_SIGHT + ["resident"], 302, 404, anonymous=302), EDITORS_IN_SIGHT + ["resident"]),
    ("page goods stock", "page", _api("/points/staff/goods/{soap}/", {
        "name": "香皂", "kind": "goods", "price": 10, "stock": 50, "limit_per_person": 2, "active": "on"}),
     _for(MANAGERS, 302, 403, anonymous=302, outsider=404), MANAGERS),
    ("api award", "api", _api("/api/v1/points/awards", {
        "idempotency_key": "api-award", "rule_id": "{volunteer}", "resident_id": "{resident}", "quantity": "1.5",
        "source_type": "volunteer"}),
     _for(EDITORS_IN_SIGHT, 201, 403, anonymous=401, outsider=404), EDITORS_IN_SIGHT),
    ("api claim", "api", _api("/api/v1/points/claims", {
        "idempotency_key": "api-claim", "rule_id": "{volunteer}", "quantity": "1", "evidence": "敬老院陪护"}),
     _for(["resident"], 201, 403, anonymous=401), ["resident"]),
    ("api redeem", "api", _api("/api/v1/points/redemptions", {"idempotency_key": "api-r", "goods_id": "{soap}"}),
     _for(["resident"], 201, 403, anonymous=401), ["resident"]),
    ("api pickup", "api", _api("/api/v1/points/redemptions/{redemption}/pickup"),
     _for(EDITORS_IN_SIGHT, 200, 404, anonymous=401, resident=403), EDITORS_IN_SIGHT),
    ("api approve", "api", _api("/api/v1/points/awards/{claim}/approve", {}),
     _for(EDITORS_IN_SIGHT, 200, 404, anonymous=401, resident=403), EDITORS_IN_SIGHT),
    ("api goods stock", "api", _api("/api/v1/points/goods/{soap}", {"stock": 40}),
     _for(MANAGERS, 200, 403, anonymous=401, outsider=404), MANAGERS),
    ("api window", "api", _api("/api/v1/points/windows", {"community_id": "{community1}",
                                                          "opens_at": "2026-09-01T00:00:00+08:00",
                                                          "closes_at": "2026-09-15T00:00:00+08:00"}),
     _for(MANAGERS, 201, 403, anonymous=401, outsider=404, grid_worker=404, branch_secretary=404,
          property_staff=404), MANAGERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind", "build", "statuses", "writers"), WRITES, ids=[w[0] for w in WRITES])
def test_writes(world, state, client_for, counts, persona, name, kind, build, statuses, writers):
    # given
    state = {**state, "soap": state["shop"].soap, "volunteer": state["shop"].volunteer,
             "community1": world.community1}
    path, payload = build(state)
    client = client_for(persona)
    before = counts()
    # when
    if kind == "page":
        response = client.post(path, payload or {})
    else:
        body = json.loads(json.dumps(payload or {}).replace('"{volunteer}"', str(state["volunteer"].pk))
                          .replace('"{resident}"', str(state["resident"].pk))
                          .replace('"{soap}"', str(state["soap"].pk))
                          .replace('"{community1}"', str(world.community1.pk)))
        method = client.patch if "goods/" in path else client.post
        response = method(path, body, content_type="application/json")
    # then
    assert response.status_code == statuses[persona], response.content[:300]
    if persona in writers:
        assert counts() != before
    else:
        assert counts() == before


def test_api_replay_returns_the_first_result_and_books_nothing(state, client_for, counts):
    client = client_for("resident")
    payload = {"idempotency_key": "twice", "goods_id": state["shop"].soap.pk}
    first = client.post("/api/v1/points/redemptions", payload, content_type="application/json")
    before = counts()
    again = client.post("/api/v1/points/redemptions", payload, content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    assert counts() == before
    other = client.post("/api/v1/points/redemptions", {**payload, "quantity": 2}, content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "key_reused"
    assert counts() == before


@pytest.mark.parametrize(("payload", "code"), [
    ({"quantity": 5}, "out_of_stock"),
    ({"quantity": 2}, "limit_per_person_exceeded"),
])
def test_api_bad_redemption_is_a_clear_refusal(state, client_for, counts, payload, code):
    client = client_for("resident")
    before = counts()
    response = client.post("/api/v1/points/redemptions", {"idempotency_key": "bad", "goods_id": state["shop"].soap.pk,
                                                           **payload}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == code and response.json()["detail"]
    assert counts() == before


def test_api_award_over_cap_is_refused(state, client_for, counts):
    client = client_for("grid_worker")
    before = counts()
    response = client.post("/api/v1/points/awards", {
        "idempotency_key": "cap", "rule_id": state["shop"].volunteer.pk, "resident_id": state["resident"].pk,
        "quantity": "18", "source_type": "volunteer"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "cap_exceeded"
    assert counts() == before


def test_page_refusal_shows_a_chinese_message_and_books_nothing(state, client_for, counts):
    client = client_for("resident")
    before = counts()
    response = client.post(f"/points/shop/{state['shop'].umbrella.pk}/redeem/", {"key": "u", "quantity": 1},
                           follow=True)
    assert "积分余额不足" in response.content.decode()
    assert counts() == before
