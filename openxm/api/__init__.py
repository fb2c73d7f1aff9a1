"""The JSON API at /api/v1/ (django-ninja). One router module per app; routes are thin."""

import importlib

from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from openxm import __version__
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound

from .auth import ApiKeyAuth, SessionMemberAuth

api = NinjaAPI(
    title="openxm API",
    version="1",
    description=(
        "Authenticate with an API key (`Authorization: Bearer oxm_…` or `X-API-Key`), which acts for "
        "its organization with its role, or with a signed-in browser session (the current organization, "
        "or the one named by the `X-OpenXM-Org` header). Errors are JSON: "
        '`{"detail": …, "field": …}`.'
    ),
    auth=[ApiKeyAuth(), SessionMemberAuth()],
    urls_namespace="api",
)
api_version = __version__


@api.exception_handler(InvalidInput)
def _invalid(request, exc: InvalidInput):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)


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


# One router module per app, each exposing ``router``; a module not in this build is skipped.
ROUTER_MODULES = [
    "accounts",
    "surveys",
    "journeys",
    "distribution",
    "responses",
    "comments",
    "corrections",
    "analysis",
    "insights",
    "alerts",
    "text",
]

for _name in ROUTER_MODULES:
    try:
        _module = importlib.import_module(f"openxm.api.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"openxm.api.{_name}":
            raise
        continue
    api.add_router("/", _module.router)
