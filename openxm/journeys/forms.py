from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BLUEPRINT_LANE_LABELS, BLUEPRINT_LANES
from .services import CHANNEL_LABELS, CHANNELS


class JourneyForm(forms.Form):
    key = forms.CharField(label=_("Key"), max_length=64, help_text=_("lower-case letters, digits, - and _"))
    name = forms.CharField(label=_("Name"), max_length=200)
    owner_team = forms.CharField(label=_("Owning team"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    stages = forms.CharField(
        label=_("Stages"),
        required=False,
        help_text=_("one per line as key: name, left to right"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="aware: Aware\nconsider: Consider\nbuy: Buy\nreceive: Receive\nuse: Use\nget-help: Get help\n"
        "renew: Renew or leave",
    )


class JourneyEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    owner_team = forms.CharField(label=_("Owning team"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StageForm(forms.Form):
    key = forms.CharField(label=_("Stage key"), max_length=64)
    name = forms.CharField(label=_("Stage name"), max_length=200)


def _channel_choices():
    return [("", "—")] + [(c, CHANNEL_LABELS[c]) for c in CHANNELS]


class TouchpointForm(forms.Form):
    key = forms.CharField(
        label=_("Touchpoint key"), max_length=64, help_text=_("as used by surveys and responses")
    )
    name = forms.CharField(label=_("Touchpoint name"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage"))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_channel_choices)
    owner_team = forms.CharField(label=_("Owning team"), max_length=100, required=False)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.key, s.name) for s in stages]


class TouchpointEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage"))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_channel_choices)
    owner_team = forms.CharField(label=_("Owning team"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    questions = forms.CharField(
        label=_("Survey questions that measure it"),
        required=False,
        help_text=_("survey_key/question_id, one per line"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_nps = forms.FloatField(label=_("NPS target"), required=False, min_value=-100, max_value=100)
    target_csat = forms.FloatField(
        label=_("CSAT target (top-2-box %)"), required=False, min_value=0, max_value=100
    )
    target_ces = forms.FloatField(label=_("CES target (mean, 1–7)"), required=False, min_value=1, max_value=7)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.key, s.name) for s in stages]
        for lane in BLUEPRINT_LANES:
            self.fields[f"lane_{lane}"] = forms.CharField(
                label=BLUEPRINT_LANE_LABELS[lane],
                required=False,
                help_text=_("one item per line"),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def lane_fields(self):
        return [self[f"lane_{lane}"] for lane in BLUEPRINT_LANES]

    def detail_fields(self):
        return [self[n] for n in ("name", "stage", "channel", "owner_team", "description", "questions")]

    def target_fields(self):
        return [self[n] for n in ("target_nps", "target_csat", "target_ces")]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
