"""Background work of cases: the periodic escalation sweep."""

from celery import shared_task


@shared_task(name="openxm.cases.escalate")
def escalate_task() -> int:
    from .escalation import sweep_all

    return sweep_all()
