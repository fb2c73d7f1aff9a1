"""openxm alerts: rules and webhooks as code, back-tests, test messages and a member's
notification settings.

    openxm alerts apply FILE --org SLUG [--dry-run]
    openxm alerts export --org SLUG [--format yaml|json] [--output FILE]
    openxm alerts backtest RULE --org SLUG [--days 30]
    openxm alerts test WEBHOOK --org SLUG
    openxm alerts settings --org SLUG --user EMAIL [--alert-email on|off]
        [--digest none|daily|weekly] [--quiet-hours HH:MM-HH:MM|none] [--time-zone ZONE]

``--org SLUG`` alone acts as the server's operator (rules without an owner see the whole
organization); with ``--user EMAIL`` or ``--api-key`` it acts as that member or key, who then
owns the rules it applies. ``settings`` is a member's own (``--user``, or its alias
``--email``): without options it prints them; options change only what they name.
"""

import sys

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser("alerts", help=_("Alert rules and webhooks: apply, export, back-test, test"))
    sub = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

    apply = sub.add_parser(
        "apply",
        help=_("Create or update rules and webhooks from a YAML or JSON file (by key)"),
        description=_("All or nothing: when any part of the file is invalid, nothing is applied."),
    )
    apply.add_argument("file", metavar="FILE", help=_("the YAML or JSON file ('-' for standard input)"))
    apply.add_argument("--dry-run", action="store_true", help=_("check and show the changes, apply nothing"))
    add_actor_arguments(apply)
    django_command(apply, run_apply)

    export = sub.add_parser("export", help=_("Print the rules and webhooks in the format apply reads"))
    export.add_argument("--format", choices=("yaml", "json"), default="yaml", help=_("output format"))
    export.add_argument("--output", "-o", metavar="FILE", help=_("file to write (default: standard output)"))
    add_actor_arguments(export)
    django_command(export, run_export)

    back = sub.add_parser("backtest", help=_("How often a rule would have fired on stored responses"))
    back.add_argument("rule", metavar="RULE", help=_("the rule's key"))
    back.add_argument("--days", type=int, default=30, help=_("days to look back (default: %(default)s)"))
    add_actor_arguments(back)
    django_command(back, run_backtest)

    test = sub.add_parser("test", help=_("Send a test message to a webhook and print the answer"))
    test.add_argument("webhook", metavar="WEBHOOK", help=_("the webhook's key"))
    add_actor_arguments(test)
    django_command(test, run_test)

    prefs = sub.add_parser(
        "settings",
        help=_("Show or change a member's alert notification settings"),
        description=_("Without options, print the settings; each option changes only its own setting."),
    )
    prefs.add_argument("--alert-email", choices=("on", "off"), help=_("alert e-mails on or off"))
    prefs.add_argument("--digest", choices=("none", "daily", "weekly"), help=_("the digest e-mail"))
    prefs.add_argument(
        "--quiet-hours", metavar="HH:MM-HH:MM", help=_("hold alert e-mails in these hours ('none' to clear)")
    )
    prefs.add_argument(
        "--time-zone", metavar="ZONE", help=_("e.g. Asia/Shanghai ('' for the organization's)")
    )
    add_actor_arguments(prefs)
    prefs.add_argument("--email", dest="user", metavar="EMAIL", help=_("the same as --user"))
    django_command(prefs, run_settings)


def _actor(args):
    import os

    if args.org and not args.user and not args.api_key and not os.environ.get("OPENXM_API_KEY"):
        from openxm.accounts import services

        return services.operator_actor(services.get_organization(args.org))
    return actor_from_args(args)


def run_apply(args) -> int:
    from openxm.alerts import services

    actor = _actor(args)
    if args.file == "-":
        text = sys.stdin.read()
    else:
        with open(args.file, encoding="utf-8") as fh:
            text = fh.read()
    try:
        plan = services.apply_document(actor, text, dry_run=args.dry_run)
    except services.InvalidDocument as exc:
        for problem in exc.problems:
            print(_("error: %(problem)s") % {"problem": problem}, file=sys.stderr)
        print(_("nothing was applied"), file=sys.stderr)
        return 1
    words = {"create": _("create"), "update": _("update"), "same": _("unchanged")}
    kinds = {"rule": _("rule"), "webhook": _("webhook")}
    for action, kind, key in plan.changes:
        print(f"{words[action]}\t{kinds[kind]}\t{key}")
    if args.dry_run:
        print(_("dry run: nothing was applied"), file=sys.stderr)
    return 0


def run_export(args) -> int:
    from openxm.alerts import services

    text = services.export_document(_actor(args), args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def run_backtest(args) -> int:
    from openxm.alerts import services

    result = services.backtest_rule(_actor(args), args.rule, args.days)
    print(
        _("%(rule)s would have fired %(n)s times in the last %(days)s days (%(m)s responses examined)")
        % {"rule": args.rule, "n": result.count, "days": result.days, "m": result.examined}
    )
    for hit in result.hits:
        print(f"{hit.response_id}\t{hit.at}\t{hit.survey}\t{hit.touchpoint}\t{hit.unit}")
    return 0


def run_test(args) -> int:
    from openxm.alerts import services

    logged = services.send_test(_actor(args), args.webhook)
    status = logged.status_code if logged.status_code is not None else "-"
    print(f"{status}\t{logged.duration_ms} ms\t{logged.excerpt}")
    return 0 if logged.ok else 1


def _quiet_hours(value: str) -> tuple[str, str]:
    from openxm.cli import CommandError

    if value.strip().lower() in ("", "none"):
        return "", ""
    start, sep, end = value.partition("-")
    if not sep:
        raise CommandError(_("--quiet-hours: give HH:MM-HH:MM, e.g. 22:00-08:00, or none"))
    return start, end


def run_settings(args) -> int:
    from openxm.alerts import notifying

    actor = actor_from_args(args)
    row = notifying.get_settings(actor)
    now = {
        "alert_email": row.alert_email,
        "digest": row.digest,
        "quiet_start": row.quiet_start.strftime("%H:%M") if row.quiet_start else "",
        "quiet_end": row.quiet_end.strftime("%H:%M") if row.quiet_end else "",
        "time_zone": row.time_zone,
    }
    changes = {}
    if args.alert_email is not None:
        changes["alert_email"] = args.alert_email == "on"
    if args.digest is not None:
        changes["digest"] = args.digest
    if args.quiet_hours is not None:
        changes["quiet_start"], changes["quiet_end"] = _quiet_hours(args.quiet_hours)
    if args.time_zone is not None:
        changes["time_zone"] = args.time_zone
    if changes:
        row = notifying.save_settings(actor, **{**now, **changes})
    # Field names and values as the API spells them, so scripts can read them
    quiet = f"{row.quiet_start:%H:%M}-{row.quiet_end:%H:%M}" if row.quiet_start else "none"
    print(f"alert_email\t{'on' if row.alert_email else 'off'}")
    print(f"digest\t{row.digest}")
    print(f"quiet_hours\t{quiet}")
    print(f"time_zone\t{row.time_zone}")
    return 0
