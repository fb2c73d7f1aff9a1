"""openxm createadmin: an organization with an owner who can sign in."""

import getpass

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "createadmin",
        help=_("Create an organization owner (and the organization if new)"),
        description=_(
            "Create a user who owns an organization. The password is asked for unless "
            "--password-stdin is given."
        ),
    )
    p.add_argument("--email", required=True, help=_("the owner's e-mail address (their sign-in)"))
    p.add_argument("--org", required=True, metavar="SLUG", help=_("organization slug, e.g. acme"))
    p.add_argument("--org-name", help=_("organization name (defaults to the slug)"))
    p.add_argument("--name", default="", help=_("the person's name"))
    p.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    django_command(p, run)


def run(args) -> int:
    import sys

    from openxm.accounts import services

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(_("Password: "))
        if getpass.getpass(_("Password (again): ")) != password:
            from openxm.cli import CommandError

            raise CommandError(_("password: the two entries differ"))
    membership = services.bootstrap_admin(
        args.org, args.org_name or args.org, args.email, password, args.name
    )
    print(
        _("%(email)s owns organization '%(org)s'.")
        % {"email": membership.user.email, "org": membership.organization.slug}
    )
    return 0
