"""openxm openapi: print the API's OpenAPI document (committed as docs/openapi.json)."""

import json

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "openapi",
        help=_("Print the OpenAPI document of the API"),
        description=_("Print the OpenAPI 3.1 document served at /api/v1/openapi.json."),
    )
    django_command(p, run)


def run(args) -> int:
    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def openapi_document() -> dict:
    from openxm.api import api

    return api.get_openapi_schema(path_prefix="/api/v1/")
