"""Background work of alerts: one webhook delivery, and the periodic sweep of due retries."""

from celery import shared_task


@shared_task(name="openxm.alerts.deliver")
def deliver_task(org_id: int, delivery_id: int) -> str:
    from .delivery import deliver_one

    return deliver_one(org_id, delivery_id)


@shared_task(name="openxm.alerts.deliver_due")
def deliver_due_task() -> int:
    from .delivery import deliver_due

    return deliver_due()


@shared_task(name="openxm.alerts.early_warning")
def early_warning_task() -> int:
    from .early_warning import scan_all

    return scan_all()


@shared_task(name="openxm.alerts.notify_due")
def notify_due_task() -> list[int]:
    from .notifying import notify_due

    return list(notify_due())
