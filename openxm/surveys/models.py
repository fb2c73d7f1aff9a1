"""Surveys, their published versions, responses and typed answers.

A survey has a working draft (a definition document being edited) and immutable published
versions. Every response records the version it answered. ``Answer`` holds one typed row per
answered question (or per part of a compound question), written in the same transaction as
the response, so analytics read rows, never JSON. ``QuotaCount`` holds how many complete
responses each quota cell has counted (see ``quota_counts.py``).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class Survey(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    key = models.SlugField(max_length=64)
    title = models.CharField(max_length=300, help_text="Title in the survey's default language")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(max_length=16, default="customer")
    touchpoint = models.CharField(max_length=64, blank=True)
    draft = models.JSONField(help_text="The definition being edited; published versions are copies")
    current_version = models.ForeignKey(
        "SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_survey_key")]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


class SurveyVersion(TenantModel):
    """A published definition. Never changed once written: responses point at it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="uniq_survey_version")]
        ordering = ["survey", "-number"]

    def __str__(self) -> str:
        return f"{self.survey.key} v{self.number}"


class Response(TenantModel):
    class Status(models.TextChoices):
        PARTIAL = "partial", _("In progress")
        COMPLETE = "complete", _("Complete")
        # Ended by a full quota cell (action "end"): kept for the record, never counted in
        # metrics, rollups or quotas (they read complete responses only), no Answer rows.
        SCREENED = "screened", _("Screened out")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    # Unique per survey: a repeated submission with the same key returns the stored response.
    idempotency_key = models.CharField(max_length=128)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.COMPLETE)
    channel = models.CharField(max_length=32, default="api")
    touchpoint = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, blank=True)
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(default=dict, help_text="The answers as submitted, after validation")
    hidden = models.JSONField(default=dict, blank=True)
    meta = models.JSONField(default=dict, blank=True, help_text="Device, ordering seed, path, source")
    weight = models.FloatField(default=1.0)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The organization leads so that a lookup of keys (which always names the
            # organization and the survey) uses this index on SQLite too: without statistics its
            # planner prefers the index with more equality columns, (organization, survey,
            # completed_at), and scanned all of a survey's responses per batch of keys.
            models.UniqueConstraint(
                fields=["organization", "survey", "idempotency_key"], name="uniq_response_idempotency"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "survey", "completed_at"]),
            models.Index(fields=["organization", "touchpoint", "completed_at"]),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.survey_id}"


class Answer(TenantModel):
    """One typed answer row; see openxm.surveys.definition.AnswerRow for what each field holds."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answer_rows")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question_id = models.CharField(max_length=64)
    sub_key = models.CharField(max_length=64, blank=True)
    qtype = models.CharField(max_length=24)
    value_number = models.FloatField(null=True, blank=True)
    value_text = models.TextField(blank=True)
    value_choice = models.CharField(max_length=64, blank=True)
    value_choices = models.JSONField(null=True, blank=True)
    touchpoint = models.CharField(max_length=64, blank=True)
    cx_dimension = models.CharField(max_length=32, blank=True)
    answered_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "survey", "question_id", "answered_at"]),
            models.Index(fields=["organization", "qtype", "answered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}{'.' + self.sub_key if self.sub_key else ''}"


class QuotaCount(TenantModel):
    """Complete responses counted in one quota cell of a survey, under ``quota_key`` ("quota.cell").

    Counts belong to the survey, not to a version: a cell keeps its count across publications
    (the limit is read from the version a respondent answers). Written only through
    ``quota_counts.py``: incremented in the transaction that stores a complete response,
    decremented when a counted response is deleted, set to zero by a reset (``reset_at``).
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=130)
    count = models.IntegerField(default=0)
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="uniq_quota_count")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
