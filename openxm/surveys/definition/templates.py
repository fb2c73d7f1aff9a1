"""The template library shipped in ``openxm/surveys/templates_library/*.yaml``.

Included: ``list_templates()`` (key, title, description, audience of every template, sorted by
key) and ``load_template(key)`` (the validated ``SurveyDefinition``). A template's key is its file
name without ``.yaml`` and equals its ``key`` field.
Excluded: copying a template into an organisation's survey (the Django app does that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from .codec import load_definition
from .model import SurveyDefinition

_LIBRARY_PACKAGE = "openxm.surveys"
_LIBRARY_DIR = "templates_library"


@dataclass(frozen=True)
class TemplateInfo:
    """What a template picker shows: ``title``/``description`` are ``{lang: text}`` maps."""

    key: str
    title: Mapping[str, str] | str = field(compare=False)
    description: Mapping[str, str] | str | None = field(default=None, compare=False)
    audience: str = "customer"
    languages: tuple[str, ...] = ()


def _library() -> Traversable:
    return resources.files(_LIBRARY_PACKAGE).joinpath(_LIBRARY_DIR)


def _files() -> dict[str, Traversable]:
    return {
        entry.name.removesuffix(".yaml"): entry
        for entry in _library().iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    }


def load_template(key: str) -> SurveyDefinition:
    """The template ``key`` as a validated definition; ``KeyError`` for an unknown key."""
    files = _files()
    if key not in files:
        raise KeyError(f"unknown survey template {key!r}; available: {', '.join(sorted(files))}")
    return load_definition(files[key].read_text(encoding="utf-8"), "yaml")


def list_templates() -> list[TemplateInfo]:
    """Every template in the library, sorted by key."""
    out = []
    for key in sorted(_files()):
        data: Mapping[str, Any] = load_template(key).data
        out.append(TemplateInfo(
            key=key,
            title=data["title"],
            # The gallery's text about the template (metadata.summary) is for the team choosing
            # one; the survey's description is the intro respondents read.
            description=(data.get("metadata") or {}).get("summary") or data.get("description"),
            audience=data.get("audience", "customer"),
            languages=tuple(data["languages"]),
        ))
    return out
