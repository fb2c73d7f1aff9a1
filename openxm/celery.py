"""The Celery application. Without CELERY_BROKER_URL tasks run inline (the embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openxm.settings")

app = Celery("openxm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
