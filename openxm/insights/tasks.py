"""Background work of the insights app.

``send_due_reports`` sends scheduled reports whose time has come. Run it every few minutes
from Celery beat (``CELERY_BEAT_SCHEDULE``) or cron (``openxm insights send-reports``).
"""

from celery import shared_task


@shared_task(name="openxm.insights.send_due_reports")
def send_due_reports() -> int:
    from .reports import send_due

    return send_due()
