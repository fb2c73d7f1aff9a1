"""One timeline per contact: everything anyone serving the customer should see, newest first.

Included, each read through its owner inside the actor's scope: invitations
(``openxm.distribution``), responses with their scores (the one door), the comments of those
responses with their sentiment and topics (``openxm.comments``, redacted without ``pii.view``),
the alerts fired on those responses (``openxm.alerts``: rule and time), transactions and
interactions (``openxm.customers`` events), merges of other contacts into this one, and the
contact's cases (through :mod:`.cases`): each opening (source, priority, title with ``pii.view``)
and each resolution, closing or reopening, a resolution with the case's root cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.alerts import history as alerts
from openxm.comments import services as comments
from openxm.customers import directory, merging
from openxm.customers import events as contact_events
from openxm.distribution import contacts as distribution
from openxm.surveys import door

from . import cases

SCORE_TYPES = ("nps", "csat", "ces", "rating")


@dataclass(frozen=True)
class Item:
    kind: str  # invitation, response, comment, alert, event, merge, case, case_state
    at: datetime
    title: str
    detail: dict = field(default_factory=dict)


def timeline(actor: Actor, contact_id: int, limit: int = 200) -> list[Item]:
    """The contact's timeline (``responses.view``), newest first, at most ``limit`` items."""
    actor.require(Perm.RESPONSES_VIEW)
    scope = actor.scope
    contact = directory.get_contact_in(scope, contact_id)
    items: list[Item] = []
    for inv in distribution.invitations_of(actor, contact.pk, limit):
        items.append(
            Item(
                "invitation",
                inv.created_at,
                inv.survey_title,
                {
                    "channel": inv.channel,
                    "status": inv.status,
                    "status_label": inv.status_label,
                    "touchpoint": inv.touchpoint,
                    "response_id": inv.response_id,
                },
            )
        )
    responses = list(
        door.responses(scope).filter(contact=contact).select_related("survey").order_by("-started_at")[:limit]
    )
    scores: dict[int, dict[str, float]] = {}
    for rid, qid, qtype, number in (
        door.answers(scope)
        .filter(response_id__in=[r.pk for r in responses], qtype__in=SCORE_TYPES, value_number__isnull=False)
        .values_list("response_id", "question_id", "qtype", "value_number")
    ):
        scores.setdefault(rid, {})[qtype if qtype != "rating" else qid] = number
    for r in responses:
        items.append(
            Item(
                "response",
                r.completed_at or r.started_at,
                r.survey.title,
                {
                    "response_id": r.pk,
                    "channel": r.channel,
                    "touchpoint": r.touchpoint,
                    "status": r.status,
                    "scores": scores.get(r.pk, {}),
                },
            )
        )
        for row in comments.response_comments(actor, r.pk).rows:
            items.append(
                Item(
                    "comment",
                    row.answered_at,
                    row.text,
                    {
                        "response_id": r.pk,
                        "sentiment": row.sentiment,
                        "topics": [t.label for t in row.topics if t.kind != "flag"],
                        "flags": sorted({f.get("kind", "") for f in row.flags} - {""}),
                    },
                )
            )
    for alert in alerts.alerts_on(actor, [r.pk for r in responses]):
        items.append(
            Item(
                "alert",
                alert.fired_at,
                alert.rule_name,
                {"response_id": alert.response_id, "rule": alert.rule_key},
            )
        )
    for e in contact_events.events_of(scope, contact.pk, limit):
        items.append(
            Item(
                "event",
                e.occurred_at,
                e.type,
                {
                    "amount": float(e.amount) if e.amount is not None else None,
                    "currency": e.currency,
                    "channel": e.channel,
                    "unit": e.unit.code if e.unit else "",
                    "external_id": e.external_id,
                    "attributes": e.attributes,
                },
            )
        )
    for m in merging.merges_of(scope, contact):
        items.append(
            Item(
                "merge",
                m.created_at,
                m.merged.external_id,
                {"merge_id": m.pk, "undone": m.undone_at is not None, "by": m.actor_label},
            )
        )
    for case in cases.cases_of(scope, contact.pk, limit):
        facts = {"case_id": case.pk, "open": case.is_open, "state_label": case.state_label}
        items.append(
            Item(
                "case",
                case.opened_at,
                case.title or "",
                {**facts, "source": case.source_label, "priority": case.priority_label},
            )
        )
        for change in case.changes:
            root_cause = case.root_cause if change.to_state != "reopened" else ""
            items.append(
                Item(
                    "case_state",
                    change.at,
                    change.label,
                    {**facts, "to_state": change.to_state, "root_cause": root_cause},
                )
            )
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]
