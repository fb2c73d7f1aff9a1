"""Journeys, their ordered stages, touchpoints with targets and blueprint lanes, and O-data.

A touchpoint is joined to feedback by its ``key``: responses and answers carry touchpoint keys
(survey definitions tag questions with them), so this app never imports the surveys app.
Keys are unique per organization, across journeys.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel

#: The service-blueprint lanes a user can fill in for each touchpoint, top to bottom.
BLUEPRINT_LANES = ("customer_actions", "front_stage", "back_stage", "support_processes")
BLUEPRINT_LANE_LABELS = {
    "customer_actions": _("Customer actions"),
    "front_stage": _("Front stage"),
    "back_stage": _("Back stage"),
    "support_processes": _("Support processes"),
}

#: Experience metrics a touchpoint can have a target for (higher is better for each).
TARGET_METRICS = ("nps", "csat", "ces")


class Journey(TenantModel):
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_team = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_journey_key")]
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(TenantModel):
    """A step of a journey (aware, consider, buy, receive, use, get help, renew/leave)."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "key"], name="uniq_stage_key")]
        ordering = ["journey", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Touchpoint(TenantModel):
    """Where a customer meets the company: a page, an e-mail, a chat, a delivery, a store visit.

    ``questions`` lists the survey questions that measure it as ``survey_key/question_id``
    strings; empty means every NPS/CSAT/CES answer tagged with the touchpoint's key.
    ``targets`` maps a metric (nps, csat, ces) to its target value. ``blueprint`` maps each of
    :data:`BLUEPRINT_LANES` to a list of short texts.
    """

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="touchpoints")
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=32, blank=True)
    owner_team = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    questions = models.JSONField(default=list, blank=True)
    targets = models.JSONField(default=dict, blank=True)
    blueprint = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_touchpoint_key")]
        ordering = ["journey", "stage__position", "position", "id"]

    def __str__(self) -> str:
        return self.name


class OperationalMetric(TenantModel):
    """One operational figure (O-data) of a touchpoint for one period, imported from CSV or the API.

    ``numerator``/``denominator`` are kept when given (lost customers / customers at start,
    first-contact resolutions / contacts), so a rate can carry an interval.
    """

    class Kind(models.TextChoices):
        CHURN = "churn_rate", _("Churn rate")
        RETENTION = "retention_rate", _("Retention rate")
        REPEAT = "repeat_purchase_rate", _("Repeat purchase rate")
        FCR = "fcr", _("First-contact resolution")
        AHT = "aht", _("Average handle time")
        COMPLAINTS = "complaints", _("Complaint count")
        CLV = "clv", _("Customer lifetime value")

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="operational_metrics")
    metric = models.CharField(max_length=32, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=32, default="api")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "metric", "period_start", "period_end"], name="uniq_operational_period"
            )
        ]
        ordering = ["touchpoint", "metric", "period_start"]

    def __str__(self) -> str:
        return f"{self.metric} {self.period_start}–{self.period_end}"
