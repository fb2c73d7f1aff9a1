"""Evaluating rules on stored responses, with each rule's owner's scope, and firing alerts.

* Score/answer rules run once the transaction that stored the responses commits
  (``surveys.signals.responses_recorded``); rules reading sentiment, topics or flags run once
  the text analysis of those responses is written (``comments.signals.analyses_written``).
* A rule sees a response only through its owner's scope (:func:`owner_actor`): a rule of a store
  manager limited to a unit never fires on other units' responses, and what it reads and sends
  (comments, hidden fields, contact attributes) is redacted unless the owner may see personal
  data. A rule whose owner left the organization, or whose key was revoked, fires no more.
* Responses imported from files are history: rules do not fire on them (back-test instead).
  Text rules act only on responses stored in the last three days, so re-analysing old comments
  with a new taxonomy does not alert on them.
* Whether an organization has enabled rules of a kind is remembered per process for two seconds
  (a response of an organization without rules costs no query); a rule saved in another process
  acts on the responses stored there from at most that long after.
* ``Alert`` is unique per (rule, response): evaluating twice (a retried task, a re-analysis)
  never fires twice.

Excluded: what an alert does once it fired (``actions.py``), the back-test (``backtest.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import NotFound
from openxm.accounts.roles import Role
from openxm.accounts.scope import Scope, unit_tree
from openxm.comments import services as comments
from openxm.customers import segments as contact_segments
from openxm.surveys import door
from openxm.surveys.definition.rule_conditions import (
    ResponseFacts,
    TextFacts,
    evaluate_rule,
    reads_segments,
)
from openxm.utils.ttl import TTLCache

from .models import Alert, Rule

log = logging.getLogger(__name__)
SCORE_TYPES = ("nps", "csat", "ces")
TEXT_FRESH_DAYS = 3


def owner_actor(organization, owner_user=None, owner_key=None, owned: bool = False) -> Actor | None:
    """Who a rule (or webhook) acts as: its owner with their current role and unit, the
    organization itself for a rule without owner (applied by the server's operator), or None
    when the owner is gone (membership removed, key revoked)."""
    if owner_key is not None:
        if owner_key.revoked_at is not None:
            return None
        return Actor(organization, Role(owner_key.role), "task", api_key=owner_key, unit_id=owner_key.unit_id)
    if owner_user is not None:
        try:
            return accounts.actor_for_user(owner_user, organization, via="task")
        except NotFound:
            return None
    return None if owned else Actor(organization, Role.OWNER, "task")


def rule_actor(rule: Rule) -> Actor | None:
    return owner_actor(rule.organization, rule.owner_user, rule.owner_key, rule.owned)


def _ancestors(organization) -> dict[int, frozenset[str]]:
    rows = unit_tree(organization)
    by_id = {pk: (code, parent) for pk, code, parent in rows}
    found = {}
    for pk in by_id:
        codes, cur = [], pk
        while cur is not None and cur in by_id and len(codes) <= len(by_id):
            codes.append(by_id[cur][0])
            cur = by_id[cur][1]
        found[pk] = frozenset(codes)
    return found


def load_facts(
    scope: Scope, responses: list, with_text: bool, with_segments: bool = False
) -> dict[int, ResponseFacts]:
    """The facts of these responses (already read through the door with ``scope``), redacted
    as the scope may see them; text findings only when ``with_text``, the contacts' saved
    segments (inside the scope) only when ``with_segments``."""
    ids = [r.pk for r in responses]
    types: dict[int, dict[str, str]] = {}
    scores: dict[int, dict[str, float]] = {}
    rows = (
        door.answers(scope)
        .filter(response_id__in=ids)
        .order_by("pk")
        .values_list("response_id", "question_id", "qtype", "value_number")
    )
    for rid, qid, qtype, number in rows:
        types.setdefault(rid, {})[qid] = qtype
        if qtype in SCORE_TYPES and number is not None:
            scores.setdefault(rid, {}).setdefault(qtype, number)
    units = _ancestors(scope.organization) if any(r.unit_id for r in responses) else {}
    text = comments.text_findings(scope, ids) if with_text else {}
    member = contact_segments.memberships(scope, [r.contact_id for r in responses]) if with_segments else {}
    facts = {}
    for r in responses:
        contact = door.contact_view(scope, r.contact) or {}
        found = text.get(r.pk)
        facts[r.pk] = ResponseFacts(
            answers=door.answers_view(scope, r.answers or {}, types.get(r.pk, {})),
            scores=scores.get(r.pk, {}),
            hidden=door.hidden_view(scope, r.hidden),
            contact=contact.get("attributes", {}),
            touchpoint=r.touchpoint,
            channel=r.channel,
            language=r.language,
            units=units.get(r.unit_id, frozenset()),
            text=TextFacts(frozenset(found[0]), frozenset(found[1]), frozenset(found[2])) if found else None,
            segments=member.get(r.contact_id, frozenset()),
        )
    return facts


def matching(rule: Rule, scope: Scope, responses: list) -> list:
    """The responses (read with ``scope``) on which the rule's condition holds."""
    facts = load_facts(scope, responses, rule.reads_text, reads_segments(rule.condition))
    return [r for r in responses if evaluate_rule(rule.condition, facts[r.pk])]


def _scoped(scope: Scope, response_ids: Iterable[int], text: bool) -> list:
    """The complete responses among ``response_ids`` inside the scope that rules act on: not
    imported from a file (history is back-tested, not alerted), and for text rules stored in the
    last ``TEXT_FRESH_DAYS`` days (a re-analysis of old comments must not alert on them)."""
    qs = door.responses(scope).filter(pk__in=list(response_ids), status="complete")
    if text:
        qs = qs.filter(created_at__gte=timezone.now() - timedelta(days=TEXT_FRESH_DAYS))
    # Filtered here, not in SQL: a JSON key missing from `meta` makes NOT (… = 'import') unknown.
    rows = qs.select_related("survey", "contact", "unit").order_by("pk")
    return [r for r in rows if (r.meta or {}).get("source") != "import"]


def evaluate_responses(organization, response_ids: list[int], text: bool, email: bool = True) -> int:
    """Evaluate the organization's enabled rules of one kind (``text``: rules reading text
    analytics, else the others) on these responses; returns how many alerts fired.
    ``email=False`` fills inboxes without sending e-mail (the demo replaying its history)."""
    from .actions import fire

    fired = 0
    rules = Rule.objects.for_org(organization).filter(enabled=True, reads_text=text)
    for rule in rules.select_related("owner_user", "owner_key"):
        actor = rule_actor(rule)
        if actor is None:
            continue
        for response in matching(rule, actor.scope, _scoped(actor.scope, response_ids, text)):
            try:
                with transaction.atomic():
                    alert = Alert.objects.for_org(organization).create(
                        organization=organization, rule=rule, response=response
                    )
            except IntegrityError:  # fired before for this response: once per rule and response
                continue
            fire(rule, alert, actor, response, email=email)
            fired += 1
    return fired


# The kinds of enabled rules (``reads_text`` False/True) an organization has, per process for a
# few seconds: most stored responses meet no rule of their kind, and asking costs a query after
# every storing transaction. Saving or deleting a rule in this process forgets the entry (at
# once and when that transaction commits); another process sees a new or re-enabled rule within
# RULE_KINDS_CACHE_SECONDS, so responses it stores in that time are not evaluated by that rule.
RULE_KINDS_CACHE_SECONDS = 2
_rule_kinds = TTLCache(RULE_KINDS_CACHE_SECONDS, maxsize=4096)


def _has_rules(organization, text: bool) -> bool:
    kinds = _rule_kinds.get(organization.pk)
    if kinds is None:
        enabled = Rule.objects.for_org(organization).filter(enabled=True)
        kinds = frozenset(enabled.order_by().values_list("reads_text", flat=True).distinct())
        _rule_kinds.set(organization.pk, kinds)
    return text in kinds


def forget_rules(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` receiver of Rule (connected in ``AlertsConfig.ready``)."""
    _rule_kinds.discard(instance.organization_id)
    transaction.on_commit(lambda: _rule_kinds.discard(instance.organization_id))


def _evaluate_after_commit(organization, response_ids: list[int], text: bool) -> None:
    def run() -> None:
        try:
            if _has_rules(organization, text):
                evaluate_responses(organization, response_ids, text)
        except Exception:  # alerts are derived work: never undo or fail the stored response
            log.exception(
                "alert rules on %s responses of organization %s failed", len(response_ids), organization.pk
            )

    transaction.on_commit(run, robust=True)


def on_responses_recorded(sender, recorded, **kwargs) -> None:
    """``responses_recorded``: evaluate score/answer rules once the transaction commits."""
    by_org: dict[int, tuple] = {}
    for response, _answers in recorded:
        if response.status == "complete":
            by_org.setdefault(response.organization_id, (response.organization, []))[1].append(response.pk)
    for organization, ids in by_org.values():
        _evaluate_after_commit(organization, ids, text=False)


def on_analyses_written(sender, organization, response_ids, **kwargs) -> None:
    """``analyses_written``: evaluate text rules once the analyses are committed."""
    if response_ids:
        _evaluate_after_commit(organization, list(response_ids), text=True)
