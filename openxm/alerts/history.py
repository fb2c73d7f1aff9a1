"""Alerts as other rooms show them: the alerts fired on given responses.

A contact's timeline (``openxm.profiles.timeline``) lists the alerts fired on the contact's
responses next to the responses themselves. The caller passes response ids it read through the
door with the reader's scope, so an alert is listed only where its response may be seen.
Included: the rule's key and name and when it fired. Excluded: the inboxes and what each alert
sent (``services.inbox``, ``delivery``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm

from .models import Alert


@dataclass(frozen=True)
class FiredAlert:
    response_id: int
    rule_key: str
    rule_name: str
    fired_at: datetime


def alerts_on(actor: Actor, response_ids) -> list[FiredAlert]:
    """The alerts fired on these responses (already read through the door), newest first."""
    actor.require(Perm.RESPONSES_VIEW)
    ids = list(response_ids)
    if not ids:
        return []
    rows = (
        Alert.objects.for_org(actor.organization)
        .filter(response_id__in=ids)
        .order_by("-fired_at", "-pk")
        .values_list("response_id", "rule__key", "rule__name", "fired_at")
    )
    return [FiredAlert(*row) for row in rows]
