"""The OpenAPI document as a contract: what django-ninja generates, completed where it cannot
know. Included: the ``X-API-Key`` header next to the bearer scheme, one ``ErrorOut`` schema for the
4xx and 503 answers every operation can give (parameter validation and input hygiene 422,
401/403 on authenticated operations, 404, 400 for an unreadable body, 503 with Retry-After
in an outage), and ``query_parameters`` for routes that read a filter vocabulary from the query
string themselves. Excluded: answers an operation declares itself are left as they are.
"""

from ninja import NinjaAPI

from .errors import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 1},
}
API_KEY_HEADER = {
    "type": "apiKey",
    "in": "header",
    "name": "X-API-Key",
    "description": "An API key (`oxm_…`), the same as `Authorization: Bearer oxm_…`.",
}


def query_parameters(vocabulary) -> list[dict]:
    """OpenAPI query parameters from ``(name, description)`` pairs (all optional strings;
    a name ending in ``*`` may be repeated)."""
    out = []
    for name, description in vocabulary:
        repeated = name.endswith("*")
        schema = {"type": "array", "items": {"type": "string"}} if repeated else {"type": "string"}
        out.append(
            {
                "name": name.rstrip("*"),
                "in": "query",
                "required": False,
                "description": str(description),
                "schema": schema,
                **({"style": "form", "explode": True} if repeated else {}),
            }
        )
    return out


def _error(description: str, headers: dict | None = None) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
    if headers:
        answer["headers"] = headers
    return answer


# The answers every operation may give, declared once and referenced (components.responses).
SHARED_ANSWERS = {
    "BadRequest": _error("The body could not be read (malformed JSON or multipart)."),
    "Unauthenticated": _error("No valid API key or session."),
    "Forbidden": _error("The key's or member's role lacks `permission`."),
    "NotFound": _error("Not found in the caller's organization."),
    "Invalid": _error("Invalid input: `field` names it, `detail` says what is wrong."),
    "Unavailable": _error(
        "The database or broker is unreachable; try again after `Retry-After` seconds.",
        {"Retry-After": RETRY_AFTER},
    ),
}


def _shared(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


class ContractAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).setdefault("ErrorOut", ErrorOut.model_json_schema())
        components.setdefault("responses", {}).update(SHARED_ANSWERS)
        schemes = components.setdefault("securitySchemes", {})
        if "ApiKeyAuth" in schemes:
            schemes["ApiKeyHeader"] = API_KEY_HEADER
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                _complete(path, operation)
        return schema


def _complete(path: str, operation: dict) -> None:
    security = operation.get("security")
    if security and any("ApiKeyAuth" in s for s in security):
        security.append({"ApiKeyHeader": []})
    answers = operation.setdefault("responses", {})
    wanted = {422: _shared("Invalid")}
    if security:
        wanted[401] = _shared("Unauthenticated")
        wanted[403] = _shared("Forbidden")
    # Any operation may name something (in its path, query or body) that is not there.
    wanted[404] = _shared("NotFound")
    if "requestBody" in operation:
        wanted[400] = _shared("BadRequest")
    wanted[503] = _shared("Unavailable")
    declared = {int(status) for status in answers}  # django-ninja keys them by int
    for status, answer in wanted.items():
        if status not in declared:
            answers[status] = answer
    for status in (429, "429"):
        if status in answers:
            answers[status].setdefault("headers", {})["Retry-After"] = RETRY_AFTER
