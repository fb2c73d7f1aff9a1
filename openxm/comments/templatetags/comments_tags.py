"""Small formatting filters of the text analytics templates."""

from django import template

register = template.Library()


@register.filter
def signed(value, digits: int = 1) -> str:
    """``+3.2`` / ``−1.0`` / ``0.0`` (a real minus sign); empty for None."""
    if value is None or value == "":
        return ""
    number = round(float(value), int(digits))
    text = f"{abs(number):.{int(digits)}f}"
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"\u2212{text}"
    return text


@register.filter
def width(value) -> str:
    """A CSS percentage width from a number (never localised: ``12.5%``)."""
    try:
        number = max(0.0, min(100.0, float(value)))
    except (TypeError, ValueError):
        number = 0.0
    return f"{number:.1f}%"
