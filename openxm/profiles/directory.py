"""The directory and the profile as a member may see them.

Included: :func:`page` (a page of the directory: contacts inside the actor's scope, keyset
paging) and :func:`profile` (one contact with its value, risk and duplicate candidates), both
mapped once by :func:`card`, which takes the contact's fields through the one door
(:func:`openxm.surveys.door.contact_view`): name, e-mail, phone, WeChat ids and personal
attributes only for roles with ``pii.view``. Reading needs ``responses.view``.

Excluded: writes (``openxm.customers.directory``), the timeline (:mod:`.timeline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.customers import consent, directory, merging, tiers
from openxm.surveys import door

from . import value


@dataclass(frozen=True)
class ContactCard:
    pk: int
    external_id: str
    kind: str
    label: str  # name or e-mail with pii, the external id without
    name: str | None
    email: str | None
    phone: str | None
    wechat_openid: str | None
    wechat_unionid: str | None
    language: str
    unit: str
    unit_name: str
    consent: str
    preferences: dict
    unsubscribed: bool
    attributes: dict
    created_at: datetime
    tier: str = ""
    tier_label: str = ""  # the tier's name in the reader's language
    clv: float | None = None
    churn_risk: float | None = None
    # Whether feedback may be asked (consent.may_contact, surveys purpose, any channel).
    contactable: bool | None = None


@dataclass(frozen=True)
class Page:
    rows: list[ContactCard]
    next_after: int | None


def card(scope: Scope, contact, stored=None, contactable: bool | None = None) -> ContactCard:
    view: dict[str, Any] = door.contact_view(scope, contact)
    personal = scope.pii
    unit = contact.unit
    return ContactCard(
        pk=contact.pk,
        external_id=contact.external_id,
        kind=contact.kind,
        label=door.contact_label(scope, contact),
        name=view.get("name"),
        email=view.get("email"),
        phone=view.get("phone"),
        wechat_openid=contact.wechat_openid if personal else None,
        wechat_unionid=contact.wechat_unionid if personal else None,
        language=contact.language,
        unit=unit.code if unit else "",
        unit_name=unit.name if unit else "",
        consent=contact.consent,
        preferences=dict(contact.preferences or {}),
        unsubscribed=contact.unsubscribed_at is not None,
        attributes=view["attributes"],
        created_at=contact.created_at,
        tier=stored.tier if stored else "",
        tier_label=tiers.tier_label(stored.tier) if stored and stored.tier else "",
        clv=stored.clv if stored else None,
        churn_risk=stored.churn_risk if stored else None,
        contactable=contactable,
    )


def cards(scope: Scope, contacts: list, stored: dict) -> list[ContactCard]:
    """Cards of a list of contacts (a directory page, a segment's members: the contact lists a
    member exports), each flagged ``contactable`` by the one consent check, in one query."""
    allowed = {c.pk for c in consent.contactable(scope.organization, contacts, consent.SURVEYS)}
    return [card(scope, c, stored.get(c.pk), c.pk in allowed) for c in contacts]


def page(
    actor: Actor, filters: directory.Filters, after: int = 0, limit: int = 50, bulk: bool = False
) -> Page:
    """A page of the directory (``responses.view``; an API page of rows, ``bulk``, also needs
    ``data.export`` as every bulk read does)."""
    actor.require(Perm.RESPONSES_VIEW)
    scope = actor.scope
    if bulk:
        door.require_bulk(scope)
    rows, next_after = directory.search(scope, filters, after, limit)
    stored = value.values_of(scope, [c.pk for c in rows])
    return Page(cards(scope, rows, stored), next_after)


@dataclass(frozen=True)
class Duplicate:
    kind: str
    contact_ids: list[int]


@dataclass(frozen=True)
class Profile:
    card: ContactCard
    value: Any  # the stored ContactValue or None
    reasons: list[str]
    duplicates: list[Duplicate] = field(default_factory=list)
    merges: list[Any] = field(default_factory=list)


def profile(actor: Actor, contact_id: int) -> Profile:
    """One contact inside the actor's scope (NotFound otherwise), with value, risk and the
    contacts that share an identifier with it (``responses.view``)."""
    actor.require(Perm.RESPONSES_VIEW)
    scope = actor.scope
    contact = directory.get_contact_in(scope, contact_id)
    stored = value.value_of(scope, contact.pk)
    reasons = [value.reason_text(r) for r in (stored.churn_reasons if stored else [])]
    duplicates = [Duplicate(c.kind, c.contact_ids) for c in merging.duplicates_of(scope, contact)]
    contactable = consent.may_contact(contact, consent.SURVEYS)
    return Profile(
        card(scope, contact, stored, contactable),
        stored,
        reasons,
        duplicates,
        merging.merges_of(scope, contact),
    )


def at_risk(actor: Actor, min_risk: float = 0.5, limit: int = 50) -> list[tuple[ContactCard, Any]]:
    """High-value customers at risk inside the actor's scope, highest CLV first (``responses.view``)."""
    actor.require(Perm.RESPONSES_VIEW)
    scope = actor.scope
    rows = value.at_risk(scope, min_risk, limit)
    contacts = {
        c.pk: c
        for c in directory.contacts(scope).filter(pk__in=[v.contact_id for v in rows]).select_related("unit")
    }
    listed = [v for v in rows if v.contact_id in contacts]
    made = cards(scope, [contacts[v.contact_id] for v in listed], {v.contact_id: v for v in listed})
    return list(zip(made, listed, strict=True))
