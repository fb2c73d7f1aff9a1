"""Anonymity thresholds of employee results: one row for the organization (survey empty) and
optionally one per survey. The effective threshold is the highest that applies (a survey can
only be stricter than its organization); without rows the defaults of
``openxm.analytics.suppression`` hold."""

from django.db import models
from django.utils import timezone

from openxm.accounts.tenancy import TenantModel


class Confidentiality(TenantModel):
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    min_group = models.PositiveIntegerField()
    min_comments = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(survey__isnull=True),
                name="uniq_confidentiality_org",
            ),
            models.UniqueConstraint(fields=["organization", "survey"], name="uniq_confidentiality_survey"),
        ]
