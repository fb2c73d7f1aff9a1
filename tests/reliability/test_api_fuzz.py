"""Schemathesis against the OpenAPI document, every operation: no 5xx, and every answer is
declared (status code, content type, body and headers match the schema).

Bounded (``MAX_EXAMPLES`` per operation, positive and negative data) so the run stays within
about two minutes. Requests carry an owner's API key and the organization holds a published
survey, so routes get past authentication and some past their look-ups.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 6

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture
def owner_key(org_a, make_key, csat):
    return make_key(org_a, "owner")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the request cycle must not close the connection that holds
    the test's transaction (PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_declared(case, owner_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_key}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
