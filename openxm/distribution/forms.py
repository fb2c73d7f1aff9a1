"""Forms of the distribution management pages (input checks only; services decide the rest)."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel
from .providers import PROVIDERS

PERSONAL = ("email", "sms", "wechat", "wecom", "dingtalk", "webhook")
# The fields each channel uses; a field not named here applies to every channel. The page shows
# only the chosen channel's fields (static/openxm/js/distribution.js hides the others).
CHANNEL_FIELDS = {
    "link_days": PERSONAL,
    "reminder_after_days": PERSONAL,
    "max_reminders": PERSONAL,
    "one_response_per_contact": PERSONAL,
    "subject": ("email",),
    "intro": PERSONAL,
    "trigger": ("intercept",),
    "event": ("intercept",),
    "percent": ("intercept",),
    "delay_seconds": ("intercept",),
    "allowed_origins": ("intercept",),
}


class DistributionForm(forms.Form):
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    touchpoint = forms.CharField(label=_("Touchpoint"), max_length=64, required=False)
    unit = forms.CharField(
        label=_("Unit code"),
        max_length=64,
        required=False,
        help_text=_("Responses are reported under this unit (e.g. a store)."),
    )
    link_days = forms.IntegerField(
        label=_("Personal links valid for (days)"), min_value=1, max_value=366, initial=30
    )
    reminder_after_days = forms.IntegerField(
        label=_("Remind non-responders after (days, 0: never)"), min_value=0, max_value=60, initial=3
    )
    max_reminders = forms.IntegerField(label=_("Reminders at most"), min_value=0, max_value=5, initial=1)
    one_response_per_contact = forms.BooleanField(label=_("One response per contact"), required=False)
    subject = forms.CharField(label=_("E-mail subject"), max_length=200, required=False)
    intro = forms.CharField(
        label=_("Invitation text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    trigger = forms.ChoiceField(
        label=_("Intercept: show on"),
        required=False,
        choices=[("pageview", _("page view")), ("event", _("an event from the page"))],
    )
    event = forms.CharField(label=_("Intercept: event name"), max_length=64, required=False)
    percent = forms.FloatField(
        label=_("Intercept: share of visitors (%)"), min_value=0, max_value=100, initial=10, required=False
    )
    delay_seconds = forms.IntegerField(
        label=_("Intercept: delay (seconds)"), min_value=0, initial=5, required=False
    )
    allowed_origins = forms.CharField(
        label=_("Intercept: sites allowed to show it"),
        required=False,
        help_text=_("Origins separated by spaces, e.g. https://shop.example.com"),
    )

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [(s.id, s.title) for s in surveys]

    def fields_by_channel(self) -> list[tuple]:
        """(bound field, the channels it applies to as a space-separated string or "", shown now)."""
        chosen = self["channel"].value() or "link"
        out = []
        for bound in self:
            channels = CHANNEL_FIELDS.get(bound.name, ())
            out.append((bound, " ".join(channels), not channels or chosen in channels))
        return out

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["channel"] not in PERSONAL:
            data = {**data, "subject": "", "intro": ""}
        options = {}
        if data["subject"]:
            options["subject"] = data["subject"]
        if data["intro"]:
            options["intro"] = data["intro"]
        if data["channel"] == Channel.INTERCEPT:
            options.update(
                {
                    "trigger": data["trigger"] or "pageview",
                    "event": data["event"],
                    "percent": data["percent"] if data["percent"] is not None else 100,
                    "delay_seconds": data["delay_seconds"] or 0,
                    "allowed_origins": data["allowed_origins"].split(),
                }
            )
        return {
            "name": data["name"],
            "touchpoint": data["touchpoint"],
            "unit": data["unit"],
            "link_days": data["link_days"],
            "reminder_after_days": data["reminder_after_days"],
            "max_reminders": data["max_reminders"],
            "one_response_per_contact": data["one_response_per_contact"],
            "options": options,
        }


class InviteForm(forms.Form):
    contacts = forms.CharField(
        label=_("Contacts"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "c-1001, li.lei@example.com, 李雷, zh-Hans"}),
        help_text=_("One per line: id, e-mail, name, language, phone (or just an e-mail address)."),
    )
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional, in the organization's time zone; empty sends at once."),
    )

    def clean_contacts(self) -> list[dict]:
        out = []
        for n, line in enumerate(self.cleaned_data["contacts"].splitlines(), 1):
            parts = [p.strip() for p in line.split(",")]
            if not any(parts):
                continue
            if len(parts) == 1:
                if "@" not in parts[0]:
                    raise forms.ValidationError(_("Line %(n)s: give an id and an e-mail address.") % {"n": n})
                parts = [parts[0].lower(), parts[0]]
            keys = ["id", "email", "name", "language", "phone"]
            out.append({k: v for k, v in zip(keys, parts, strict=False) if v})
        if not out:
            raise forms.ValidationError(_("Give at least one contact."))
        if len(out) > 5000:
            raise forms.ValidationError(_("At most 5000 contacts at a time; use the API for more."))
        return out


class SegmentInviteForm(forms.Form):
    """Invite a saved segment (its members now, inside the inviter's scope)."""

    segment = forms.ChoiceField(label=_("Saved segment"))
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional, in the organization's time zone; empty sends at once."),
    )

    def __init__(self, *args, segments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = list(segments)


class TriggerForm(forms.Form):
    event = forms.SlugField(label=_("Event name"), max_length=64)
    distribution = forms.TypedChoiceField(label=_("Invite through"), coerce=int)
    sample_percent = forms.FloatField(label=_("Sample (%)"), min_value=0, max_value=100, initial=100)
    survey_cap_days = forms.IntegerField(
        label=_("At most one invitation per contact to this survey in (days)"), min_value=0, initial=30
    )

    def __init__(self, *args, distributions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distribution"].choices = [(d.id, f"{d.name} ({d.channel})") for d in distributions]


class MessengerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, k) for k in PROVIDERS])
    name = forms.CharField(label=_("Name"), max_length=200)
    config = forms.CharField(
        label=_("Configuration (JSON)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("See docs/distribution.md for each kind's keys."),
    )

    def clean_config(self) -> dict:
        try:
            value = json.loads(self.cleaned_data["config"])
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give a JSON object."))
        return value


class PolicyForm(forms.Form):
    contact_cap_days = forms.IntegerField(
        label=_("At most one invitation per contact in (days, across all surveys; 0: no limit)"),
        min_value=0,
        max_value=100000,
    )
    emails_per_minute = forms.IntegerField(
        label=_("E-mails per minute (0: no limit)"), min_value=0, max_value=100000
    )
    messages_per_minute = forms.IntegerField(
        label=_("Messages per minute (0: no limit)"), min_value=0, max_value=100000
    )
