from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Definition file (JSON or YAML)"))
    publish = forms.BooleanField(label=_("Publish at once"), required=False)


class FromTemplateForm(forms.Form):
    template = forms.CharField(widget=forms.HiddenInput)
    key = forms.SlugField(label=_("Key"), required=False, max_length=64)
