"""Background work of distribution (Celery; inline without a broker).

- ``dispatch_invitations(org_id)``: send queued invitations within the send rates; queued on
  commit when invitations are created.
- ``send_reminders(org_id)``: remind non-responders.
- ``tick()``: both, for every organization; run it every minute or so (``openxm distribution
  tick`` from cron, or Celery beat with the schedule below).
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


# For a deployment running Celery beat: every minute.
BEAT_SCHEDULE = {"openxm-distribution-tick": {"task": "openxm.distribution.tick", "schedule": 60.0}}
