"""Escalation on SLA risk and breach, read from the clocks on every sweep.

Level 1 (a clock breaches within the organisation's risk window): the assignee is told; a case
without one goes to its unit's case owner. Level 2 (breached): the case owner one unit level up
(the manager) is told, and takes the case when it still has no assignee. Each level happens once
per case. A message waits for its recipient's working hours (the calendar of the unit their
membership is limited to, else the case's calendar) unless the case is urgent: no escalation
e-mail at 3 a.m. Included: :func:`sweep`, :func:`send_due`, :func:`sweep_all`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts import services as accounts
from openxm.analytics import sla
from openxm.distribution.conf import absolute

from .assignment import unit_owner
from .clocks import calendar_of_unit, case_clocks, settings_of, to_engine
from .machine import OPEN_STATES
from .models import Case, CaseEvent, Escalation

log = logging.getLogger(__name__)


def _recipient_calendar(organization, user_id: int, case: Case) -> sla.Calendar:
    unit_id = accounts.member_unit(organization, user_id) or case.unit_id
    return to_engine(calendar_of_unit(organization, unit_id))


def _escalate(case: Case, level: int, clock: str, now: datetime) -> list[int]:
    """Raise the case to ``level``; returns the recipients' user ids."""
    organization = case.organization
    recipients: list[int] = []
    if level == 1:
        if case.assignee_id is None:
            case.assignee_id = unit_owner(organization, case.unit_id)
        if case.assignee_id:
            recipients.append(case.assignee_id)
        elif case.team_id:
            recipients += list(case.team.members.values_list("pk", flat=True))
    else:
        manager = unit_owner(organization, case.unit_id, skip=1) or unit_owner(organization, case.unit_id)
        if manager:
            recipients.append(manager)
            if case.assignee_id is None:
                case.assignee_id = manager
        if case.assignee_id and case.assignee_id not in recipients:
            recipients.append(case.assignee_id)
    case.escalation_level = level
    case.save(update_fields=["escalation_level", "assignee"])
    urgent = case.priority == "urgent"
    for user_id in recipients:
        send_at = sla.deliver_at(_recipient_calendar(organization, user_id, case), now, urgent)
        try:
            with transaction.atomic():
                Escalation.objects.for_org(organization).create(
                    organization=organization,
                    case=case,
                    level=level,
                    clock=clock,
                    recipient_id=user_id,
                    created_at=now,
                    send_at=send_at,
                )
        except IntegrityError:
            continue
    CaseEvent.objects.for_org(organization).create(
        organization=organization,
        case=case,
        kind=CaseEvent.Kind.ESCALATED,
        at=now,
        actor_label="sla",
        data={"level": level, "clock": clock, "recipients": recipients},
    )
    return recipients


def sweep(organization, now: datetime | None = None) -> int:
    """Escalate every open case whose risk level rose since the last sweep; returns how many."""
    now = now or timezone.now()
    settings = settings_of(organization)
    raised = 0
    cases = (
        Case.objects.for_org(organization)
        .filter(state__in=OPEN_STATES, held_out=False, escalation_level__lt=2)
        .select_related("team")
    )
    for case in cases:
        risk = case_clocks(case, now=now, settings=settings)[1]
        if risk.level > case.escalation_level:
            with transaction.atomic():
                _escalate(case, risk.level, risk.clock, now)
            raised += 1
    return raised


def _message(row: Escalation) -> tuple[str, str]:
    case = row.case
    language = row.recipient.language or case.organization.default_language or django_settings.LANGUAGE_CODE
    with translation.override(language):
        if row.level == 1:
            subject = _("Case #%(id)s is at risk of breaching its SLA") % {"id": case.pk}
        else:
            subject = _("Case #%(id)s breached its SLA") % {"id": case.pk}
        body = "\n".join(
            [
                case.title,
                _("Priority: %(priority)s") % {"priority": case.get_priority_display()},
                _("Open the case: %(url)s") % {"url": absolute(f"/cases/{case.pk}/")},
            ]
        )
    return subject, body


def send_due(organization, now: datetime | None = None) -> int:
    """E-mail the escalations whose time has come (the recipient is at work, or urgent)."""
    now = now or timezone.now()
    sent = 0
    due = (
        Escalation.objects.for_org(organization)
        .filter(sent_at__isnull=True, send_at__lte=now)
        .select_related("case", "recipient", "case__organization")
    )
    for row in due:
        subject, body = _message(row)
        try:
            send_mail(subject, body, django_settings.DEFAULT_FROM_EMAIL, [row.recipient.email])
        except Exception:  # the case already shows its escalation; try the mail on the next sweep
            log.exception("escalation e-mail to %s failed", row.recipient.email)
            continue
        row.sent_at = now
        row.save(update_fields=["sent_at"])
        sent += 1
    return sent


def sweep_all(now: datetime | None = None) -> int:
    done = 0
    for organization in accounts.organizations():
        try:
            done += sweep(organization, now) + send_due(organization, now)
        except Exception:  # one organisation's bad calendar must not stop the others
            log.exception("case escalation of organization %s failed", organization.pk)
    return done
