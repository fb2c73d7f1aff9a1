"""Alert services: rules and webhooks (as code and one at a time), back-tests, test messages,
the delivery log and members' inboxes. The web pages, the API and the CLI call these.

Permissions: reading one's inbox needs ``dashboards.view``; everything that defines or tests
rules and webhooks needs ``alerts.manage``. A rule or webhook saved by a member (or key) is
owned by them: it is evaluated with their scope (``evaluate.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.surveys import door
from openxm.surveys.definition.rule_conditions import reads_text

from . import code, delivery
from .actions import event_for, new_message_id
from .evaluate import matching
from .models import Alert, Delivery, DeliveryAttempt, InboxItem, Rule, Webhook


class InvalidDocument(InvalidInput):
    """A rules document with problems: nothing was applied. ``problems`` lists them all."""

    def __init__(self, problems: list[code.Problem]):
        self.problems = problems
        super().__init__("document", "; ".join(str(p) for p in problems))


@dataclass
class Plan:
    """What applying a document does (or did): (action, kind, key) with action create/update/same."""

    changes: list[tuple[str, str, str]] = field(default_factory=list)
    dry_run: bool = False


def _owner(actor: Actor, model) -> dict:
    if model is Webhook:  # a webhook's owner is told when it is switched off
        return {"owner_user": actor.user}
    return {
        "owner_user": actor.user,
        "owner_key": actor.api_key,
        "owned": actor.user is not None or actor.api_key is not None,
    }


def _upsert(model, actor: Actor, key: str, values: dict, kind: str, plan: Plan, dry_run: bool) -> None:
    row = model.objects.for_org(actor.organization).filter(key=key).first()
    if row is None:
        plan.changes.append(("create", kind, key))
        if not dry_run:
            model.objects.for_org(actor.organization).create(
                organization=actor.organization, key=key, **values, **_owner(actor, model)
            )
        return
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    plan.changes.append(("update" if changed else "same", kind, key))
    if changed and not dry_run:
        for k, v in changed.items():
            setattr(row, k, v)
        if model is Rule:
            row.updated_at = timezone.now()
            changed["updated_at"] = row.updated_at
        row.save(update_fields=list(changed))


def apply_document(actor: Actor, text: str, fmt: str = "auto", dry_run: bool = False) -> Plan:
    """Create or update (by key) the document's webhooks and rules, all or nothing."""
    actor.require(Perm.ALERTS_MANAGE)
    try:
        doc = code.parse(text, fmt)
    except ValueError as exc:
        raise InvalidDocument(
            [code.Problem("", "", _("not valid YAML or JSON: %(e)s") % {"e": exc})]
        ) from exc
    existing = set(Webhook.objects.for_org(actor.organization).values_list("key", flat=True))
    problems = code.check(doc, existing)
    if problems:
        raise InvalidDocument(problems)
    plan = Plan(dry_run=dry_run)
    with transaction.atomic():
        for item in doc.get("webhooks") or []:
            values = {
                "format": item.get("format", "standard"),
                "url": item["url"],
                "early_warning": item.get("early_warning", False),
            }
            if item.get("secret"):
                values["secret"] = code.secrets_of(item["secret"])
            if "enabled" in item:
                values["enabled"] = item["enabled"]
                if item["enabled"]:
                    values.update(consecutive_failures=0, disabled_reason="")
            _upsert(Webhook, actor, item["key"], values, "webhook", plan, dry_run)
        for item in doc.get("rules") or []:
            values = {
                "name": item["name"].strip(),
                "condition": item["when"],
                "actions": item["actions"],
                "reads_text": reads_text(item["when"]),
                "enabled": item.get("enabled", True),
                "limit_per_hour": item.get("limit_per_hour"),
                "urgent": item.get("urgent", False),
            }
            _upsert(Rule, actor, item["key"], values, "rule", plan, dry_run)
        if not dry_run:
            audit.record(actor, "alerts.applied", data={"changes": [list(c) for c in plan.changes]})
    return plan


def export_document(actor: Actor, fmt: str = "yaml") -> str:
    actor.require(Perm.ALERTS_MANAGE)
    org = actor.organization
    return code.dump(
        code.document(
            Webhook.objects.for_org(org).order_by("key"), Rule.objects.for_org(org).order_by("key")
        ),
        fmt,
    )


# --- Rules ------------------------------------------------------------------------------------


def _by_key(model, actor: Actor, key: str | None = None):
    """All rows of ``model`` by key, or the one with ``key`` (NotFound); needs alerts.manage."""
    actor.require(Perm.ALERTS_MANAGE)
    rows = model.objects.for_org(actor.organization).order_by("key")
    if key is None:
        return list(rows)
    row = rows.filter(key=key).first()
    if row is None:
        raise NotFound("rule" if model is Rule else "webhook", key)
    return row


def list_rules(actor: Actor) -> list[Rule]:
    return _by_key(Rule, actor)


def get_rule(actor: Actor, key: str) -> Rule:
    return _by_key(Rule, actor, key)


def save_rule(
    actor: Actor, key: str, name: str, when, actions: list, limit_per_hour=None, urgent: bool = False
) -> Plan:
    """One rule from the UI or the API: the same checks and upsert as a document."""
    import json

    item = {"key": key, "name": name, "when": when, "actions": actions, "urgent": urgent}
    if limit_per_hour not in (None, ""):
        item["limit_per_hour"] = limit_per_hour
    doc = {"rules": [item]}
    return apply_document(actor, json.dumps(doc), "json")


def set_rule_enabled(actor: Actor, key: str, enabled: bool) -> Rule:
    rule = get_rule(actor, key)
    rule.enabled = enabled
    rule.save(update_fields=["enabled"])
    audit.record(
        actor,
        "alerts.rule_enabled" if enabled else "alerts.rule_disabled",
        target_type="rule",
        target_id=rule.pk,
    )
    return rule


@dataclass(frozen=True)
class BacktestHit:
    response_id: int
    at: str
    survey: str
    touchpoint: str
    unit: str


@dataclass(frozen=True)
class Backtest:
    days: int
    count: int
    examined: int
    hits: list[BacktestHit]


BACKTEST_CHUNK = 500
BACKTEST_LIST = 100


def backtest(actor: Actor, when, days: int = 30, reads: bool | None = None) -> Backtest:
    """How often a condition would have fired on the complete responses of the last ``days``
    days that the actor may see, with the most recent hits (up to 100)."""
    actor.require(Perm.ALERTS_MANAGE)
    from openxm.surveys.definition.rule_conditions import check_rule_condition

    problems = check_rule_condition(when, ("when",))
    if problems:
        raise InvalidInput(problems[0][0], problems[0][1])
    if not 1 <= days <= 366:
        raise InvalidInput("days", _("must be between 1 and 366"))
    probe = Rule(
        organization=actor.organization,
        condition=when,
        reads_text=reads_text(when) if reads is None else reads,
    )
    since = timezone.now() - timedelta(days=days)
    ids = list(
        door.responses(actor.scope)
        .filter(status="complete", completed_at__gte=since)
        .order_by("-completed_at", "-pk")
        .values_list("pk", flat=True)
    )
    hits: list[BacktestHit] = []
    count = 0
    for start in range(0, len(ids), BACKTEST_CHUNK):
        chunk = list(
            door.responses(actor.scope)
            .filter(pk__in=ids[start : start + BACKTEST_CHUNK])
            .select_related("survey", "contact", "unit")
            .order_by("-completed_at", "-pk")
        )
        for r in matching(probe, actor.scope, chunk):
            count += 1
            if len(hits) < BACKTEST_LIST:
                hits.append(
                    BacktestHit(
                        r.pk,
                        r.completed_at.isoformat(),
                        r.survey.key,
                        r.touchpoint,
                        r.unit.code if r.unit_id else "",
                    )
                )
    return Backtest(days, count, len(ids), hits)


def backtest_rule(actor: Actor, key: str, days: int = 30) -> Backtest:
    rule = get_rule(actor, key)
    return backtest(actor, rule.condition, days, rule.reads_text)


def recent_alerts(actor: Actor, key: str, limit: int = 50) -> list[Alert]:
    """The rule's latest alerts on responses the actor may see."""
    rule = get_rule(actor, key)
    visible = door.responses(actor.scope).values("pk")
    return list(Alert.objects.for_org(actor.organization).filter(rule=rule, response__in=visible)[:limit])


# --- Webhooks ---------------------------------------------------------------------------------


def list_webhooks(actor: Actor) -> list[Webhook]:
    return _by_key(Webhook, actor)


def get_webhook(actor: Actor, key: str) -> Webhook:
    return _by_key(Webhook, actor, key)


def save_webhook(actor: Actor, key: str, fmt: str, url: str, secret: str = "") -> Plan:
    """One webhook from the UI: the same checks and upsert as a document (an empty secret keeps
    the stored one)."""
    import json

    item = {"key": key, "format": fmt, "url": url}
    if secret:
        item["secret"] = secret
    return apply_document(actor, json.dumps({"webhooks": [item]}), "json")


def delivery_log(actor: Actor, key: str, limit: int = 50) -> list[DeliveryAttempt]:
    hook = get_webhook(actor, key)
    return list(
        DeliveryAttempt.objects.for_org(actor.organization)
        .filter(delivery__webhook=hook)
        .select_related("delivery")[:limit]
    )


def send_test(actor: Actor, key: str) -> DeliveryAttempt:
    """Send a test event to the webhook now and return the logged attempt (never retried)."""
    hook = get_webhook(actor, key)
    data = {"webhook": hook.key, "organization": actor.organization.slug}
    d = Delivery.objects.for_org(actor.organization).create(
        organization=actor.organization,
        webhook=hook,
        message_id=new_message_id(),
        event=event_for(data, "alert.test"),
        next_attempt_at=timezone.now(),
    )
    audit.record(actor, "alerts.webhook_tested", target_type="webhook", target_id=hook.pk)
    d.webhook = hook
    return delivery.attempt(d)


# --- Inbox ------------------------------------------------------------------------------------


def _inbox(actor: Actor):
    if actor.user is None:
        return InboxItem.objects.for_org(actor.organization).none()
    return InboxItem.objects.for_org(actor.organization).filter(user=actor.user)


def unread_count(actor: Actor) -> int:
    if not actor.can(Perm.DASHBOARDS_VIEW):
        return 0
    return _inbox(actor).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class InboxRow:
    id: int
    kind: str
    created_at: str
    read: bool
    title: str
    response_id: int | None
    detail: dict


def inbox(actor: Actor, limit: int = 100) -> list[InboxRow]:
    """The actor's inbox, newest first; an alert on a response now outside their scope is left
    out, and each alert is shown as the actor's scope may see it."""
    actor.require(Perm.DASHBOARDS_VIEW)
    rows = []
    visible = set()
    items = list(
        _inbox(actor).select_related("alert", "alert__rule", "webhook", "notice", "notice__episode")[:limit]
    )
    alert_responses = [i.alert.response_id for i in items if i.alert_id]
    if alert_responses:
        visible = set(door.responses(actor.scope).filter(pk__in=alert_responses).values_list("pk", flat=True))
    for item in items:
        if item.alert_id:
            if item.alert.response_id not in visible:
                continue
            summary = item.alert.summary or {}
            detail = {
                "scores": summary.get("scores", {}),
                "survey": summary.get("survey", {}).get("title", ""),
                "comment": door.text_view(actor.scope, summary.get("comment", "")),
            }
            rows.append(
                InboxRow(
                    item.pk,
                    item.kind,
                    item.created_at.isoformat(),
                    item.read_at is not None,
                    item.alert.rule.name,
                    item.alert.response_id,
                    detail,
                )
            )
        elif item.notice_id:
            rows.append(_episode_row(item))
        else:
            title = _("Webhook %(key)s was switched off after repeated failures") % {"key": item.webhook.key}
            rows.append(
                InboxRow(
                    item.pk,
                    item.kind,
                    item.created_at.isoformat(),
                    item.read_at is not None,
                    title,
                    None,
                    {"reason": item.webhook.disabled_reason},
                )
            )
    return rows


def _episode_row(item: InboxItem) -> InboxRow:
    """An early-warning notice in the inbox: where, what and how sure, with its link."""
    from .notifying import how_sure, where

    notice = item.notice
    episode = notice.episode
    title = f"{where(episode)} · {episode.get_kind_display()} ({notice.get_event_display()})"
    detail = {"episode": episode.pk, "event": notice.event, "text": how_sure(notice.data)}
    return InboxRow(
        item.pk, item.kind, item.created_at.isoformat(), item.read_at is not None, title, None, detail
    )


def mark_read(actor: Actor, item_ids: list[int] | None = None) -> int:
    """Mark inbox items (all when ``item_ids`` is None) as read; returns how many changed."""
    actor.require(Perm.DASHBOARDS_VIEW)
    qs = _inbox(actor).filter(read_at__isnull=True)
    if item_ids is not None:
        qs = qs.filter(pk__in=item_ids)
    return qs.update(read_at=timezone.now())
