"""A saved analysis of one survey: which method, which questions, which options.

The result is never stored: it is computed from the survey's Answer rows each time a study is
opened, with the filters of that request (period, channel, unit), so it is always current.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class Study(TenantModel):
    class Kind(models.TextChoices):
        KANO = "kano", _("KANO")
        SERVQUAL = "servqual", _("SERVQUAL")
        IPA = "ipa", _("Importance–performance")
        DRIVERS = "drivers", _("Key drivers")

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    config = models.JSONField(
        default=dict, help_text="Questions and options of the method; see openxm/analysis/config.py"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "survey"])]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.title
