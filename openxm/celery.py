"""The Celery application. Without CELERY_BROKER_URL tasks run inline (the embedded default).

Its configuration is Django's ``CELERY_*`` settings, including the periodic jobs
(``CELERY_BEAT_SCHEDULE``: the distribution tick and scheduled reports, intervals from
``OPENXM_*_SECONDS``) and beat's schedule file under ``OPENXM_HOME``. With a broker, exactly one
beat sends them (``openxm beat`` or ``openxm worker --beat``); without one, ``openxm serve``
runs them in a thread (``openxm.periodic``).

Tasks are acknowledged late and each worker process reserves one at a time (``CELERY_TASK_ACKS_LATE``,
``CELERY_TASK_REJECT_ON_WORKER_LOST``, ``CELERY_WORKER_PREFETCH_MULTIPLIER`` in settings): a
worker killed mid-task leaves the task on the broker for another worker, so every task must be
safe to run again — see docs/deployment.md, "Background work that survives a crash". Each
task's outcome is counted for ``/metrics`` (``openxm.metrics``).
"""

import os

from celery import Celery
from celery.signals import task_failure, task_success

from openxm import metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openxm.settings")

app = Celery("openxm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
task_success.connect(metrics.on_task_success, dispatch_uid="openxm.metrics.task_success")
task_failure.connect(metrics.on_task_failure, dispatch_uid="openxm.metrics.task_failure")
