"""Alert rules, the alerts they fired, members' inboxes, webhooks and their delivery log,
members' notification settings, what quiet hours and rate limits held back, and early-warning
episodes.

A ``Rule`` belongs to an owner (a member's user, or an API key; neither for rules applied by
the server's operator): it is evaluated with its owner's scope, so it sees only the responses
and the personal data its owner may see. ``Alert`` is unique per rule and response: a rule
fires at most once for a response, however often it is evaluated. A ``Delivery`` is one alert
(or test message) to one webhook; each try is a ``DeliveryAttempt`` row (the delivery log).
"""

from urllib.parse import urlsplit

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openxm.accounts.tenancy import TenantModel
from openxm.crypto import EncryptedTextField

FORMATS = ("standard", "slack", "feishu", "dingtalk", "wecom")


class Webhook(TenantModel):
    class Format(models.TextChoices):
        STANDARD = "standard", _("Standard Webhooks")
        SLACK = "slack", _("Slack")
        FEISHU = "feishu", _("Feishu")
        DINGTALK = "dingtalk", _("DingTalk")
        WECOM = "wecom", _("WeCom")

    key = models.SlugField(max_length=64)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    url = models.URLField(max_length=1000)
    # Standard: one or more "whsec_…" secrets (space-separated while rotating); Feishu/DingTalk:
    # the bot's signing secret; Slack and WeCom: empty (the URL is the secret). Encrypted at rest.
    secret = EncryptedTextField(blank=True)
    enabled = models.BooleanField(default=True)
    # Subscribed to the early-warning events (episode.opened, .updated, .closed) besides the
    # alerts of the rules that name it.
    early_warning = models.BooleanField(default=False)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    owner_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="uniq_alerts_webhook_key")
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @property
    def shown_url(self) -> str:
        """The URL as pages and the API show it: a chat bot's URL carries its token, so only the
        scheme and host of those are shown."""
        if self.format == self.Format.STANDARD:
            return self.url
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}/…"


class Rule(TenantModel):
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    condition = models.JSONField(help_text="The `when` condition (docs/alerts.md)")
    # [{"webhook": key} | {"notify": [e-mail, …]}] in the order given.
    actions = models.JSONField(default=list, blank=True)
    reads_text = models.BooleanField(default=False, help_text="Evaluated after text analytics")
    enabled = models.BooleanField(default=True)
    # At most this many alerts an hour go out at once per channel (each member's e-mail, each
    # webhook); the rest are held back and sent as one digest when the hour is over.
    limit_per_hour = models.PositiveIntegerField(null=True, blank=True)
    # Urgent rules bypass quiet hours and the rate limit.
    urgent = models.BooleanField(default=False)
    owner_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An owner was given when the rule was saved: when that owner goes, the rule stops firing
    # instead of falling back to the whole organization.
    owned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_alerts_rule_key")]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Alert(TenantModel):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="alerts")
    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="+")
    fired_at = models.DateTimeField(default=timezone.now, db_index=True)
    # What the alert said when it fired, as the rule's owner may see it (the webhook payload).
    summary = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "response"], name="uniq_alerts_alert_once")]
        ordering = ["-fired_at", "-pk"]


class InboxItem(TenantModel):
    """One alert (or notice) in one member's inbox."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        WEBHOOK_DISABLED = "webhook_disabled", _("Webhook switched off")
        EPISODE = "episode", _("Early warning")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ALERT)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(
        "EpisodeNotice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    webhook = models.ForeignKey(Webhook, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "alert"], condition=models.Q(alert__isnull=False), name="uniq_alerts_inbox"
            ),
            models.UniqueConstraint(
                fields=["user", "notice"],
                condition=models.Q(notice__isnull=False),
                name="uniq_alerts_inbox_notice",
            ),
        ]
        indexes = [models.Index(fields=["organization", "user", "read_at"], name="alerts_inbox_unread")]
        ordering = ["-created_at", "-pk"]


class Delivery(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=64, help_text="webhook-id: the same on every retry")
    event = models.JSONField(help_text="The event: type, timestamp and data")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message_id"], name="uniq_alerts_message_id")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alerts_delivery_due")]
        ordering = ["-created_at", "-pk"]


class DeliveryAttempt(TenantModel):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    excerpt = models.CharField(max_length=500, blank=True, help_text="The start of the answer, or the error")
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]


class Episode(TenantModel):
    """One early-warning episode of one series — a touchpoint, a journey stage, a unit (with
    every unit below it) or a comment topic — out of control: its weekly NPS falling (``drop``),
    its responses stopping (``silence``) or surging (``surge``; for a topic: its mentions).
    Opened when the detector alarms, updated while it stays out of control and closed when the
    series is back. ``evidence`` holds the series with its limits and the baseline.
    """

    class Kind(models.TextChoices):
        DROP = "drop", _("Score drop")
        SILENCE = "silence", _("Silence")
        SURGE = "surge", _("Volume surge")

    class Dimension(models.TextChoices):
        TOUCHPOINT = "touchpoint", _("Touchpoint")
        STAGE = "stage", _("Journey stage")
        UNIT = "unit", _("Unit")
        TOPIC = "topic", _("Topic")

    dimension = models.CharField(max_length=12, choices=Dimension.choices, default=Dimension.TOUCHPOINT)
    # The touchpoint key, "journey/stage", the unit code or the topic key.
    subject = models.CharField(max_length=140)
    label = models.CharField(max_length=300, blank=True)
    metric = models.CharField(max_length=16, default="nps")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    opened_at = models.DateField()
    updated_at = models.DateField()
    closed_at = models.DateField(null=True, blank=True)
    evidence = models.JSONField(default=dict)
    # How far out of control it was when members were last told (opened or updated): a later
    # week notifies again only when it is meaningfully worse (analytics.early_warning.worsened).
    notified_severity = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dimension", "subject", "metric", "kind"],
                condition=models.Q(closed_at__isnull=True),
                name="uniq_alerts_open_episode_v2",
            )
        ]
        ordering = ["closed_at", "-opened_at", "-pk"]


class EpisodeNotice(TenantModel):
    """One transition of an episode that members and webhooks are told of: ``opened``,
    ``updated`` (meaningfully worse; numbered 1, 2, …) or ``closed``. Written in the scan's
    transaction with the transition itself, with the inbox items and deliveries it makes: the
    unique constraint keeps it to one per transition however often the scan runs."""

    class Event(models.TextChoices):
        OPENED = "opened", pgettext_lazy("episode event", "Opened")
        UPDATED = "updated", pgettext_lazy("episode event", "Worse")
        CLOSED = "closed", pgettext_lazy("episode event", "Back in control")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=8, choices=Event.choices)
    number = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # The webhook event's data (docs/alerts.md: "Early-warning events").
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "event", "number"], name="uniq_alerts_episode_notice")
        ]
        ordering = ["-created_at", "-pk"]


class NotificationSettings(TenantModel):
    """How one member wants to be told: alert e-mails on or off, quiet hours (in their time
    zone; non-urgent alert e-mails wait until they end) and a daily or weekly digest."""

    class Digest(models.TextChoices):
        NONE = "none", _("No digest")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    alert_email = models.BooleanField(default=True)
    digest = models.CharField(max_length=8, choices=Digest.choices, default=Digest.NONE)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text="Empty: the organization's")
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="uniq_alerts_notification_settings")
        ]


class Held(TenantModel):
    """An alert (or an episode notice) kept back from one channel — a member's e-mail (quiet
    hours, rate limit) or a webhook (rate limit) — until ``release_at``, then sent in one digest
    with the others."""

    class Reason(models.TextChoices):
        QUIET = "quiet", _("Quiet hours")
        RATE = "rate", _("Rate limit")

    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(
        EpisodeNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    webhook = models.ForeignKey(Webhook, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=8, choices=Reason.choices)
    release_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["released_at", "release_at"], name="alerts_held_due")]
        ordering = ["release_at", "pk"]
