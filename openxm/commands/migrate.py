"""openxm migrate: create or update the database schema."""

from . import django_command


def register(subparsers):
    p = subparsers.add_parser(
        "migrate",
        help="Create or update the database schema",
        description="Apply every pending database migration (safe to run repeatedly).",
    )
    django_command(p, run)


def run(args) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0
