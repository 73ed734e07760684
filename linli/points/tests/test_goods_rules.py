"""Goods that break the shop's rules are refused with a sentence, never a database constraint's name."""

import json

import pytest


@pytest.mark.parametrize("field,value,message", [("price", 0, "所需积分须大于 0"),
                                                 ("limit_per_person", 0, "每人每期限兑数量须大于 0")])
def test_api_refuses_zero_with_a_sentence(world, shop, client_for, counts, field, value, message):
    # given a manager's new goods with a zero in it
    body = {"community_id": world.community1.pk, "name": "毛巾", "price": 5, "stock": 3, field: value}
    before = counts()
    # when it is posted, or an existing goods is changed to it
    created = client_for("community_secretary").post("/api/v1/points/goods", json.dumps(body),
                                                     content_type="application/json")
    changed = client_for("community_secretary").patch(f"/api/v1/points/goods/{shop.soap.pk}",
                                                      json.dumps({field: value}), content_type="application/json")
    # then both are 400 with the sentence, without the constraint's name, and nothing is written
    for response in (created, changed):
        assert response.status_code == 400, response.content
        detail = response.json()["detail"]
        assert message in detail and "points_goods" not in detail
    assert counts() == before


def test_page_form_refuses_a_zero_price_with_a_sentence(world, shop, client_for, counts):
    before = counts()
    response = client_for("community_secretary").post("/points/staff/goods/new/", {
        "community": world.community1.pk, "name": "毛巾", "kind": "goods", "price": 0, "stock": 3,
        "limit_per_person": 1, "active": "on"})
    page = response.content.decode()
    assert response.status_code in (200, 400) and "所需积分须大于 0" in page and "points_goods" not in page
    assert counts() == before
