"""The alerts app's part of data-subject requests (``openxm.personal_data``).

Included: the alerts fired on the subject's responses (their summary is what the rule's owner
saw, personal data included), the inbox items announcing them, the webhook deliveries that
carried them with their attempt logs, and the notifications held back for a digest. Erasure
deletes the alerts in both modes (an anonymised response keeps its scores, but the alert's
summary would still name the person); the inbox items, deliveries and held notifications go with
them (cascade). Excluded (exempt): rules, webhooks, early-warning episodes and their notices and members'
notification settings, which hold no data subject's data.
"""

from __future__ import annotations

from openxm.personal_data import Subject, cascade_hook, exempt, register

from .models import Alert, Delivery, DeliveryAttempt, Held, InboxItem

ALERT = "alerts.Alert"
INBOX = "alerts.InboxItem"
DELIVERY = "alerts.Delivery"
ATTEMPT = "alerts.DeliveryAttempt"
HELD = "alerts.Held"
MODELS = {ALERT: Alert, INBOX: InboxItem, DELIVERY: Delivery, ATTEMPT: DeliveryAttempt, HELD: Held}


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    org = subject.organization
    alerts = list(
        Alert.objects.for_org(org)
        .filter(response_id__in=found["surveys.Response"])
        .values_list("pk", flat=True)
    )
    deliveries = list(Delivery.objects.for_org(org).filter(alert_id__in=alerts).values_list("pk", flat=True))
    return {
        ALERT: alerts,
        INBOX: list(InboxItem.objects.for_org(org).filter(alert_id__in=alerts).values_list("pk", flat=True)),
        HELD: list(Held.objects.for_org(org).filter(alert_id__in=alerts).values_list("pk", flat=True)),
        DELIVERY: deliveries,
        ATTEMPT: list(
            DeliveryAttempt.objects.for_org(org)
            .filter(delivery_id__in=deliveries)
            .values_list("pk", flat=True)
        ),
    }


def register_hook() -> None:
    register(cascade_hook("alerts", MODELS, ALERT, find))
    exempt("alerts.Rule", "an alert rule: its condition and actions")
    exempt("alerts.Webhook", "a webhook's address and signing secret (encrypted)")
    exempt("alerts.Episode", "a touchpoint's weekly score series out of control; no person")
    exempt("alerts.EpisodeNotice", "an episode's transition with its aggregate figures; no person")
    exempt(
        "alerts.NotificationSettings",
        "a member's own notification preferences (quiet hours, digest)",
        staff_fields=("alert_email",),  # a staff member's on/off switch for alert e-mails
    )
