"""Filters of the survey and response templates."""

from django import template

from openxm.surveys.collect import channel_label as _channel_label

register = template.Library()


@register.filter
def channel_label(code) -> str:
    """``{{ "link"|channel_label }}`` → "Public link" / "公开链接"."""
    return _channel_label(str(code or ""))
