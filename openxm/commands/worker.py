"""openxm worker: a Celery worker for background work (needs CELERY_BROKER_URL)."""

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "worker",
        help=_("Run a background worker (Celery)"),
        description=_(
            "Run a Celery worker. Needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0); "
            "without it tasks run inline in the web process and no worker is needed."
        ),
    )
    p.add_argument("--concurrency", type=int, default=None, help=_("worker processes (default: CPU count)"))
    p.add_argument("--queues", default="celery", help=_("comma-separated queues to consume"))
    p.add_argument("--loglevel", default="INFO", help=_("log level: DEBUG, INFO, WARNING or ERROR"))
    p.add_argument(
        "--beat",
        action="store_true",
        help=_(
            "also run the periodic-job scheduler (Celery beat) in this worker; give it to ONE "
            "worker only, or run `openxm beat` on its own"
        ),
    )
    django_command(p, run)


def run(args) -> int:
    from django.conf import settings

    from openxm.celery import app
    from openxm.cli import CommandError

    if not settings.CELERY_BROKER_URL:
        raise CommandError(_("CELERY_BROKER_URL is not set: tasks run inline, no worker is needed"))
    argv = ["worker", f"--loglevel={args.loglevel}", f"--queues={args.queues}"]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    if args.beat:
        argv += ["--beat", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"]
    from openxm import metrics

    metrics.use_directory()  # task outcomes reach the /metrics of web servers on this host
    app.worker_main(argv)
    return 0
