"""KANO analysis: classify functional × dysfunctional answers and summarise each feature.

Evaluation tables (rows: functional answer, columns: dysfunctional answer; like, must-be,
neutral, live-with, dislike):

* ``berger`` — Berger et al. (1993), the standard table: like/like and dislike/dislike are
  Q, like/dislike is O, like/(must-be, neutral, live-with) is A, (must-be, neutral,
  live-with)/dislike is M, a functional dislike or a dysfunctional like is R, the rest I.
* ``pouliot`` — the modified table attributed to Pouliot (1993): as above, but identical
  answers on both questions are always Q (must-be/must-be, live-with/live-with too), except
  neutral/neutral, which stays I.

Per feature (:class:`KanoResult`), with n = classified answer pairs (Q and R included;
pairs with a blank answer are skipped and counted in ``missing``):

* ``category``: the most frequent of A, O, M, I, R, Q; ties go to M, O, A, I, R, Q in that
  order.
* ``category_moai``: the M > O > A > I rule (Matzler et al. 1996): among M, O, A, I within
  ``tolerance`` (default 5 percentage points of n) of the most frequent category, prefer M,
  then O, then A, then I; when none is within reach (R or Q dominate), the most frequent.
* ``better`` = (A + O)/(A + O + M + I); ``worse`` = −(O + M)/(A + O + M + I).
* ``total_strength`` = (A + O + M)/n; ``category_strength`` = difference between the two
  largest of A, O, M, I, R, over n (both as fractions).
* ``chi_squared``: goodness of fit of the M, O, A, I counts to a uniform split (df 3), only
  when M + O + A + I ≥ 12.
* Fong (1996): with a, b the two largest of M, O, A, I, R, the top category is significant
  unless |a − b| < 1.65·sqrt((a + b)(2n − a − b)/(2n)); also only when M + O + A + I ≥ 12.

These conventions (n including Q, R excluded from chi-squared, the ≥ 12 floor) are those of
the stp25kano R package, whose published example this module reproduces in its tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from scipy import stats

from openxm.analytics.kano_answers import ANSWERS, AnswerReader
from openxm.analytics.plain import to_plain
from openxm.analytics.values import check_same_length, to_number

__all__ = [
    "CATEGORIES",
    "TABLES",
    "KanoResult",
    "analyze_feature",
    "classify",
    "kano_from_counts",
]

CATEGORIES: tuple[str, ...] = ("A", "O", "M", "I", "R", "Q")
_TIE_ORDER = ("M", "O", "A", "I", "R", "Q")
_MOAI = ("M", "O", "A", "I")
_FONG_Z = 1.65
_MIN_FOR_TESTS = 12

_BERGER_ROWS = {
    #             like must-be neutral live-with dislike
    "like":      ("Q", "A", "A", "A", "O"),
    "must-be":   ("R", "I", "I", "I", "M"),
    "neutral":   ("R", "I", "I", "I", "M"),
    "live-with": ("R", "I", "I", "I", "M"),
    "dislike":   ("R", "R", "R", "R", "Q"),
}  # fmt: skip


def _table(rows: Mapping[str, tuple[str, ...]], overrides: Mapping[tuple[str, str], str]) -> Mapping:
    cells = {(f, d): rows[f][j] for f in ANSWERS for j, d in enumerate(ANSWERS)}
    cells.update(overrides)
    return MappingProxyType(cells)


TABLES: Mapping[str, Mapping[tuple[str, str], str]] = MappingProxyType(
    {
        "berger": _table(_BERGER_ROWS, {}),
        "pouliot": _table(_BERGER_ROWS, {("must-be", "must-be"): "Q", ("live-with", "live-with"): "Q"}),
    }
)


def _lookup(table: str) -> Mapping[tuple[str, str], str]:
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown KANO table {table!r}; expected one of {', '.join(TABLES)}") from None


def classify(functional: str, dysfunctional: str, *, table: str = "berger") -> str:
    """The category (A, O, M, I, R or Q) of one answer pair given as answer names."""
    cells = _lookup(table)
    try:
        return cells[(functional, dysfunctional)]
    except KeyError:
        raise ValueError(
            f"KANO answers must be among {', '.join(ANSWERS)} (got {functional!r}, {dysfunctional!r})"
        ) from None


@dataclass(frozen=True)
class KanoResult:
    """The KANO summary of one feature; see the module docstring for every definition.

    Figures that need data (category, Better, Worse, strengths) are None when n is 0, and
    the tests are None when M + O + A + I < 12.
    """

    feature: str
    n: int
    counts: Mapping[str, int]
    category: str | None
    category_moai: str | None
    better: float | None
    worse: float | None
    total_strength: float | None
    category_strength: float | None
    chi_squared: float | None
    chi_squared_p: float | None
    fong_difference: int | None
    fong_critical: float | None
    fong_significant: bool | None
    importance_mean: float | None
    importance_n: int
    missing: int
    table: str
    tolerance: float

    def percent(self, category: str) -> float | None:
        """Share of ``category`` in % of n."""
        return None if self.n == 0 else 100 * self.counts[category] / self.n

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def _most_frequent(counts: Mapping[str, int]) -> str:
    return max(_TIE_ORDER, key=lambda c: (counts[c], -_TIE_ORDER.index(c)))


def _moai(counts: Mapping[str, int], n: int, tolerance: float) -> str:
    top = _most_frequent(counts)
    # Counts, not rounded percentages, so a category exactly on the tolerance is "within";
    # the epsilon absorbs the float error of tolerance·n.
    reach = counts[top] - tolerance * n - 1e-9
    for category in _MOAI:
        if counts[category] >= reach:
            return category
    return top


def kano_from_counts(
    feature: str,
    counts: Mapping[str, object],
    *,
    tolerance: float = 0.05,
    importance_mean: float | None = None,
    importance_n: int = 0,
    missing: int = 0,
    table: str = "berger",
) -> KanoResult:
    """Summarise a feature from category counts ``{"A": 45, "O": 123, ...}``.

    Categories not given count 0; an unknown category or a negative or fractional count
    raises ValueError.
    """
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be a fraction between 0 and 1 (got {tolerance!r})")
    _lookup(table)
    tally = dict.fromkeys(CATEGORIES, 0)
    for category, raw in counts.items():
        if category not in tally:
            raise ValueError(f"unknown KANO category {category!r}; expected one of {', '.join(CATEGORIES)}")
        number = to_number(raw, what=f"count of {category}")
        if number is None or not number.is_integer() or number < 0:
            raise ValueError(f"count of {category} is {raw!r}; counts are whole numbers ≥ 0")
        tally[category] += int(number)
    n = sum(tally.values())
    a, o, m, i = tally["A"], tally["O"], tally["M"], tally["I"]
    moai_total = a + o + m + i

    category = category_moai = None
    total_strength = category_strength = None
    if n:
        category = _most_frequent(tally)
        category_moai = _moai(tally, n, tolerance)
        total_strength = (a + o + m) / n
        first, second = sorted((tally[c] for c in ("A", "O", "M", "I", "R")), reverse=True)[:2]
        category_strength = (first - second) / n

    chi = chi_p = fong_crit = None
    fong_diff: int | None = None
    fong_sig: bool | None = None
    if moai_total >= _MIN_FOR_TESTS:
        test = stats.chisquare([m, o, a, i])
        chi, chi_p = float(test.statistic), float(test.pvalue)
        first, second = sorted((tally[c] for c in ("M", "O", "A", "I", "R")), reverse=True)[:2]
        fong_diff = first - second
        fong_crit = _FONG_Z * math.sqrt((first + second) * (2 * n - first - second) / (2 * n))
        fong_sig = not fong_diff < fong_crit

    return KanoResult(
        feature=feature,
        n=n,
        counts=MappingProxyType(tally),
        category=category,
        category_moai=category_moai,
        better=(a + o) / moai_total if moai_total else None,
        worse=-(o + m) / moai_total if moai_total else None,
        total_strength=total_strength,
        category_strength=category_strength,
        chi_squared=chi,
        chi_squared_p=chi_p,
        fong_difference=fong_diff,
        fong_critical=fong_crit,
        fong_significant=fong_sig,
        importance_mean=importance_mean,
        importance_n=importance_n,
        missing=missing,
        table=table,
        tolerance=tolerance,
    )


def analyze_feature(
    feature: str,
    functional: Sequence[object],
    dysfunctional: Sequence[object],
    *,
    table: str = "berger",
    answers: AnswerReader | Mapping[str, object] | None = None,
    importance: Sequence[object] | None = None,
    tolerance: float = 0.05,
) -> KanoResult:
    """Classify each respondent's answer pair and summarise the feature.

    ``functional`` and ``dysfunctional`` are aligned per respondent and may hold labels or
    codes (see :mod:`openxm.analytics.kano_answers`); ``answers`` is an
    :class:`AnswerReader` or a ``{label: answer}`` mapping for other wordings. A pair with a
    blank side is skipped and counted in ``missing``. ``importance`` (any numeric scale,
    aligned with the respondents) gives ``importance_mean`` over its non-blank answers.
    """
    check_same_length("functional answers", functional, "dysfunctional answers", dysfunctional)
    reader = answers if isinstance(answers, AnswerReader) else AnswerReader(answers)
    cells = _lookup(table)
    tally = dict.fromkeys(CATEGORIES, 0)
    missing = 0
    for row, (f_raw, d_raw) in enumerate(zip(functional, dysfunctional, strict=True), start=1):
        f = reader.read(f_raw, where=f"{feature!r} functional answer in row {row}")
        d = reader.read(d_raw, where=f"{feature!r} dysfunctional answer in row {row}")
        if f is None or d is None:
            missing += 1
            continue
        tally[cells[(f, d)]] += 1

    importance_mean = None
    importance_n = 0
    if importance is not None:
        check_same_length("functional answers", functional, "importance answers", importance)
        numbers = [
            x
            for row, value in enumerate(importance, start=1)
            if (x := to_number(value, what=f"{feature!r} importance in row {row}")) is not None
        ]
        importance_n = len(numbers)
        importance_mean = sum(numbers) / importance_n if numbers else None

    return kano_from_counts(
        feature,
        tally,
        tolerance=tolerance,
        importance_mean=importance_mean,
        importance_n=importance_n,
        missing=missing,
        table=table,
    )
