"""The control group (an experiment, labelled so everywhere): a random share of eligible
detractor cases is held out — recorded, never worked, never followed up — so that later
repurchase and NPS of contacted and held-out customers can be compared
(``openxm/analytics/recovery.py``, :func:`control_effect`).

Only cases opened by alert rules on a detractor score of a known customer are eligible: a case
opened by hand was asked for by a person and is always worked.
"""

from __future__ import annotations

import random

from openxm.analytics.recovery import eligible

from .clocks import settings_of
from .models import Case, CaseEvent

_draw = random.SystemRandom()


def draw(case: Case, share: float | None = None) -> bool:
    """Hold the case out with probability ``share`` (default: the organisation's setting)."""
    share = settings_of(case.organization).control_share if share is None else share
    if share <= 0 or case.contact_id is None or not eligible(case.score_type, case.score):
        return False
    if _draw.random() >= share:
        return False
    case.held_out, case.assignee, case.team = True, None, None
    case.save(update_fields=["held_out", "assignee", "team"])
    CaseEvent.objects.for_org(case.organization).create(
        organization=case.organization,
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor_label="control group",
        reason="held out (control group experiment)",
        data={"held_out": True, "share": share},
    )
    return True
