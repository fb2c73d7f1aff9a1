"""Background work of imports and exports, and how it is started.

With a broker (``CELERY_BROKER_URL``) the tasks go to the workers once the job row is committed.
In the embedded default (no broker) they run in a thread of the web process, so the page that
started them returns at once and polls the progress; ``settings.OPENXM_JOBS_INLINE = True``
(the test suite) runs them inline instead, before ``dispatch`` returns.
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections, transaction

log = logging.getLogger(__name__)
THREAD_PREFIX = "openxm-job:"


@shared_task(name="openxm.responses.import")
def import_task(org_id: int, job_id: int) -> str:
    from .importing import run_import

    return run_import(org_id, job_id).status


@shared_task(name="openxm.responses.export")
def export_task(org_id: int, job_id: int) -> str:
    from .exporting import run_export

    return run_export(org_id, job_id).status


def _in_thread(task, args) -> None:
    close_old_connections()
    try:
        task.apply(args=args)
    except Exception:  # the task records its own failures on the job; this is a last resort
        log.exception("background %s failed", task.name)
    finally:
        connections.close_all()


def dispatch(task, *args) -> None:
    """Run ``task(*args)`` in the background (see the module docstring)."""
    if getattr(settings, "OPENXM_JOBS_INLINE", False):
        task.apply(args=args)
    elif not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: task.delay(*args))
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_thread, args=(task, args), name=f"{THREAD_PREFIX}{task.name}", daemon=True
            ).start()
        )
