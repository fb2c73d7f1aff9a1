"""The Celery application. Without CELERY_BROKER_URL tasks run inline (the embedded default).

Its configuration is Django's ``CELERY_*`` settings, including the periodic jobs
(``CELERY_BEAT_SCHEDULE``: the distribution tick and scheduled reports, intervals from
``OPENXM_*_SECONDS``) and beat's schedule file under ``OPENXM_HOME``. With a broker, exactly one
beat sends them (``openxm beat`` or ``openxm worker --beat``); without one, ``openxm serve``
runs them in a thread (``openxm.periodic``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openxm.settings")

app = Celery("openxm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
