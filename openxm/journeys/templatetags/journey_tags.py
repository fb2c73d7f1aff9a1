"""Filters of the journey templates."""

from django import template

from openxm.journeys.services import CHANNEL_LABELS

register = template.Library()


@register.filter
def touchpoint_channel(code) -> str:
    """``{{ "social"|touchpoint_channel }}`` → "Social media" / "社交媒体"."""
    return str(CHANNEL_LABELS.get(code, code))
