"""The JSON API at /api/v1/ (django-ninja). One router module per app; routes are thin."""

import importlib

from openxm import __version__

from . import errors
from .auth import ApiKeyAuth, SessionMemberAuth
from .contract import ContractAPI
from .docs import OfflineSwagger

api = ContractAPI(
    title="openxm API",
    version="1",
    description=(
        "Authenticate with an API key (`Authorization: Bearer oxm_…` or `X-API-Key`), which acts for "
        "its organization with its role, or with a signed-in browser session (the current organization, "
        "or the one named by the `X-OpenXM-Org` header). Errors are JSON, one shape (`ErrorOut`): "
        '`{"detail": …, "field": …}`; 429 and 503 carry `Retry-After`.'
    ),
    auth=[ApiKeyAuth(), SessionMemberAuth()],
    urls_namespace="api",
    docs=OfflineSwagger(),
)
api_version = __version__


errors.install(api)


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
    "plans",
    "employees",
    "cases",
    "contacts",
    "text",
    "privacy",
]

for _name in ROUTER_MODULES:
    try:
        _module = importlib.import_module(f"openxm.api.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"openxm.api.{_name}":
            raise
        continue
    api.add_router("/", _module.router)
