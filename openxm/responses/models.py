"""Import jobs (the import log), export jobs and response tags.

Responses and their Answer rows belong to the surveys app; this app adds what happens to them
afterwards: the files they were imported from, the files exported from them, and tags.
Files live under ``MEDIA_ROOT`` (``imports/`` and ``exports/``); the rows hold paths relative
to it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class _Job(TenantModel):
    """Who asked for the job: enough to rebuild the actor when a worker runs it."""

    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=16)
    via = models.CharField(max_length=8)
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True


class ImportJob(_Job):
    """One uploaded file, its column mapping, the dry-run report and the commit: the import log."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for the column mapping")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked: ready to import")
        REJECTED = "rejected", _("Checked: rows rejected")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        RESPONSES = "responses", _("Survey responses")
        FEEDBACK = "feedback", _("Text feedback")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.RESPONSES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    commit = models.BooleanField(default=False, help_text="Store the rows after a clean check")
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, help_text="Relative to MEDIA_ROOT")
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    columns = models.JSONField(default=list)
    sample = models.JSONField(default=list, help_text="The first rows, as text, for the mapping step")
    mapping = models.JSONField(default=dict)
    rows_estimate = models.PositiveIntegerField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0, help_text="Already imported; skipped")
    rows_imported = models.PositiveIntegerField(default=0)
    # The commit stores the rows in chunks, each its own transaction that also moves these: an
    # interrupted import resumes after ``committed_line`` (see importing.resume_import).
    rows_committed = models.PositiveIntegerField(default=0, help_text="Data rows of the committed chunks")
    committed_line = models.PositiveIntegerField(default=0, help_text="Last line of the committed chunks")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="When the running job last moved")
    rejections = models.JSONField(default=list, help_text="The first rejected rows: line, column, problem")
    notes = models.JSONField(default=list, help_text="What the reader repaired (short rows, headers)")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.file_name}"


class ExportJob(_Job):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8)
    filters = models.JSONField(default=dict)
    include_pii = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    file_path = models.CharField(max_length=500, blank=True, help_text="Relative to MEDIA_ROOT")
    file_size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.format})"


class ResponseTag(TenantModel):
    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "tag"], name="uniq_response_tag")]
        indexes = [models.Index(fields=["organization", "tag"])]

    def __str__(self) -> str:
        return self.tag
