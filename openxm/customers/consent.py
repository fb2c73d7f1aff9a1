"""Consent records and the one check every channel makes before contacting a person.

Included: :func:`record_consent` (append a statement: purpose, granted or withdrawn, channel,
text version; audited ``contact.consent_recorded``), :func:`consents` (each purpose's state and
the history), and :func:`may_contact`: a contact may be contacted for a purpose on a channel
unless they unsubscribed, withdrew that purpose (or, for ``surveys``, the contact's consent
state is withdrawn), or switched the channel off in their preferences. Invitations, contact-list
exports and anything that reaches customers (follow-ups of cases) ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm

from .directory import get_contact_in
from .models import Consent, ConsentRecord, Contact

PURPOSES = ("surveys", "marketing", "follow_up", "analytics")
CHANNELS = ("web", "email", "sms", "wechat", "phone", "in_store", "api", "import")
SURVEYS = "surveys"
FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class PurposeState:
    purpose: str
    granted: bool
    channel: str
    text_version: str
    recorded_at: datetime


@transaction.atomic
def record_consent(
    actor: Actor, contact_id: int, purpose: str, granted: bool | None, channel: str, text_version: str = ""
) -> ConsentRecord:
    """Append a consent statement of a contact inside the actor's scope (``responses.write``)."""
    actor.require(Perm.RESPONSES_WRITE)
    contact = get_contact_in(actor.scope, contact_id)
    if purpose not in PURPOSES:
        raise InvalidInput("purpose", _("must be one of %(values)s") % {"values": ", ".join(PURPOSES)})
    if channel not in CHANNELS:
        raise InvalidInput("channel", _("must be one of %(values)s") % {"values": ", ".join(CHANNELS)})
    if not isinstance(granted, bool):
        raise InvalidInput("granted", _("must be true or false"))
    text_version = (text_version or "").strip()
    if len(text_version) > 64:
        raise InvalidInput("text_version", _("must be at most 64 characters"))
    record = ConsentRecord.objects.for_org(actor.organization).create(
        organization=actor.organization,
        contact=contact,
        purpose=purpose,
        granted=granted,
        channel=channel,
        text_version=text_version,
        recorded_by=actor.label,
    )
    if purpose == SURVEYS:
        Contact.objects.for_org(actor.organization).filter(pk=contact.pk).update(
            consent=Consent.GRANTED if granted else Consent.WITHDRAWN, consent_at=record.recorded_at
        )
    audit.record(
        actor,
        "contact.consent_recorded",
        target_type="contact",
        target_id=contact.pk,
        data={"purpose": purpose, "granted": granted, "channel": channel, "text_version": text_version},
    )
    return record


def _latest(organization, contact_ids, purpose: str) -> dict[int, bool]:
    """contact id -> granted, from each contact's newest record of ``purpose``."""
    state: dict[int, bool] = {}
    rows = (
        ConsentRecord.objects.for_org(organization)
        .filter(contact_id__in=contact_ids, purpose=purpose)
        .order_by("contact_id", "-recorded_at", "-pk")
        .values_list("contact_id", "granted")
    )
    for contact_id, granted in rows:
        state.setdefault(contact_id, granted)
    return state


def consents(actor: Actor, contact_id: int) -> tuple[list[PurposeState], list[ConsentRecord]]:
    """Each purpose's current state and the whole history of a contact in the actor's scope."""
    actor.require(Perm.RESPONSES_VIEW)
    contact = get_contact_in(actor.scope, contact_id)
    history = list(ConsentRecord.objects.for_org(actor.organization).filter(contact=contact))
    current: dict[str, PurposeState] = {}
    for r in history:  # newest first
        current.setdefault(
            r.purpose, PurposeState(r.purpose, r.granted, r.channel, r.text_version, r.recorded_at)
        )
    return sorted(current.values(), key=lambda s: s.purpose), history


def contactable(organization, contacts, purpose: str, channel: str = "") -> list:
    """The contacts (model instances) that :func:`may_contact` allows, in one query."""
    contacts = list(contacts)
    withdrawn = {
        cid for cid, ok in _latest(organization, [c.pk for c in contacts], purpose).items() if not ok
    }
    return [c for c in contacts if c.pk not in withdrawn and _allowed(c, purpose, channel)]


def _allowed(contact: Contact, purpose: str, channel: str) -> bool:
    if contact.unsubscribed_at is not None:
        return False
    if purpose == SURVEYS and contact.consent == Consent.WITHDRAWN:
        return False
    return not (channel and (contact.preferences or {}).get(channel) is False)


def may_contact(contact: Contact, purpose: str, channel: str = "") -> bool:
    """Whether ``contact`` may be contacted for ``purpose`` (on ``channel``, when given)."""
    return bool(contactable(contact.organization, [contact], purpose, channel))
