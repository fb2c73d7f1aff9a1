"""How a long job (import, export, re-analysis, classifier training) is started.

With a broker (``CELERY_BROKER_URL``) the task goes to the workers once the job row is committed.
In the embedded default (no broker) it runs in a daemon thread of the web process, started after
the commit, so the page that started it returns at once and polls the job's progress.
``settings.OPENXM_JOBS_INLINE = True`` (the test suite, the CLI) runs it inline instead, before
``dispatch`` returns. A task records its own failures on its job row; an exception that escapes
a thread is logged, never raised into the request that started it.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction

log = logging.getLogger(__name__)
THREAD_PREFIX = "openxm-job:"


def _in_thread(task, args) -> None:
    close_old_connections()
    try:
        task.apply(args=args)
    except Exception:  # the task records its own failures on its row; this is a last resort
        log.exception("background %s failed", task.name)
    finally:
        connections.close_all()


def dispatch(task, *args) -> None:
    """Run the Celery task ``task(*args)`` in the background (see the module docstring)."""
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
