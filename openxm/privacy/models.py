"""The privacy room's own rows: the log of data-subject requests and the deadline setting.

A :class:`DataSubjectRequest` keeps what is needed to prove a request was answered in time,
and nothing that would undo an erasure: the identifiers masked (``z***@example.com``) and as a
keyed hash (so a second request by the same person can be matched), the rows found per model,
the export archive's path. :class:`PrivacySettings` holds the organization's statutory deadline.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class DataSubjectRequest(TenantModel):
    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erase")
        ANONYMISE = "anonymise", _("Anonymise")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    subject = models.JSONField(default=dict, help_text="The identifiers given, masked")
    subject_hash = models.CharField(max_length=64, db_index=True, help_text="Keyed hash of the identifiers")
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, help_text="Rows found (export) or removed (erasure) per model")
    archive_path = models.CharField(max_length=500, blank=True, help_text="Relative to MEDIA_ROOT")
    archive_size = models.BigIntegerField(default=0)
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


class PrivacySettings(TenantModel):
    """The statutory deadline for answering a request: ``deadline_days`` calendar days (GDPR
    art. 12(3): one month, 30 days here) or working days (Monday to Friday; many PIPL notices
    promise 15)."""

    deadline_days = models.PositiveSmallIntegerField(default=30)
    working_days = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_privacy_settings")]


class RetentionPolicy(TenantModel):
    """Keep one kind of data (``data_type``: a key of ``openxm.personal_data.retention_types``)
    for ``months``, for every survey or only the one with ``survey_key``. The scheduler applies
    every policy daily; ``last_run_at`` and ``last_count`` say when and how many rows went."""

    data_type = models.CharField(max_length=32)
    survey_key = models.CharField(max_length=64, blank=True)
    months = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "data_type", "survey_key"], name="uniq_retention_policy"
            )
        ]
        ordering = ["data_type", "survey_key"]
