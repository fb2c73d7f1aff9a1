"""Errors and notes raised while reading a file, each naming the file and, where known, the line.

A problem is written as an English template marked with :func:`gettext_noop` plus its values,
so that the catalog holds it and the layer that shows it (web page, API, command line) can say
it in the user's language with :meth:`ReadError.problem_in`; this package itself never imports
Django or chooses a language. ``problem`` and ``str(error)`` are the English text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the translation catalog (``makemessages`` reads this name)."""
    return message


class ReadError(ValueError):
    """A file could not be read. ``str(error)`` is "<file>: line <n>: <problem>"."""

    def __init__(
        self, file: str, problem: str, *, line: int | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.template = problem
        self.params = dict(params or {})
        self.problem = self.problem_in(_same)
        super().__init__(self.message_in(_same))

    def problem_in(self, gettext: Callable[[str], str]) -> str:
        """The problem translated by ``gettext`` (Django's or the command line's)."""
        text = gettext(self.template)
        return text % self.params if self.params else text

    def message_in(self, gettext: Callable[[str], str], file: str | None = None) -> str:
        """``str(error)`` translated by ``gettext``; ``file`` replaces the file's name (e.g. the name
        a user uploaded, not where it is stored)."""
        values = {
            "file": self.file if file is None else file,
            "line": self.line,
            "problem": self.problem_in(gettext),
        }
        if self.line is None:
            return gettext(gettext_noop("%(file)s: %(problem)s")) % values
        return gettext(gettext_noop("%(file)s: line %(line)s: %(problem)s")) % values


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class ReadIssue:
    """Something repaired while reading (a short row padded, a header renamed)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
