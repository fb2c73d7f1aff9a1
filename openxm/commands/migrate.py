"""openxm migrate: create or update the database schema."""

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "migrate",
        help=_("Create or update the database schema"),
        description=_("Apply every pending database migration (safe to run repeatedly)."),
    )
    django_command(p, run)


def run(args) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0
