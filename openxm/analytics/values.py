"""Turning raw answers into numbers: scale points, plain numbers, weights.

Answers reach the analytics from forms, CSV cells, XLSX cells and the database, so the same
answer arrives as ``5``, ``5.0``, ``"5"`` or ``" 5 "``. Every function here accepts all of
those and treats ``None``, NaN, empty strings and the usual missing-value tokens (``NA``,
``N/A``, ``NaN``, ``null``, ``none``) as *missing*: missing answers are returned as ``None``
and never raise. Anything else that is not a number, or a number off the scale, raises a
``ValueError`` that names the offending value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Number

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a"})


@dataclass(frozen=True)
class Scale:
    """A closed integer answer scale, e.g. 0–10 for NPS."""

    name: str
    low: int
    high: int

    def points(self) -> range:
        return range(self.low, self.high + 1)

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


def is_missing(value: object) -> bool:
    """True for None, NaN, blank strings and the missing-value tokens listed above."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().casefold() in MISSING_TOKENS
    if isinstance(value, float):
        return math.isnan(value)
    # numpy floats are not ``float`` subclasses in every version; NaN is the only value
    # that is not equal to itself.
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def to_number(value: object, *, what: str = "value") -> float | None:
    """A float for a numeric answer, None when missing.

    Booleans are rejected: ``True`` would silently count as 1, which is never what a survey
    answer means.
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is a yes/no value, not a number")
    if isinstance(value, Number):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{what} {value!r} is not a number") from None
    elif isinstance(value, str):
        try:
            # float() also reads full-width digits such as "５", which Chinese forms produce.
            # A decimal comma is not accepted: "1,000" would silently become 1.0.
            number = float(value.strip())
        except ValueError:
            raise ValueError(f"{what} {value!r} is not a number") from None
    else:
        raise ValueError(f"{what} {value!r} is not a number")
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError(f"{what} {value!r} is not a finite number")
    return number


def to_point(value: object, scale: Scale) -> int | None:
    """The scale point for one answer, None when missing.

    Raises ValueError naming the value when it is not a whole number on ``scale``.
    """
    if isinstance(value, Integral) and not isinstance(value, bool):
        point = int(value)
    else:
        number = to_number(value, what=f"{scale.name} answer")
        if number is None:
            return None
        if not number.is_integer():
            raise ValueError(f"{scale.name} answer {value!r} is not a whole point on the {scale} scale")
        point = int(number)
    if point < scale.low or point > scale.high:
        raise ValueError(f"{scale.name} answer {value!r} is outside the {scale} scale")
    return point


def to_weight(value: object, *, position: int) -> float:
    """A respondent weight: finite and not negative. Missing weights are an error."""
    number = to_number(value, what=f"weight at position {position}")
    if number is None:
        raise ValueError(f"weight at position {position} is missing")
    if number < 0:
        raise ValueError(f"weight at position {position} is negative ({value!r})")
    return number


def check_same_length(name_a: str, a: Sequence[object], name_b: str, b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"{name_a} has {len(a)} entries but {name_b} has {len(b)}; they must align")


def kish_effective_n(weights: Iterable[float]) -> float:
    """Kish's effective sample size (Σw)² / Σw²; 0 when every weight is zero."""
    total = 0.0
    total_sq = 0.0
    for w in weights:
        total += w
        total_sq += w * w
    return total * total / total_sq if total_sq > 0 else 0.0
