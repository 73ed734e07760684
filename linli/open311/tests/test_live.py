"""Clients against a live server, in JSON and in XML: the published `georeport` client (PyPI), and
a client that knows only the discovery document's address and builds every other URL from it.

georeport 0.3.1 reads (services, definitions, requests, one request) but has no method to post,
so posting uses `requests`, the HTTP library the client itself is built on. Every response a
client receives is recorded and checked against our JSON Schemas (XML bodies are read into the
schema's JSON shape first).
"""

import json
from urllib.parse import urlparse

import pytest
import requests
from georeport import GeoReport

from linli.cases.models import Case
from linli.open311.tests.conftest import DISTRICT_CODE
from linli.open311.tests.schema import validate, validate_xml

pytestmark = pytest.mark.django_db(transaction=True)

ROOTS = {"requests": "service_requests", "request_created": "service_requests",
         "services": "services", "service_definition": "service_definition", "errors": "errors",
         "discovery": "discovery"}


def schema_for(response) -> str:
    if response.status_code >= 400:
        return "errors"
    path = urlparse(response.url).path.split("/open311/v2/", 1)[1].lstrip("/").rsplit(".", 1)[0]
    if response.request.method == "POST":
        return "request_created"
    head = path.split("/")[0]
    if head == "services":
        return "service_definition" if "/" in path else "services"
    return {"requests": "requests", "discovery": "discovery"}[head]


def check(response):
    """The body matches the schema for its URL, in the format its extension asked for."""
    name = schema_for(response)
    if response.url.split("?")[0].endswith(".xml"):
        assert response.headers["Content-Type"].startswith("text/xml")
        return validate_xml(response.content, name, ROOTS[name])
    assert response.headers["Content-Type"].startswith("application/json")
    return validate(json.loads(response.content), name)


# The live server's request threads otherwise outlive the test on a kept-alive socket, and close
# the shared in-memory SQLite connection from the wrong thread when the server stops.
CLOSE = {"Connection": "close"}


@pytest.fixture
def seen(monkeypatch):
    """Every response the georeport client (or the test) gets, validated as it arrives."""
    responses = []
    real_get, real_post = requests.get, requests.post

    def get(*args, headers=None, **kwargs):
        response = real_get(*args, headers={**CLOSE, **(headers or {})}, **kwargs)
        check(response)
        responses.append(response)
        return response

    def post(*args, headers=None, **kwargs):
        response = real_post(*args, headers={**CLOSE, **(headers or {})}, **kwargs)
        check(response)
        responses.append(response)
        return response

    monkeypatch.setattr(requests, "get", get)
    monkeypatch.setattr(requests, "post", post)
    return responses


@pytest.fixture
def root(live_server):
    return f"{live_server.url}/open311/v2"


def _one(value):
    """xmltodict gives a dict for a single element and a list for several."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_published_client_files_and_follows_a_request(root, world, key_for, seen, fmt):
    # given a key bound to the district officer and the published client
    key = key_for("district_officer")
    client = GeoReport(root, jurisdiction=DISTRICT_CODE, api_key=key, output_format=fmt)
    # when it reads discovery, the services and a definition
    discovery = requests.get(f"{root}/discovery.{fmt}")
    services = _one(client.get_service_list())
    definition = client.get_service_definition("sanitation")
    # then
    assert discovery.status_code == 200
    assert "sanitation" in [s["service_code"] for s in services]
    attributes = definition["attributes"] if fmt == "json" else _one(definition["attributes"]["attribute"])
    assert [a["code"] for a in attributes] == ["compound", "building", "urgency"]

    # when a request is posted (form-encoded, as the specification says) and read back
    created = requests.post(f"{root}/requests.{fmt}", data={
        "api_key": client.api_key, "jurisdiction_id": DISTRICT_CODE, "service_code": "sanitation",
        "description": "垃圾站两天没有清运，气味很大", "attribute[compound]": str(world.compound1.pk),
        "attribute[building]": "1号楼", "first_name": "秀英", "last_name": "张", "phone": "13912345678",
        "account_id": "acct-7"})
    assert created.status_code == 201
    request_id = check(created)[0]["service_request_id"]
    one = client.get_service_request(request_id)
    # then the case is there, with the spec's fields and none of the personal ones
    assert one["service_request_id"] == request_id
    assert one["status"] == "open" and one["service_code"] == "sanitation"
    assert one["description"] == "垃圾站两天没有清运，气味很大"
    assert "13912345678" not in json.dumps(one, ensure_ascii=False)
    assert Case.objects.get(pk=int(request_id)).contact_name == "张秀英"

    # when the list is filtered
    listed = _one(client.get_service_requests(service_code="sanitation", status="open"))
    by_id = _one(client.get_service_requests(service_request_id=request_id))
    closed = requests.get(f"{root}/requests.{fmt}", params={"status": "closed"})
    # then
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert [r["service_request_id"] for r in by_id] == [request_id]
    assert check(closed) == []
    assert "token" not in check(created)[0]
    assert len(seen) >= 8


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_published_client_gets_the_spec_errors(root, world, key_for, seen, counts, fmt):
    # given
    key = key_for("street_officer")
    client = GeoReport(root, jurisdiction=DISTRICT_CODE, api_key=key, output_format=fmt)
    before = counts()

    def status_of(call, *args, **kwargs):
        with pytest.raises(requests.HTTPError) as raised:
            call(*args, **kwargs)
        return raised.value.response.status_code

    def posted(**data):
        return requests.post(f"{root}/requests.{fmt}", data={
            "api_key": key, "service_code": "sanitation", "description": "楼道堆物",
            "attribute[compound]": str(world.compound1.pk), **data})

    # when / then: reads
    assert status_of(client.get_service_definition, "no-such-service") == 404
    assert status_of(client.get_service_request, "987654") == 404
    assert status_of(client.get_service_requests, start_date="2025-01-01T00:00:00+08:00",
                     end_date="2025-06-01T00:00:00+08:00") == 400
    assert status_of(GeoReport(root, jurisdiction="999999000000", output_format=fmt).get_service_list) == 404
    # when / then: posts
    assert posted(api_key="wrong").status_code == 403
    assert posted(service_code="no-such-service").status_code == 400
    assert posted(description="长" * 4001).status_code == 400
    # a street officer of street1 files nothing into compound4 (street2)
    assert posted(**{"attribute[compound]": str(world.compound4.pk)}).status_code == 400
    assert counts() == before
    assert all(r.status_code >= 400 for r in seen)
    assert len(seen) == 8


MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}


class DiscoveredClient:
    """A GeoReport v2 client as they are usually written: it is given the discovery document's address
    only, takes the endpoint `url` from it as it stands (no slash trimmed) and appends "/services.json",
    "/requests.json" and so on. The key goes in the X-Api-Key header, never in a URL."""

    def __init__(self, discovery_url: str, fmt: str, key: str | None = None):
        self.fmt = fmt
        self.headers = {"X-Api-Key": key} if key else {}
        document = check(requests.get(discovery_url))
        endpoint = next(e for e in document["endpoints"]
                        if e["specification"] == "http://wiki.open311.org/GeoReport_v2"
                        and MEDIA_TYPES[fmt] in e["formats"])
        self.url = endpoint["url"]

    def _url(self, path: str) -> str:
        return f"{self.url}/{path}.{self.fmt}"

    def get(self, path: str, **params):
        response = requests.get(self._url(path), params=params, headers=self.headers)
        return response.status_code, check(response)

    def post(self, path: str, **data):
        response = requests.post(self._url(path), data=data, headers=self.headers)
        return response.status_code, check(response)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_that_builds_its_urls_from_discovery(root, world, key_for, seen, fmt):
    # given a client that knows only where the discovery document is
    key = key_for("district_officer")
    client = DiscoveredClient(f"{root}/discovery.{fmt}", fmt, key=key)
    # when it reads the catalogue and a definition under the advertised url
    listed = client.get("services")
    definition = client.get("services/sanitation")
    # then
    assert client.url == root
    assert listed[0] == 200 and "sanitation" in [s["service_code"] for s in listed[1]]
    picker = definition[1]["attributes"][0]
    assert picker["code"] == "compound" and str(world.compound1.pk) in [v["key"] for v in picker["values"]]

    # when it posts a request without a description (the service says what it is) and reads it back
    status, created = client.post("requests", jurisdiction_id=DISTRICT_CODE, service_code="sanitation",
                                  **{"attribute[compound]": str(world.compound1.pk), "attribute[building]": "1号楼"})
    request_id = created[0]["service_request_id"]
    one = client.get(f"requests/{request_id}")
    listed_by_id = client.get("requests", service_request_id=request_id)
    # then it reads what it filed, by the id the POST answered (there is no token to resolve)
    assert status == 201 and set(created[0]) == {"service_request_id", "service_notice", "account_id"}
    assert one[0] == 200 and one[1][0]["service_request_id"] == request_id
    assert one[1][0]["description"] == "环境卫生" and one[1][0]["status"] == "open"
    assert [r["service_request_id"] for r in listed_by_id[1]] == [request_id]
    assert Case.objects.get(pk=int(request_id)).reporter == world.user("district_officer")

    # when it makes the usual mistakes: a doubled slash, a wrong method, a path that does not exist
    doubled = requests.get(f"{client.url}//services.{fmt}")
    wrong_method = requests.delete(client._url("requests"), headers=CLOSE)
    nowhere = client.get("tokens/abc")
    # then the doubled slash works, and the others answer the specification's errors in its format
    assert doubled.status_code == 200
    assert wrong_method.status_code == 405 and check(wrong_method)[0]["code"] == 405
    assert nowhere[0] == 404 and nowhere[1][0]["code"] == 404

    # and the published client, given the discovered url, reads the same request
    published = GeoReport(client.url, output_format=fmt)
    assert published.get_service_request(request_id)["service_request_id"] == request_id
