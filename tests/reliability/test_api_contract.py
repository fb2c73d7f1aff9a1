"""The OpenAPI document tells the truth about authentication, query parameters and errors."""

import pytest


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_the_api_key_header_is_declared(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {
        **schemes["ApiKeyHeader"],
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    me = document["paths"]["/api/v1/me"]["get"]
    assert {"ApiKeyHeader": []} in me["security"] and {"ApiKeyAuth": []} in me["security"]


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/insights/metrics", {"period", "start", "end", "unit", "attr", "grain"}),
        ("/api/v1/insights/trend", {"period", "touchpoint"}),
        ("/api/v1/responses", {"survey", "from", "to", "answer", "page", "per_page"}),
        ("/api/v1/audit", {"limit", "action"}),
    ],
)
def test_query_parameters_read_by_a_route_are_declared(document, path, names):
    declared = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
    assert names <= declared


def test_limits_have_declared_ranges(document):
    limit = next(p for p in document["paths"]["/api/v1/audit"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 1000)


def test_every_error_answer_uses_the_one_error_schema(document):
    shared = document["components"]["responses"]
    schemas = document["components"]["schemas"]
    one = schemas["ErrorOut"]
    for path, method, operation in _operations(document):
        for status in ("400", "401", "403", "404", "422", "429", "503"):
            answer = operation["responses"].get(status)
            if answer is None:
                continue
            if "$ref" in answer:
                answer = shared[answer["$ref"].rsplit("/", 1)[1]]
            schema = answer["content"]["application/json"]["schema"]
            # ErrorOut, or ErrorOut with more added (a definition's issues, rules-as-code problems):
            # every field of ErrorOut, and nothing more required, so any 4xx body fits it.
            found = schemas[schema["$ref"].rsplit("/", 1)[1]]
            assert one["properties"].keys() <= found["properties"].keys(), (method, path, status)
            assert set(found.get("required", [])) == set(one["required"]), (method, path, status)
        assert "422" in operation["responses"] and "503" in operation["responses"]
    assert "Retry-After" in shared["Unavailable"]["headers"]
    public = document["paths"]["/api/v1/public/surveys/{token}/responses"]["post"]["responses"]
    assert "Retry-After" in public["429"]["headers"]


def test_a_validation_error_matches_the_schema(client, document, app_token):
    reply = client.post(
        f"/api/v1/public/surveys/{app_token}/responses", {"answers": 3}, content_type="application/json"
    )
    body = reply.json()
    schema = document["components"]["schemas"]["ErrorOut"]
    assert (
        reply.status_code == 422
        and set(body) <= set(schema["properties"])
        and isinstance(body["detail"], str)
    )
