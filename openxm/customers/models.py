"""Contacts: the people feedback is asked from, customers or employees.

Included: the contact (identity, channels, language, typed attributes, consent and contact
preferences, its unit), the normalised identifiers de-duplication matches on (e-mail, phone,
WeChat openid / unionid, external id), the definitions of attributes (type, choices, personal),
the contact's transactions and interactions (:class:`ContactEvent`), the log of merges
(:class:`ContactMerge`, which makes a merge reversible), the contact's current value tier and
the service each tier gets (:class:`TierSetting`: read by cases and distribution, which sit to
the left of profiles). Excluded: how the tier and the other values are derived (RFM, CLV, churn
risk, segments: ``openxm.profiles``, which writes ``Contact.value_tier`` on every value
refresh; not the free attribute a company may call ``tier``).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel
from openxm.crypto import EncryptedTextField


class Consent(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Contact(TenantModel):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        EMPLOYEE = "employee", _("Employee")

    external_id = models.CharField(max_length=128, help_text="The contact's id in the company's own systems")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    name = models.CharField(max_length=200, blank=True)
    # Encrypted at rest (openxm.crypto; docs/privacy.md): read decrypted, never filtered on. Exact
    # lookups go through email_key / phone_key.
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Identifiers, normalised (openxm.customers.identifiers) so that equal ones compare equal.
    # E-mail and phone are blind indexes: the keyed hash of the normalised value
    # (openxm.customers.services.lookup_keys), so the encrypted columns can be looked up exactly.
    email_key = models.CharField(max_length=64, blank=True)
    phone_key = models.CharField(max_length=64, blank=True)
    wechat_openid = models.CharField(max_length=64, blank=True)
    wechat_unionid = models.CharField(max_length=64, blank=True)
    external_key = models.CharField(max_length=128, blank=True)
    consent = models.CharField(max_length=12, choices=Consent.choices, default=Consent.UNKNOWN)
    consent_at = models.DateTimeField(null=True, blank=True)
    # Channels the contact accepts to be contacted on: {"email": true, "sms": false, ...}.
    preferences = models.JSONField(default=dict, blank=True)
    # A contact merged into another one: kept (for unmerge) but left out of the directory.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The RFM tier of the last value refresh ("" before one, or without purchases). Kept here,
    # not only in profiles, so that distribution and cases can read it (see TierSetting).
    value_tier = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="uniq_contact_external_id")
        ]
        indexes = [
            models.Index(fields=["organization", "value_tier"], name="contact_by_value_tier"),
            # The directory pages by id (keyset) within the organization or a unit.
            models.Index(fields=["organization", "merged_into", "id"], name="contact_directory"),
            models.Index(fields=["organization", "unit", "id"], name="contact_directory_unit"),
            models.Index(fields=["organization", "email_key"], name="contact_email_key"),
            models.Index(fields=["organization", "phone_key"], name="contact_phone_key"),
            models.Index(fields=["organization", "wechat_openid"], name="contact_wechat_openid"),
            models.Index(fields=["organization", "wechat_unionid"], name="contact_wechat_unionid"),
            models.Index(fields=["organization", "external_key"], name="contact_external_key"),
            models.Index(fields=["organization", "name"], name="contact_name"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class AttributeDefinition(TenantModel):
    """What the organization says about one contact attribute: its type (text, number, date,
    choice and the choices) and whether it is personal data. Values of a typed attribute are
    checked and stored in their type (a number as a JSON number, a date as ``YYYY-MM-DD``).

    Personal attributes are shown only to roles with ``pii.view`` (the one door redacts them).
    An attribute without a definition is personal when its name is in
    :data:`openxm.customers.personal.PERSONAL_BY_DEFAULT` (first names, e-mail, phone, WeChat
    ids …), else not.
    """

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    name = models.CharField(max_length=64)
    personal = models.BooleanField(default=False)
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    label = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_attribute_definition")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactEvent(TenantModel):
    """A transaction or interaction of a contact: an order, a refund, a support contact, a visit,
    any event with a type, a time, an optional amount and attributes. ``external_id`` (the
    event's id in the sending system) makes recording it idempotent."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=128, blank=True)
    type = models.SlugField(max_length=32)
    occurred_at = models.DateTimeField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    channel = models.CharField(max_length=32, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attributes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, default="api")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="uniq_contact_event_external_id",
            )
        ]
        indexes = [models.Index(fields=["organization", "contact", "occurred_at"], name="contact_event_time")]


class ContactMerge(TenantModel):
    """One merge of ``merged`` into ``survivor``: what moved, so that unmerge can put it back.

    ``moved`` maps a kind of row ("events", "responses", "invitations", …) to the ids that
    belonged to ``merged`` before; ``survivor_before`` holds the survivor's fields and attributes
    as they were. ``undone_at`` is set by unmerge."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    survivor_before = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ConsentRecord(TenantModel):
    """One statement of consent by a contact: what was agreed or withdrawn (``purpose``), when,
    through which channel, and which version of the notice's text. The log is appended to, never
    edited; a purpose's state is its newest record. ``Contact.consent`` mirrors the newest record
    of the ``surveys`` purpose (feedback requests), which every channel checks."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    purpose = models.SlugField(max_length=32)
    granted = models.BooleanField()
    channel = models.CharField(max_length=16)
    text_version = models.CharField(max_length=64, blank=True, help_text="The notice's version shown")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200, blank=True, help_text="Who entered it (member, key)")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "contact", "purpose", "recorded_at"], name="consent_log")
        ]


class TierSetting(TenantModel):
    """The service a value tier gets: what a case opened for one of its customers starts with
    (priority, first-response and resolution targets, the recovery budget per case) and how
    often distribution may invite them (``contact_cap_days`` replaces the organization's
    ``Policy.contact_cap_days`` for the tier; empty: the organization's). A tier without a row
    gets :data:`openxm.customers.tiers.DEFAULTS`."""

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    tier = models.SlugField(max_length=16)
    case_priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    first_response_hours = models.PositiveIntegerField(null=True, blank=True)
    resolution_hours = models.PositiveIntegerField(null=True, blank=True)
    recovery_budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    contact_cap_days = models.PositiveIntegerField(null=True, blank=True)
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "tier"], name="uniq_tier_setting")]
        ordering = ["tier"]
