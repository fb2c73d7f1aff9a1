"""De-duplication: candidates, and the contacts' side of a merge and of its undoing.

Included:

* :func:`candidates` — groups of contacts inside a scope that share a normalised identifier
  (external id, e-mail, phone, WeChat openid or unionid; :mod:`.identifiers`), and
  :func:`duplicates_of` for one contact.
* :func:`plan` — what merging ``other`` into ``survivor`` changes on the survivor: empty fields
  filled from the other, attributes the survivor lacks, the stricter consent and preferences.
* :func:`merge_contacts` / :func:`unmerge_contacts` — apply and undo that, move the contact
  events, and keep the :class:`~.models.ContactMerge` log that makes it reversible. The other
  contact is kept (``merged_into`` set), so unmerge gives it back exactly as it was.

Excluded: rows of other apps (responses, invitations): ``openxm.profiles.merging`` moves those
through their apps' services and owns the transaction and the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.scope import Scope

from . import identifiers
from .directory import contacts, get_contact_in
from .models import Consent, Contact, ContactEvent, ContactMerge
from .services import BLIND, refresh_keys

MATCH_KEYS = (
    ("external_id", "external_key"),
    ("email", "email_key"),
    ("phone", "phone_key"),
    ("wechat_openid", "wechat_openid"),
    ("wechat_unionid", "wechat_unionid"),
)
FILL_FIELDS = ("name", "email", "phone", "language", "wechat_openid", "wechat_unionid", "unit_id")
_STRICTER = {Consent.WITHDRAWN: 2, Consent.GRANTED: 1, Consent.UNKNOWN: 0}


@dataclass(frozen=True)
class Candidate:
    kind: str  # which identifier matched
    value: str  # the normalised value (personal for e-mail, phone, WeChat ids)
    contact_ids: list[int]


def candidates(scope: Scope, limit: int = 100) -> list[Candidate]:
    """Groups of two or more contacts sharing a normalised identifier, most contacts first."""
    found = []
    for kind, column in MATCH_KEYS:
        rows = (
            contacts(scope)
            .exclude(**{column: ""})
            .values(column)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .order_by("-n", column)[:limit]
        )
        for row in rows:
            ids = sorted(contacts(scope).filter(**{column: row[column]}).values_list("pk", flat=True)[:50])
            found.append(Candidate(kind, _shown(kind, row[column], contacts(scope).get(pk=ids[0])), ids))
    found.sort(key=lambda c: (-len(c.contact_ids), c.kind, c.value))
    return found[:limit]


def duplicates_of(scope: Scope, contact: Contact) -> list[Candidate]:
    """Other contacts inside the scope sharing one of this contact's identifiers."""
    out = []
    for kind, column in MATCH_KEYS:
        value = getattr(contact, column)
        if not value:
            continue
        ids = sorted(
            contacts(scope).filter(**{column: value}).exclude(pk=contact.pk).values_list("pk", flat=True)[:50]
        )
        if ids:
            out.append(Candidate(kind, _shown(kind, value, contact), ids))
    return out


def _shown(kind: str, key: str, contact: Contact) -> str:
    """The normalised value a group shares: its key, or for an encrypted identifier (whose key
    is a blind index) the decrypted value of one of its contacts, normalised."""
    if kind not in BLIND:
        return key
    return identifiers.NORMALISERS[kind](getattr(contact, kind))


def plan(survivor: Contact, other: Contact) -> dict:
    """The survivor's changes as {field: [before, after]} (attributes: the keys added)."""
    changes = {}
    for name in FILL_FIELDS:
        mine, theirs = getattr(survivor, name), getattr(other, name)
        if not mine and theirs:
            changes[name] = [mine, theirs]
    added = {k: v for k, v in (other.attributes or {}).items() if k not in (survivor.attributes or {})}
    if added:
        changes["attributes"] = [None, added]
    if _STRICTER.get(other.consent, 0) > _STRICTER.get(survivor.consent, 0):
        changes["consent"] = [survivor.consent, other.consent]
    prefs = {**(survivor.preferences or {})}
    for channel, allowed in (other.preferences or {}).items():
        if allowed is False or channel not in prefs:
            prefs[channel] = prefs.get(channel, True) and allowed
    if prefs != (survivor.preferences or {}):
        changes["preferences"] = [survivor.preferences, prefs]
    if other.unsubscribed_at and (
        not survivor.unsubscribed_at or other.unsubscribed_at < survivor.unsubscribed_at
    ):
        changes["unsubscribed_at"] = [_iso(survivor.unsubscribed_at), _iso(other.unsubscribed_at)]
    return changes


def _iso(value):
    return value.isoformat() if value else None


def _pair(scope: Scope, survivor_id: int, other_id: int) -> tuple[Contact, Contact]:
    survivor, other = get_contact_in(scope, survivor_id), get_contact_in(scope, other_id)
    if survivor.pk == other.pk:
        raise InvalidInput("other", _("a contact cannot be merged into itself"))
    locked = {
        c.pk: c
        for c in Contact.objects.for_org(scope.organization)
        .select_for_update()
        .filter(pk__in=[survivor.pk, other.pk])
        .order_by("pk")
    }
    return locked[survivor.pk], locked[other.pk]


def preview(scope: Scope, survivor_id: int, other_id: int) -> tuple[Contact, Contact, dict, int]:
    """(survivor, other, the survivor's changes, the other's event count), nothing written."""
    survivor, other = get_contact_in(scope, survivor_id), get_contact_in(scope, other_id)
    if survivor.pk == other.pk:
        raise InvalidInput("other", _("a contact cannot be merged into itself"))
    events = ContactEvent.objects.for_org(scope.organization).filter(contact=other).count()
    return survivor, other, plan(survivor, other), events


def merge_contacts(scope: Scope, survivor_id: int, other_id: int, actor_label: str) -> ContactMerge:
    """Merge ``other`` into ``survivor`` (the caller holds the transaction): the survivor takes
    the planned changes and the other's events; the other is marked merged. Returns the log."""
    survivor, other = _pair(scope, survivor_id, other_id)
    changes = plan(survivor, other)
    for name, (_before, after) in changes.items():
        if name == "attributes":
            survivor.attributes = {**survivor.attributes, **after}
        elif name == "unsubscribed_at":
            survivor.unsubscribed_at = other.unsubscribed_at
        else:
            setattr(survivor, name, after)
    refresh_keys(survivor)
    survivor.updated_at = timezone.now()
    survivor.save()
    events = ContactEvent.objects.for_org(scope.organization).filter(contact=other)
    event_ids = sorted(events.values_list("pk", flat=True))
    events.update(contact=survivor)
    other.merged_into = survivor
    other.save(update_fields=["merged_into"])
    return ContactMerge.objects.for_org(scope.organization).create(
        organization=scope.organization,
        survivor=survivor,
        merged=other,
        survivor_before=changes,
        moved={"events": event_ids},
        actor_label=actor_label,
    )


def note_moved(merge: ContactMerge, moved: dict[str, list[int]]) -> None:
    """Add other apps' moved row ids to the merge log."""
    merge.moved = {**merge.moved, **moved}
    merge.save(update_fields=["moved"])


def get_merge(scope: Scope, merge_id: int) -> ContactMerge:
    """A merge whose survivor is inside the scope; NotFound otherwise."""
    merge = (
        ContactMerge.objects.for_org(scope.organization)
        .select_related("survivor", "merged")
        .filter(pk=merge_id)
        .first()
    )
    if merge is None or not scope.allows_unit(merge.survivor.unit_id):
        raise NotFound("merge", merge_id)
    return merge


def merges_of(scope: Scope, contact: Contact) -> list[ContactMerge]:
    return list(
        ContactMerge.objects.for_org(scope.organization).filter(survivor=contact).select_related("merged")
    )


def unmerge_contacts(scope: Scope, merge_id: int) -> ContactMerge:
    """Undo a merge (the caller holds the transaction): the other contact comes back, its events
    go back to it, and each survivor field the merge filled is restored unless it was changed
    since. Other apps' rows are moved back by the caller from ``merge.moved``."""
    merge = get_merge(scope, merge_id)
    if merge.undone_at is not None:
        raise InvalidInput("merge", _("this merge was undone already"))
    survivor = Contact.objects.for_org(scope.organization).select_for_update().get(pk=merge.survivor_id)
    other = Contact.objects.for_org(scope.organization).select_for_update().get(pk=merge.merged_id)
    for name, (before, after) in merge.survivor_before.items():
        if name == "attributes":
            for key, value in after.items():
                if survivor.attributes.get(key) == value:
                    survivor.attributes.pop(key)
        elif name == "unsubscribed_at":
            if _iso(survivor.unsubscribed_at) == after:
                survivor.unsubscribed_at = datetime.fromisoformat(before) if before else None
        elif getattr(survivor, name) == after:
            setattr(survivor, name, before)
    refresh_keys(survivor)
    survivor.updated_at = timezone.now()
    survivor.save()
    ContactEvent.objects.for_org(scope.organization).filter(
        pk__in=merge.moved.get("events", []), contact=survivor
    ).update(contact=other)
    other.merged_into = None
    other.save(update_fields=["merged_into"])
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    return merge
