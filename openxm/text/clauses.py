"""Splitting a comment into clauses, the unit of clause and aspect sentiment.

A clause boundary is any of ``，。！？；;,.!?``, a line break, an ellipsis or a tilde, and the
contrast words 但/但是/不过/可是/然而 (Chinese; not 但愿/但凡) and but/however/although/though/
whereas (English, whole words only; "yet" is left alone because of "not yet"). Punctuation is
dropped; a contrast word stays at the head of the
clause it introduces, and that clause is marked ``contrast=True`` because what follows "but"
usually carries the writer's verdict. Decimal points (``4.5``) and thousands separators
(``1,000``) do not split. Empty clauses are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ClauseSpan", "split_clauses"]

_PUNCT = r"(?:[.,](?![0-9])|[，。！？；;!?\n\r…~～、])+"
_PUNCT_ONLY = re.compile(_PUNCT)
_HINT = re.compile(r"但|不过|可是|然而|but|however|although|though|whereas", re.IGNORECASE)
_SPLIT = re.compile(
    _PUNCT + r"|(?=(?:但是|不过|可是|然而))"
    r"|(?<![但])(?=但(?!是|愿|凡))"
    r"|(?=\b(?:but|however|although|though|whereas)\b)",
    re.IGNORECASE,
)
_CONTRAST_HEAD = re.compile(
    r"^(?:但是|不过|可是|然而|但(?!愿|凡)|(?:but|however|although|though|whereas)\b)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ClauseSpan:
    """One clause: ``text`` is ``comment[start:end]`` stripped of surrounding spaces."""

    text: str
    start: int
    end: int
    contrast: bool


def split_clauses(text: str) -> list[ClauseSpan]:
    """Split ``text`` into clauses as described in the module docstring."""
    spans: list[ClauseSpan] = []
    pos = 0
    splitter = _SPLIT if _HINT.search(text) else _PUNCT_ONLY  # lookaheads only where they can match
    for m in splitter.finditer(text):
        _add(text, pos, m.start(), spans)
        pos = m.end()
    _add(text, pos, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[ClauseSpan]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    piece = text[start:end]
    contrast = _HINT.match(piece) is not None and _CONTRAST_HEAD.match(piece) is not None
    spans.append(ClauseSpan(piece, start, end, contrast))
