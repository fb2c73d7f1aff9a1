"""openxm insights: send scheduled reports, render a dashboard report to PDF/CSV."""

from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments


def register(subparsers):
    p = subparsers.add_parser("insights", help="Send scheduled reports; render a dashboard to PDF or CSV")
    sub = p.add_subparsers(dest="insights_command", metavar="ACTION", required=True)

    send = sub.add_parser(
        "send-reports",
        help="E-mail every scheduled report that is due now (it also runs by itself: see docs/deployment.md)",
    )
    django_command(send, run_send)

    report = sub.add_parser("report", help="Render a dashboard for a period to a PDF (and CSV) file")
    report.add_argument("dashboard", metavar="KEY")
    report.add_argument(
        "--period", default="last_month", help="7d, 30d, 90d, 12m, ytd, last_week, last_month …"
    )
    report.add_argument(
        "--output", metavar="FILE", required=True, help="PDF file to write (a .csv is written next to it)"
    )
    add_actor_arguments(report)
    django_command(report, run_report)


def run_send(args) -> int:
    from openxm.insights import reports

    print(f"{reports.send_due()} reports sent")
    return 0


def run_report(args) -> int:
    from openxm.insights import reports

    result = reports.render_report(actor_from_args(args), args.dashboard, {"period": args.period})
    out = Path(args.output)
    out.write_bytes(result.pdf)
    out.with_suffix(".csv").write_text(result.csv, encoding="utf-8")
    print(f"{out} and {out.with_suffix('.csv')} written ({result.period})")
    return 0
