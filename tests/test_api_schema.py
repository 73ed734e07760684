"""Schemathesis against /api/v1/openapi.json, in-process, as the district officer of the test world.

Every GET operation and POST /auth/token get a few generated requests (deterministic); each response
must not be a 5xx, must be declared for its status code, and must match its declared schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from linli.accounts.services import token_issue
from linli.testing import PASSWORD
from linli.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _wanted(ctx) -> bool:
    operation = ctx.operation
    return operation.method.upper() == "GET" or (
        operation.method.upper() == "POST" and operation.path.endswith("/auth/token"))


# Loaded at import: reading the schema touches no table. (`schemathesis.pytest.from_fixture` would defer
# it, but it reads a private pytest attribute that pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(_wanted)
# Valid requests only: what the API must answer within its schema. (Invalid input gets the declared
# 422.) The coverage phase is left out to keep the run short.
schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=5, deterministic=True,
                                allow_extra_parameters=False)
schema.config.phases.coverage.enabled = False


@pytest.fixture
def _connection_kept_open():
    """Calls go straight to the WSGI app, so Django's request signals would close the test's
    connection (it is inside the test transaction); Django's own test client disconnects them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(world, _connection_kept_open):
    raw, _ = token_issue(username=world.user("district_officer").username, password=PASSWORD, request=None)
    return raw


@schema.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_within_its_schema(case, officer_token):
    # given the district officer's bearer token
    headers = {"Authorization": f"Bearer {officer_token}"}
    # when / then
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_a_page_far_beyond_the_data_is_not_a_server_error(client_for):
    # given
    client = client_for("district_officer")
    # when a page number the database cannot turn into an OFFSET is asked for
    listed = client.get("/api/v1/entrances", {"page": 10**22})
    cases = client.get("/api/v1/cases", {"page": 10**22})
    # then every list refuses it, as the bound declared in the schema says
    assert listed.status_code == 422 and listed.json()["code"] == "invalid"
    assert cases.status_code == 422 and cases.json()["code"] == "invalid"
