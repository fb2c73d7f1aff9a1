"""Issues (one problem at one path) and the exception that carries them.

Included: ``Issue`` (also exported as ``DefinitionIssue``), ``DefinitionError``, path formatting
(``pages[2].questions[0].scale``; keys that are not identifiers as ``text["zh-Hans"]``),
``sort_issues`` (document order, duplicates removed), ``Collector`` (used by the checks) and
``render_issues`` to re-render a list of issues in another language.
Excluded: the message texts (``messages.py``) and the checks that find the issues.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .messages import render_message

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

PathPart = str | int
Path = tuple[PathPart, ...]


def format_path(parts: Iterable[PathPart]) -> str:
    """``("pages", 2, "questions", 0, "scale")`` → ``pages[2].questions[0].scale``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


@dataclass(frozen=True)
class Issue:
    """One problem: where (``path``), what (``code``), the rendered ``message`` and its ``params``.

    ``path`` is empty for a problem with the whole document. ``str(issue)`` is
    ``"<path>: <message>"``. ``render(language)`` gives the message in another catalog language.
    """

    path: str
    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def render(self, language: str | None = "en") -> str:
        text = render_message(self.code, self.params, language)
        return f"{self.path}: {text}" if self.path else text

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


#: The name the brief and the docs use for issues found in a definition.
DefinitionIssue = Issue


def make_issue(path: str, code: str, language: str | None = "en", /, **params: Any) -> Issue:
    """Builds an issue whose message is rendered in ``language`` (positional, so a param may be
    called ``language`` too)."""
    return Issue(path=path, code=code, message=render_message(code, params, language), params=params)


class DefinitionError(ValueError):
    """A survey definition was rejected; ``errors`` lists every issue found, sorted by path."""

    def __init__(self, errors: Sequence[Issue]):
        self.errors: list[Issue] = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"invalid survey definition: {shown}{more}")


def render_issues(issues: Iterable[Issue], language: str | None = "en") -> list[str]:
    """Each issue as ``"<path>: <message>"`` in ``language`` (en or zh-Hans; others fall back to en)."""
    return [issue.render(language) for issue in issues]


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Issues in document order of their path (numeric indexes compared as numbers), then code."""

    def key(issue: Issue) -> tuple[Any, ...]:
        parts = re.split(r"(\d+)", issue.path)
        # isdecimal, not isdigit: "²" is a digit that int() refuses (found by tests/reliability fuzzing).
        return (tuple((0, int(p)) if p.isdecimal() else (1, p) for p in parts), issue.code)

    seen: set[tuple[str, str, str]] = set()
    unique = []
    for issue in issues:
        marker = (issue.path, issue.code, issue.message)
        if marker not in seen:
            seen.add(marker)
            unique.append(issue)
    return sorted(unique, key=key)


class Collector:
    """Accumulates issues rendered in one language."""

    def __init__(self, language: str | None):
        self.language = language
        self.issues: list[Issue] = []

    def add(self, path: Path, code: str, /, **params: Any) -> None:
        self.issues.append(make_issue(format_path(path), code, self.language, **params))
