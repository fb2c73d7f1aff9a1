from django import template

from openxm.accounts.models import ROLE_CHOICES, Unit

register = template.Library()

_ROLES = dict(ROLE_CHOICES)
_UNIT_KINDS = dict(Unit.Kind.choices)


@register.filter
def role_label(value: str) -> str:
    """The translated name of a role code (``viewer`` → 查看者 in Chinese)."""
    return _ROLES.get(value, value)


@register.filter
def unit_kind_label(value: str) -> str:
    return _UNIT_KINDS.get(value, value)
