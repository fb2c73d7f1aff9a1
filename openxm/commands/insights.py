"""openxm insights: send scheduled reports, render a dashboard report to PDF/CSV."""

from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _
from .i18n import ngettext


def register(subparsers):
    p = subparsers.add_parser("insights", help=_("Send scheduled reports; render a dashboard to PDF or CSV"))
    sub = p.add_subparsers(dest="insights_command", metavar="ACTION", required=True)

    send = sub.add_parser(
        "send-reports",
        help=_(
            "E-mail every scheduled report that is due now (it also runs by itself: see docs/deployment.md)"
        ),
    )
    django_command(send, run_send)

    report = sub.add_parser("report", help=_("Render a dashboard for a period to a PDF (and CSV) file"))
    report.add_argument("dashboard", metavar="KEY", help=_("the dashboard's key"))
    report.add_argument(
        "--period", default="last_month", help=_("7d, 30d, 90d, 12m, ytd, last_week, last_month …")
    )
    report.add_argument(
        "--output", metavar="FILE", required=True, help=_("PDF file to write (a .csv is written next to it)")
    )
    add_actor_arguments(report)
    django_command(report, run_report)


def run_send(args) -> int:
    from openxm.insights import reports

    sent = reports.send_due()
    print(ngettext("%(n)s report sent", "%(n)s reports sent", sent) % {"n": sent})
    return 0


def run_report(args) -> int:
    from openxm.insights import reports

    result = reports.render_report(actor_from_args(args), args.dashboard, {"period": args.period})
    out = Path(args.output)
    out.write_bytes(result.pdf)
    out.with_suffix(".csv").write_text(result.csv, encoding="utf-8")
    print(
        _("%(pdf)s and %(csv)s written (%(period)s)")
        % {"pdf": out, "csv": out.with_suffix(".csv"), "period": result.period}
    )
    return 0
