"""Background work of distribution (Celery; inline without a broker).

- ``dispatch_invitations(org_id)``: send queued invitations within the send rates; queued on
  commit when invitations are created.
- ``send_reminders(org_id)``: remind non-responders.
- ``tick()``: both, for every organization. It runs by itself every
  ``OPENXM_DISTRIBUTION_TICK_SECONDS`` (60): from Celery beat with a broker
  (``settings.CELERY_BEAT_SCHEDULE``), else from the scheduler thread of ``openxm serve``
  (``openxm.periodic``); ``openxm distribution tick`` runs it once by hand.
"""

from celery import shared_task

from openxm.accounts.models import Organization

from . import sending


@shared_task(name="openxm.distribution.dispatch")
def dispatch_invitations(org_id: int) -> dict:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {}
    return sending.dispatch(org).as_dict()


@shared_task(name="openxm.distribution.reminders")
def send_reminders(org_id: int) -> dict:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {}
    return sending.send_reminders(org).as_dict()


@shared_task(name="openxm.distribution.tick")
def tick() -> dict:
    totals: dict[str, int] = {}
    for org in Organization.objects.all():
        for result in (sending.dispatch(org), sending.send_reminders(org)):
            for key, value in result.as_dict().items():
                totals[key] = totals.get(key, 0) + value
    return totals

