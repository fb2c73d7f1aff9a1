"""Forms of the import pages, and reading the mapping step's fields into a mapping document."""

from django import forms
from django.utils.translation import gettext_lazy as _

from openxm.surveys import collect


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    mode = forms.ChoiceField(
        label=_("The file holds"),
        choices=[("responses", _("Survey responses")), ("feedback", _("Text feedback (interviews, notes)"))],
        initial="responses",
    )
    survey = forms.ChoiceField(label=_("Survey"), required=False)
    encoding = forms.CharField(label=_("Encoding (leave empty to detect)"), required=False, max_length=32)
    delimiter = forms.ChoiceField(
        label=_("Delimiter"),
        required=False,
        choices=[
            ("", _("Detect")),
            (",", _("Comma")),
            (";", _("Semicolon")),
            ("tab", _("Tab")),
            ("|", _("Pipe")),
        ],
    )

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [("", "—")] + [(str(s.id), s.title) for s in surveys if s.version]

    def clean(self):
        data = super().clean()
        if data.get("mode") == "responses" and not data.get("survey"):
            self.add_error("survey", _("Choose the survey the responses answer."))
        return data


def parse_value_map(text: str) -> dict:
    """``Very satisfied=5; Satisfied=4`` (or one pair per line) → {"Very satisfied": 5, ...}."""
    out: dict = {}
    for item in text.replace("\n", ";").split(";"):
        if "=" not in item:
            continue
        label, _sep, value = item.rpartition("=")
        label, value = label.strip(), value.strip()
        if not label:
            continue
        out[label] = int(value) if value.lstrip("-").isdigit() else value
    return out


def format_value_map(values: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in values.items())


def mapping_from_post(post, columns: list[str], mode: str) -> dict:
    """The mapping document from the mapping step's fields (target-N, values-N, defaults)."""
    mapped: dict = {}
    for i, column in enumerate(columns):
        target = post.get(f"target-{i}", "ignore")
        values = parse_value_map(post.get(f"values-{i}", ""))
        mapped[column] = {"to": target, "values": values} if values else target
    defaults = {k: post.get(k, "").strip() for k in ("channel", "touchpoint", "language", "source")}
    out = {"mode": mode, "columns": mapped, "defaults": {k: v for k, v in defaults.items() if v}}
    for key in ("date_format", "time_zone"):
        if post.get(key, "").strip():
            out[key] = post[key].strip()
    return out


CHANNELS = collect.CHANNELS
