"""The ``openxm`` command: a thin adapter over the services.

Each subcommand lives in ``openxm/commands/<name>.py`` and exposes ``register(subparsers)``.
Commands that need the database set up Django first; ``analyze`` and ``text`` run without it.
Wrong arguments and expected failures print one line on stderr and exit with 2 (usage) or 1.
Everything is said in Simplified Chinese or English, as the environment asks
(see :mod:`openxm.commands.i18n`).
"""

import argparse
import importlib
import os
import sys

from openxm.commands import i18n
from openxm.commands.i18n import gettext as _

COMMAND_MODULES = [
    "demo",
    "serve",
    "migrate",
    "createadmin",
    "apikey",
    "member",
    "units",
    "surveys",
    "responses",
    "worker",
    "beat",
    "check",
    "backup",
    "openapi",
    "analyze",
    "text",
    "journeys",
    "rollups",
    "insights",
    "distribution",
    "comments",
    "alerts",
    "plans",
    "cases",
    "profiles",
    "privacy",
    "employees",
]


class CommandError(Exception):
    """An expected failure: printed as one line, exit status 1."""


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, i18n.usage_error_line(self.prog, message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    from openxm import __version__

    i18n.activate()
    parser = OneLineParser(
        prog="openxm",
        description=_("openxm — open-source experience management. Run 'openxm demo' to try it."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"openxm {__version__}",
        help=_("show the version and exit"),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"openxm.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"openxm.commands.{name}":
                continue  # a command family that is not part of this build
            raise
        module.register(subparsers)
    return parser


def setup_django() -> None:
    """Configure Django for commands that use the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openxm.settings")
    import django

    django.setup()
    i18n.activate_django()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        if getattr(args, "needs_django", False):
            setup_django()
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(i18n.error_line(f"openxm {args.command}", exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from django.core.exceptions import ImproperlyConfigured

        known = (ImproperlyConfigured,) + _service_errors()
        if isinstance(exc, known):
            print(i18n.error_line(f"openxm {args.command}", exc), file=sys.stderr)
            return 1
        raise
    finally:
        i18n.restore_django()


def _service_errors() -> tuple[type[BaseException], ...]:
    try:
        from openxm.accounts.actors import PermissionDenied
        from openxm.accounts.errors import InvalidInput, NotFound
    except Exception:
        return ()
    return (InvalidInput, NotFound, PermissionDenied)


if __name__ == "__main__":
    # Run as ``python -m openxm.cli``, this file is the module __main__, and the commands'
    # ``from openxm.cli import CommandError`` would load a second copy whose errors this copy's
    # ``except`` does not catch: run the one copy the commands import.
    from openxm.cli import main as _main

    sys.exit(_main())
