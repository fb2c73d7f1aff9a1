"""openxm privacy: data-subject requests (export, erase) as the server's operator."""

from . import django_command
from .i18n import gettext as _


def _identifiers(p) -> None:
    p.add_argument("--org", required=True, metavar="SLUG", help=_("organization slug"))
    p.add_argument("--email", default="", metavar="E", help=_("the person's e-mail address"))
    p.add_argument("--phone", default="", metavar="N", help=_("the person's phone number"))
    p.add_argument("--wechat", default="", metavar="ID", help=_("the person's WeChat openid or unionid"))
    p.add_argument("--contact", default="", metavar="ID", help=_("the contact's id or external id"))


def register(subparsers):
    p = subparsers.add_parser(
        "privacy",
        help=_("Data-subject requests: export or erase everything about a person"),
        description=_(
            "Find everything the organization holds about one person (by e-mail, phone, WeChat id "
            "or contact id), export it as a zip archive (JSON and CSV) or erase it. Each request "
            "is logged with its deadline and audited."
        ),
    )
    sub = p.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    export = sub.add_parser("export", help=_("Export everything about a person as a zip archive"))
    _identifiers(export)
    export.add_argument("--output", default="", metavar="FILE", help=_("also copy the archive to FILE"))
    django_command(export, run_export)
    erase = sub.add_parser("erase", help=_("Erase everything about a person"))
    _identifiers(erase)
    erase.add_argument(
        "--anonymise",
        action="store_true",
        help=_("keep the person's responses for statistics, with nothing identifying in them"),
    )
    django_command(erase, run_erase)
    retention = sub.add_parser(
        "retention",
        help=_("Apply the organization's retention policies now (or list what would go)"),
        description=_(
            "Apply every retention policy of the organization: rows older than the policy's months "
            "are removed or anonymised. With --dry-run nothing is written: each policy's rows are "
            "counted and the first ids listed."
        ),
    )
    retention.add_argument("--org", required=True, metavar="SLUG", help=_("organization slug"))
    retention.add_argument("--dry-run", action="store_true", help=_("list what would go, change nothing"))
    django_command(retention, run_retention)
    policy = sub.add_parser("retention-policy", help=_("Keep a kind of data for a number of months"))
    policy.add_argument("--org", required=True, metavar="SLUG", help=_("organization slug"))
    policy.add_argument(
        "--type",
        required=True,
        metavar="TYPE",
        help=_("comments, responses, invitations, contact_events or exports"),
    )
    policy.add_argument("--months", required=True, type=int, metavar="N", help=_("months to keep"))
    policy.add_argument("--survey", default="", metavar="KEY", help=_("only this survey's data"))
    django_command(policy, run_policy)
    rotate = sub.add_parser(
        "rotate-keys",
        help=_("Re-encrypt every encrypted value with the first key of OPENXM_ENCRYPTION_KEYS"),
    )
    django_command(rotate, run_rotate)
    generate = sub.add_parser("generate-key", help=_("Print a new encryption key"))
    generate.set_defaults(func=run_generate)


def _ids(args) -> dict:
    return {"email": args.email, "phone": args.phone, "wechat": args.wechat, "contact": args.contact}


def run_export(args) -> int:
    import shutil

    from openxm.accounts import services as accounts
    from openxm.privacy import services

    org = accounts.get_organization(args.org)
    actor = accounts.operator_actor(org)
    request = services.export_request(actor, **_ids(args))
    path = services.archive_file(actor, request.pk)
    if args.output:
        shutil.copyfile(path, args.output)
        path = args.output
    rows = sum(request.counts.values())
    print(
        _("request %(id)s: %(rows)s rows exported to %(path)s")
        % {"id": request.pk, "rows": rows, "path": path}
    )
    return 0


def run_erase(args) -> int:
    from openxm.accounts import services as accounts
    from openxm.privacy import services

    org = accounts.get_organization(args.org)
    mode = "anonymise" if args.anonymise else "erase"
    request = services.erase_request(accounts.operator_actor(org), mode=mode, **_ids(args))
    rows = sum(request.counts.values())
    print(_("request %(id)s: %(rows)s rows erased") % {"id": request.pk, "rows": rows})
    return 0


def run_rotate(args) -> int:
    from openxm.privacy.keys import rotate_keys

    done = rotate_keys()
    for label, n in sorted(done.items()):
        print(f"{label}\t{n}")
    print(_("%(rows)s values re-encrypted with the first key") % {"rows": sum(done.values())})
    return 0


def run_generate(args) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0


def run_retention(args) -> int:
    from openxm.accounts import services as accounts
    from openxm.privacy import retention

    actor = accounts.operator_actor(accounts.get_organization(args.org))
    items = retention.plan(actor) if args.dry_run else retention.apply(actor)
    for item in items:
        scope = item.policy.survey_key or "*"
        ids = ",".join(str(i) for i in item.ids[: retention.SAMPLE])
        print(f"{item.policy.data_type}\t{scope}\t{item.before.date().isoformat()}\t{item.count}\t{ids}")
    total = sum(item.count for item in items)
    if args.dry_run:
        print(_("dry run: %(rows)s rows would go; nothing was changed") % {"rows": total})
    else:
        print(_("%(rows)s rows removed or anonymised") % {"rows": total})
    return 0


def run_policy(args) -> int:
    from openxm.accounts import services as accounts
    from openxm.privacy import retention

    actor = accounts.operator_actor(accounts.get_organization(args.org))
    policy = retention.set_policy(actor, args.type, args.months, args.survey)
    print(
        _("%(type)s of %(survey)s: kept %(months)s months")
        % {"type": policy.data_type, "survey": policy.survey_key or "*", "months": policy.months}
    )
    return 0
