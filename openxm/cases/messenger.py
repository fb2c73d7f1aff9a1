"""Telling a team's chat of a case opened or assigned, with signed Claim and Close links.

When the organisation's case settings name a messenger webhook (``messenger_webhook``: a Slack,
Feishu, DingTalk or WeCom webhook of the alerts app), every case opened and every assignment
sends a ``case.opened`` / ``case.assigned`` event there, in the organisation's language. The
message links to the case and carries action links (``links.py``) issued to the assignee, else
to the members of the case's team: Claim while the case is unassigned or not yet started, Close
while it is open; a case with neither assignee nor team gets only the link to its page.
Held-out (control-group) cases are never announced. Delivery, retries and the log are the
alerts app's. Included: :func:`announce`. Excluded: what a link does (``links.py``).
"""

from __future__ import annotations

import logging

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.alerts.actions import queue_event
from openxm.distribution.conf import absolute

from . import links
from .clocks import settings_of
from .machine import OPEN_STATES
from .models import Case

log = logging.getLogger(__name__)


def event_for(case: Case, kind: str) -> dict:
    """The ``case.opened``/``case.assigned`` event: title, lines and links, written in the
    organisation's language (the chat formats show them as they are)."""
    language = case.organization.default_language or django_settings.LANGUAGE_CODE
    holder = {"user_id": case.assignee_id} if case.assignee_id else {"team_id": case.team_id}
    with translation.override(language):
        if kind == "opened":
            title = _("Case #%(id)s opened: %(title)s") % {"id": case.pk, "title": case.title}
        else:
            title = _("Case #%(id)s assigned: %(title)s") % {"id": case.pk, "title": case.title}
        lines = [_("Priority: %(priority)s") % {"priority": case.get_priority_display()}]
        if case.unit_id:
            lines.append(_("Unit: %(unit)s") % {"unit": case.unit.name})
        if case.assignee_id:
            lines.append(_("Assigned to: %(who)s") % {"who": case.assignee.email})
        elif case.team_id:
            lines.append(_("In the queue of: %(team)s") % {"team": case.team.name})
        found = {"open": {"label": _("Open the case"), "url": absolute(f"/cases/{case.pk}/")}}
        if case.assignee_id or case.team_id:
            hours = links.max_age() // 3600
            lines.append(_("The Claim and Close links work once, for %(hours)s hours.") % {"hours": hours})
            offered = [("close", _("Close (resolve)"))] if case.state in OPEN_STATES else []
            if case.assignee_id is None or case.state in ("new", "reopened"):
                offered.insert(0, ("claim", _("Claim")))  # nothing to claim once it is being worked
            for action, label in offered:
                token = links.issue(case, action, **holder)
                found[action] = {"label": label, "url": absolute(reverse("cases:link", args=[token]))}
    return {
        "type": f"case.{kind}",
        "timestamp": timezone.now().isoformat(),
        "data": {
            "case": {"id": case.pk, "state": case.state},
            "title": title,
            "lines": lines,
            "links": found,
        },
    }


def announce(organization, case_id: int, kind: str) -> None:
    """Send the event of ``case_id`` to the messenger webhook, if the organisation has one.
    Runs after the commit: a failure is logged, never undoes the case."""
    webhook = settings_of(organization).messenger_webhook
    if not webhook:
        return
    case = (
        Case.objects.for_org(organization)
        .select_related("unit", "assignee", "team", "organization")
        .filter(pk=case_id, held_out=False)
        .first()
    )
    if case is None:
        return
    try:
        queue_event(organization, webhook, event_for(case, kind))
    except Exception:  # the case stands; its page and inbox show it
        log.exception("case %s: messenger webhook %s failed", case_id, webhook)
