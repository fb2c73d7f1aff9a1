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
