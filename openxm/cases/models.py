"""Cases and what they need: calendars, teams, root causes, recovery actions, settings.

A ``Case`` is one customer's problem, opened from an alert rule's ``case`` action, a response
page, the API or by hand. A rule opens at most one case per response (a unique constraint, so
retries and concurrent evaluations cannot make a second); a response opens at most one case
without a rule. Every change is a ``CaseEvent`` (who, when, from, to, why): the SLA clocks are
computed from those events each time they are read (``openxm/analytics/sla.py``), never stored.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel

from .machine import STATES

PRIORITIES = ("low", "normal", "high", "urgent")


class WorkCalendar(TenantModel):
    """Working time: seven lists of ["HH:MM", "HH:MM"] periods (Monday first), an IANA time
    zone, a country whose public holidays and make-up working days apply (``holidays``
    package), and the organisation's own extra days off and extra working days."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    tz = models.CharField(max_length=64, default="Asia/Shanghai")
    week = models.JSONField(default=list)
    country = models.CharField(max_length=8, blank=True, help_text="ISO 3166 code, e.g. CN")
    extra_holidays = models.JSONField(default=list, blank=True)
    extra_workdays = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="uniq_cases_calendar_key")
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Team(TenantModel):
    """A queue of agents; a case assigned to a team waits there until a member takes it, or
    goes to one of its members by round robin or least load."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField("accounts.User", related_name="+", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_cases_team_key")]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class UnitSetup(TenantModel):
    """A unit's calendar (else its parent's, else the organisation's) and its case owner (also
    the manager that escalations one level up reach)."""

    unit = models.OneToOneField("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(
        WorkCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Settings(TenantModel):
    """One per organisation: SLA targets, paused states, the risk window, the default calendar,
    the follow-up survey, the control group's share and the messenger webhook for cases."""

    default_calendar = models.ForeignKey(
        WorkCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"high": {"first_response_hours": 1, "resolution_hours": 8}, …,
    #  "tiers": {"champions": {"high": {…}}}}
    targets = models.JSONField(default=dict, blank=True)
    paused_states = models.JSONField(default=list, blank=True)
    # Business hours before a breach when a case counts as at risk: half the tightest default
    # target (urgent: 1 h to first response), so a new case does not open already at risk.
    risk_hours = models.FloatField(default=0.5)
    # Distribution ids (e-mail or messenger) in order of preference: the follow-up goes through
    # the first whose channel has an address for the customer. Empty: no follow-up.
    followup_distributions = models.JSONField(default=list, blank=True)
    # Per alert rule (its key): the distribution ids its cases' follow-up goes through instead.
    followup_by_rule = models.JSONField(default=dict, blank=True)
    control_share = models.FloatField(default=0.0, help_text="Share of eligible detractors held out")
    # The key of a Slack, Feishu, DingTalk or WeCom webhook (openxm/alerts) told of every case
    # opened or assigned, with signed Claim and Close links. Empty: no messages.
    messenger_webhook = models.SlugField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_cases_settings")]


class RootCause(TenantModel):
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_cases_root_cause")]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class RecoveryAction(TenantModel):
    """A kind of recovery: apology, refund, voucher, repair, callback…"""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    default_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_cases_recovery")]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Case(TenantModel):
    class Source(models.TextChoices):
        RULE = "rule", _("Alert rule")
        RESPONSE = "response", _("Response page")
        API = "api", _("API")
        MANUAL = "manual", _("By hand")
        RISK = "risk", _("Churn risk")

    STATE_CHOICES = [
        ("new", _("New")),
        ("in_progress", _("In progress")),
        ("waiting", _("Waiting on customer")),
        ("resolved", _("Resolved")),
        ("closed", _("Closed")),
        ("reopened", _("Reopened")),
    ]
    PRIORITY_CHOICES = [
        ("low", _("Low")),
        ("normal", _("Normal")),
        ("high", _("High")),
        ("urgent", _("Urgent")),
    ]

    title = models.CharField(max_length=300)
    source = models.CharField(max_length=10, choices=Source.choices)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.ForeignKey(
        "surveys.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alert = models.ForeignKey(
        "alerts.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        "alerts.Rule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    touchpoint = models.CharField(max_length=64, blank=True)
    # The triggering score, kept so recovery needs no second read of the response.
    score_type = models.CharField(max_length=8, blank=True)
    score = models.FloatField(null=True, blank=True)
    priority = models.CharField(max_length=8, choices=PRIORITY_CHOICES, default="normal")
    tier = models.CharField(max_length=16, blank=True, help_text="The customer's value tier at opening")
    state = models.CharField(max_length=12, choices=STATE_CHOICES, default="new")
    assignee = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recovery_action = models.ForeignKey(
        RecoveryAction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recovery_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Control group: an eligible detractor drawn to be left alone, recorded so the comparison
    # knows who was held out (the case is never worked).
    held_out = models.BooleanField(default=False)
    followup_sent_at = models.DateTimeField(null=True, blank=True)
    followup_response = models.ForeignKey(
        "surveys.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followup_score = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "response"],
                condition=models.Q(rule__isnull=False, response__isnull=False),
                name="uniq_cases_rule_response",
            ),
            models.UniqueConstraint(
                fields=["response"],
                condition=models.Q(rule__isnull=True, response__isnull=False),
                name="uniq_cases_response_by_hand",
            ),
            models.CheckConstraint(condition=models.Q(state__in=STATES), name="cases_state_known"),
        ]
        indexes = [
            models.Index(fields=["organization", "state", "assignee"], name="cases_inbox"),
            models.Index(fields=["organization", "unit", "state"], name="cases_unit_state"),
        ]
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class CaseEvent(TenantModel):
    """One line of a case's log: a state change (``from_state`` → ``to_state``), an
    assignment, a priority change, an escalation, a contact. Never edited."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STATE = "state", _("State changed")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY = "priority", _("Priority changed")
        ESCALATED = "escalated", _("Escalated")
        CONTACT = "contact", _("Customer contacted")
        RECOVERY = "recovery", _("Recovery recorded")
        FOLLOWUP = "followup", _("Follow-up")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Note(TenantModel):
    """An internal note: agents only, never sent to the customer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class ContactEntry(TenantModel):
    """One contact with the customer: a call, an e-mail, a WeChat message, a visit…"""

    CHANNELS = ("call", "email", "sms", "wechat", "visit", "other")
    CHANNEL_CHOICES = [
        ("call", _("Call")),
        ("email", _("E-mail")),
        ("sms", _("SMS")),
        ("wechat", _("WeChat")),
        ("visit", _("Visit")),
        ("other", _("Other")),
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(max_length=8, choices=CHANNEL_CHOICES)
    direction = models.CharField(
        max_length=3, choices=[("out", _("Outgoing")), ("in", _("Incoming"))], default="out"
    )
    summary = models.TextField()
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class Escalation(TenantModel):
    """One escalation message to one member, sent at ``send_at`` (the recipient's next working
    moment unless the case is urgent). Unique per case, level and recipient: a sweep that runs
    twice escalates once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    clock = models.CharField(max_length=16)
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    send_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "level", "recipient"], name="uniq_cases_escalation")
        ]
        ordering = ["send_at", "pk"]
