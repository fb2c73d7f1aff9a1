"""Rollups (answer counts kept in step with every response), dashboards and report schedules.

Two rollup tables, both written in the transaction that stores a response and both rebuilt
from scratch by ``openxm rollups rebuild``:

* :class:`AnswerCount` — counts per (organization, survey, question, touchpoint, channel, unit,
  segment key, day, answer value): answers any filter on those dimensions. Each response also
  adds one row with ``qtype="response"`` (value 0) so volumes come from here too.
* :class:`MetricCube` — per (organization, grain, bucket, segment key, touchpoint) one *wide* row
  with the response volume and the count, Σweight and Σweight² of every answer point of NPS,
  eNPS, CSAT and CES; grains are day, ISO week and month, so a year of the journey map by
  touchpoint × week is 52 rows per touchpoint. The journey map reads only this table.

:class:`ResponseFact` keeps the segment key a response had when it was recorded, so a contact
moving from silver to gold later does not move their old answers (and so the raw path can
filter by the same segment the rollups used).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class RollupSettings(TenantModel):
    """Per organization: which contact attributes make up the segment key, minimum n."""

    segment_attributes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_rollup_settings")]


class ResponseFact(TenantModel):
    # The unique constraint starts with the organization; a second index on it alone would only
    # slow every response down.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, primary_key=True, related_name="insights_fact"
    )
    segment_key = models.CharField(max_length=200, blank=True)
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organization", "segment_key", "day"])]


class AnswerCount(TenantModel):
    # The unique constraint starts with the organization; a second index on it alone would only
    # slow every response down.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+", db_index=False)
    question_id = models.CharField(max_length=64)
    sub_key = models.CharField(max_length=64, blank=True)
    qtype = models.CharField(max_length=24)
    cx_dimension = models.CharField(max_length=32, blank=True)
    touchpoint = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=32)
    unit = models.BigIntegerField(default=0, help_text="accounts.Unit id, 0 for none")
    segment_key = models.CharField(max_length=200, blank=True)
    day = models.DateField()
    value = models.IntegerField()
    count = models.BigIntegerField(default=0)
    wsum = models.FloatField(default=0.0)
    wsq = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "touchpoint",
                    "day",
                    "survey",
                    "question_id",
                    "sub_key",
                    "qtype",
                    "cx_dimension",
                    "channel",
                    "unit",
                    "segment_key",
                    "value",
                ],
                name="uniq_answer_count",
            )
        ]
        indexes = [models.Index(fields=["organization", "survey", "question_id", "day"])]


class MetricCube(TenantModel):
    """One row per (grain, bucket, segment key, touchpoint) holding every metric: the response
    volume (``responses``) and, for each answer point of NPS, eNPS, CSAT and CES, its count
    (``nps9``), Σweight (``nps9_w``) and Σweight² (``nps9_q``). The point columns are added
    below the class from :data:`CUBE_SCALES`."""

    # The unique constraint starts with the organization; a second index on it alone would only
    # slow every response down.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Grain(models.TextChoices):
        DAY = "d", _("Day")
        WEEK = "w", _("Week")
        MONTH = "m", _("Month")

    grain = models.CharField(max_length=1, choices=Grain.choices)
    bucket = models.DateField(help_text="first day of the day, ISO week or month")
    segment_key = models.CharField(max_length=200, blank=True)
    touchpoint = models.CharField(max_length=64, blank=True)
    responses = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "grain", "segment_key", "bucket", "touchpoint"],
                name="uniq_metric_cube",
            )
        ]


#: The metrics of the cube and their answer scales.
CUBE_SCALES = {"nps": (0, 10), "enps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def cube_columns(metric: str) -> tuple[list[str], list[str], list[str]]:
    """(count, Σweight, Σweight²) column names of ``metric``, low point first."""
    low, high = CUBE_SCALES[metric]
    points = range(low, high + 1)
    return (
        [f"{metric}{p}" for p in points],
        [f"{metric}{p}_w" for p in points],
        [f"{metric}{p}_q" for p in points],
    )


for _metric in CUBE_SCALES:
    for _count, _wsum, _wsq in zip(*cube_columns(_metric), strict=True):
        # Database defaults: a response's upsert writes only the few columns it changes.
        MetricCube.add_to_class(_count, models.BigIntegerField(default=0, db_default=0))
        MetricCube.add_to_class(_wsum, models.FloatField(default=0.0, db_default=0.0))
        MetricCube.add_to_class(_wsq, models.FloatField(default=0.0, db_default=0.0))


class Dashboard(TenantModel):
    """A page of widgets for one audience. ``widgets`` is a list of widget configurations and
    ``filters`` the default global filters (see docs/dashboards.md)."""

    class Role(models.TextChoices):
        EXECUTIVE = "executive", _("Executive")
        JOURNEY_OWNER = "journey_owner", _("Journey owner")
        STORE_MANAGER = "store_manager", _("Store manager")
        AGENT = "agent", _("Agent")

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EXECUTIVE)
    description = models.TextField(blank=True)
    filters = models.JSONField(default=dict, blank=True)
    widgets = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_dashboard_key")]
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ReportSchedule(TenantModel):
    """A dashboard rendered (PDF + CSV) and e-mailed weekly or monthly to a list."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    recipients = models.JSONField(default=list)
    language = models.CharField(max_length=10, default="en")
    active = models.BooleanField(default=True)
    next_run_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organization", "active", "next_run_at"])]
