"""The distribution app's part of data-subject requests (``openxm.personal_data``).

Included: the subject's invitations with their delivery logs, the events that named their
contacts, the opt-outs (suppressions) kept under their addresses, and the messages they sent
back (SMS replies). Erasure deletes all of these, in both modes: an invitation log says nothing
worth keeping once the person is gone. Excluded (exempt): messengers, distributions, policies
and triggers, which are the organization's configuration.

An erased person's opt-out goes with them: their contact no longer exists, so no invitation can
be addressed to it; a contact imported again later starts without consent (docs/privacy.md).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openxm.personal_data import Hook, RetentionType, Subject, exempt, register, register_retention, row

from .models import DeliveryEvent, Event, InboundMessage, Invitation, Suppression

INVITATION = "distribution.Invitation"
LOG = "distribution.DeliveryEvent"
EVENT = "distribution.Event"
SUPPRESSION = "distribution.Suppression"
INBOUND = "distribution.InboundMessage"
MODELS = {
    INVITATION: Invitation,
    LOG: DeliveryEvent,
    EVENT: Event,
    SUPPRESSION: Suppression,
    INBOUND: InboundMessage,
}


def _addresses(subject: Subject) -> set[str]:
    """The subject's identifiers and every address an invitation of theirs went to."""
    used = Invitation.objects.for_org(subject.organization).filter(contact_id__in=subject.contact_ids)
    return {*subject.needles, *(a.lower() for a in used.values_list("address", flat=True) if a)}


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    org = subject.organization
    invitations = list(
        Invitation.objects.for_org(org)
        .filter(contact_id__in=subject.contact_ids)
        .values_list("pk", flat=True)
    )
    # Inbound numbers are kept as digits only (``inbound.normalise_phone``).
    digits = {p.lstrip("+") for p in subject.phones}
    return {
        INVITATION: invitations,
        LOG: list(
            DeliveryEvent.objects.for_org(org)
            .filter(invitation_id__in=invitations)
            .values_list("pk", flat=True)
        ),
        EVENT: list(
            Event.objects.for_org(org).filter(contact_id__in=subject.contact_ids).values_list("pk", flat=True)
        ),
        SUPPRESSION: list(
            Suppression.objects.for_org(org)
            .filter(address__in=_addresses(subject))
            .values_list("pk", flat=True)
        ),
        INBOUND: list(
            InboundMessage.objects.for_org(org)
            .filter(Q(phone__in=digits) | Q(sender__in=subject.needles))
            .values_list("pk", flat=True)
        ),
    }


def export(subject: Subject, found: dict[str, list]) -> dict[str, list[dict]]:
    org = subject.organization
    return {
        label: [row(o) for o in model.objects.for_org(org).filter(pk__in=found[label]).order_by("pk")]
        for label, model in MODELS.items()
    }


def erase(actor, subject: Subject, found: dict[str, list], mode: str) -> dict[str, int]:
    org = subject.organization
    counts = {}
    # The log goes with its invitations (cascade); events first: they point at invitations.
    for label in (EVENT, LOG, INVITATION, SUPPRESSION, INBOUND):
        counts[label] = (
            MODELS[label].objects.for_org(org).filter(pk__in=found[label]).delete()[1].get(label, 0)
        )
    return counts


def due_invitations(org, before, survey_key: str) -> list:
    """Invitations created before ``before`` (of one survey when a key is given)."""
    qs = Invitation.objects.for_org(org).filter(created_at__lt=before)
    if survey_key:
        qs = qs.filter(survey__key=survey_key)
    return list(qs.values_list("pk", flat=True))


def remove_invitations(actor, ids: list) -> int:
    """Delete the invitations with their delivery logs; events keep their outcome, unlinked."""
    qs = Invitation.objects.for_org(actor.organization).filter(pk__in=ids)
    return qs.delete()[1].get(INVITATION, 0)


def register_hook() -> None:
    register(Hook(app="distribution", models=tuple(MODELS), find=find, export=export, erase=erase))
    exempt("distribution.Messenger", "a message provider's configuration (its secrets are encrypted)")
    exempt("distribution.Distribution", "a campaign: channel, survey, hidden values every invitation gets")
    exempt("distribution.Policy", "contact frequency rules of the organization")
    exempt("distribution.Trigger", "which event starts which distribution")
    register_retention(
        RetentionType(
            "invitations",
            _("Invitation logs"),
            _("nothing (that period's response rates can no longer be computed)"),
            True,
            due_invitations,
            remove_invitations,
        )
    )
