"""Errors and notes raised while reading a file, each naming the file and, where known, the line."""

from __future__ import annotations

from dataclasses import dataclass


class ReadError(ValueError):
    """A file could not be read. ``str(error)`` is "<file>: line <n>: <problem>"."""

    def __init__(self, file: str, problem: str, *, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}: line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class ReadIssue:
    """Something repaired while reading (a short row padded, a header renamed)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
