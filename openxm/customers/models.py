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


class AttributeDefinition(TenantModel):
    """What the organization says about one contact attribute: whether it is personal data.

    Personal attributes are shown only to roles with ``pii.view`` (the one door redacts them).
    An attribute without a definition is personal when its name is in
    :data:`openxm.customers.personal.PERSONAL_BY_DEFAULT` (first names, e-mail, phone, WeChat
    ids …), else not.
    """

    name = models.CharField(max_length=64)
    personal = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_attribute_definition")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
