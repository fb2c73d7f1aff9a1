"""Background work of the profiles app.

``refresh_values`` recomputes every organization's RFM scores, CLV and churn risk. It runs by
itself every ``OPENXM_PROFILE_VALUES_SECONDS`` (86400, daily): from Celery beat with a broker,
else from the scheduler thread of ``openxm serve`` (``openxm.periodic``); ``openxm profiles
refresh`` runs it by hand. One organization's failure is logged and does not stop the others.
"""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="openxm.profiles.refresh_values")
def refresh_values() -> int:
    from openxm.accounts.services import organizations

    from .value import refresh_values as refresh

    done = 0
    for org in organizations():
        try:
            refresh(org)
            done += 1
        except Exception:  # one organization's bad data must not stop the others
            log.exception("refreshing the values of organization %s failed", org.slug)
    return done
