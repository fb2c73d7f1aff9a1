"""openxm profiles: recompute value and risk; import contacts and events from a file."""

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser("profiles", help=_("Customer value and risk; import contacts and their events"))
    sub = p.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)

    refresh = sub.add_parser(
        "refresh",
        help=_("Recompute RFM, CLV and churn risk (it also runs by itself daily: see docs/customers.md)"),
    )
    refresh.add_argument("--horizon-weeks", type=int, default=52, metavar="N", help=_("CLV horizon in weeks"))
    refresh.add_argument(
        "--discount-rate",
        type=float,
        default=0.10,
        metavar="RATE",
        help=_("annual discount rate (default 0.10)"),
    )
    add_actor_arguments(refresh)
    django_command(refresh, run_refresh)

    for what in ("contacts", "events"):
        imp = sub.add_parser(
            f"import-{what}", help=_("Import %(what)s from a CSV/XLSX file (all or nothing)") % {"what": what}
        )
        imp.add_argument("file", metavar="FILE")
        imp.add_argument("--dry-run", action="store_true", help=_("check the file, store nothing"))
        add_actor_arguments(imp)
        django_command(imp, run_import)
        imp.set_defaults(what=what)


def run_refresh(args) -> int:
    from openxm.cli import CommandError
    from openxm.profiles import value

    if args.horizon_weeks < 1:
        raise CommandError(_("--horizon-weeks must be at least 1"))
    if not 0 <= args.discount_rate < 1:
        raise CommandError(_("--discount-rate must be at least 0 and below 1"))
    done = value.refresh_for(
        actor_from_args(args), horizon_weeks=args.horizon_weeks, annual_discount_rate=args.discount_rate
    )
    run = done.run
    print(_("%(n)s customers valued with %(method)s") % {"n": done.contacts, "method": run.method})
    if run.reason:
        print(_("simple formula: %(reason)s") % {"reason": run.reason})
    for key in ("r", "alpha", "a", "b", "p", "q", "gamma"):
        if key in run.parameters:
            print(f"  {key} = {run.parameters[key]:.4g}")
    return 0


def run_import(args) -> int:
    from openxm.customers import importing

    run = importing.import_contacts if args.what == "contacts" else importing.import_events
    with open(args.file, "rb") as stream:
        report = run(actor_from_args(args), stream, args.file, dry_run=args.dry_run)
    if not report.ok:
        for e in report.errors:
            print(_("line %(line)s: %(field)s: %(message)s") % e)
        print(_("nothing was stored"))
        return 1
    prefix = _("dry run, nothing stored: ") if report.dry_run else ""
    print(
        prefix
        + _("%(rows)s rows: %(created)s new, %(updated)s updated, %(duplicates)s already stored")
        % {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "duplicates": report.duplicates,
        }
    )
    return 0
