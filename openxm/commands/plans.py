"""openxm plans: action plans and their measured impact.

    openxm plans list [--status STATUS] [--json]
    openxm plans show PLAN_ID [--json]
    openxm plans impact PLAN_ID [--json]
    openxm plans backlog [--days 90] [--target 30] [--json]

Each acts as a member (``--org SLUG --user EMAIL``) or an API key (``--api-key``/OPENXM_API_KEY),
with that member's or key's role and unit scope, like the pages and the API.
"""

import json

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser("plans", help=_("Action plans: list, show, measured impact, backlog"))
    sub = p.add_subparsers(dest="plans_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help=_("List action plans, newest first"))
    listing.add_argument(
        "--status", default="", help=_("only plans in this status (draft, active, done, cancelled)")
    )
    listing.add_argument("--json", action="store_true", help=_("print JSON (the API's shape)"))
    add_actor_arguments(listing)
    django_command(listing, run_list)

    show = sub.add_parser("show", help=_("Show one action plan with its tasks"))
    show.add_argument("plan", type=int, metavar="PLAN_ID", help=_("the plan's id"))
    show.add_argument("--json", action="store_true", help=_("print JSON (the API's shape)"))
    add_actor_arguments(show)
    django_command(show, run_show)

    impact = sub.add_parser(
        "impact", help=_("The plan's metric before vs after go-live, and against its control group")
    )
    impact.add_argument("plan", type=int, metavar="PLAN_ID", help=_("the plan's id"))
    impact.add_argument("--json", action="store_true", help=_("print JSON (the API's shape)"))
    add_actor_arguments(impact)
    django_command(impact, run_impact)

    backlog = sub.add_parser(
        "backlog", help=_("Pain points ranked by volume × gap to target × customer value")
    )
    backlog.add_argument("--days", type=int, default=90, help=_("days to look back (default: %(default)s)"))
    backlog.add_argument("--target", type=float, default=30.0, help=_("NPS target (default: %(default)s)"))
    backlog.add_argument(
        "--min-volume", type=int, default=10, help=_("fewest answers to rank (default: %(default)s)")
    )
    backlog.add_argument(
        "--attribute", default="", help=_("contact attribute giving customer value, e.g. tier")
    )
    backlog.add_argument(
        "--weights", default="", help=_("weights per attribute value, e.g. gold=3,silver=1.5")
    )
    backlog.add_argument("--json", action="store_true", help=_("print JSON (the API's shape)"))
    add_actor_arguments(backlog)
    django_command(backlog, run_backlog)


def _dump(schema) -> None:
    print(json.dumps(schema.model_dump(mode="json"), ensure_ascii=False, indent=2))


def run_list(args) -> int:
    from openxm.api.plans import plan_out
    from openxm.plans import services

    plans = services.list_plans(actor_from_args(args), args.status)
    if args.json:
        print(json.dumps([plan_out(p).model_dump(mode="json") for p in plans], ensure_ascii=False, indent=2))
        return 0
    for p in plans:
        go_live = p.go_live.isoformat() if p.go_live else "-"
        print(f"{p.pk}\t{p.status}\t{go_live}\t{p.metric}\t{p.title}")
    return 0


def run_show(args) -> int:
    from openxm.api.plans import plan_out
    from openxm.plans import services

    out = plan_out(services.get_plan(actor_from_args(args), args.plan))
    if args.json:
        _dump(out)
        return 0
    for name in (
        "id",
        "title",
        "status",
        "owner",
        "go_live",
        "due_date",
        "touchpoint",
        "topic",
        "unit",
        "root_cause",
        "metric",
        "control_kind",
        "control",
        "window_days",
    ):
        value = getattr(out, name)
        print(f"{name}\t{value if value not in (None, '') else '-'}")
    for t in out.tasks:
        print(f"task\t{t.id}\t{'x' if t.done else ' '}\t{t.assignee or '-'}\t{t.due or '-'}\t{t.title}")
    return 0


def run_impact(args) -> int:
    from openxm.api.plans import impact_out
    from openxm.plans import measure

    measured = measure.impact(actor_from_args(args), args.plan)
    if args.json:
        _dump(impact_out(measured))
        return 0
    if measured.missing:
        print(_("not enough data yet: %(why)s") % {"why": measure.reason_text(measured.missing)})
        return 0
    for result in (measured.before_after, measured.did):
        if result is None:
            continue
        print(result.design)
        for cell in result.cells:
            estimate = "-" if cell.estimate is None else f"{cell.estimate:.1f}"
            print(f"  {cell.label}\tn={cell.n}\t{estimate}")
        if not result.enough:
            reasons = "; ".join(measure.reason_text(code) for code in result.reasons)
            print("  " + _("not enough data yet: %(why)s") % {"why": reasons})
            continue
        print(
            f"  effect={result.effect:.1f}\tse={result.se:.2f}\t{result.test}={result.statistic:.2f}\t"
            f"p={result.p_value:.4f}\tci=[{result.ci_low:.1f}, {result.ci_high:.1f}]\t{result.verdict}"
        )
    return 0


def run_backlog(args) -> int:
    from openxm.plans import measure

    query = measure.BacklogRequest(
        days=args.days,
        target=args.target,
        min_volume=args.min_volume,
        attribute=args.attribute.strip(),
        weights=measure.parse_weights(args.weights),
    )
    result = measure.backlog(actor_from_args(args), query)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    for i in result.items:
        plans = ",".join(str(pid) for pid, _title, _status in i.plans) or "-"
        print(
            f"{i.rank}\t{i.kind}\t{i.code}\tn={i.volume}\tnps={i.score:.1f}\tgap={i.gap:.1f}\t"
            f"value={i.value:.2f}\timpact={i.impact:.0f}\tplans={plans}"
        )
    return 0
