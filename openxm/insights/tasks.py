"""Background work of the insights app.

``send_due_reports`` sends scheduled reports whose time has come. It runs by itself every
``OPENXM_SEND_REPORTS_SECONDS`` (300): from Celery beat with a broker
(``settings.CELERY_BEAT_SCHEDULE``), else from the scheduler thread of ``openxm serve``
(``openxm.periodic``); ``openxm insights send-reports`` runs it once by hand.
"""

from celery import shared_task


@shared_task(name="openxm.insights.send_due_reports")
def send_due_reports() -> int:
    from .reports import send_due

    return send_due()
