"""Forms of the study pages: the filter bar and the new-study form (built from the survey's questions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from openxm.analytics.drivers import METHODS
from openxm.analytics.kano import TABLES

from .config import DEFAULT_BOOTSTRAP, MAX_BOOTSTRAP
from .models import Study


class FilterForm(forms.Form):
    """The filter bar: ``from``/``to`` (days, inclusive), ``channel`` and ``unit`` (GET parameters)."""

    def __init__(self, data, *, channels, units):
        super().__init__(data)
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=date)
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=date)
        self.fields["channel"] = forms.ChoiceField(
            label=_("Channel"), required=False,
            choices=[("", _("All channels"))] + [(c, c) for c in channels])
        self.fields["unit"] = forms.ChoiceField(
            label=_("Unit"), required=False,
            choices=[("", _("All units"))] + [(u.code, u.name) for u in units])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end date is before the start date."))
        return cleaned


TABLE_LABELS = {"berger": _("Berger et al. (1993)"), "pouliot": _("Pouliot (1993), stricter Q")}
METHOD_LABELS = {"relative-weights": _("Relative weights (Johnson)"), "shapley": _("Shapley value (LMG)")}


class StudyForm(forms.Form):
    """Step one: survey, kind and title. Step two adds the questions of that survey for that kind."""

    survey = forms.ChoiceField(label=_("Survey"))
    kind = forms.ChoiceField(label=_("Method"), choices=Study.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Left empty: the method and the survey's title."))

    def __init__(self, data=None, *, surveys, candidates=None, kind=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["survey"].choices = [("", "—")] + [(str(s.id), s.title) for s in surveys]
        self.candidates = candidates or []
        self.study_kind = kind
        choices = [(c.ref, c.label) for c in self.candidates]
        if not choices:
            return
        if kind == "kano":
            self.fields["features"] = forms.MultipleChoiceField(
                label=_("Features"), choices=choices, widget=forms.CheckboxSelectMultiple,
                initial=[c[0] for c in choices])
            self.fields["table"] = forms.ChoiceField(
                label=_("Evaluation table"), choices=[(t, TABLE_LABELS.get(t, t)) for t in TABLES],
                initial="berger", widget=forms.RadioSelect)
        elif kind == "servqual":
            self.fields["items"] = forms.MultipleChoiceField(
                label=_("Items"), choices=[(c.ref, f"{c.ref} · {c.label}") for c in self.candidates],
                widget=forms.CheckboxSelectMultiple, initial=[c[0] for c in choices])
        elif kind in ("ipa", "drivers"):
            self.fields["outcome"] = forms.ChoiceField(
                label=_("Outcome (overall rating)"), choices=[("", "—"), *choices],
                required=kind == "drivers")
            field = "attributes" if kind == "ipa" else "drivers"
            self.fields[field] = forms.MultipleChoiceField(
                label=_("Attributes") if kind == "ipa" else _("Drivers"), choices=choices,
                widget=forms.CheckboxSelectMultiple)
            if kind == "drivers":
                self.fields["method"] = forms.ChoiceField(
                    label=_("Method"), choices=[(m, METHOD_LABELS.get(m, m)) for m in METHODS],
                    initial="relative-weights")
                self.fields["bootstrap"] = forms.IntegerField(
                    label=_("Bootstrap resamples"), min_value=0, max_value=MAX_BOOTSTRAP,
                    initial=DEFAULT_BOOTSTRAP, help_text=_("For the intervals of the weights; 0 for none."))

    def question_fields(self):
        return [self[name] for name in self.fields if name not in ("survey", "kind", "title")]

    def config(self) -> dict:
        """The study configuration from the cleaned question fields."""
        data = self.cleaned_data
        kind = self.study_kind
        if kind == "kano":
            return {"features": data.get("features") or [], "table": data.get("table") or "berger"}
        if kind == "servqual":
            return {"items": data.get("items") or []}
        if kind == "ipa":
            return {"attributes": data.get("attributes") or [], "outcome": data.get("outcome") or None}
        if kind == "drivers":
            bootstrap = data.get("bootstrap")
            return {"outcome": data.get("outcome") or "", "drivers": data.get("drivers") or [],
                    "method": data.get("method") or "relative-weights",
                    "bootstrap": DEFAULT_BOOTSTRAP if bootstrap is None else bootstrap}
        return {}
