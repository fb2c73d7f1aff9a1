"""Merging duplicate contacts and undoing it: the one service the page, the API and the CLI call.

A merge moves to the survivor everything that was the other contact's: its events
(``openxm.customers``), its responses (``openxm.surveys``), its invitations and trigger events
(``openxm.distribution``) and its cases (``openxm.cases``, through :mod:`.cases`), and records
every moved id in the merge log, so :func:`unmerge` gives each row back to the contact it
belonged to. Both contacts must lie inside the actor's scope; merging needs ``data.delete`` (it
changes whose data is whose). Audited as ``contact.merged`` and ``contact.unmerged``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.customers import merging
from openxm.distribution import contacts as distribution
from openxm.surveys import contacts as survey_contacts
from openxm.surveys import door

from . import cases
from .directory import ContactCard, cards


@dataclass(frozen=True)
class Preview:
    survivor: ContactCard
    other: ContactCard
    changes: dict  # field -> [before, after]; personal values hidden without pii
    events: int
    responses: int


@dataclass(frozen=True)
class Candidate:
    kind: str
    value: str | None  # the shared identifier; None when it is personal and the role lacks pii
    contact_ids: list[int]


def candidates(actor: Actor, limit: int = 100) -> list[Candidate]:
    """Groups of contacts inside the actor's scope sharing an identifier (``data.delete``)."""
    actor.require(Perm.DATA_DELETE)
    scope = actor.scope
    return [
        Candidate(c.kind, c.value if scope.pii or c.kind == "external_id" else None, c.contact_ids)
        for c in merging.candidates(scope, limit)
    ]


def preview(actor: Actor, survivor_id: int, other_id: int) -> Preview:
    """What a merge would do, nothing written (``data.delete``)."""
    actor.require(Perm.DATA_DELETE)
    scope = actor.scope
    survivor, other, changes, events = merging.preview(scope, survivor_id, other_id)
    if not scope.pii:
        changes = {
            k: v
            for k, v in changes.items()
            if k not in ("name", "email", "phone", "wechat_openid", "wechat_unionid", "attributes")
        }
    responses = door.responses(scope).filter(contact=other).count()
    mine, theirs = cards(scope, [survivor, other], {})
    return Preview(mine, theirs, changes, events, responses)


@transaction.atomic
def merge(actor: Actor, survivor_id: int, other_id: int):
    """Merge ``other`` into ``survivor``; the merge log (its id undoes it)."""
    actor.require(Perm.DATA_DELETE)
    org = actor.organization
    record = merging.merge_contacts(actor.scope, survivor_id, other_id, actor.label)
    moved = {"responses": survey_contacts.move_responses(org, record.merged_id, record.survivor_id)}
    moved.update(distribution.move_contact_rows(org, record.merged_id, record.survivor_id))
    moved["cases"] = cases.move(org, record.merged_id, record.survivor_id)
    merging.note_moved(record, moved)
    audit.record(
        actor,
        "contact.merged",
        target_type="contact",
        target_id=record.survivor_id,
        data={
            "merged": record.merged_id,
            "merge": record.pk,
            "moved": {k: len(v) for k, v in record.moved.items()},
        },
    )
    return record


@transaction.atomic
def unmerge(actor: Actor, merge_id: int):
    """Undo a merge: the other contact and each of its rows come back."""
    actor.require(Perm.DATA_DELETE)
    org = actor.organization
    record = merging.unmerge_contacts(actor.scope, merge_id)
    survey_contacts.move_responses(
        org, record.survivor_id, record.merged_id, record.moved.get("responses", [])
    )
    distribution.move_contact_rows(org, record.survivor_id, record.merged_id, record.moved)
    cases.move(org, record.survivor_id, record.merged_id, record.moved.get("cases", []))
    audit.record(
        actor,
        "contact.unmerged",
        target_type="contact",
        target_id=record.merged_id,
        data={"survivor": record.survivor_id, "merge": record.pk},
    )
    return record
