"""Forms of the contact pages: they parse and check what a member typed."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from openxm.customers.directory import CONSENT_CHOICES, KIND_CHOICES
from openxm.customers.tiers import PRIORITY_CHOICES


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("E-mail, phone, external id, WeChat id, or the start of a name"),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *KIND_CHOICES])
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=64)
    consent = forms.ChoiceField(
        label=_("Consent"), required=False, choices=[("", _("Any")), *CONSENT_CHOICES]
    )


class ContactForm(forms.Form):
    external_id = forms.CharField(label=_("External id"), max_length=128)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label=_("The file holds"), choices=[("contacts", _("Contacts")), ("events", _("Events"))]
    )
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(label=_("Dry run: check only, store nothing"), required=False, initial=True)


class SegmentForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    condition = forms.CharField(
        label=_("Condition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial='{"all": [{"contact": "rfm_tier", "op": "eq", "value": "champions"}]}',
    )

    def clean_condition(self):
        try:
            return json.loads(self.cleaned_data["condition"])
        except ValueError:
            raise forms.ValidationError(_("is not valid JSON")) from None


class RefreshForm(forms.Form):
    horizon_weeks = forms.IntegerField(label=_("Horizon (weeks)"), min_value=1, max_value=520, initial=52)
    annual_discount_rate = forms.FloatField(
        label=_("Annual discount rate"), min_value=0, max_value=0.99, initial=0.10
    )


class TierServiceForm(forms.Form):
    """One tier's service (empty fields: no target, or the organization's contact cap)."""

    tier = forms.SlugField(widget=forms.HiddenInput, max_length=16)
    case_priority = forms.ChoiceField(label=_("Case priority"), choices=PRIORITY_CHOICES)
    first_response_hours = forms.IntegerField(label=_("First response (hours)"), required=False, min_value=1)
    resolution_hours = forms.IntegerField(label=_("Resolution (hours)"), required=False, min_value=1)
    recovery_budget = forms.DecimalField(label=_("Recovery budget per case"), required=False, min_value=0)
    contact_cap_days = forms.IntegerField(
        label=_("At most one invitation in (days)"), required=False, min_value=0, max_value=365
    )
