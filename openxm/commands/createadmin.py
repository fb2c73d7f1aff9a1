"""openxm createadmin: an organization with an owner who can sign in."""

import getpass

from . import django_command


def register(subparsers):
    p = subparsers.add_parser(
        "createadmin",
        help="Create an organization owner (and the organization if new)",
        description="Create a user who owns an organization. The password is asked for unless "
        "--password-stdin is given.",
    )
    p.add_argument("--email", required=True)
    p.add_argument("--org", required=True, metavar="SLUG", help="organization slug, e.g. acme")
    p.add_argument("--org-name", help="organization name (defaults to the slug)")
    p.add_argument("--name", default="", help="the person's name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    django_command(p, run)


def run(args) -> int:
    import sys

    from openxm.accounts import services

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            from openxm.cli import CommandError

            raise CommandError("the passwords differ")
    membership = services.bootstrap_admin(
        args.org, args.org_name or args.org, args.email, password, args.name
    )
    print(f"{membership.user.email} owns organization '{membership.organization.slug}'.")
    return 0
