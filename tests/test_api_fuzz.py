"""Schemathesis over every operation of /api/v1/, writes included, as a staff and a resident persona.

The bar is the one the API promises for bad input: never a server error. Valid and invalid requests
are both generated (out-of-range integers, wrong types, odd strings), a few per operation, the same
ones every run. Schema conformance of the answers is test_api_schema's business (GETs as the officer).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from linli.accounts.services import token_issue
from linli.testing import PASSWORD
from linli.wsgi import application
from tests.test_api_schema import _connection_kept_open  # noqa: F401  (fixture)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=4,
                                deterministic=True)
schema.config.phases.coverage.enabled = False
schema.config.phases.stateful.enabled = False


@pytest.fixture(params=["district_officer", "resident"])
def token(request, world, _connection_kept_open):  # noqa: F811
    raw, _ = token_issue(username=world.user(request.param).username, password=PASSWORD, request=None)
    return raw


@schema.parametrize()
@settings(max_examples=4, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case, token):
    # given a persona's bearer token
    headers = {"Authorization": f"Bearer {token}"}
    # when / then
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
