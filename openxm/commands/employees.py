"""openxm employees: anonymity thresholds and suppressed results of employee surveys."""

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "employees",
        help=_("Employee results (suppressed) and their anonymity thresholds"),
        description=_(
            "Employee survey results are shown only for groups of at least the minimum size, with "
            "complementary suppression; see docs/employee-experience.md."
        ),
    )
    sub = p.add_subparsers(dest="employees_command", metavar="ACTION", required=True)
    th = sub.add_parser(
        "thresholds",
        help=_("Show the anonymity thresholds, or raise them (owners)"),
        description=_(
            "Without --min-group and --min-comments, print the thresholds. With both, set the "
            "organization's (or with --survey one survey's); never below 3."
        ),
    )
    th.add_argument("--min-group", type=int, metavar="N", help=_("smallest group whose figures are shown"))
    th.add_argument(
        "--min-comments", type=int, metavar="N", help=_("smallest group whose comments are shown")
    )
    th.add_argument("--survey", default="", metavar="KEY", help=_("set this survey's thresholds"))
    add_actor_arguments(th)
    django_command(th, run_thresholds)
    res = sub.add_parser(
        "results",
        help=_("Print a unit's suppressed eNPS breakdown, or every released figure as CSV"),
    )
    res.add_argument("--survey", required=True, metavar="KEY", help=_("the employee survey"))
    res.add_argument("--wave", default="", metavar="YYYY-MM", help=_("the wave (default: the latest)"))
    res.add_argument("--unit", default="", metavar="CODE", help=_("the unit to break down"))
    res.add_argument(
        "--by", default="", metavar="ATTRIBUTE", help=_("break down by tenure, age, level or department")
    )
    res.add_argument("--csv", action="store_true", help=_("print every released figure of every wave as CSV"))
    add_actor_arguments(res)
    django_command(res, run_results)


def run_thresholds(args) -> int:
    from openxm.cli import CommandError
    from openxm.employees import thresholds

    actor = actor_from_args(args)
    if (args.min_group is None) != (args.min_comments is None):
        raise CommandError(_("give both --min-group and --min-comments, or neither"))
    if args.min_group is not None:
        thresholds.set_thresholds(actor, args.min_group, args.min_comments, args.survey)
    elif args.survey:
        raise CommandError(_("--survey needs --min-group and --min-comments"))
    for t in thresholds.current(actor.organization):
        print(f"{t.survey or '*'}\tmin_group={t.min_group}\tmin_comments={t.min_comments}")
    return 0


def _cell(value) -> str:
    return "" if value is None else str(value)


def run_results(args) -> int:
    from openxm.employees import services

    actor = actor_from_args(args)
    if args.csv:
        print(services.export_csv(actor, args.survey), end="")
        return 0
    b = services.breakdown(actor, args.survey, wave=args.wave, unit=args.unit, by=args.by)
    print(_("wave %(wave)s, minimum group %(n)s") % {"wave": b.wave or "-", "n": b.min_group})
    for f in ([b.total] if b.total else []) + b.rows:
        shown = f"n={f.n}\teNPS={_cell(f.enps)}\tengagement={_cell(f.engagement)}"
        print(f"{f.label}\t{shown if not f.suppressed else _('suppressed') + ' (' + f.suppressed + ')'}")
    return 0
