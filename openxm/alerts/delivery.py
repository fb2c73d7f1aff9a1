"""Sending webhook deliveries: one attempt at a time, retries with exponential backoff, the
delivery log, WeCom's rate limit, and switching a failing webhook off.

* :func:`start` runs the first attempt in the background (``openxm.jobs.dispatch``: a Celery
  worker with a broker, a thread of the web process without one, inline in tests and the CLI).
* A failed attempt (network error, refused address, any status outside 2xx) is logged as a
  ``DeliveryAttempt`` and retried after ``RETRY_DELAYS`` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
  10 h: the schedule Standard Webhooks recommends) by :func:`deliver_due`, the periodic job; the
  same ``webhook-id`` is sent every time, with a fresh timestamp and signature.
* After ``DISABLE_AFTER`` failed attempts in a row a webhook is switched off and its owner gets
  a notice in their inbox; a success resets the count.
* WeCom group bots take at most 20 messages a minute: beyond that, deliveries wait and are then
  sent merged into one message.

Excluded: building the event (``actions.py``), signing (``formats.py``), the socket
(``transport.py``).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts import services as accounts
from openxm.jobs import dispatch

from . import formats, transport
from .models import Delivery, DeliveryAttempt, InboxItem, Webhook

log = logging.getLogger(__name__)
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = 15
WECOM_PER_MINUTE = 20


def allowed_networks() -> tuple:
    return transport.parse_networks(getattr(settings, "OPENXM_WEBHOOK_ALLOWED_NETWORKS", "") or "")


def message_for(webhook: Webhook, event: dict) -> formats.Message:
    """The human-readable rendering of an event, in the organization's language."""
    data = event.get("data", {})
    with translation.override(webhook.organization.default_language or settings.LANGUAGE_CODE):
        if event.get("type") == "alert.test":
            return formats.Message(event, _("openxm test message"), [_("This webhook works.")])
        if event.get("type", "").startswith("case."):
            # Written by the cases app in the organisation's language: title, lines and links.
            links = data.get("links") or {}
            return formats.Message(
                event,
                data.get("title", ""),
                data.get("lines", []),
                links.get("open", {}).get("url", ""),
                links.get("open", {}).get("label", ""),
                [(links[k]["label"], links[k]["url"]) for k in ("claim", "close") if k in links],
            )
        if event.get("type") == "alert.digest":
            title = _("openxm: %(n)s alerts held back") % {"n": data.get("count", 0)}
            lines = []
            for item in data.get("alerts", []):
                scores = " · ".join(f"{k.upper()} {v}" for k, v in (item.get("scores") or {}).items())
                url = item.get("response", {}).get("url", "")
                lines.append(f"{item.get('rule', {}).get('name', '')}: {scores} {url}".strip())
            return formats.Message(event, title, lines)
        if str(event.get("type", "")).startswith("episode."):
            return _episode_message(event, data)
        title = _("openxm alert: %(rule)s") % {"rule": data.get("rule", {}).get("name", "")}
        lines = [_("Survey: %(survey)s") % {"survey": data.get("survey", {}).get("title", "")}]
        scores = data.get("scores") or {}
        if scores:
            lines.append(" · ".join(f"{k.upper()} {v}" for k, v in scores.items()))
        where = " / ".join(x for x in (data.get("unit"), data.get("touchpoint")) if x)
        if where:
            lines.append(where)
        if data.get("comment"):
            lines.append("> " + data["comment"])
        return formats.Message(
            event, title, lines, data.get("response", {}).get("url", ""), _("Open the response")
        )


def _episode_message(event: dict, data: dict) -> formats.Message:
    """An ``episode.*`` event as a chat message (in the active language)."""
    from .models import Episode, EpisodeNotice
    from .notifying import how_sure

    kind = dict(Episode.Kind.choices).get(data.get("kind"), data.get("kind", ""))
    dimension = dict(Episode.Dimension.choices).get(data.get("dimension"), "")
    state = dict(EpisodeNotice.Event.choices).get(data.get("event"), "")
    title = _("openxm early warning: %(where)s · %(kind)s (%(state)s)") % {
        "where": f"{dimension} {data.get('label', '')}".strip(),
        "kind": kind,
        "state": state,
    }
    url = data.get("episode", {}).get("url", "")
    return formats.Message(event, title, [how_sure(data)], url, _("Open the evidence"))


def _merged(webhook: Webhook, messages: list[formats.Message]) -> formats.Message:
    if len(messages) == 1:
        return messages[0]
    with translation.override(webhook.organization.default_language or settings.LANGUAGE_CODE):
        title = _("openxm: %(n)s alerts") % {"n": len(messages)}
    lines = []
    for m in messages:
        lines.append(f"**{m.title}**")
        lines.extend(m.lines)
        if m.link:
            lines.append(m.link)
    return formats.Message({"type": "alert.batch"}, title, lines)


def start(delivery: Delivery) -> None:
    from .tasks import deliver_task

    dispatch(deliver_task, delivery.organization_id, delivery.pk)


def _wecom_wait(webhook: Webhook, now) -> timezone.datetime | None:
    """When the bot may take the next message, or None when it may now."""
    since = now - timedelta(seconds=60)
    recent = list(
        DeliveryAttempt.objects.for_org(webhook.organization)
        .filter(delivery__webhook=webhook, at__gt=since)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(recent) < WECOM_PER_MINUTE:
        return None
    return recent[len(recent) - WECOM_PER_MINUTE] + timedelta(seconds=60)


def _notify_disabled(webhook: Webhook) -> None:
    if webhook.owner_user_id:
        InboxItem.objects.for_org(webhook.organization).create(
            organization=webhook.organization,
            user_id=webhook.owner_user_id,
            kind=InboxItem.Kind.WEBHOOK_DISABLED,
            webhook=webhook,
        )


def _record_outcome(webhook: Webhook, ok: bool, reason: str) -> None:
    if ok:
        Webhook.objects.for_org(webhook.organization).filter(pk=webhook.pk).update(consecutive_failures=0)
        return
    webhook.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if webhook.enabled and webhook.consecutive_failures >= DISABLE_AFTER:
        webhook.enabled = False
        webhook.disabled_reason = reason[:300]
        fields += ["enabled", "disabled_reason"]
        _notify_disabled(webhook)
    webhook.save(update_fields=fields)


def attempt(delivery: Delivery, now=None) -> DeliveryAttempt | None:
    """One try of a pending delivery (with the waiting WeCom deliveries of the same bot merged
    in); returns the logged attempt, or None when it is not due or must wait for WeCom."""
    now = now or timezone.now()
    webhook = delivery.webhook
    if delivery.status != Delivery.Status.PENDING:
        return None
    # A test is sent once and never counts towards switching off; digests, early-warning and
    # case events (no alert either) are retried like alerts.
    test = delivery.event.get("type") == "alert.test"
    if not webhook.enabled and not test:
        return None
    batch = [delivery]
    if webhook.format == Webhook.Format.WECOM:
        wait = _wecom_wait(webhook, now)
        if wait is not None:
            Delivery.objects.for_org(delivery.organization).filter(pk=delivery.pk).update(
                next_attempt_at=wait
            )
            return None
        batch += list(
            Delivery.objects.for_org(delivery.organization)
            .filter(webhook=webhook, status=Delivery.Status.PENDING, attempts=0, alert__isnull=False)
            .exclude(pk=delivery.pk)
            .order_by("pk")[:50]
        )
    message = _merged(webhook, [message_for(webhook, d.event) for d in batch])
    request = formats.render(
        webhook.format, webhook.url, webhook.secret, message, delivery.message_id, time.time()
    )
    status, excerpt, duration = None, "", 0
    try:
        answer = transport.post(request.url, request.headers, request.body, allowed=allowed_networks())
        status, excerpt, duration = answer.status, answer.excerpt, answer.duration_ms
        ok = 200 <= answer.status < 300
    except (transport.Refused, OSError) as exc:
        ok, excerpt = False, f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        logged = None
        for d in batch:
            d.attempts += 1
            row = DeliveryAttempt.objects.for_org(d.organization).create(
                organization=d.organization,
                delivery=d,
                number=d.attempts,
                at=now,
                status_code=status,
                duration_ms=duration,
                excerpt=excerpt,
                ok=ok,
            )
            logged = logged or row
            if ok:
                d.status, d.next_attempt_at = Delivery.Status.DELIVERED, None
            elif test or d.attempts >= MAX_ATTEMPTS:
                d.status, d.next_attempt_at = Delivery.Status.FAILED, None
            else:
                d.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS[d.attempts - 1])
            d.save(update_fields=["attempts", "status", "next_attempt_at"])
        if not test:
            _record_outcome(webhook, ok, excerpt or str(status))
    return logged


def deliver_one(org_id: int, delivery_id: int) -> str:
    for organization in accounts.organizations(org_id):
        d = (
            Delivery.objects.for_org(organization)
            .select_related("webhook", "webhook__organization")
            .filter(pk=delivery_id)
            .first()
        )
        if d is not None:
            attempt(d)
            return d.status
    return "missing"


def deliver_due(now=None) -> int:
    """Attempt every pending delivery whose time has come (the periodic job); returns how many."""
    now = now or timezone.now()
    done = 0
    for organization in accounts.organizations():
        due = (
            Delivery.objects.for_org(organization)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .select_related("webhook", "webhook__organization")
            .order_by("next_attempt_at", "pk")[:200]
        )
        for d in due:
            d.refresh_from_db(fields=["status", "attempts"])  # a merged WeCom batch may have sent it
            if attempt(d, now) is not None:
                done += 1
    return done
