"""Number formatting for study pages: blanks as a dash, fixed decimals, signed gaps."""

from django import template
from django.utils.formats import number_format

register = template.Library()

DASH = "–"


@register.filter
def num(value, digits=2):
    """``value`` with ``digits`` decimals; a dash for None."""
    if value is None or isinstance(value, bool):
        return DASH
    return number_format(round(float(value), int(digits)), int(digits))


@register.filter
def signed(value, digits=2):
    """Like ``num`` with an explicit sign: +0.40, −1.25."""
    if value is None:
        return DASH
    text = number_format(abs(round(float(value), int(digits))), int(digits))
    return ("−" if float(value) < 0 and round(float(value), int(digits)) != 0 else "+") + text


@register.filter
def pct(value, digits=1):
    """A fraction (0.42) as a percentage (42.0 %)."""
    if value is None:
        return DASH
    return f"{number_format(round(100 * float(value), int(digits)), int(digits))} %"


@register.filter
def interval(row, digits=2):
    """``[low, high]`` of a row with ``ci_low`` / ``ci_high``."""
    if not row or row.get("ci_low") is None:
        return DASH
    return f"[{num(row['ci_low'], digits)}, {num(row['ci_high'], digits)}]"


@register.filter
def get(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def heat(value):
    """A background colour for a correlation cell: blue for positive, red for negative."""
    if value is None:
        return ""
    v = max(-1.0, min(1.0, float(value)))
    alpha = round(abs(v) * 0.55, 3)
    colour = "36, 87, 214" if v >= 0 else "180, 35, 24"
    return f"background-color: rgba({colour}, {alpha})"
