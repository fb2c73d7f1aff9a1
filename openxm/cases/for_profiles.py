"""What the profiles app reads and does with cases, through the provider it asks
(:mod:`openxm.profiles.cases`): a contact's cases for the timeline, the open case per contact,
the history of openings and resolutions for the churn model, moving cases in a merge, and
opening a case for a customer at churn risk.

Included: :class:`CaseProvider` and :func:`open_for_risk`. A customer has at most one case of
this kind at a time in practice: while any case of theirs is open (the control group's held-out
cases aside, they are never worked) the open one is answered instead of a second. The contact's
row is locked while checking, so a double click opens one case.
Excluded: opening from alert rules and responses (``services.py``), working a case (``actions.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.customers import tiers
from openxm.customers.directory import lock_contact
from openxm.profiles import value as profiles_value
from openxm.profiles.cases import CaseLine, Known, Opened, StateChange

from .machine import OPEN_STATES
from .models import Case, CaseEvent
from .priority import priority_for
from .services import _create, visible

SHOWN_CHANGES = ("resolved", "closed", "reopened")
REASONS_SHOWN = 3


def _open(scope: Scope):
    return visible(scope).filter(state__in=OPEN_STATES, held_out=False)


def open_for_risk(actor: Actor, contact_id: int) -> Opened:
    """A case for a customer at churn risk (``cases.work``): the contact, the title "Churn risk:"
    with the risk's top reasons (kept as data on the opening event too), the priority of the
    customer's value tier (its service setting, else the usual raise for a valuable tier) and
    the customer's unit. Audited as ``case.opened`` (source ``risk``). When the customer has an
    open case already, that one is answered and nothing is written."""
    actor.require(Perm.CASES_WORK)
    scope = actor.scope
    with transaction.atomic():
        contact = lock_contact(scope, contact_id)
        existing = _open(scope).filter(contact=contact).order_by("-opened_at", "-pk").first()
        if existing is not None:
            return Opened(existing.pk, False)
        stored = profiles_value.value_of(scope, contact.pk)
        if stored is None or stored.churn_risk is None:
            raise InvalidInput("contact", _("has no churn risk computed"))
        if contact.unit_id is None and scope.limited:
            raise InvalidInput("unit", _("is required: your access is limited to a unit"))
        reasons = stored.churn_reasons[:REASONS_SHOWN]
        texts = [profiles_value.reason_text(r) for r in reasons]
        risk = {"p": round(100 * stored.churn_risk)}
        title = _("Churn risk %(p)s%%") % risk
        if texts:
            title = _("Churn risk %(p)s%%: %(reasons)s") % {**risk, "reasons": "; ".join(texts)}
        tier = contact.value_tier
        service = tiers.tier_settings(actor.organization, tier)
        case = _create(
            actor,
            actor.organization,
            title=title,
            source=Case.Source.RISK,
            unit_id=contact.unit_id,
            contact=contact,
            priority=service.case_priority if service.configured else priority_for("", None, tier),
            scope=scope,
            why="; ".join(texts),
            data={"churn_risk": stored.churn_risk, "reasons": reasons, "tier": tier},
        )
        audit.record(
            actor,
            "case.opened",
            target_type="case",
            target_id=case.pk,
            data={"source": Case.Source.RISK, "contact": contact.pk},
        )
    return Opened(case.pk, True)


class CaseProvider:
    """The cases app's answers to :mod:`openxm.profiles.cases`."""

    def cases_of(self, scope: Scope, contact_id: int, limit: int) -> list[CaseLine]:
        states, priorities = dict(Case.STATE_CHOICES), dict(Case.PRIORITY_CHOICES)
        sources = dict(Case.Source.choices)
        rows = list(visible(scope).filter(contact_id=contact_id).select_related("root_cause")[:limit])
        changes: dict[int, list[StateChange]] = {}
        for case_id, at, to in (
            CaseEvent.objects.for_org(scope.organization)
            .filter(case_id__in=[c.pk for c in rows], kind=CaseEvent.Kind.STATE, to_state__in=SHOWN_CHANGES)
            .values_list("case_id", "at", "to_state")
        ):
            changes.setdefault(case_id, []).append(StateChange(at, to, str(states[to])))
        return [
            CaseLine(
                pk=c.pk,
                title=c.title if scope.pii else None,
                opened_at=c.opened_at,
                state=c.state,
                state_label=str(states.get(c.state, c.state)),
                priority_label=str(priorities.get(c.priority, c.priority)),
                source_label=str(sources.get(c.source, c.source)),
                is_open=c.state in OPEN_STATES,
                root_cause=c.root_cause.name if c.root_cause else "",
                changes=changes.get(c.pk, []),
            )
            for c in rows
        ]

    def open_cases(self, scope: Scope, contact_ids: Iterable[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        ids = list(contact_ids)
        for start in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
            rows = (
                _open(scope)
                .filter(contact_id__in=ids[start : start + 900])
                .order_by("opened_at", "pk")
                .values_list("contact_id", "pk")
            )
            found.update(rows)  # the newest open case of each contact comes last and wins
        return found

    def history(self, scope: Scope) -> list[Known]:
        with_contact = visible(scope).filter(contact__isnull=False)
        out = []
        for contact_id, at, kind, before, after in (
            CaseEvent.objects.for_org(scope.organization)
            .filter(case__in=with_contact, kind__in=[CaseEvent.Kind.OPENED, CaseEvent.Kind.STATE])
            .values_list("case__contact_id", "at", "kind", "from_state", "to_state")
            .iterator()
        ):
            if kind == CaseEvent.Kind.OPENED:
                out.append(Known(contact_id, at, True, 1))
            elif (before in OPEN_STATES) != (after in OPEN_STATES):
                out.append(Known(contact_id, at, False, 1 if after in OPEN_STATES else -1))
        return out

    def move(self, organization, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
        rows = Case.objects.for_org(organization).filter(contact_id=from_id)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        moved = sorted(rows.values_list("pk", flat=True))
        Case.objects.for_org(organization).filter(pk__in=moved).update(contact_id=to_id)
        return moved

    def open_for_risk(self, actor: Actor, contact_id: int) -> Opened:
        return open_for_risk(actor, contact_id)
