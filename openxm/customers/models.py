"""Contacts: the people feedback is asked from, customers or employees.

The minimal record invitations and responses need (identity, channels, language, attributes,
opt-out). The customer-directory work extends it with segments, consent history and timelines.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class Contact(TenantModel):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        EMPLOYEE = "employee", _("Employee")

    external_id = models.CharField(max_length=128, help_text="The contact's id in the company's own systems")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=10, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="uniq_contact_external_id")
        ]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id
