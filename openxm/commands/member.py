"""openxm member: set a member's role and unit scope, list members."""

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _

ROLES = ["owner", "admin", "analyst", "agent", "viewer"]


def register(subparsers):
    p = subparsers.add_parser(
        "member",
        help=_("Set members' roles and units, list members"),
        description=_(
            "Manage the members of an organization. A member has a role and may be limited to a "
            "unit: they then see that unit and the units below it, nothing else."
        ),
    )
    sub = p.add_subparsers(dest="member_command", metavar="ACTION", required=True)
    put = sub.add_parser(
        "set",
        help=_("Add a member or change their role and unit (as the server's operator)"),
        description=_(
            "Make E a member of the organization with exactly this role and unit: added when not "
            "yet a member, changed otherwise. Without --unit the member sees the whole organization."
        ),
    )
    put.add_argument("--org", required=True, metavar="SLUG", help=_("organization slug"))
    put.add_argument("--email", required=True, metavar="E", help=_("the member's e-mail address"))
    put.add_argument("--role", required=True, choices=ROLES, help=_("the member's role"))
    put.add_argument(
        "--unit", metavar="CODE", default="", help=_("limit the member to this unit and the units below it")
    )
    put.add_argument("--name", default="", help=_("the member's name (for a new user)"))
    django_command(put, run_set)
    lst = sub.add_parser("list", help=_("List members with their roles and units"))
    add_actor_arguments(lst)
    django_command(lst, run_list)


def run_set(args) -> int:
    from openxm.accounts import services

    org = services.get_organization(args.org)
    membership = services.set_member(
        services.operator_actor(org), args.email, args.role, unit=args.unit, name=args.name
    )
    scope = membership.unit.code if membership.unit_id else _("the whole organization")
    print(
        _("%(email)s is %(role)s of %(org)s, seeing %(scope)s")
        % {"email": membership.user.email, "role": membership.role, "org": org.slug, "scope": scope}
    )
    return 0


def run_list(args) -> int:
    from openxm.accounts import services

    for m in services.list_members(actor_from_args(args)):
        print(f"{m.id}\t{m.email}\t{m.role}\t{m.unit or '*'}\t{m.joined}")
    return 0
