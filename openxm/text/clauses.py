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

from ._fast import fast_constructor

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


_clause_span = fast_constructor(ClauseSpan)


def split_clauses(text: str) -> list[ClauseSpan]:
    """Split ``text`` into clauses as described in the module docstring."""
    spans: list[ClauseSpan] = []
    hint = _HINT.search(text) is not None
    splitter = _SPLIT if hint else _PUNCT_ONLY  # lookaheads only where they can match
    make = _clause_span
    pos = 0
    bounds = [(m.start(), m.end()) for m in splitter.finditer(text)]
    bounds.append((len(text), len(text)))
    for cut, after in bounds:
        start, end = pos, cut
        pos = after
        piece = text[start:end]
        if piece[:1].isspace() or piece[-1:].isspace():
            stripped = piece.lstrip()
            start += len(piece) - len(stripped)
            piece = stripped.rstrip()
            end = start + len(piece)
        if not piece:
            continue
        contrast = hint and _HINT.match(piece) is not None and _CONTRAST_HEAD.match(piece) is not None
        spans.append(make(piece, start, end, contrast))
    return spans
