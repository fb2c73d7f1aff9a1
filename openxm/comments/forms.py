"""Forms of the text analytics pages: the filter bar, the taxonomy rows, uploads, theme acceptance."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Classifier

PERIOD_CHOICES = [
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("180d", _("Last 180 days")),
    ("365d", _("Last 12 months")),
    ("all", _("All time")),
]
LANGUAGE_CHOICES = [("", _("All languages")), ("zh", _("Chinese")), ("en", _("English"))]
SENTIMENT_CHOICES = [
    ("", _("Any sentiment")),
    ("negative", _("Negative")),
    ("neutral", _("Neutral")),
    ("positive", _("Positive")),
]


class FilterForm(forms.Form):
    """The scope of the page (GET parameters): survey, touchpoint, period, unit, language."""

    def __init__(self, data, *, surveys, touchpoints, units):
        super().__init__(data)
        self.fields["survey"] = forms.ChoiceField(
            label=_("Survey"),
            required=False,
            choices=[("", _("All surveys"))] + [(str(s.id), s.title) for s in surveys],
        )
        self.fields["touchpoint"] = forms.ChoiceField(
            label=_("Touchpoint"), required=False, choices=[("", _("All touchpoints"))] + list(touchpoints)
        )
        self.fields["period"] = forms.ChoiceField(
            label=_("Period"), required=False, choices=PERIOD_CHOICES, initial="90d"
        )
        self.fields["unit"] = forms.ChoiceField(
            label=_("Unit"),
            required=False,
            choices=[("", _("All units"))] + [(u.code, u.name) for u in units],
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"), required=False, choices=LANGUAGE_CHOICES
        )

    @staticmethod
    def values_default() -> dict:
        return {"survey": None, "touchpoint": None, "period": "90d", "unit": None, "language": None}

    def values(self) -> dict:
        """The cleaned filters (invalid ones dropped), with the period defaulting to 90 days."""
        self.is_valid()  # fills cleaned_data with the valid fields; invalid ones fall back
        data = getattr(self, "cleaned_data", {})
        return {
            "survey": data.get("survey") or None,
            "touchpoint": data.get("touchpoint") or None,
            "period": data.get("period") or "90d",
            "unit": data.get("unit") or None,
            "language": data.get("language") or None,
        }


def topics_from_post(data) -> dict:
    """The taxonomy document of the editor's rows (``t-<n>-…`` fields), skipping blank new rows and
    rows marked for deletion."""
    try:
        count = min(int(data.get("t-count", "0")), 1000)
    except ValueError:
        count = 0
    topics = []
    for n in range(count):
        get = lambda field, n=n: (data.get(f"t-{n}-{field}") or "").strip()  # noqa: E731
        if data.get(f"t-{n}-delete"):
            continue
        if not any(get(f) for f in ("id", "en", "zh", "rule")):
            continue
        topics.append(
            {
                "id": get("id"),
                "label": {"en": get("en"), "zh": get("zh")},
                "rule": get("rule"),
                "description": get("description"),
            }
        )
    return {"name": (data.get("name") or "").strip(), "topics": topics}


class UploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Classifier.Kind.choices, initial="topic")
    file = forms.FileField(
        label=_("Labelled comments"),
        help_text=_("CSV, TSV or XLSX with one comment per row and a column holding its label."),
    )


class ColumnsForm(forms.Form):
    text_column = forms.ChoiceField(label=_("Comment column"))
    label_column = forms.ChoiceField(label=_("Label column"))

    def __init__(self, data=None, *, columns, initial=None):
        super().__init__(data, initial=initial)
        choices = [(c, c) for c in columns]
        self.fields["text_column"].choices = choices
        self.fields["label_column"].choices = choices


class ThemeRunForm(forms.Form):
    k = forms.IntegerField(label=_("Number of themes"), min_value=2, max_value=20, initial=8)


class TopicForm(forms.Form):
    """Accepting a theme: the new topic's id, labels, rule and (optional) parent."""

    id = forms.CharField(label=_("Topic id"), max_length=100)
    parent = forms.ChoiceField(label=_("Under"), required=False)
    label_en = forms.CharField(label=_("English label"), max_length=200, required=False)
    label_zh = forms.CharField(label=_("Chinese label"), max_length=200, required=False)
    rule = forms.CharField(label=_("Rule"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, parents, initial=None, prefix=None):
        super().__init__(data, initial=initial, prefix=prefix)
        self.fields["parent"].choices = [("", _("(top level)"))] + [(p, p) for p in parents]

    def topic(self) -> dict:
        data = self.cleaned_data
        tid = data["id"].strip()
        if data.get("parent"):
            tid = f"{data['parent']}.{tid}"
        return {
            "id": tid,
            "label": {"en": data.get("label_en", "").strip(), "zh": data.get("label_zh", "").strip()},
            "rule": data["rule"].strip(),
            "description": "",
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Taxonomy file (YAML or JSON)"))
