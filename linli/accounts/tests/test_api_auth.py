import datetime as dt

import pytest

from linli.accounts.models import ApiToken
from linli.core import clock
from linli.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_good_credentials_and_only_its_digest_is_stored(world, client):
    # when
    response = client.post("/api/v1/auth/token", {"username": "street1", "password": "linli-demo"},
                           content_type="application/json")
    # then
    assert response.status_code == 200
    raw = response.json()["token"]
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(raw)).exists()
    assert AuditEntry.objects.filter(action="token_issue", channel="api").count() == 1


def test_bad_password_gets_401_and_writes_nothing(world, client, counts):
    before = counts()
    response = client.post("/api/v1/auth/token", {"username": "street1", "password": "wrong"},
                           content_type="application/json")
    assert response.status_code == 401
    assert counts() == before


def test_me_with_bearer_token_returns_roles_and_jurisdiction(world, client):
    raw = client.post("/api/v1/auth/token", {"username": "street1", "password": "linli-demo"},
                      content_type="application/json").json()["token"]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "street1"
    assert body["roles"] == ["street_officer"]
    assert body["jurisdiction"][0]["code"] == "140105001000"
    assert body["jurisdiction"][0]["level"] == "street"


def test_expired_or_unknown_token_is_401(world, client):
    raw = client.post("/api/v1/auth/token", {"username": "grid1", "password": "linli-demo"},
                      content_type="application/json").json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    clock.advance(dt.timedelta(days=31))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "street_officer", "admin"])
def test_me_with_session(world, client_for, persona):
    response = client_for(persona).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == world.user(persona).username


def test_me_anonymous_is_401(world, client):
    assert client.get("/api/v1/me").status_code == 401


def test_openapi_document_and_docs_page_are_served(world, client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and "/api/v1/me" in spec.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Intranets have no internet: the docs page must load its assets from this server.
    assert b"cdn." not in docs.content and b"/static/ninja/" in docs.content
