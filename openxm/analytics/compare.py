"""Differences between groups, each with the test that fits the figure compared.

=================================  ==========================  ============================
comparing                          function                    test (``Comparison.test``)
=================================  ==========================  ============================
two shares (top-2-box, % agree)    :func:`two_proportions`     "two-proportion z" (pooled)
two NPS                            :func:`nps_difference`      "NPS difference z"
two means (CSAT/CES mean, rating)  :func:`welch_t`             "Welch t"
answer distribution × group        :func:`chi_squared`         "chi-squared"
means of three or more groups      :func:`one_way_anova`       "one-way ANOVA"
=================================  ==========================  ============================

Differences are group a − group b with a two-sided interval. When many comparisons are
read together, correct their p-values with :func:`adjust_p_values` (Holm controls the
family-wise error; Benjamini–Hochberg the false discovery rate) or use
:func:`pairwise_nps`, which does it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import stats

from openxm.analytics.intervals import t_critical, z_critical
from openxm.analytics.metrics import ScoreResult
from openxm.analytics.plain import to_plain
from openxm.analytics.values import to_number

__all__ = [
    "Comparison",
    "adjust_p_values",
    "chi_squared",
    "crosstab",
    "nps_difference",
    "one_way_anova",
    "pairwise_nps",
    "two_proportions",
    "welch_t",
]


@dataclass(frozen=True)
class Comparison:
    """One test. ``difference``/``ci_*`` are a − b (None for chi-squared and ANOVA);
    ``adjusted_p`` is set by a multiple-comparison correction; ``note`` flags a caveat."""

    test: str
    groups: tuple[str, ...]
    n: tuple[int, ...]
    statistic: float
    p_value: float
    df: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    effect_size: float | None
    effect_name: str | None
    adjusted_p: float | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def _count(value: int, what: str) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or value < 0:
        raise ValueError(f"{what} must be a whole number ≥ 0 (got {value!r})")
    return int(value)


def two_proportions(
    successes_a: int,
    n_a: int,
    successes_b: int,
    n_b: int,
    *,
    groups: tuple[str, str] = ("a", "b"),
    confidence: float = 0.95,
) -> Comparison:
    """Pooled two-proportion z test; difference in percentage points with a Wald interval
    (unpooled), effect size Cohen's h."""
    xa, na = _count(successes_a, "successes_a"), _count(n_a, "n_a")
    xb, nb = _count(successes_b, "successes_b"), _count(n_b, "n_b")
    if na == 0 or nb == 0 or xa > na or xb > nb:
        raise ValueError("each group needs n > 0 and successes ≤ n")
    pa, pb = xa / na, xb / nb
    pooled = (xa + xb) / (na + nb)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    z = (pa - pb) / se0 if se0 > 0 else 0.0
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    half = z_critical(confidence) * se
    return Comparison(
        test="two-proportion z",
        groups=groups,
        n=(na, nb),
        statistic=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        df=None,
        difference=100 * (pa - pb),
        ci_low=100 * (pa - pb - half),
        ci_high=100 * (pa - pb + half),
        effect_size=2 * math.asin(math.sqrt(pa)) - 2 * math.asin(math.sqrt(pb)),
        effect_name="Cohen's h",
    )


def nps_difference(
    a: ScoreResult, b: ScoreResult, *, groups: tuple[str, str] = ("a", "b"), confidence: float = 0.95
) -> Comparison:
    """z test of NPS a − NPS b using each result's standard error (independent samples)."""
    for label, result in zip(groups, (a, b), strict=True):
        if result.metric not in ("nps", "enps"):
            raise ValueError(f"group {label!r} is a {result.metric} result, not NPS")
        if result.suppressed or result.score is None or result.se is None:
            raise ValueError(f"group {label!r} is suppressed (n = {result.n}); it cannot be compared")
    se = math.sqrt(a.se**2 + b.se**2)  # type: ignore[operator]
    diff = a.score - b.score  # type: ignore[operator]
    z = diff / se if se > 0 else 0.0
    half = z_critical(confidence) * se
    return Comparison(
        test="NPS difference z",
        groups=groups,
        n=(a.n, b.n),
        statistic=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        df=None,
        difference=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        effect_size=None,
        effect_name=None,
    )


def _numbers(values: Sequence[object], group: str) -> np.ndarray:
    present = [
        x
        for row, v in enumerate(values, start=1)
        if (x := to_number(v, what=f"group {group!r} row {row}")) is not None
    ]
    return np.asarray(present, dtype=float)


def welch_t(
    a: Sequence[object],
    b: Sequence[object],
    *,
    groups: tuple[str, str] = ("a", "b"),
    confidence: float = 0.95,
) -> Comparison:
    """Welch's unequal-variance t test of mean a − mean b; blanks skipped; Cohen's d with the
    pooled standard deviation."""
    xa, xb = _numbers(a, groups[0]), _numbers(b, groups[1])
    if len(xa) < 2 or len(xb) < 2:
        raise ValueError("each group needs at least two answers for a t test")
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    if va + vb == 0:
        raise ValueError("both groups are constant; a t test is undefined")
    result = stats.ttest_ind(xa, xb, equal_var=False)
    df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
    diff = float(xa.mean() - xb.mean())
    half = t_critical(confidence, df) * math.sqrt(va + vb)
    pooled = math.sqrt(
        ((len(xa) - 1) * xa.var(ddof=1) + (len(xb) - 1) * xb.var(ddof=1)) / (len(xa) + len(xb) - 2)
    )
    return Comparison(
        test="Welch t",
        groups=groups,
        n=(len(xa), len(xb)),
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        df=float(df),
        difference=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        effect_size=diff / pooled if pooled > 0 else None,
        effect_name="Cohen's d",
    )


def crosstab(
    rows: Sequence[object], columns: Sequence[object]
) -> tuple[list[str], list[str], list[list[int]]]:
    """(row labels, column labels, counts) of two aligned answer lists; pairs with a blank
    side are skipped. Labels are sorted as text."""
    pairs = [
        (str(r).strip(), str(c).strip())
        for r, c in zip(rows, columns, strict=True)
        if r is not None and c is not None and str(r).strip() and str(c).strip()
    ]
    row_labels = sorted({r for r, _ in pairs})
    col_labels = sorted({c for _, c in pairs})
    index_r = {label: i for i, label in enumerate(row_labels)}
    index_c = {label: j for j, label in enumerate(col_labels)}
    table = [[0] * len(col_labels) for _ in row_labels]
    for r, c in pairs:
        table[index_r[r]][index_c[c]] += 1
    return row_labels, col_labels, table


def chi_squared(table: Sequence[Sequence[int]], *, groups: Sequence[str] | None = None) -> Comparison:
    """Pearson chi-squared test of independence of a contingency table (rows = groups),
    without Yates' correction so 2×2 tables match the textbook statistic; effect size
    Cramér's V. ``note`` warns when an expected count is below 5."""
    observed = np.asarray(table, dtype=float)
    if observed.ndim != 2 or min(observed.shape) < 2:
        raise ValueError("chi-squared needs a table with at least two rows and two columns")
    if (observed < 0).any():
        raise ValueError("counts in a contingency table cannot be negative")
    if (observed.sum(axis=0) == 0).any() or (observed.sum(axis=1) == 0).any():
        raise ValueError("a row or column of the table is all zero; drop it first")
    statistic, p, dof, expected = stats.chi2_contingency(observed, correction=False)
    total = observed.sum()
    v = math.sqrt(statistic / (total * (min(observed.shape) - 1)))
    low = int((expected < 5).sum())
    labels = tuple(groups) if groups is not None else tuple(str(i + 1) for i in range(observed.shape[0]))
    return Comparison(
        test="chi-squared",
        groups=labels,
        n=tuple(int(x) for x in observed.sum(axis=1)),
        statistic=float(statistic),
        p_value=float(p),
        df=float(dof),
        difference=None,
        ci_low=None,
        ci_high=None,
        effect_size=v,
        effect_name="Cramér's V",
        note=f"{low} of {expected.size} expected counts are below 5; the p-value is approximate"
        if low
        else None,
    )


def one_way_anova(groups: Mapping[str, Sequence[object]]) -> Comparison:
    """One-way ANOVA F test of equal means across the groups; blanks skipped; effect size
    eta² (between-group share of the total sum of squares)."""
    samples = {label: _numbers(values, label) for label, values in groups.items()}
    if len(samples) < 2 or any(len(x) < 2 for x in samples.values()):
        raise ValueError("ANOVA needs at least two groups of at least two answers")
    everything = np.concatenate(list(samples.values()))
    ss_total = float(((everything - everything.mean()) ** 2).sum())
    if ss_total == 0:
        raise ValueError("every answer is the same; ANOVA is undefined")
    result = stats.f_oneway(*samples.values())
    ss_between = sum(len(x) * (x.mean() - everything.mean()) ** 2 for x in samples.values())
    return Comparison(
        test="one-way ANOVA",
        groups=tuple(samples),
        n=tuple(len(x) for x in samples.values()),
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        df=float(len(samples) - 1),
        difference=None,
        ci_low=None,
        ci_high=None,
        effect_size=float(ss_between / ss_total),
        effect_name="eta squared",
        note=f"df = ({len(samples) - 1}, {len(everything) - len(samples)})",
    )


def adjust_p_values(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values in the input order: ``holm`` (Holm 1979, step-down Bonferroni) or
    ``bh`` (Benjamini and Hochberg 1995)."""
    p = np.asarray(p_values, dtype=float)
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise ValueError("p-values must be between 0 and 1")
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * ranked))
    elif method in ("bh", "benjamini-hochberg", "fdr"):
        adjusted = np.minimum.accumulate((m * ranked / np.arange(1, m + 1))[::-1])[::-1]
        adjusted = np.minimum(1, adjusted)
    else:
        raise ValueError(f"unknown correction {method!r}; expected 'holm' or 'bh'")
    out = np.empty(m)
    out[order] = adjusted
    return [float(x) for x in out]


def pairwise_nps(
    results: Mapping[str, ScoreResult], *, method: str = "holm", confidence: float = 0.95
) -> list[Comparison]:
    """Every pair of (not suppressed) groups' NPS compared, p-values corrected together."""
    usable = {label: r for label, r in results.items() if not r.suppressed}
    comparisons = [
        nps_difference(usable[a], usable[b], groups=(a, b), confidence=confidence)
        for a, b in itertools.combinations(usable, 2)
    ]
    adjusted = adjust_p_values([c.p_value for c in comparisons], method)
    return [replace(c, adjusted_p=q) for c, q in zip(comparisons, adjusted, strict=True)]
