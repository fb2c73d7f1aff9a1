"""Background work of the privacy app: the daily retention run (``openxm.periodic``)."""

from celery import shared_task


@shared_task(name="openxm.privacy.apply_retention")
def apply_retention() -> int:
    from .retention import apply_all

    return apply_all()
