from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Definition file (JSON or YAML)"))
    publish = forms.BooleanField(label=_("Publish at once"), required=False)


class FromTemplateForm(forms.Form):
    """The gallery's naming step: a template (or "blank") and the new survey's name."""

    template = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Survey name"), max_length=200)
    key = forms.SlugField(label=_("Key"), required=False, max_length=64)
