"""How CLI commands that touch tenant data decide who is acting.

``--api-key`` (or OPENXM_API_KEY) acts with that key's organization and role, exactly as the
API would. ``--org SLUG --user EMAIL`` acts as that member with their role. Neither may reach
another organization's rows: the actor carries one organization.
"""

import os

from openxm.cli import CommandError

from .i18n import gettext as _


def add_actor_arguments(parser) -> None:
    parser.add_argument("--org", metavar="SLUG", help=_("organization slug (with --user)"))
    parser.add_argument("--user", metavar="EMAIL", help=_("act as this member of --org"))
    parser.add_argument("--api-key", metavar="KEY", help=_("act as this API key (or set OPENXM_API_KEY)"))


def actor_from_args(args):
    from openxm.accounts import services
    from openxm.accounts.models import User

    raw = args.api_key or os.environ.get("OPENXM_API_KEY")
    if raw:
        actor = services.authenticate_api_key(raw)
        if actor is None:
            raise CommandError(_("the API key is unknown or revoked"))
        if args.org and args.org != actor.organization.slug:
            raise CommandError(
                _("--api-key: the key belongs to another organization than '%(org)s'") % {"org": args.org}
            )
        return _as_cli(actor)
    if not (args.org and args.user):
        raise CommandError(_("give --org SLUG --user EMAIL, or --api-key KEY"))
    org = services.get_organization(args.org)
    user = User.objects.filter(email=args.user.lower()).first()
    if user is None or services.membership_in(user, org) is None:
        raise CommandError(
            _("--user: %(user)s is not a member of '%(org)s'") % {"user": args.user, "org": args.org}
        )
    return services.actor_for_user(user, org, via="cli")


def _as_cli(actor):
    from dataclasses import replace

    return replace(actor, via="cli")
