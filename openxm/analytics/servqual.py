"""SERVQUAL gap analysis (Parasuraman, Zeithaml and Berry 1988).

Each item has an expectation (E) and a perception (P) answer per respondent on a 1–7 scale
and belongs to one of the five dimensions. Definitions:

* item gap = mean of P − E over respondents who answered both (n per item), with a paired t
  interval; the item's E and P means are over the same respondents;
* dimension gap = mean of its item gaps (DESIGN.md). Its interval is centred on that gap with
  the spread of each respondent's own dimension gap (mean of P − E over the dimension's
  items), among respondents who answered every item of the dimension; without missing
  answers the two means coincide;
* unweighted SERVQUAL = mean of the dimension gaps;
* weighted SERVQUAL = Σ dimension gap × weight / 100, where weights are 100 points
  allocated over the dimensions: either fixed points, or each respondent's allocation
  (rows whose allocations are blank are skipped; the rest must add up to 100 ± 1), averaged;
* Cronbach's alpha per dimension, on the item gap scores of respondents complete on the
  dimension; None for a one-item dimension or fewer than two such respondents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from openxm.analytics.intervals import check_confidence, t_interval
from openxm.analytics.plain import to_plain
from openxm.analytics.values import Scale, is_missing, to_number, to_point

__all__ = ["DIMENSIONS", "Gap", "ServqualItem", "ServqualResult", "cronbach_alpha", "servqual"]

DIMENSIONS: tuple[str, ...] = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
_ALLOCATION_TOLERANCE = 1.0


@dataclass(frozen=True)
class ServqualItem:
    """Input: one item's answers, aligned by respondent across all items."""

    name: str
    dimension: str
    expectations: Sequence[object]
    perceptions: Sequence[object]


@dataclass(frozen=True)
class Gap:
    """A gap for an item (``items`` = 1) or a dimension; None figures mean no data."""

    name: str
    dimension: str
    n: int
    items: int
    expectation: float | None
    perception: float | None
    gap: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    alpha: float | None = None


@dataclass(frozen=True)
class ServqualResult:
    respondents: int
    items: tuple[Gap, ...]
    dimensions: tuple[Gap, ...]
    unweighted: float | None
    weighted: float | None
    weights: Mapping[str, float] | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def cronbach_alpha(scores: np.ndarray) -> float | None:
    """Cronbach's alpha of a respondents × items matrix without missing values.

    α = k/(k − 1) · (1 − Σ item variances / variance of the total), sample variances.
    """
    n, k = scores.shape
    if k < 2 or n < 2:
        return None
    total_var = float(np.var(scores.sum(axis=1), ddof=1))
    if total_var == 0:
        return None
    return k / (k - 1) * (1 - float(np.var(scores, axis=0, ddof=1).sum()) / total_var)


def _points(item: ServqualItem, side: str, values: Sequence[object], scale: Scale) -> list[int | None]:
    points: list[int | None] = []
    for row, value in enumerate(values, start=1):
        try:
            points.append(to_point(value, scale))
        except ValueError as error:
            raise ValueError(f"SERVQUAL item {item.name!r} {side}, row {row}: {error}") from None
    return points


def _gap(name: str, dimension: str, items: int, e: list[float], p: list[float], conf: float) -> Gap:
    n = len(e)
    if n == 0:
        return Gap(name, dimension, 0, items, None, None, None, None, None, None)
    diffs = np.asarray(p) - np.asarray(e)
    mean = float(diffs.mean())
    sd = float(diffs.std(ddof=1)) if n > 1 else math.nan
    ci = t_interval(mean, sd, n, conf)
    return Gap(
        name,
        dimension,
        n,
        items,
        float(np.mean(e)),
        float(np.mean(p)),
        mean,
        None if math.isnan(sd) else sd,
        None if ci is None else ci[0],
        None if ci is None else ci[1],
    )


def _weights(
    importance: Mapping[str, float | Sequence[object]], dimensions: list[str], respondents: int
) -> dict[str, float]:
    unknown = set(importance) - set(dimensions)
    if unknown:
        raise ValueError(f"importance given for dimensions without items: {', '.join(sorted(unknown))}")
    absent = [d for d in dimensions if d not in importance]
    if absent:
        raise ValueError(f"importance missing for dimension(s): {', '.join(absent)}")
    fixed = {d: v for d, v in importance.items() if not isinstance(v, Sequence) or isinstance(v, str)}
    if len(fixed) == len(importance):
        points = {d: to_number(v, what=f"importance of {d}") for d, v in fixed.items()}
        if any(v is None or v < 0 for v in points.values()):
            raise ValueError("fixed importance points must be numbers ≥ 0")
        total = sum(points.values())  # type: ignore[arg-type]
        if abs(total - 100) > _ALLOCATION_TOLERANCE:
            raise ValueError(f"importance points add up to {total:g}, not 100")
        return {d: float(v) for d, v in points.items()}  # type: ignore[arg-type]
    if fixed:
        raise ValueError("importance must be all fixed points or all per-respondent allocations")
    sums = dict.fromkeys(dimensions, 0.0)
    used = 0
    for row in range(respondents):
        raw = {d: importance[d][row] for d in dimensions}  # type: ignore[index]
        if all(is_missing(v) for v in raw.values()):
            continue
        values = {d: to_number(v, what=f"importance of {d} in row {row + 1}") for d, v in raw.items()}
        if any(v is None or v < 0 for v in values.values()):
            raise ValueError(f"importance allocation in row {row + 1} has a blank or negative value")
        total = sum(values.values())  # type: ignore[arg-type]
        if abs(total - 100) > _ALLOCATION_TOLERANCE:
            raise ValueError(f"importance allocation in row {row + 1} adds up to {total:g}, not 100")
        for d, v in values.items():
            sums[d] += v  # type: ignore[operator]
        used += 1
    if used == 0:
        raise ValueError("no respondent allocated importance points")
    return {d: s / used for d, s in sums.items()}


def servqual(
    items: Sequence[ServqualItem],
    *,
    importance: Mapping[str, float | Sequence[object]] | None = None,
    dimensions: Sequence[str] = DIMENSIONS,
    low: int = 1,
    high: int = 7,
    confidence: float = 0.95,
) -> ServqualResult:
    """Gap scores per item and dimension, SERVQUAL scores and alphas; see the module docstring.

    ``importance`` maps each analysed dimension to fixed points or to per-respondent
    allocations aligned with the answers. ``dimensions`` lists the allowed dimension names
    (the five SERVQUAL ones by default); an item in another dimension raises ValueError.
    """
    check_confidence(confidence)
    if not items:
        raise ValueError("SERVQUAL needs at least one item")
    respondents = len(items[0].expectations)
    allowed = {d.casefold(): d for d in dimensions}
    scale = Scale("SERVQUAL answer", low, high)
    by_dimension: dict[str, list[tuple[list[int | None], list[int | None]]]] = {}
    item_gaps: list[Gap] = []
    for item in items:
        dimension = allowed.get(item.dimension.strip().casefold())
        if dimension is None:
            raise ValueError(
                f"SERVQUAL item {item.name!r} has dimension {item.dimension!r}; expected one of "
                f"{', '.join(dimensions)}"
            )
        if len(item.expectations) != respondents or len(item.perceptions) != respondents:
            raise ValueError(f"SERVQUAL item {item.name!r} does not have {respondents} answers per side")
        e = _points(item, "expectation", item.expectations, scale)
        p = _points(item, "perception", item.perceptions, scale)
        pairs = [(a, b) for a, b in zip(e, p, strict=True) if a is not None and b is not None]
        item_gaps.append(
            _gap(item.name, dimension, 1, [a for a, _ in pairs], [b for _, b in pairs], confidence)
        )
        by_dimension.setdefault(dimension, []).append((e, p))

    dimension_gaps: list[Gap] = []
    for dimension in [d for d in dimensions if d in by_dimension]:
        members = [g for g in item_gaps if g.dimension == dimension]
        answered = [g for g in members if g.gap is not None]
        answers = by_dimension[dimension]
        complete = [
            [p[row] - e[row] for e, p in answers]  # type: ignore[operator]
            for row in range(respondents)
            if all(e[row] is not None and p[row] is not None for e, p in answers)
        ]
        matrix = np.asarray(complete, dtype=float).reshape(len(complete), len(answers))
        if not answered:
            dimension_gaps.append(
                Gap(dimension, dimension, 0, len(members), None, None, None, None, None, None)
            )
            continue
        gap = float(np.mean([g.gap for g in answered]))
        per_respondent = matrix.mean(axis=1) if len(complete) else np.array([])
        sd = float(per_respondent.std(ddof=1)) if len(complete) > 1 else math.nan
        ci = t_interval(gap, sd, len(complete), confidence)
        dimension_gaps.append(
            Gap(
                name=dimension,
                dimension=dimension,
                n=len(complete),
                items=len(members),
                expectation=float(np.mean([g.expectation for g in answered])),
                perception=float(np.mean([g.perception for g in answered])),
                gap=gap,
                sd=None if math.isnan(sd) else sd,
                ci_low=None if ci is None else ci[0],
                ci_high=None if ci is None else ci[1],
                alpha=cronbach_alpha(matrix),
            )
        )

    scored = [g for g in dimension_gaps if g.gap is not None]
    unweighted = float(np.mean([g.gap for g in scored])) if scored else None
    weights = weighted = None
    if importance is not None:
        weights = _weights(importance, [g.name for g in dimension_gaps], respondents)
        if len(scored) == len(dimension_gaps):
            weighted = sum(g.gap * weights[g.name] / 100 for g in scored)  # type: ignore[operator]
    return ServqualResult(
        respondents=respondents,
        items=tuple(item_gaps),
        dimensions=tuple(dimension_gaps),
        unweighted=unweighted,
        weighted=weighted,
        weights=None if weights is None else MappingProxyType(weights),
        confidence=confidence,
    )
