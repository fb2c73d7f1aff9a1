"""Which responses belong to which contact, changed by a contact merge or unmerge.

Writing only (the one door, :mod:`openxm.surveys.door`, reads). Called by
``openxm.profiles.merging``, which owns the transaction and the audit entry. Rollups keep the
segment the response was counted under at the time it was recorded.
"""

from __future__ import annotations

from .models import Response


def move_responses(organization, from_contact_id: int, to_contact_id: int, ids=None) -> list[int]:
    """Give the responses of one contact (all of them, or only ``ids``) to another; their ids."""
    qs = Response.objects.for_org(organization).filter(contact_id=from_contact_id)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    moved = sorted(qs.values_list("pk", flat=True))
    if moved:
        Response.objects.for_org(organization).filter(pk__in=moved).update(contact_id=to_contact_id)
    return moved
