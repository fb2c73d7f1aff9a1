"""Formatting figures in templates: values by metric, intervals, trend arrows, chart payloads."""

import math

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from openxm.insights import labels

register = template.Library()

ARROWS = {"up": "▲", "down": "▼", "flat": "▶"}


def _digits(metric: str) -> int:
    return 2 if metric == "ces" else 0


def _fmt(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


@register.filter
def metric_value(value, metric: str = "") -> str:
    """42 for NPS/CSAT, 5.43 for CES, — when missing."""
    return _fmt(value, _digits(metric))


@register.filter
def ci_text(result, metric: str = "") -> str:
    """ "35–49" for a ScoreResult or Card with an interval."""
    low, high = getattr(result, "ci_low", None), getattr(result, "ci_high", None)
    if low is None or high is None:
        return ""
    d = _digits(metric)
    return _("%(low)s to %(high)s") % {"low": _fmt(low, d), "high": _fmt(high, d)}


@register.filter
def trend_arrow(trend: str):
    if not trend:
        return ""
    label = {
        "up": _("significantly up"),
        "down": _("significantly down"),
        "flat": _("no significant change"),
    }[trend]
    return format_html(
        '<span class="trend trend-{}" title="{}" aria-label="{}">{}</span>',
        trend,
        label,
        label,
        ARROWS[trend],
    )


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def p_value(value) -> str:
    if value is None:
        return ""
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@register.filter
def signed(value, digits: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:+.{int(digits)}f}"


@register.filter
def index_value(value) -> str:
    return _fmt(value, 0)


@register.filter
def segment_text(key: str) -> str:
    """A rollup segment key as a person reads it: "tier=gold|kind=" → "tier: gold"; a key
    with no values set → "—"."""
    parts = []
    for pair in str(key or "").split("|"):
        name, _sep, value = pair.partition("=")
        if name and value:
            parts.append(f"{name}: {value}")
    return " · ".join(parts) or "—"


@register.filter
def test_label(code) -> str:
    """A significance test's code as a reader names it ("Welch t" → "Welch t-test")."""
    return labels.test_label(str(code or ""))


@register.filter
def source_label(code) -> str:
    """Where a figure was read from ("cube" → "metric cube")."""
    return labels.source_label(str(code or ""))
