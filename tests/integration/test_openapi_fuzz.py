"""Schemathesis fuzzes every operation of the OpenAPI document against the live service with
a real Keystone token: no input may produce a 5xx, and every answer must match the document."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_schema_conformance, status_code_conformance)

pytestmark = pytest.mark.devcloud


@pytest.fixture
def live_schema(albatross):
    return schemathesis.openapi.from_url(albatross.url + "/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("live_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_fuzz_every_operation(case, users):
    case.call_and_validate(
        headers={"X-Auth-Token": users["demo"].token},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance])
