"""openxm distribution: send queued invitations and reminders; list an organization's channels."""

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "distribution",
        help=_("Send invitations and reminders; list distribution channels"),
        description=_("Distribution and collection: links, QR codes, e-mail and messenger invitations."),
    )
    sub = p.add_subparsers(dest="distribution_command", metavar="ACTION", required=True)
    tick = sub.add_parser(
        "tick",
        help=_(
            "Send queued invitations and due reminders for every organization now "
            "(it also runs by itself: see docs/deployment.md)"
        ),
        description=_(
            "Send queued invitations (within each organization's send rates) and remind "
            "non-responders whose reminder is due. Safe to run from several hosts at once."
        ),
    )
    tick.add_argument("--org", metavar="SLUG", help=_("only this organization"))
    django_command(tick, run_tick)
    lst = sub.add_parser("list", help=_("Print the organization's distributions with their public links"))
    add_actor_arguments(lst)
    django_command(lst, run_list)


def run_tick(args) -> int:
    from openxm.accounts import services as accounts
    from openxm.distribution import tasks

    if args.org:
        org = accounts.get_organization(args.org)
        sent = tasks.dispatch_invitations(org.pk)
        reminded = tasks.send_reminders(org.pk)
        totals = {k: sent.get(k, 0) + reminded.get(k, 0) for k in sent}
    else:
        totals = tasks.tick()
    print(" ".join(f"{k}={v}" for k, v in sorted(totals.items())) or _("nothing to send"))
    return 0


def run_list(args) -> int:
    from openxm.distribution import services

    actor = actor_from_args(args)
    for row in services.list_distributions(actor):
        dist = services.get_distribution(actor, row.id)
        link = services.public_link(dist) if dist.channel in ("link", "qr", "intercept", "app") else ""
        state = "open" if row.active else "closed"
        print(f"{row.id}\t{row.channel}\t{state}\t{row.name}\t{row.invitations} invited\t{link}")
    return 0
