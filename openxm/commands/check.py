"""openxm check: a configuration and connectivity report."""

import json

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "check",
        help=_("Report configuration and connectivity"),
        description=_(
            "Check the settings, the database, migrations, the cache, the broker and a worker "
            "round trip. Exit status 1 when something needs fixing."
        ),
    )
    p.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    p.add_argument("--timeout", type=float, default=10.0, help=_("seconds to wait for a worker to answer"))
    django_command(p, run)


def run(args) -> int:
    from openxm.web.health import run_checks

    results = run_checks(worker_timeout=args.timeout)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for r in results:
            mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[r.status]
            print(f"[{mark}] {r.name}: {r.detail}")
    return 1 if any(r.status == "fail" for r in results) else 0
