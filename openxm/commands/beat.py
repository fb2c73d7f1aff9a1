"""openxm beat: the periodic-job scheduler (Celery beat) of a scaled deployment."""

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "beat",
        help=_("Send the periodic jobs to the workers (Celery beat; run exactly one)"),
        description=_(
            "Run Celery beat: it sends the distribution tick and the scheduled-report check "
            "to the workers at their intervals (OPENXM_DISTRIBUTION_TICK_SECONDS, "
            "OPENXM_SEND_REPORTS_SECONDS). Needs CELERY_BROKER_URL; run exactly one per deployment. "
            "Without a broker `openxm serve` runs the jobs itself."
        ),
    )
    p.add_argument("--loglevel", default="INFO", help=_("log level: DEBUG, INFO, WARNING or ERROR"))
    p.add_argument(
        "--schedule",
        default=None,
        help=_("file where beat keeps the last run of each job (default: OPENXM_HOME/celerybeat-schedule)"),
    )
    django_command(p, run)


def run(args) -> int:
    from django.conf import settings

    from openxm.celery import app
    from openxm.cli import CommandError

    if not settings.CELERY_BROKER_URL:
        raise CommandError(
            _("CELERY_BROKER_URL is not set: `openxm serve` runs the periodic jobs itself, no beat is needed")
        )
    if not settings.CELERY_BEAT_SCHEDULE:
        raise CommandError(_("no periodic job has an interval (every OPENXM_*_SECONDS is 0)"))
    schedule = args.schedule or settings.CELERY_BEAT_SCHEDULE_FILENAME
    app.start(["beat", f"--loglevel={args.loglevel}", f"--schedule={schedule}"])
    return 0
