"""Action plans, their tasks and their event log.

An ``ActionPlan`` ties an improvement to any combination of a touchpoint, a topic, a unit and a
root cause (the cases app's per-organisation code, kept as text so plans do not depend on it),
and names the metric whose change measures it, with an optional control touchpoint or unit for
the difference in differences. Its visibility follows its unit: a member limited to a unit
sees the plans of that unit and the units below it (plans without a unit are the whole
organization's, like responses without one). Every change is a ``PlanEvent`` (who, when, what,
from, to) besides the organization's audit log.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class ActionPlan(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Metric(models.TextChoices):
        NPS = "nps", _("NPS")
        CSAT = "csat", _("CSAT (top-2-box %)")
        CES = "ces", _("CES (mean)")
        NEGATIVE_SHARE = "negative_share", _("Topic's negative share")
        ROOT_CAUSE_SHARE = "root_cause_share", _("Root cause's share of responses")

    class Control(models.TextChoices):
        NONE = "", _("None (before vs after only)")
        TOUCHPOINT = "touchpoint", _("Touchpoint")
        UNIT = "unit", _("Unit")

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    go_live = models.DateField(null=True, blank=True, help_text="The day the change reached customers")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    touchpoint = models.CharField(max_length=64, blank=True)
    topic = models.CharField(max_length=100, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    root_cause = models.CharField(max_length=64, blank=True)
    metric = models.CharField(max_length=16, choices=Metric.choices, default=Metric.NPS)
    control_kind = models.CharField(max_length=10, choices=Control.choices, blank=True, default="")
    control = models.CharField(max_length=64, blank=True, help_text="A touchpoint key or a unit code")
    window_days = models.PositiveSmallIntegerField(
        default=42, help_text="Days compared on each side of the go-live date"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="plans_org_status")]

    def __str__(self) -> str:
        return self.title


class PlanTask(TenantModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done", "due", "id"]

    def __str__(self) -> str:
        return self.title


class PlanEvent(TenantModel):
    """One change of a plan: ``action`` (created, updated, status, task_added, task_done,
    task_reopened, task_removed), ``data`` the fields changed as {field: [from, to]}."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
