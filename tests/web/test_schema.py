"""Schemathesis against the app's own OpenAPI document: requests generated from the schema (bounded examples per
endpoint) never get a server error, and every response is one the schema documents (200, 400, 404, 413, 422)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from paceline.web import create_app

#: Examples per endpoint and method (the suite's time budget; raise locally for a deeper run).
EXAMPLES = 40

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(warm=False, allow_hosts=["testserver"]))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_and_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance])
