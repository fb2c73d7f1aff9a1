"""Every 4xx from the API has one shape, ``ErrorOut``: ``{"detail": str, "field": str | null, ...}``.

``detail`` is always one sentence (the first problem when there are several); ``field`` names the
input at fault (``limit``, ``answers.comment``, ``path``), ``errors`` lists every problem per
field where a request had several, ``permission`` names what a 403 lacked. Handlers here turn
the services' errors and django-ninja's parameter validation into that shape.
"""

from ninja import Schema
from ninja.errors import AuthenticationError, ValidationError

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    # Per field, its problems; for a batch of responses, per item index ("0", "1", …) its
    # fields' problems.
    errors: dict[str, list[str] | dict[str, list[str]]] | None = None
    permission: str | None = None


# django-ninja locates a problem as ("query", "limit") or ("body", "payload", "answers", 0).
_SOURCES = {"query", "path", "header", "cookie", "form", "file", "body"}


def _field(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source in ("body", "form") and parts and parts[0] == "payload":
            parts.pop(0)
        if not parts:
            return source
    return ".".join(parts) or "body"


def install(api) -> None:
    """Register the handlers on ``api``."""

    @api.exception_handler(InvalidInput)
    def _invalid(request, exc: InvalidInput):
        return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field(error.get("loc", ())), []).append(str(error.get("msg", "invalid")))
        field = next(iter(errors), "body")
        detail = (errors.get(field) or ["invalid"])[0]
        return api.create_response(request, {"detail": detail, "field": field, "errors": errors}, status=422)

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc: PermissionDenied):
        return api.create_response(request, {"detail": str(exc), "permission": exc.perm.value}, status=403)

    @api.exception_handler(NotFound)
    def _not_found(request, exc: NotFound):
        return api.create_response(request, {"detail": str(exc)}, status=404)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return api.create_response(
            request, {"detail": "Authentication required: an API key or a session."}, status=401
        )
