"""Inviting a saved segment: the audience is the segment's members now, inside the inviter's scope.

A segment (``openxm.profiles``, read through :mod:`openxm.customers.segments`) is a rule over
contacts — their attributes, value tier, churn risk, last NPS … — so "everyone at risk with a
CLV over 1,000" can be surveyed without exporting and pasting a list. Every member goes through
the same contact rules as any invitation (unsubscribed, suppressed, no address for the channel,
the organization's or their tier's contact cap, counted in ``skipped``). A member of a unit
outside the inviter's scope is not in their segment at all.

Excluded: contacts are not created or changed here (they exist: they matched the rule); very
large audiences — more than :data:`MAX_AUDIENCE` members is refused (split the segment).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.customers import directory
from openxm.customers import segments as contact_segments

from . import invitations
from .services import InviteResult, invited, inviting

MAX_AUDIENCE = 20_000
CHUNK = 500


def segment_choices(actor: Actor) -> list[tuple[str, str]]:
    """(key, name) of the saved segments an inviter can pick."""
    return contact_segments.choices(actor.scope)


@transaction.atomic
def invite_segment(
    actor: Actor, distribution_id: int, segment: str, *, hidden: dict | None = None, send_at=None
) -> InviteResult:
    """Invite every member of the saved segment ``segment`` (``surveys.distribute``) through a
    personal distribution, now or at ``send_at``; audited as ``distribution.invited`` with the
    segment's key."""
    dist = inviting(actor, distribution_id, send_at)
    key = (segment or "").strip()
    if not key:
        raise InvalidInput("segment", _("is required"))
    try:
        ids = sorted(contact_segments.contact_ids(actor.scope, key))
    except NotFound:
        raise InvalidInput("segment", _("there is no saved segment with this key")) from None
    if len(ids) > MAX_AUDIENCE:
        raise InvalidInput(
            "segment",
            _("has %(n)s members; at most %(max)s can be invited at once")
            % {"n": len(ids), "max": MAX_AUDIENCE},
        )
    result = InviteResult()
    for start in range(0, len(ids), CHUNK):
        chunk = directory.contacts(actor.scope).filter(pk__in=ids[start : start + CHUNK]).order_by("pk")
        for contact in chunk:
            try:
                invitation = invitations.create_invitation(
                    actor.organization, dist, contact, hidden=dict(hidden or {}), send_after=send_at
                )
            except invitations.NotInvited as exc:
                result.skipped[exc.outcome] = result.skipped.get(exc.outcome, 0) + 1
                continue
            result.invited.append(invitation.pk)
    return invited(actor, dist, result, send_at, segment=key)
