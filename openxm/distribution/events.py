"""Transactional triggers: an event from the company's systems ("order_delivered", with the
contact and attributes) invites the contact to the survey bound to that event.

For each active trigger of the event: sampling (``sample_percent``; deterministic per
idempotency key, so a retried event gets the same decision), then the contact rules of
``invitations.check_rules`` (unsubscribed, suppressed address, no address for the channel,
the organization-wide cap across all surveys and channels, the trigger's per-survey cap) and the
distribution's one-response-per-contact rule. Every event is stored with its outcome; the same
idempotency key returns the first outcome and invites nobody again.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.customers import services as customers

from . import invitations
from .models import Event, Trigger

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class TriggerOutcome:
    trigger_id: int
    survey_id: int
    outcome: str
    invitation_id: int | None = None


@dataclass(frozen=True)
class EventResult:
    event_id: int
    outcome: str
    repeat: bool = False
    triggers: list[TriggerOutcome] = field(default_factory=list)
    invitation_id: int | None = None


def sampled(percent: float, key: str, trigger_id: int) -> bool:
    """Whether this event is in the sample. With a key the draw is a hash of (trigger, key), so a
    retried event is decided the same way; without one it is random."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    if key:
        digest = hashlib.sha256(f"{trigger_id}\x1f{key}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64 * 100
    else:
        draw = secrets.randbelow(1_000_000) / 10_000
    return draw < percent


def _validate(name: str, contact: dict, attributes: dict, key: str) -> None:
    if not _NAME.match(name or ""):
        raise InvalidInput("event", _("use lower-case letters, digits, _ . and - (at most 64)"))
    if not isinstance(contact, dict) or not str(contact.get("id") or "").strip():
        raise InvalidInput("contact.id", _("is required"))
    if not isinstance(attributes, dict):
        raise InvalidInput("attributes", _("must be an object"))
    if len(key) > 128:
        raise InvalidInput("idempotency_key", _("must be at most 128 characters"))


def _repeat(org, key: str) -> EventResult | None:
    if not key:
        return None
    event = Event.objects.for_org(org).filter(idempotency_key=key).first()
    if event is None:
        return None
    return EventResult(event.pk, event.outcome, repeat=True, invitation_id=event.invitation_id)


def receive_event(
    actor: Actor,
    name: str,
    contact: dict,
    attributes: dict | None = None,
    *,
    idempotency_key: str = "",
    occurred_at=None,
) -> EventResult:
    """Record one event and invite its contact where a trigger, the sample and the rules allow."""
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    attributes = attributes or {}
    key = (idempotency_key or "").strip()
    _validate(name, contact, attributes, key)
    repeat = _repeat(actor.organization, key)
    if repeat is not None:
        return repeat
    try:
        with transaction.atomic():
            result = _receive(actor, name, contact, attributes, key, occurred_at)
    except IntegrityError:
        repeat = _repeat(actor.organization, key)
        if repeat is None:
            raise
        return repeat
    if result.outcome == Event.Outcome.INVITED:
        from .tasks import dispatch_invitations

        org_id = actor.organization.pk
        transaction.on_commit(lambda: dispatch_invitations.delay(org_id))
    return result


def _receive(
    actor: Actor, name: str, contact_data: dict, attributes: dict, key: str, occurred_at
) -> EventResult:
    org = actor.organization
    fields = {k: contact_data.get(k) for k in customers.CONTACT_FIELDS if contact_data.get(k) is not None}
    contact = customers.upsert_contact(org, str(contact_data["id"]), fields, contact_data.get("attributes"))
    triggers = list(
        Trigger.objects.for_org(org)
        .filter(event=name, active=True, distribution__active=True)
        .select_related("distribution__survey")
        .order_by("id")
    )
    outcomes: list[TriggerOutcome] = []
    for trigger in triggers:
        dist = trigger.distribution
        survey = dist.survey
        if survey.status != "active":
            continue
        if not sampled(trigger.sample_percent, key, trigger.pk):
            outcomes.append(TriggerOutcome(trigger.pk, survey.pk, Event.Outcome.SAMPLED_OUT))
            continue
        if dist.one_response_per_contact and invitations.contact_has_answered(org, survey, contact):
            outcomes.append(TriggerOutcome(trigger.pk, survey.pk, Event.Outcome.ANSWERED))
            continue
        hidden = {str(k): v for k, v in attributes.items() if isinstance(v, str | int | float)}
        try:
            invitation = invitations.create_invitation(
                org, dist, contact, hidden=hidden, survey_cap_days=trigger.survey_cap_days
            )
        except invitations.NotInvited as exc:
            outcomes.append(TriggerOutcome(trigger.pk, survey.pk, exc.outcome))
            continue
        outcomes.append(TriggerOutcome(trigger.pk, survey.pk, Event.Outcome.INVITED, invitation.pk))
    invited = next((o for o in outcomes if o.outcome == Event.Outcome.INVITED), None)
    outcome = invited.outcome if invited else (outcomes[0].outcome if outcomes else Event.Outcome.NO_TRIGGER)
    event = Event.objects.for_org(org).create(
        organization=org,
        name=name,
        contact=contact,
        attributes=attributes,
        idempotency_key=key,
        outcome=outcome,
        invitation_id=invited.invitation_id if invited else None,
        occurred_at=occurred_at or timezone.now(),
    )
    return EventResult(
        event.pk, outcome, triggers=outcomes, invitation_id=invited.invitation_id if invited else None
    )
