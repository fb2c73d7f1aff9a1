"""Piping: ``{{q1}}``, ``{{hidden.store}}``, ``{{contact.first_name}}`` and ``{{q1|fallback}}`` in texts.

Included: parsing placeholders (``iter_pipes``, ``parse_ref``, ``has_syntax_error``) and
rendering a text with values (``render_pipes``, ``format_answer``). A choice answer pipes as its
option label in the chosen language (the respondent's own words for "other"), a likert answer as
its scale label, numbers without a trailing ``.0``; a missing value pipes as the fallback, or as
nothing.
Excluded: HTML escaping. Piped values are the respondent's raw text, so the renderer must
escape them like any other user input. Literal ``{{`` cannot be written in a survey text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .conditions import is_missing
from .i18n import localize
from .model import OTHER, option_text

PIPE_PATTERN = r"\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}"
_PIPE = re.compile(PIPE_PATTERN)
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_ATTR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

_LIST_SEPARATOR = {"zh-Hans": "、", "zh-Hant": "、", "ja": "、"}


def iter_pipes(text: str) -> Iterator[tuple[str, str | None]]:
    """``(reference, fallback)`` for every placeholder in ``text``."""
    for match in _PIPE.finditer(text):
        yield match.group(1), match.group(2)


def has_syntax_error(text: str) -> bool:
    """True when a ``{{`` / ``}}`` is left unmatched or a placeholder is empty."""
    if any(not ref for ref, _ in iter_pipes(text)):
        return True
    rest = _PIPE.sub("", text)
    return "{{" in rest or "}}" in rest


def parse_ref(ref: str) -> tuple[str, str] | None:
    """``"q1"`` → ``("question", "q1")``, ``"hidden.x"`` → ``("hidden", "x")``,
    ``"contact.x"`` → ``("contact", "x")``; ``None`` when not a valid reference."""
    if "." in ref:
        kind, _, name = ref.partition(".")
        if kind in ("hidden", "contact") and _ATTR.match(name):
            return kind, name
        return None
    return ("question", ref) if _IDENT.match(ref) else None


def render_pipes(text: str, resolve: Callable[[str, str], str | None]) -> str:
    """Replaces each placeholder by ``resolve(kind, name)``, or its fallback when that is ``None``/empty."""

    def replace(match: re.Match[str]) -> str:
        parsed = parse_ref(match.group(1))
        value = resolve(*parsed) if parsed else None
        if value is None or value == "":
            return match.group(2) or ""
        return value

    return _PIPE.sub(replace, text)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_answer(spec: Mapping[str, Any], value: Any, language: str, default_language: str) -> str | None:
    """How an answer reads inside a sentence; ``None`` when there is no answer."""
    if is_missing(value):
        return None
    qtype = spec["type"]

    def label(option_id: str, other_text: Any) -> str:
        if option_id == OTHER and isinstance(other_text, str) and other_text.strip():
            return other_text.strip()
        text = option_text(spec, option_id)
        return localize(text, language, default_language) if text is not None else option_id

    if qtype in ("single_choice", "dropdown"):
        if isinstance(value, Mapping):
            return label(str(value.get("choice")), value.get("other"))
        return label(str(value), None)
    if qtype == "multiple_choice":
        other = value.get("other") if isinstance(value, Mapping) else None
        chosen = value.get("choices", []) if isinstance(value, Mapping) else value
        separator = _LIST_SEPARATOR.get(language, ", ")
        return separator.join(label(str(c), other) for c in chosen)
    if qtype == "likert" and isinstance(value, int | float) and not isinstance(value, bool):
        scale = spec.get("scale", {})
        labels = scale.get("labels") or []
        position = int(value) - int(scale.get("min", 1))
        if 0 <= position < len(labels):
            return localize(labels[position], language, default_language)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    return str(value)
