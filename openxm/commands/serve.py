"""openxm serve: the production web server (gunicorn, threaded workers)."""

import os
import sys

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "serve",
        help=_("Run the web server (production)"),
        description=_("Serve openxm with gunicorn. Static files are served by the app itself (WhiteNoise)."),
    )
    add_server_arguments(p, default_host="0.0.0.0")  # noqa: S104  (a server listens on all interfaces)
    p.add_argument("--migrate", action="store_true", help=_("apply pending migrations first"))
    django_command(p, run)


def add_server_arguments(p, default_host: str) -> None:
    p.add_argument("--host", default=default_host, help=_("address to listen on (default: %(default)s)"))
    p.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "8000")), help=_("port (default: %(default)s)")
    )
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("OPENXM_WEB_WORKERS", "2")),
        help=_("worker processes (default: %(default)s)"),
    )
    p.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("OPENXM_WEB_THREADS", "4")),
        help=_("threads per worker process (default: %(default)s)"),
    )


def run(args) -> int:
    from openxm.cli import CommandError
    from openxm.web.checks import secret_key_problem

    if problem := secret_key_problem():
        raise CommandError(problem)
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=1)
    serve(args.host, args.port, args.workers, args.threads)
    return 0


def collect_static() -> None:
    """Collect, hash and compress the static files into STATIC_ROOT before the workers fork, so
    they inherit the manifest. Skipped while the package's files are unchanged since the last
    collection (compressing takes seconds); a home that cannot be written keeps the plain,
    uncompressed files."""
    import hashlib
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    if not settings.OPENXM_COLLECT_STATIC:
        return
    digest = hashlib.sha256()
    for source in settings.STATICFILES_DIRS:
        for path in sorted(Path(source).rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(source)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    stamp = Path(settings.STATIC_ROOT) / ".openxm-collected"
    try:
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return  # the storage reads the manifest when first used
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(digest.hexdigest())
    except OSError as exc:
        print(_("openxm serve: static files served uncompressed: %(reason)s") % {"reason": exc})


def serve(host: str, port: int, workers: int, threads: int) -> None:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    from openxm import metrics

    collect_static()
    metrics.use_directory()  # the workers' counters, summed by whichever one is scraped

    class OpenXMServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            # Periodic jobs without a broker: a scheduler thread per worker, one of which takes
            # the lock under OPENXM_HOME and runs them (openxm.periodic).
            self.cfg.set("post_worker_init", _start_scheduler)
            self.cfg.set("worker_exit", _stop_scheduler)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            # With JSON logs openxm logs each request itself, with its request id (openxm.logs).
            self.cfg.set("accesslog", None if settings.OPENXM_LOG_FORMAT == "json" else "-")
            self.cfg.set("timeout", 120)
            # The scheme and client address behind a proxy are decided once, by openxm's
            # TrustedProxyMiddleware from OPENXM_TRUSTED_PROXIES, not by gunicorn's own list.
            self.cfg.set("secure_scheme_headers", {})

        def load(self):
            from openxm.wsgi import application

            return application

    from openxm.periodic import embedded_reason_off
    from openxm.utils.public_address import server_started_on

    server_started_on(host, port)

    reason = embedded_reason_off()
    if reason:
        print(_("openxm serve: periodic jobs not run here: %(reason)s") % {"reason": reason})
    else:
        print(_("openxm serve: periodic jobs run by this server"))
    sys.stdout.flush()
    OpenXMServer().run()


def _start_scheduler(worker) -> None:
    from openxm.periodic import start_embedded

    start_embedded()


def _stop_scheduler(server, worker) -> None:
    from openxm.periodic import stop_embedded

    stop_embedded()
