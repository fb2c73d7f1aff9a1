"""openxm apikey: create, list and revoke API keys."""

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "apikey",
        help=_("Create, list and revoke API keys"),
        description=_(
            "Manage API keys. A key acts for one organization with one role, optionally limited to a unit."
        ),
    )
    sub = p.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)
    create = sub.add_parser(
        "create",
        help=_("Create a key and print it (shown once)"),
        description=_("Create an API key as the server's operator and print it once."),
    )
    create.add_argument("--org", required=True, metavar="SLUG", help=_("organization slug"))
    create.add_argument(
        "--role",
        required=True,
        choices=["owner", "admin", "analyst", "agent", "viewer"],
        help=_("the key's role"),
    )
    create.add_argument("--name", default="cli", help=_("a label to recognise the key by"))
    create.add_argument(
        "--unit", metavar="CODE", default="", help=_("limit the key to this unit and the units below it")
    )
    django_command(create, run_create)
    lst = sub.add_parser("list", help=_("List keys (as a member with the apikeys.manage permission)"))
    add_actor_arguments(lst)
    django_command(lst, run_list)
    revoke = sub.add_parser("revoke", help=_("Revoke a key by id"))
    revoke.add_argument("key_id", type=int, help=_("the key's id (first column of 'apikey list')"))
    add_actor_arguments(revoke)
    django_command(revoke, run_revoke)


def run_create(args) -> int:
    from openxm.accounts import services

    org = services.get_organization(args.org)
    new = services.create_api_key(services.operator_actor(org), args.name, args.role, unit=args.unit)
    print(new.plaintext)
    return 0


def run_list(args) -> int:
    from openxm.accounts import services

    for key in services.list_api_keys(actor_from_args(args)):
        status = "revoked" if key.revoked_at else "active"
        unit = key.unit.code if key.unit_id else "*"
        print(f"{key.id}\t{key.name}\t{key.role}\t{unit}\toxm_{key.prefix}_…\t{status}")
    return 0


def run_revoke(args) -> int:
    from openxm.accounts import services

    key = services.revoke_api_key(actor_from_args(args), args.key_id)
    print(_("revoked key %(id)s (%(name)s)") % {"id": key.id, "name": key.name})
    return 0
