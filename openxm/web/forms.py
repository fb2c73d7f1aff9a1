from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from openxm.accounts import throttle
from openxm.accounts.models import ROLE_CHOICES, Unit


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with a lockout after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or password is wrong."),
        "locked": _("Too many failed sign-ins. Try again in %(minutes)s minutes."),
    }

    def clean(self):
        from django.conf import settings

        email = self.cleaned_data.get("username", "")
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        if throttle.is_locked(email, ip):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(email, ip)
            raise
        throttle.clear(email, ip)
        return cleaned


class _UnitScopeForm(forms.Form):
    """A form with a ``unit`` choice: the units the acting member may grant, or (for members who
    see everything) the whole organization. ``units`` are UnitRow objects."""

    def __init__(self, *args, units=(), whole: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Whole organization"))] if whole else []
        choices += [(u.code, f"{u.name} ({u.code})") for u in units]
        self.fields["unit"] = forms.ChoiceField(
            label=_("Unit"),
            choices=choices,
            required=False,
            help_text=_("The member or key sees this unit and the units below it, nothing else."),
        )


class MemberForm(_UnitScopeForm):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class RoleForm(_UnitScopeForm):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class ApiKeyForm(_UnitScopeForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class UnitForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    parent = forms.CharField(label=_("Parent code"), max_length=64, required=False)
