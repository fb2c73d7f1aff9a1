"""What a fired alert does: the inbox and e-mail of the members it names, and its webhooks.

Every recipient sees the alert only when the response lies inside their own scope, and reads it
as their scope allows (the e-mail's comment is redacted for members without personal-data
rights). The webhook event carries what the rule's owner may see (see ``evaluate.py``).
Included: :func:`fire`, :func:`alert_data`, :func:`event_for`. Excluded: sending webhooks
(``delivery.py``), quiet hours, rate limits and digests (``notifying.py``), and the ``case``
action, which the cases app performs on ``alert_fired``.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.scope import Scope
from openxm.distribution.conf import absolute
from openxm.surveys import door

from . import notifying
from .models import Alert, Delivery, InboxItem, Rule, Webhook
from .signals import alert_fired

log = logging.getLogger(__name__)


def response_link(response_id: int) -> str:
    return absolute(f"/responses/{response_id}/")


def alert_data(rule: Rule, scope: Scope, response) -> dict:
    """The alert as ``scope`` may see it: rule, response id and link, survey, scores, comment."""
    rows = (
        door.answers(scope)
        .filter(response_id=response.pk)
        .order_by("pk")
        .values_list("qtype", "value_number", "value_text")
    )
    scores: dict[str, float] = {}
    comment = ""
    for qtype, number, text in rows:
        if qtype in ("nps", "csat", "ces") and number is not None:
            scores.setdefault(qtype, number)
        elif qtype == "text" and text and not comment:
            comment = door.text_view(scope, text)
    return {
        "rule": {"key": rule.key, "name": rule.name},
        "response": {"id": response.pk, "url": response_link(response.pk)},
        "survey": {"key": response.survey.key, "title": response.survey.title},
        "scores": {k: int(v) if float(v).is_integer() else v for k, v in scores.items()},
        "comment": comment,
        "touchpoint": response.touchpoint,
        "unit": response.unit.code if response.unit_id else "",
        "channel": response.channel,
        "language": response.language,
        "submitted_at": (response.completed_at or response.created_at).isoformat(),
    }


def event_for(data: dict, kind: str = "alert.fired") -> dict:
    return {"type": kind, "timestamp": timezone.now().isoformat(), "data": data}


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def queue_webhooks(rule: Rule, alert: Alert, release=None) -> list[Delivery]:
    """One delivery per enabled webhook the rule names, started in the background; with
    ``release`` (the rule is over its hourly limit) each is held back for the digest instead."""
    from . import delivery

    keys = [a["webhook"] for a in rule.actions if "webhook" in a]
    hooks = Webhook.objects.for_org(rule.organization).filter(key__in=keys, enabled=True)
    made = []
    for hook in hooks:
        if release is not None:
            notifying.hold_webhook(rule, alert, hook, release)
            continue
        made.append(
            Delivery.objects.for_org(rule.organization).create(
                organization=rule.organization,
                webhook=hook,
                alert=alert,
                message_id=new_message_id(),
                event=event_for(alert.summary),
                next_attempt_at=timezone.now(),
            )
        )
    for d in made:
        delivery.start(d)
    return made


def queue_event(organization, webhook_key: str, event: dict) -> Delivery | None:
    """Send an event of another app (``case.opened``…) to the organisation's enabled webhook
    ``webhook_key``, with the same retries and log as an alert; None when there is no such
    webhook or it is switched off."""
    from . import delivery

    hook = Webhook.objects.for_org(organization).filter(key=webhook_key, enabled=True).first()
    if hook is None:
        return None
    made = Delivery.objects.for_org(organization).create(
        organization=organization,
        webhook=hook,
        message_id=new_message_id(),
        event=event,
        next_attempt_at=timezone.now(),
    )
    delivery.start(made)
    return made


def _email(actor: Actor, rule: Rule, data: dict) -> None:
    language = actor.user.language or rule.organization.default_language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Alert: %(rule)s") % {"rule": rule.name}
        lines = [
            _("Rule: %(rule)s") % {"rule": rule.name},
            _("Survey: %(survey)s") % {"survey": data["survey"]["title"]},
        ]
        lines += [f"{k.upper()}: {v}" for k, v in data["scores"].items()]
        if data["comment"]:
            lines.append(_("Comment: %(text)s") % {"text": data["comment"]})
        lines.append(_("Open the response: %(url)s") % {"url": data["response"]["url"]})
    try:
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [actor.user.email])
    except Exception:  # the inbox already holds the alert; a mail server outage must not stop rules
        log.exception("alert e-mail to %s failed", actor.user.email)


def notify(rule: Rule, alert: Alert, response, email: bool = True, release=None) -> int:
    """Inbox item for each member the rule names who may see the response, and an e-mail now
    unless their settings, quiet hours or the rule's limit (``release``) hold it back."""
    emails = [e for a in rule.actions if "notify" in a for e in a["notify"]]
    sent = 0
    now = timezone.now()
    for actor in accounts.member_actors(rule.organization, emails).values():
        if not door.responses(actor.scope).filter(pk=response.pk).exists():
            continue  # outside this member's unit: they are not told it exists
        InboxItem.objects.for_org(rule.organization).create(
            organization=rule.organization, user=actor.user, alert=alert
        )
        if email and not notifying.hold_email(rule, alert, actor, release, now):
            _email(actor, rule, alert_data(rule, actor.scope, response))
        sent += 1
    return sent


def fire(rule: Rule, alert: Alert, owner: Actor, response, email: bool = True) -> None:
    """Record what the alert says (as the owner may see it), then notify and call webhooks —
    or hold them back while the rule is over its hourly limit."""
    alert.summary = alert_data(rule, owner.scope, response)
    alert.save(update_fields=["summary"])
    release = notifying.rate_release(rule, alert, timezone.now())
    notify(rule, alert, response, email, release)
    queue_webhooks(rule, alert, release)
    alert_fired.send(sender=Rule, rule=rule, alert=alert, response=response, owner=owner)
