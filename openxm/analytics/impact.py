"""The measured impact of an action plan: its metric before vs after the go-live date, and the
difference in differences (DiD) against a control group that the plan did not touch.

Included (docs/action-plans.md gives the formulas with an example):

* Five metrics, each summarised per cell (one group in one period) as an estimate with its
  standard error and n:

  ==================  =======================  ==========================================  =====
  metric              answers                  estimate and standard error                 test
  ==================  =======================  ==========================================  =====
  ``nps``             0–10                     100·(p_P − p_D); 100·√((p_P + p_D − (p_P − p_D)²)/n)  z
  ``csat``            1–5                      top-2-box % (4–5) = 100·p; 100·√(p(1 − p)/n)        z
  ``ces``             1–7                      mean; s/√n                                  Welch t
  ``negative_share``  1 (negative) / 0         100·p; 100·√(p(1 − p)/n) — lower is better  z
  ``root_cause_share`` 1 (a case with the      100·p; 100·√(p(1 − p)/n) — lower is better  z
                      root cause) / 0
  ==================  =======================  ==========================================  =====

* :func:`before_after` — effect = after − before; :func:`diff_in_diff` — effect =
  (treated after − treated before) − (control after − control before). The cells are
  independent samples, so the effect's variance is the sum of the cells' squared standard
  errors. Proportions and NPS use the normal distribution; means use Welch's t with the
  Welch–Satterthwaite degrees of freedom over the cells (for two cells exactly Welch's test).
  The interval is at 1 − alpha, so "significant" and "the interval excludes 0" agree.
* The "not enough data yet" rule (:class:`Rules`): every cell needs at least ``min_n``
  answers and each period at least ``min_days`` days; otherwise no effect, test or verdict is
  given, only the cells with their n and the reasons (codes in ``reasons``).

Excluded: weighting, clustering of answers by customer, and trends within a period (DiD
assumes the treated and control groups would have moved in parallel without the plan; the
page says so). Choosing the groups, reading answers and translating reasons is the caller's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from scipy import stats

from openxm.analytics.intervals import check_confidence
from openxm.analytics.plain import to_plain
from openxm.analytics.values import to_number

__all__ = ["METRICS", "Cell", "Impact", "MetricKind", "Rules", "before_after", "diff_in_diff", "summarise"]


@dataclass(frozen=True)
class MetricKind:
    """How a metric's answers become a cell estimate: ``net`` (NPS), ``share`` (answers from
    ``top`` up, as a %) or ``mean``; ``higher_is_better`` decides what an improvement is."""

    name: str
    low: int
    high: int
    kind: str
    top: int | None = None
    higher_is_better: bool = True


METRICS: Mapping[str, MetricKind] = MappingProxyType(
    {
        "nps": MetricKind("nps", 0, 10, "net"),
        "csat": MetricKind("csat", 1, 5, "share", top=4),
        "ces": MetricKind("ces", 1, 7, "mean"),
        # 1 = the response mentions the topic with negative sentiment, 0 = it does not.
        "negative_share": MetricKind("negative_share", 0, 1, "share", top=1, higher_is_better=False),
        # 1 = the response's case was resolved with the plan's root cause, 0 = it was not.
        "root_cause_share": MetricKind("root_cause_share", 0, 1, "share", top=1, higher_is_better=False),
    }
)


@dataclass(frozen=True)
class Rules:
    """When an impact may be stated: ``min_n`` answers in every cell, ``min_days`` days in each
    period; tests at ``alpha`` (two-sided) with a 1 − alpha interval."""

    min_n: int = 30
    min_days: int = 14
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if self.min_n < 2:
            raise ValueError("min_n must be at least 2")
        if self.min_days < 1:
            raise ValueError("min_days must be at least 1")
        check_confidence(1 - self.alpha)


@dataclass(frozen=True)
class Cell:
    """One group in one period: ``estimate`` (None without answers) with its standard error."""

    label: str
    n: int
    estimate: float | None
    se: float | None

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


@dataclass(frozen=True)
class Impact:
    """The measured effect of a plan, or why it cannot be stated yet.

    ``enough`` is False when a cell has fewer than ``min_n`` answers (reason ``"min_n"``), a
    period is shorter than ``min_days`` (``"window_before"``, ``"window_after"``) or every answer
    is the same in every cell (``"no_variation"``); then ``effect`` and everything after it are
    None and ``verdict`` is ``"not_enough_data"``. Otherwise ``verdict`` is ``"improved"`` or
    ``"worsened"`` when p < alpha (in the metric's good direction or not), else
    ``"no_clear_change"``. ``effect`` is in the metric's unit (NPS points, percentage points,
    scale points)."""

    metric: str
    design: str  # "before_after" or "diff_in_diff"
    cells: tuple[Cell, ...]
    days_before: float
    days_after: float
    rules: Rules
    enough: bool
    reasons: tuple[str, ...]
    verdict: str
    effect: float | None = None
    se: float | None = None
    test: str | None = None
    statistic: float | None = None
    df: float | None = None
    p_value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def n(self) -> int:
        return sum(cell.n for cell in self.cells)

    def to_dict(self) -> dict[str, Any]:
        return {**to_plain(self), "n": self.n}


def _spec(metric: str) -> MetricKind:
    try:
        return METRICS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}") from None


def _tally(spec: MetricKind, values: Sequence[object] | Mapping[object, int], label: str) -> dict[int, int]:
    """{scale point: count}; blanks skipped, an off-scale or fractional answer raises."""
    pairs = values.items() if isinstance(values, Mapping) else ((v, 1) for v in values)
    tally: dict[int, int] = {}
    for raw, count in pairs:
        number = to_number(raw, what=f"{label} answer")
        if number is None:
            continue
        if not number.is_integer() or not spec.low <= number <= spec.high:
            raise ValueError(
                f"{label}: answer {raw!r} is not on the {spec.name} scale {spec.low}–{spec.high}"
            )
        if isinstance(count, bool) or int(count) != count or count < 0:
            raise ValueError(f"{label}: count {count!r} for answer {raw!r} is not a whole number ≥ 0")
        tally[int(number)] = tally.get(int(number), 0) + int(count)
    return tally


def _moments(spec: MetricKind, tally: Mapping[int, int]) -> tuple[int, float | None, float | None]:
    n = sum(tally.values())
    if n == 0:
        return 0, None, None
    if spec.kind == "net":
        p_p = sum(c for v, c in tally.items() if v >= 9) / n
        p_d = sum(c for v, c in tally.items() if v <= 6) / n
        return n, 100 * (p_p - p_d), 100 * math.sqrt(max(0.0, p_p + p_d - (p_p - p_d) ** 2) / n)
    if spec.kind == "share":
        p = sum(c for v, c in tally.items() if v >= spec.top) / n
        return n, 100 * p, 100 * math.sqrt(p * (1 - p) / n)
    mean = sum(v * c for v, c in tally.items()) / n
    if n < 2:
        return n, mean, None
    variance = sum(c * (v - mean) ** 2 for v, c in tally.items()) / (n - 1)
    return n, mean, math.sqrt(variance / n)


def summarise(metric: str, values: Sequence[object] | Mapping[object, int], label: str = "cell") -> Cell:
    """One cell from raw answers or a ``{answer: count}`` table (blank answers skipped)."""
    spec = _spec(metric)
    n, estimate, se = _moments(spec, _tally(spec, values, label))
    return Cell(label, n, estimate, se)


def _contrast(
    metric: str,
    design: str,
    cells: tuple[Cell, ...],
    signs: tuple[int, ...],
    days_before: float,
    days_after: float,
    rules: Rules,
) -> Impact:
    spec = _spec(metric)
    reasons = []
    if any(cell.n < rules.min_n for cell in cells):
        reasons.append("min_n")
    if days_before < rules.min_days:
        reasons.append("window_before")
    if days_after < rules.min_days:
        reasons.append("window_after")
    variances = [cell.se**2 for cell in cells if cell.se is not None]
    if not reasons and sum(variances) == 0:
        reasons.append("no_variation")
    common = {
        "metric": metric,
        "design": design,
        "cells": cells,
        "days_before": days_before,
        "days_after": days_after,
        "rules": rules,
    }
    if reasons:
        return Impact(**common, enough=False, reasons=tuple(reasons), verdict="not_enough_data")
    effect = sum(sign * cell.estimate for sign, cell in zip(signs, cells, strict=True))
    se = math.sqrt(sum(variances))
    statistic = effect / se
    if spec.kind == "mean":
        # Welch–Satterthwaite over the cells; a constant cell adds no variance and no df term.
        df = sum(variances) ** 2 / sum(v**2 / (cell.n - 1) for v, cell in zip(variances, cells, strict=True))
        test, distribution = "Welch t", stats.t(df)
    else:
        df, test, distribution = None, "z", stats.norm()
    p_value = float(2 * distribution.sf(abs(statistic)))
    half = float(distribution.ppf(1 - rules.alpha / 2)) * se
    if p_value < rules.alpha:
        better = (effect > 0) == spec.higher_is_better
        verdict = "improved" if better else "worsened"
    else:
        verdict = "no_clear_change"
    return Impact(
        **common,
        enough=True,
        reasons=(),
        verdict=verdict,
        effect=effect,
        se=se,
        test=test,
        statistic=statistic,
        df=df,
        p_value=p_value,
        ci_low=effect - half,
        ci_high=effect + half,
    )


def before_after(
    metric: str,
    before: Sequence[object] | Mapping[object, int],
    after: Sequence[object] | Mapping[object, int],
    *,
    days_before: float,
    days_after: float,
    rules: Rules = Rules(),  # frozen, so one shared default is safe
) -> Impact:
    """The metric after go-live minus before, for the plan's own group."""
    cells = (summarise(metric, before, "before"), summarise(metric, after, "after"))
    return _contrast(metric, "before_after", cells, (-1, 1), days_before, days_after, rules)


def diff_in_diff(
    metric: str,
    treated_before: Sequence[object] | Mapping[object, int],
    treated_after: Sequence[object] | Mapping[object, int],
    control_before: Sequence[object] | Mapping[object, int],
    control_after: Sequence[object] | Mapping[object, int],
    *,
    days_before: float,
    days_after: float,
    rules: Rules = Rules(),  # frozen, so one shared default is safe
) -> Impact:
    """(treated after − treated before) − (control after − control before)."""
    cells = (
        summarise(metric, treated_before, "treated before"),
        summarise(metric, treated_after, "treated after"),
        summarise(metric, control_before, "control before"),
        summarise(metric, control_after, "control after"),
    )
    return _contrast(metric, "diff_in_diff", cells, (-1, 1, 1, -1), days_before, days_after, rules)
