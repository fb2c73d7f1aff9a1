"""PII detection and redaction for free-text feedback.

Included kinds (checked in this order; a span already taken by an earlier kind is not reused):

* ``email`` — ``local@domain.tld``.
* ``cn_id`` — 18-character mainland China resident ID (GB 11643): 17 digits and a check
  character (digit or ``X``), redacted only when the ISO 7064 MOD 11-2 checksum holds and the
  embedded birth date (positions 7–14) is a real date between 1900 and today.
* ``bank_card`` — 13 to 19 digits, optionally grouped by single spaces or dashes, redacted only
  when the Luhn checksum holds.
* ``phone`` — mainland China mobile numbers (``1[3-9]`` + 9 digits, optional ``+86``/``86``
  prefix, optional space/dash grouping 3-4-4), China landlines with an area code
  (``010-12345678``) and international numbers written with a leading ``+`` (8 to 15 digits).

Full-width digits (``１３８…``) are recognised like ASCII digits. Excluded: names, street
addresses, passport numbers, IP addresses and numbers that fail their checksum (an 18-digit
order number with a wrong check digit stays visible, which is the point of checking).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ._fast import fast_constructor

__all__ = ["PIISpan", "RedactionResult", "redact", "luhn_valid", "cn_id_valid", "PLACEHOLDERS"]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "cn_id": "[ID]",
    "bank_card": "[CARD]",
    "phone": "[PHONE]",
}

# Full-width digits map one-to-one onto ASCII, so offsets in the translated text are offsets
# in the original text.
_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"＋": "+", "－": "-", "Ｘ": "X"})

_DIGITS = re.compile(r"[0-9\uff10-\uff19]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}")
_CN_ID = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z+])[0-9](?:[ \-]?[0-9]){12,18}(?![0-9A-Za-z])")
_CN_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9A-Za-z])"
)
_CN_LANDLINE = re.compile(r"(?<![0-9A-Za-z])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3}-)[0-9]{7,8}(?![0-9A-Za-z])")
_INTL = re.compile(r"(?<![0-9A-Za-z])\+[0-9](?:[ \-.]?\(?[0-9]+\)?){1,6}(?![0-9A-Za-z])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True, slots=True)
class PIISpan:
    """One redacted span: ``text[start:end]`` of the original text was of ``kind``."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """The redacted text and the spans (in original-text offsets, sorted) that were replaced."""

    text: str
    spans: tuple[PIISpan, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Distinct kinds found, in order of first appearance."""
        return tuple(dict.fromkeys(span.kind for span in self.spans))


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (ASCII digits only) passes the Luhn check used by payment cards."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def cn_id_valid(number: str, today: _dt.date | None = None) -> bool:
    """True for an 18-character resident ID with a valid MOD 11-2 check and a real birth date."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    check = number[17].upper()
    total = sum(int(number[i]) * _ID_WEIGHTS[i] for i in range(17))
    if _ID_CHECK[total % 11] != check:
        return False
    try:
        born = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return _dt.date(1900, 1, 1) <= born <= (today or _dt.date.today())


def _digit_count(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _candidates(text: str) -> list[PIISpan]:
    found: list[PIISpan] = []
    if "@" in text:
        found += [PIISpan("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    found += [PIISpan("cn_id", m.start(), m.end()) for m in _CN_ID.finditer(text) if cn_id_valid(m.group())]
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ \-]", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(PIISpan("bank_card", m.start(), m.end()))
    found += [PIISpan("phone", m.start(), m.end()) for m in _CN_MOBILE.finditer(text)]
    found += [PIISpan("phone", m.start(), m.end()) for m in _CN_LANDLINE.finditer(text)]
    found += [
        PIISpan("phone", m.start(), m.end())
        for m in _INTL.finditer(text)
        if 8 <= _digit_count(m.group()) <= 15
    ]
    return found


_nothing = fast_constructor(RedactionResult)


def redact(text: str) -> RedactionResult:
    """Replace PII in ``text`` with placeholders such as ``[PHONE]``; see the module docstring."""
    if not text or ("@" not in text and len(_DIGITS.findall(text)) < 8):
        return _nothing(text, ())  # every kind but e-mail needs at least 8 digits
    probe = text.translate(_FULLWIDTH)
    taken: list[PIISpan] = []
    for span in _candidates(probe):  # priority order: earlier kinds win overlaps
        if all(span.end <= t.start or span.start >= t.end for t in taken):
            taken.append(span)
    if not taken:
        return RedactionResult(text, ())
    taken.sort(key=lambda s: s.start)
    parts: list[str] = []
    pos = 0
    for span in taken:
        parts.append(text[pos : span.start])
        parts.append(PLACEHOLDERS[span.kind])
        pos = span.end
    parts.append(text[pos:])
    return RedactionResult("".join(parts), tuple(taken))
