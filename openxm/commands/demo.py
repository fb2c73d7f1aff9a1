"""openxm demo: a working openxm with a demo company, on this machine, in one command."""

import os
import secrets
import sys
import threading
import webbrowser
from pathlib import Path

from .i18n import gettext as _
from .serve import add_server_arguments


def register(subparsers):
    p = subparsers.add_parser(
        "demo",
        help=_("Set up the demo company and serve it on http://127.0.0.1:8000"),
        description=_(
            "Migrate, create the demo organization (slug 'demo') with a member in every role, "
            "load demo data, print the sign-in details and serve. Data lives under OPENXM_HOME (./var)."
        ),
    )
    add_server_arguments(p, default_host="127.0.0.1")
    p.add_argument("--no-browser", action="store_true", help=_("do not open a browser"))
    p.add_argument("--reset", action="store_true", help=_("delete all openxm data first and start afresh"))
    p.add_argument("--no-serve", action="store_true", help=_("load the demo and exit without serving"))
    p.set_defaults(func=run)


def _home() -> Path:
    home = Path(os.environ.get("OPENXM_HOME") or "var").resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _read_or_create(path: Path, factory) -> str:
    if path.exists():
        return path.read_text().strip()
    value = factory()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def prepare_environment(home: Path) -> None:
    """A demo on a laptop: a generated secret key kept in OPENXM_HOME, cookies over plain HTTP."""
    if not os.environ.get("OPENXM_SECRET_KEY"):
        os.environ["OPENXM_SECRET_KEY"] = _read_or_create(
            home / "secret-key", lambda: secrets.token_urlsafe(50)
        )
    os.environ.setdefault("OPENXM_INSECURE_COOKIES", "true")
    # The demo's invitations tell a year's story; reminders sent by the periodic jobs would add
    # to it (and print e-mails to the console). OPENXM_EMBEDDED_SCHEDULER=true runs them anyway.
    os.environ.setdefault("OPENXM_EMBEDDED_SCHEDULER", "false")
    os.environ["OPENXM_HOME"] = str(home)


def reset_database() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.close()
        db = Path(settings.DATABASES["default"]["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)


def run(args) -> int:
    from openxm.cli import setup_django

    home = _home()
    prepare_environment(home)
    setup_django()
    from django.core.management import call_command

    from openxm.demo.company import DEMO_SLUG, PEOPLE
    from openxm.demo.loader import load_demo

    if args.reset:
        reset_database()
        (home / "demo-password").unlink(missing_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    password = _read_or_create(home / "demo-password", lambda: secrets.token_urlsafe(12))
    from openxm.utils.public_address import server_started_on

    # Links in what the loading prints (alert e-mails on the console) point at the address the
    # demo is about to serve on, not at the fallback localhost:8000.
    server_started_on(args.host, args.port)
    ctx = load_demo(password)
    url = f"http://{args.host}:{args.port}/"
    print(_("openxm demo is ready."))
    for line in ctx.log:
        print(f"  - {line}")
    print("\n  " + _("Open %(url)s and sign in (organization '%(org)s'):") % {"url": url, "org": DEMO_SLUG})
    for email, name, role, unit in PEOPLE:
        print(f"    {role:8} {email:36} {name}" + (f" [{unit}]" if unit else ""))
    print("  " + _("Password for every demo user: %(password)s") % {"password": password} + "\n")
    sys.stdout.flush()
    if args.no_serve:
        return 0
    if not args.no_browser:
        threading.Timer(1.5, webbrowser.open, args=[url]).start()
    from .serve import serve

    serve(args.host, args.port, args.workers, args.threads)
    return 0
