"""Distribution and collection: channels, invitations and their delivery log, triggers, contact rules.

- ``Distribution``: one way a survey reaches people (a public link, a QR code, e-mail, SMS, a
  messenger, a website intercept, a mobile app) with its link settings and reminders.
- ``Invitation``: one contact invited through one distribution; its signed personal link is
  single-use (one response) and expires. ``DeliveryEvent`` is its log (queued, sent, failed,
  opened, started, completed, reminded, bounced, complained, unsubscribed).
- ``Trigger``: an event name ("order_delivered") bound to a distribution, with sampling and a
  per-survey contact-frequency cap; ``Policy`` holds the organization-wide cap and send rates.
- ``Event``: each event received through the API and what came of it.
- ``Messenger``: a configured SMS / WeChat / WeCom / DingTalk / webhook provider.
- ``Suppression``: addresses that bounced, complained or unsubscribed; nothing is sent to them.
- ``InboundMessage``: replies received through a messenger (opt-outs such as "TD" or "STOP", others).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel
from openxm.crypto import EncryptedJSONField


class Channel(models.TextChoices):
    LINK = "link", _("Public link")
    QR = "qr", _("QR code")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    WEBHOOK = "webhook", _("Webhook")
    INTERCEPT = "intercept", _("Website intercept")
    APP = "app", _("Mobile app")


#: Channels whose invitations go to one contact (personal links); the others are anonymous.
PERSONAL_CHANNELS = frozenset({"email", "sms", "wechat", "wecom", "dingtalk", "webhook"})
MESSENGER_CHANNELS = frozenset({"sms", "wechat", "wecom", "dingtalk", "webhook"})


class Messenger(TenantModel):
    """A message provider the organization configured (see ``providers.py`` for each kind's config)."""

    kind = models.CharField(max_length=16, choices=[(c, c) for c in sorted(MESSENGER_CHANNELS)])
    name = models.CharField(max_length=200)
    # Tokens and app secrets: encrypted at rest (openxm.crypto, OPENXM_ENCRYPTION_KEYS).
    config = EncryptedJSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Distribution(TenantModel):
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    name = models.CharField(max_length=200)
    touchpoint = models.CharField(max_length=64, blank=True, help_text="Defaults to the survey's touchpoint")
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    messenger = models.ForeignKey(
        Messenger, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden = models.JSONField(default=dict, blank=True, help_text="Hidden-field values every response gets")
    link_days = models.PositiveIntegerField(default=30, help_text="Days a personal link stays valid")
    reminder_after_days = models.PositiveIntegerField(default=3)
    max_reminders = models.PositiveSmallIntegerField(default=1)
    one_response_per_contact = models.BooleanField(default=False)
    # Channel-specific options: e-mail subject/intro, intercept rules and allowed origins.
    options = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Policy(TenantModel):
    """Organization-wide contact rules and send rates (one row per organization)."""

    contact_cap_days = models.PositiveIntegerField(
        default=7, help_text="At most one invitation per contact in this many days, across all surveys"
    )
    emails_per_minute = models.PositiveIntegerField(default=120)
    messages_per_minute = models.PositiveIntegerField(default=120)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_distribution_policy")]


class Trigger(TenantModel):
    """An event bound to a distribution: "order_delivered" invites through the purchase survey's e-mail."""

    event = models.SlugField(max_length=64)
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="+")
    sample_percent = models.FloatField(default=100.0)
    survey_cap_days = models.PositiveIntegerField(
        default=30, help_text="At most one invitation per contact to this survey in this many days"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.event


class Event(TenantModel):
    class Outcome(models.TextChoices):
        INVITED = "invited", _("Invited")
        SAMPLED_OUT = "sampled_out", _("Not sampled")
        CAPPED_SURVEY = "capped_survey", _("Asked recently (this survey)")
        CAPPED_GLOBAL = "capped_global", _("Asked recently (any survey)")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        NO_ADDRESS = "no_address", _("No address for the channel")
        NO_TRIGGER = "no_trigger", _("No trigger for this event")
        ANSWERED = "answered", _("Already answered")

    name = models.SlugField(max_length=64)
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attributes = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    invitation = models.ForeignKey(
        "Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="uniq_event_idempotency",
            )
        ]


class Invitation(TenantModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        OPENED = "opened", _("Opened link")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        SUPPRESSED = "suppressed", _("Not sent (suppressed)")

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    touchpoint = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=254, blank=True, help_text="E-mail, phone or messenger id used")
    language = models.CharField(max_length=10, blank=True)
    hidden = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    nonce = models.CharField(max_length=24)
    expires_at = models.DateTimeField()
    response = models.ForeignKey(
        "surveys.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(
        null=True, blank=True, help_text="A scheduled send: not before this time (None: at once)"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "contact", "created_at"]),
            models.Index(fields=["organization", "status", "created_at"]),
            models.Index(fields=["organization", "distribution", "status"]),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.channel}, {self.status})"


class DeliveryEvent(TenantModel):
    """One line of an invitation's delivery log."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        OPENED = "opened", _("Opened link")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")
        REMINDED = "reminded", _("Reminder sent")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        SUPPRESSED = "suppressed", _("Suppressed")
        THROTTLED = "throttled", _("Delayed by the send rate")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Suppression(TenantModel):
    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Bounced")
        COMPLAINT = "complaint", _("Complained")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")

    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "address"], name="uniq_suppression")]


class InboundMessage(TenantModel):
    """A message a contact sent back through a messenger (an SMS reply): an opt-out ("TD",
    "退订", "STOP") or any other reply, which is kept here and otherwise ignored."""

    class Outcome(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        REPLY = "reply", _("Reply (kept, no action)")
        UNKNOWN_SENDER = "unknown_sender", _("Opt-out from an unknown number")

    messenger = models.ForeignKey(Messenger, null=True, on_delete=models.SET_NULL, related_name="+")
    sender = models.CharField(max_length=128, help_text="As the provider gave it")
    phone = models.CharField(max_length=32, blank=True, db_index=True, help_text="Normalised number")
    text = models.TextField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    contacts = models.PositiveIntegerField(default=0, help_text="Contacts the sender matched")
    provider_id = models.CharField(max_length=128, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["messenger", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="uniq_inbound_provider_id",
            )
        ]
