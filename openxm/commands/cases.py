"""openxm cases: list, show, transitions, notes, metrics.

    openxm cases list (--org SLUG --user EMAIL | --api-key KEY) [--response ID] [--state S]
                      [--view all|mine|team|unassigned|open|overdue|at_risk] [--json]
    openxm cases show ID … [--json]
    openxm cases transition ID STATE … [--reason TEXT] [--root-cause KEY] [--recovery KEY] [--cost N]
    openxm cases note ID TEXT …
    openxm cases metrics … [--unit CODE] [--days 90] [--json]

Acting as a member or API key, exactly as the API: ``cases.work`` for cases, ``dashboards.view``
for metrics, within the actor's unit scope.
"""

import json

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser("cases", help=_("Cases: list, show, change state, add notes, metrics"))
    sub = p.add_subparsers(dest="cases_command", metavar="ACTION", required=True)

    ls = sub.add_parser("list", help=_("List cases in your scope (tab-separated, or --json)"))
    ls.add_argument("--response", type=int, metavar="ID", help=_("cases opened on this response"))
    ls.add_argument("--state", default="", help=_("new, in_progress, waiting, resolved, closed or reopened"))
    ls.add_argument(
        "--view",
        default="all",
        help=_("all, mine, team, unassigned, open, overdue or at_risk (default: all)"),
    )
    ls.add_argument("--json", action="store_true", help=_("print JSON"))
    add_actor_arguments(ls)
    django_command(ls, run_list)

    show = sub.add_parser("show", help=_("One case with its SLA clocks and log"))
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    add_actor_arguments(show)
    django_command(show, run_show)

    move = sub.add_parser("transition", help=_("Change a case's state"))
    move.add_argument("id", type=int, metavar="ID")
    move.add_argument("state", metavar="STATE", help=_("the new state"))
    move.add_argument("--reason", default="", help=_("why (kept in the case's log)"))
    move.add_argument("--root-cause", default="", metavar="KEY", help=_("root-cause code (when resolving)"))
    move.add_argument("--recovery", default="", metavar="KEY", help=_("recovery action (when resolving)"))
    move.add_argument("--cost", default=None, help=_("cost of the recovery (default: the action's)"))
    add_actor_arguments(move)
    django_command(move, run_transition)

    note = sub.add_parser("note", help=_("Add an internal note to a case"))
    note.add_argument("id", type=int, metavar="ID")
    note.add_argument("text", metavar="TEXT")
    add_actor_arguments(note)
    django_command(note, run_note)

    met = sub.add_parser("metrics", help=_("Recovery rate, SLA and cost figures"))
    met.add_argument("--unit", default="", metavar="CODE", help=_("a unit and the units below it"))
    met.add_argument("--days", type=int, default=90, help=_("cases opened in the last N days (default: 90)"))
    met.add_argument("--json", action="store_true", help=_("print JSON"))
    add_actor_arguments(met)
    django_command(met, run_metrics)


def _json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def run_list(args) -> int:
    from openxm.api.cases import case_out
    from openxm.cases import services

    filters = services.Filters(response=args.response, state=args.state, view=args.view)
    rows = [case_out(c) for c in services.list_cases(actor_from_args(args), filters)]
    if args.json:
        _json(rows)
        return 0
    for r in rows:
        print(f"{r['id']}\t{r['state']}\t{r['priority']}\t{r['unit']}\t{r['assignee']}\t{r['title']}")
    return 0


def run_show(args) -> int:
    from openxm.api.cases import case_detail_out

    detail = case_detail_out(actor_from_args(args), args.id)
    if args.json:
        _json(detail)
        return 0
    print(f"#{detail['id']}\t{detail['state']}\t{detail['priority']}\t{detail['title']}")
    for c in detail["clocks"]:
        print(
            _("%(clock)s: %(status)s, %(elapsed).1f of %(target).1f business hours")
            % {
                "clock": c["name"],
                "status": c["status"],
                "elapsed": c["elapsed_hours"],
                "target": c["target_hours"],
            }
        )
    for e in detail["events"]:
        fields = (e["kind"], e["actor"], e["from_state"], e["to_state"], e["reason"])
        print(f"{e['at']:%Y-%m-%d %H:%M}\t" + "\t".join(fields))
    return 0


def run_transition(args) -> int:
    from openxm.cases import actions

    case = actions.transition(
        actor_from_args(args),
        args.id,
        args.state,
        args.reason,
        root_cause=args.root_cause,
        recovery=args.recovery,
        cost=args.cost,
    )
    print(f"#{case.pk}\t{case.state}")
    return 0


def run_note(args) -> int:
    from openxm.cases import actions

    note = actions.add_note(actor_from_args(args), args.id, args.text)
    print(f"#{args.id}\t{note.pk}")
    return 0


def run_metrics(args) -> int:
    from openxm.cases import metrics

    found = metrics.summary(actor_from_args(args), unit=args.unit, days=args.days)
    if args.json:
        _json(found)
        return 0
    rec = found["recovery"]
    rate = (
        "-"
        if rec["rate"] is None
        else f"{100 * rec['rate']:.0f}% [{100 * rec['ci_low']:.0f}–{100 * rec['ci_high']:.0f}]"
    )
    print(_("cases\t%(n)s (open %(open)s)") % {"n": found["cases"], "open": found["open"]})
    print(_("recovery rate\t%(rate)s n=%(n)s") % {"rate": rate, "n": rec["n"]})
    breach = found["sla_breach_rate"]
    print(
        _("SLA breach rate\t%(rate)s n=%(n)s")
        % {"rate": "-" if breach is None else f"{100 * breach:.0f}%", "n": found["sla_n"]}
    )
    print(_("cost of recovery\t%(cost)s") % {"cost": found["recovery_cost"]})
    for row in found["top_root_causes"]:
        print(f"{row['key']}\t{row['cases']}")
    return 0
