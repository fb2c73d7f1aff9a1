"""Invitations and trigger events of one contact: read for the profile's timeline, and moved
between contacts by a merge or an unmerge (``openxm.profiles.merging`` owns that transaction
and its audit entry); invitations left unanswered (survey non-response, a churn-model feature)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm

from .models import Event, Invitation


def move_contact_rows(
    organization, from_contact_id: int, to_contact_id: int, ids=None
) -> dict[str, list[int]]:
    """Give one contact's invitations and events (all, or those in ``ids`` = {"invitations": [...],
    "distribution_events": [...]}) to another; the ids moved, by kind."""
    moved = {}
    for kind, model in (("invitations", Invitation), ("distribution_events", Event)):
        qs = model.objects.for_org(organization).filter(contact_id=from_contact_id)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids.get(kind, [])))
        moved[kind] = sorted(qs.values_list("pk", flat=True))
        if moved[kind]:
            model.objects.for_org(organization).filter(pk__in=moved[kind]).update(contact_id=to_contact_id)
    return moved


@dataclass(frozen=True)
class InvitationRow:
    id: int
    survey_id: int
    survey_title: str
    channel: str
    status: str
    status_label: str
    touchpoint: str
    created_at: datetime
    response_id: int | None


def invitations_of(actor: Actor, contact_id: int, limit: int = 100) -> list[InvitationRow]:
    """One contact's invitations, newest first, as the actor may see them (``dashboards.view``;
    a unit-limited actor only for a contact of their units)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    qs = Invitation.objects.for_org(actor.organization).filter(contact_id=contact_id)
    if actor.scope.limited:
        qs = qs.filter(contact__unit_id__in=actor.scope.unit_ids)
    return [
        InvitationRow(
            i.pk,
            i.survey_id,
            i.survey.title,
            i.channel,
            i.status,
            i.get_status_display(),
            i.touchpoint,
            i.created_at,
            i.response_id,
        )
        for i in qs.select_related("survey").order_by("-created_at", "-pk")[:limit]
    ]


# Delivered invitations: an expired one of these was seen (or could have been) and not answered.
_DELIVERED = (Invitation.Status.SENT, Invitation.Status.OPENED, Invitation.Status.STARTED)


def unanswered_invitations(scope, until: datetime) -> list[tuple[int, datetime]]:
    """(contact id, expiry) of each delivered invitation whose link expired before ``until``
    without a completed response, for contacts inside ``scope`` (a Scope). The time is the
    expiry: only then is "not answered" known, so a model's cut-off never sees it early."""
    qs = Invitation.objects.for_org(scope.organization).filter(
        status__in=_DELIVERED, completed_at__isnull=True, expires_at__lt=until, contact__isnull=False
    )
    if scope.unit_ids is not None:
        qs = qs.filter(contact__unit_id__in=scope.unit_ids)
    return list(qs.values_list("contact_id", "expires_at"))
