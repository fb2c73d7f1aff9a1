"""What profiles derives from contacts, their events and their feedback.

* :class:`ContactValue` — per contact: RFM scores and tier, the CLV model's expected purchases,
  P(alive), expected spend and CLV, the churn risk with its reasons. Rebuilt by
  :func:`openxm.profiles.value.refresh_values` (the scheduler, the CLI, the admin's button).
* :class:`ValueRun` — one refresh: the model used, its parameters and fit diagnostics.
* :class:`Segment` — a saved rule over attributes, behaviour, value and experience.
* :class:`ChurnModel` — a churn model evaluated on the organisation's history, on or off.
"""

from django.db import models
from django.utils import timezone

from openxm.accounts.tenancy import TenantModel


class ContactValue(TenantModel):
    contact = models.OneToOneField("customers.Contact", on_delete=models.CASCADE, related_name="+")
    recency_days = models.IntegerField(null=True)
    frequency = models.IntegerField(default=0)
    monetary = models.FloatField(default=0.0)
    first_purchase_at = models.DateTimeField(null=True)
    last_purchase_at = models.DateTimeField(null=True)
    r = models.PositiveSmallIntegerField(null=True)
    f = models.PositiveSmallIntegerField(null=True)
    m = models.PositiveSmallIntegerField(null=True)
    tier = models.CharField(max_length=16, blank=True)
    expected_purchases = models.FloatField(null=True)
    p_alive = models.FloatField(null=True)
    expected_spend = models.FloatField(null=True)
    clv = models.FloatField(null=True)
    clv_method = models.CharField(max_length=24, blank=True)
    churn_risk = models.FloatField(null=True)
    churn_reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "tier"], name="contact_value_tier"),
            models.Index(fields=["organization", "-clv"], name="contact_value_clv"),
            models.Index(fields=["organization", "-churn_risk"], name="contact_value_risk"),
        ]


class ValueRun(TenantModel):
    computed_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=24)
    reason = models.CharField(max_length=300, blank=True)
    horizon_weeks = models.PositiveIntegerField()
    annual_discount_rate = models.FloatField()
    customers = models.PositiveIntegerField()
    repeaters = models.PositiveIntegerField()
    parameters = models.JSONField(default=dict)  # r, alpha, a, b, p, q, gamma and log-likelihoods
    as_of = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at", "-id"]


class Segment(TenantModel):
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    condition = models.JSONField()
    created_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_segment_key")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChurnModel(TenantModel):
    """A churn model trained and evaluated on the organisation's history (``openxm.profiles.churn``):
    its evaluation (AUC, lift, the recency-only rule, calibration) and parameters. Used by the
    value refresh only while ``active``; a member switches it on after reading the evaluation."""

    horizon_days = models.PositiveIntegerField()
    trained_at_cutoff = models.DateTimeField()
    evaluated_at_cutoff = models.DateTimeField()
    metrics = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    active = models.BooleanField(default=False)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
