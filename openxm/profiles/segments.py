"""Saved segments: rule-based filters over contacts, in the condition language of survey logic.

A segment's condition is the JSON of :mod:`openxm.surveys.definition.conditions` with
``contact`` leaves only, e.g. ``{"all": [{"contact": "rfm_tier", "op": "eq", "value":
"champions"}, {"contact": "detractor_90d", "op": "eq", "value": true}]}``. A leaf reads one of
:data:`FIELDS` (computed, they win over an attribute of the same name) or a contact attribute.

Included: :func:`save_segment`, :func:`list_segments`, :func:`get_segment`,
:func:`delete_segment`, :func:`add_to_win_back` (the at-risk list's one click),
:func:`members` (a keyset page of the contacts inside the actor's scope that match) and
:func:`size` (the live count). Evaluation reads the contacts with their stored
values and experience in batches of 2,000 and applies the same evaluator as survey logic, so a
rule means the same on SQLite and PostgreSQL. :class:`SegmentProvider` answers the apps left of
profiles (dashboard filters, distribution audiences, alert-rule ``segment`` leaves) through
:mod:`openxm.customers.segments`; without ``pii.view`` a segment whose rule reads personal data
cannot be used there. Excluded: translating a rule to SQL (a segment of a million contacts is
read in 500 batches).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.customers import directory
from openxm.customers.events import last_event_types
from openxm.customers.personal import PERSONAL_FIELDS, personal_attributes
from openxm.surveys.definition.conditions import ResponseContext, evaluate_condition, iter_leaves

from . import value
from .models import Segment

BATCH = 2000
OPERATORS = (
    "eq",
    "neq",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "contains",
    "answered",
    "not_answered",
)
FIELDS = {
    "kind": gettext_lazy("customer or employee"),
    "language": gettext_lazy("preferred language"),
    "unit": gettext_lazy("unit code"),
    "consent": gettext_lazy("consent state"),
    "recency_days": gettext_lazy("days since the last purchase"),
    "frequency": gettext_lazy("purchases (days with a purchase)"),
    "monetary": gettext_lazy("total spend"),
    "r": gettext_lazy("RFM recency score 1-5"),
    "f": gettext_lazy("RFM frequency score 1-5"),
    "m": gettext_lazy("RFM monetary score 1-5"),
    "rfm_tier": gettext_lazy("RFM tier"),
    "clv": gettext_lazy("customer lifetime value over the horizon"),
    "p_alive": gettext_lazy("probability the customer is still active"),
    "churn_risk": gettext_lazy("churn risk 0-1"),
    "last_event_type": gettext_lazy("type of the last event"),
    "last_nps": gettext_lazy("last NPS answer 0-10"),
    "detractor_90d": gettext_lazy("a detractor NPS answer in the last 90 days"),
}


def check_condition(condition) -> dict:
    """The condition if every leaf reads a contact field with a known operator, else InvalidInput."""
    if not isinstance(condition, dict) or not condition:
        raise InvalidInput("condition", _("must be a condition object"))
    try:
        leaves = list(iter_leaves(condition))
    except (TypeError, KeyError, AttributeError):
        raise InvalidInput("condition", _("must be a condition object")) from None
    for leaf, path in leaves:
        where = "condition" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in path)
        if not isinstance(leaf, dict) or not isinstance(leaf.get("contact"), str) or not leaf["contact"]:
            raise InvalidInput(where, _('each rule needs a contact field, e.g. {"contact": "rfm_tier"}'))
        if leaf.get("op") not in OPERATORS:
            raise InvalidInput(where, _("op must be one of: %(ops)s") % {"ops": ", ".join(OPERATORS)})
        if leaf["op"] == "between" and not (isinstance(leaf.get("value"), list) and len(leaf["value"]) == 2):
            raise InvalidInput(where, _("between needs a value of two bounds"))
    return condition


@transaction.atomic
def save_segment(actor: Actor, key: str, name: str, condition: dict) -> Segment:
    """Create or replace a segment (``responses.write``); audited as ``segment.saved``."""
    actor.require(Perm.RESPONSES_WRITE)
    key = slugify(key or name or "")[:64]
    if not key:
        raise InvalidInput("key", _("must be 1-64 letters, digits or dashes"))
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("name", _("must be 1-200 characters"))
    check_condition(condition)
    segment, _created = Segment.objects.for_org(actor.organization).update_or_create(
        key=key,
        defaults={
            "organization": actor.organization,
            "name": name,
            "condition": condition,
            "created_by": actor.label,
            "updated_at": timezone.now(),
        },
    )
    audit.record(actor, "segment.saved", target_type="segment", target_id=key, data={"condition": condition})
    return segment


WIN_BACK = "win-back"
WIN_BACK_ATTRIBUTE = "win_back"


@transaction.atomic
def add_to_win_back(actor: Actor, contact_id: int) -> Segment:
    """One click from the at-risk list: mark the contact for win-back (the attribute
    ``win_back`` = today's date, audited as ``contact.updated``) and make sure the win-back
    segment exists (rule: ``win_back`` answered), so the marked customers can be invited or
    watched together. ``responses.write``."""
    actor.require(Perm.RESPONSES_WRITE)
    today = timezone.localdate().isoformat()
    directory.update_contact(actor, contact_id, {"attributes": {WIN_BACK_ATTRIBUTE: today}})
    segment = Segment.objects.for_org(actor.organization).filter(key=WIN_BACK).first()
    if segment is None:
        segment = save_segment(
            actor, WIN_BACK, _("Win-back"), {"contact": WIN_BACK_ATTRIBUTE, "op": "answered"}
        )
    return segment


def list_segments(actor: Actor) -> list[Segment]:
    actor.require(Perm.RESPONSES_VIEW)
    return list(Segment.objects.for_org(actor.organization))


def get_segment(actor: Actor, key: str) -> Segment:
    actor.require(Perm.RESPONSES_VIEW)
    segment = Segment.objects.for_org(actor.organization).filter(key=key).first()
    if segment is None:
        raise NotFound("segment", key)
    return segment


@transaction.atomic
def delete_segment(actor: Actor, key: str) -> None:
    actor.require(Perm.RESPONSES_WRITE)
    segment = get_segment(actor, key)
    segment.delete()
    audit.record(actor, "segment.deleted", target_type="segment", target_id=key)


def _records(scope: Scope, contacts, now) -> Iterator[tuple[object, dict]]:
    """(contact, the fields a condition reads) for a batch of contacts."""
    ids = [c.pk for c in contacts]
    stored = value.values_of(scope, ids)
    nps = value.last_nps(scope, ids)
    last_types = last_event_types(scope.organization, ids)
    for c in contacts:
        v = stored.get(c.pk)
        score = nps.get(c.pk)
        record = dict(c.attributes or {})
        record.update(
            kind=c.kind,
            language=c.language,
            unit=c.unit.code if c.unit else "",
            consent=c.consent,
            recency_days=v.recency_days if v else None,
            frequency=v.frequency if v else 0,
            monetary=v.monetary if v else 0.0,
            r=v.r if v else None,
            f=v.f if v else None,
            m=v.m if v else None,
            rfm_tier=v.tier if v else "",
            clv=v.clv if v else None,
            p_alive=v.p_alive if v else None,
            churn_risk=v.churn_risk if v else None,
            last_event_type=last_types.get(c.pk, ""),
            last_nps=score[0] if score else None,
            detractor_90d=bool(score and score[0] <= 6 and now - score[1] <= timedelta(days=90)),
        )
        yield c, record


def _matching(scope: Scope, condition: dict, after: int = 0, only=None) -> Iterator[object]:
    """The contacts inside the scope matching ``condition``, in id order after ``after``
    (among the ids ``only`` when given), read in batches."""
    now, cursor = timezone.now(), int(after or 0)
    while True:
        qs = directory.contacts(scope).filter(pk__gt=cursor)
        if only is not None:
            qs = qs.filter(pk__in=only)
        batch = list(qs.select_related("unit").order_by("pk")[:BATCH])
        if not batch:
            return
        for contact, record in _records(scope, batch, now):
            if evaluate_condition(condition, {}, ResponseContext(contact=record)):
                yield contact
        cursor = batch[-1].pk


def _check_readable(scope: Scope, condition: dict) -> None:
    """Without ``pii.view`` a segment that selects people by personal data cannot be used: its
    members would tell who has that e-mail, phone or personal attribute (the door's rule)."""
    if scope.pii:
        return
    names = {leaf.get("contact") for leaf, _path in iter_leaves(condition) if isinstance(leaf, dict)}
    names.discard(None)
    personal = (names & PERSONAL_FIELDS) | personal_attributes(scope.organization, names - set(FIELDS))
    if personal:
        raise InvalidInput(
            f"contact.{sorted(personal)[0]}", _("is personal data: your role cannot filter on it")
        )


@dataclass(frozen=True)
class MemberPage:
    contacts: list
    next_after: int | None


def members(actor: Actor, condition: dict, after: int = 0, limit: int = 50) -> MemberPage:
    """Contacts inside the actor's scope matching ``condition``, in id order after ``after``."""
    actor.require(Perm.RESPONSES_VIEW)
    check_condition(condition)
    found = []
    for contact in _matching(actor.scope, condition, after):
        found.append(contact)
        if len(found) > limit:
            return MemberPage(found[:limit], found[limit - 1].pk)
    return MemberPage(found, None)


def size(actor: Actor, condition: dict) -> int:
    """How many contacts inside the actor's scope match, now."""
    actor.require(Perm.RESPONSES_VIEW)
    check_condition(condition)
    return sum(1 for _c in _matching(actor.scope, condition))


class SegmentProvider:
    """Saved segments for the apps left of profiles (:mod:`openxm.customers.segments`):
    dashboards, distribution audiences and alert rules. Each call is inside the given scope;
    the caller has checked the permission of what it does with the answer."""

    def choices(self, scope: Scope) -> list[tuple[str, str]]:
        return list(Segment.objects.for_org(scope.organization).values_list("key", "name"))

    def contact_ids(self, scope: Scope, key: str) -> frozenset[int]:
        segment = Segment.objects.for_org(scope.organization).filter(key=key).first()
        if segment is None:
            raise NotFound("segment", key)
        _check_readable(scope, segment.condition)
        return frozenset(c.pk for c in _matching(scope, segment.condition))

    def memberships(self, scope: Scope, contact_ids) -> dict[int, frozenset[str]]:
        ids = sorted(set(contact_ids))
        found: dict[int, set[str]] = {i: set() for i in ids}
        for segment in Segment.objects.for_org(scope.organization):
            for contact in _matching(scope, segment.condition, only=ids):
                found[contact.pk].add(segment.key)
        return {i: frozenset(keys) for i, keys in found.items()}
