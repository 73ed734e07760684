"""The conventions all of /api/v1/ shares: one error body, one pagination, a schema that says both."""

import pytest
from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema

from linli.api import api
from linli.core.pagination import MAX_PAGE, MAX_PAGE_SIZE
from linli.points.api import PointsStatementOut

# Computed tables (one row per node of the tree), not lists of records: they are not paged.
TABLES = {"/api/v1/property/coverage", "/api/v1/property/funding"}


def _document():
    return api.get_openapi_schema()


def _operations():
    for path, methods in _document()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _component(document, schema):
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _json_body(response):
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def _lists():
    document = _document()
    for path, method, operation in _operations():
        if method == "get" and "200" in {str(s) for s in operation["responses"]}:
            body = _component(document, _json_body(operation["responses"].get(200) or operation["responses"]["200"]))
            if "items" in body.get("properties", {}):
                yield path, operation


def _models():
    """Every schema class an operation answers or reads, as ninja documents it (mode, aliases)."""
    for router in api._get_bound_routers():
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in operation.response_models.values():
                    if isinstance(model, type):
                        yield model, "serialization", operation.by_alias
                for model in operation.models:
                    yield model, "validation", True


def test_no_two_schemas_share_a_component_name():
    # given the document and every schema class the operations use
    components = _document()["components"]["schemas"]
    # when each class's own definitions are compared with the component of the same name
    clashes = set()
    for model, mode, by_alias in _models():
        own = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema,
                                      mode=mode, by_alias=by_alias).get("$defs", {})
        clashes |= {name for name, schema in own.items() if components.get(name) != schema}
    # then each name describes one schema (two classes of one name: the document keeps only one of them)
    assert clashes == set()


def test_points_me_is_described_with_the_points_statement():
    # given
    document = _document()
    # when
    answer = _component(document, _json_body(document["paths"]["/api/v1/points/me"]["get"]["responses"][200]))
    # then it is the points statement (balances and entries), not the trust account's monthly statement
    assert set(answer["properties"]) == set(PointsStatementOut.model_json_schema()["properties"])
    assert {"balance", "time_bank_hours", "items"} <= set(answer["properties"])


def test_every_operation_declares_the_error_statuses_it_answers_with_the_error_body():
    missing = []
    for path, method, operation in _operations():
        # given what the operation takes
        expected = {503}
        if operation.get("security"):
            expected |= {401, 403}
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add(422)
        if "{" in path:
            expected.add(404)
        if method in ("post", "patch", "put", "delete"):
            expected |= {400, 429}
        # when / then each such status is declared with the one error body
        for status in expected:
            response = operation["responses"].get(status) or operation["responses"].get(str(status))
            if response is None or _json_body(response).get("$ref") != "#/components/schemas/ErrorOut":
                missing.append((method, path, status))
    assert missing == []
    assert {"code", "detail", "field", "errors"} == set(_document()["components"]["schemas"]["ErrorOut"]["properties"])


def _bound(schema, key):
    return schema.get(key, next((s[key] for s in schema.get("anyOf", []) if key in s), None))


def test_every_list_pages_the_same_way():
    document = _document()
    lists = dict(_lists())
    # given every GET that answers rows
    arrays = [path for path, method, op in _operations()
              if method == "get" and _json_body(op["responses"].get(200, {})).get("type") == "array"]
    # then none answers a bare array (an unpaged list) but the computed tables
    assert set(arrays) <= TABLES
    assert len(lists) >= 30
    for path, operation in lists.items():
        # and every list takes page and page_size, bounded, and no other paging parameter
        params = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        assert _bound(params["page"], "maximum") == MAX_PAGE and _bound(params["page"], "minimum") == 1, path
        assert _bound(params["page_size"], "maximum") == MAX_PAGE_SIZE, path
        assert not {"limit", "offset", "per_page"} & set(params), path
        answer = _component(document, _json_body(operation["responses"][200]))
        assert {"count", "items"} <= set(answer["properties"]), path
        assert not {"results", "page", "page_size"} & set(answer["properties"]), path


def _plain_lists():
    return sorted(path for path, _ in _lists() if "{" not in path)


@pytest.mark.parametrize("path", _plain_lists())
def test_a_list_refuses_other_paging_and_answers_a_page_beyond_the_data_with_nothing(client_for, counts, path):
    # given a persona who may read the list
    client = client_for("resident" if path.endswith("/points/me") else "district_officer")
    before = counts()
    # when a client of another convention, a page beyond the data and an absurd page size ask
    offset = client.get(path, {"offset": 50})
    limit = client.get(path, {"limit": 10, "page": 1})
    beyond = client.get(path, {"page": MAX_PAGE, "page_size": MAX_PAGE_SIZE})
    absurd = client.get(path, {"page": 10**22})
    too_big = client.get(path, {"page_size": MAX_PAGE_SIZE + 1})
    # then the other conventions and the absurd values are a 422 with the error body, never ignored
    for response in (offset, limit, absurd, too_big):
        assert response.status_code == 422, (path, response.content)
        assert response.json()["code"] == "invalid"
    assert offset.json()["errors"][0]["loc"] == ["query", "offset"]
    # and the page beyond the data is an empty page (the old limit/offset lists crashed here)
    assert beyond.status_code == 200, (path, beyond.content)
    assert beyond.json()["items"] == [] and beyond.json()["count"] >= 0
    assert counts() == before


def test_residents_pages_by_page_and_refuses_offset(client_for, world):
    # given a staff member who sees residents
    client = client_for("grid_worker")
    # when
    first = client.get("/api/v1/residents", {"page_size": 1}).json()
    second = client.get("/api/v1/residents", {"page_size": 1, "page": 2}).json()
    offset = client.get("/api/v1/residents", {"offset": 1})
    # then page 2 is another resident, and offset (silently ignored before) is refused
    assert first["count"] >= 2 and len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert offset.status_code == 422


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/cases/abc"), ("GET", "/api/v1/compounds/abc"), ("GET", "/api/v1/party-orgs/1x"),
    ("POST", "/api/v1/points/awards/abc/approve"), ("GET", "/api/v1/no-such-thing"),
])
def test_a_path_that_names_nothing_answers_the_json_404(client_for, counts, method, path):
    # given
    before = counts()
    # when
    response = client_for("district_officer").generic(method, path, "{}", content_type="application/json")
    # then
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "detail": "未找到", "field": None, "errors": None}
    assert counts() == before


def test_a_wrong_method_answers_the_json_405(client_for, counts):
    # given
    client = client_for("district_officer")
    before = counts()
    # when
    response = client.delete("/api/v1/cases")
    # then
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed" and response.json()["detail"]
    assert {"GET", "POST"} <= {m.strip() for m in response["Allow"].split(",")}
    assert counts() == before


def test_pages_outside_the_api_keep_their_html_404(client_for):
    # when
    response = client_for("district_officer").get("/places/compounds/abc/")
    # then
    assert response.status_code == 404 and not response["Content-Type"].startswith("application/json")


def test_a_refusal_answers_its_status_code_field_and_message(client_for, world, counts):
    # given the district officer, who may set budgets
    client = client_for("district_officer")
    before = counts()
    # when the fund kind is not one of the kinds
    response = client.post("/api/v1/property/budgets", {"unit_id": world.district.pk, "year": 2026, "kind": "lottery",
                                                         "amount": "100.00"}, content_type="application/json")
    # then the refusal's status, stable code, field and Chinese message make the body; nothing is written
    assert response.status_code == 400
    assert response.json() == {"code": "kind_invalid", "detail": "请选择经费类别。", "field": "kind", "errors": None}
    assert counts() == before


def test_no_login_answers_the_error_body(client):
    # when
    response = client.get("/api/v1/me")
    # then
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
