"""Importance–performance analysis (Martilla and James 1977).

Per attribute: performance = mean rating; importance = either the mean *stated* importance
rating, or *derived* importance = Pearson correlation of the attribute's performance with an
overall outcome (e.g. satisfaction), over respondents who answered both. Blank answers are
skipped per attribute and ``n`` reports what was used.

The crosshair defaults to the means of the attributes' importances and performances (the
"data-centred" grid); a fixed one (e.g. scale midpoints) can be given. An attribute exactly
on a line counts as high. Quadrants and their action labels:

=====================  ====================  ======================
importance             performance low       performance high
=====================  ====================  ======================
high                   Concentrate here      Keep up the good work
low                    Low priority          Possible overkill
=====================  ====================  ======================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from openxm.analytics.plain import to_plain
from openxm.analytics.values import check_same_length, to_number

__all__ = ["ACTIONS", "IpaAttribute", "IpaResult", "ipa", "quadrant"]

ACTIONS = {
    ("high", "low"): "Concentrate here",
    ("high", "high"): "Keep up the good work",
    ("low", "low"): "Low priority",
    ("low", "high"): "Possible overkill",
}


@dataclass(frozen=True)
class IpaAttribute:
    name: str
    importance: float
    performance: float
    n_importance: int
    n_performance: int
    quadrant: str  # "high/low" = importance high, performance low
    action: str


@dataclass(frozen=True)
class IpaResult:
    attributes: tuple[IpaAttribute, ...]
    importance_kind: str  # "stated" or "derived"
    importance_crosshair: float
    performance_crosshair: float

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def quadrant(importance: float, performance: float, crosshair: tuple[float, float]) -> tuple[str, str]:
    """(quadrant "importance/performance", action label) for one point."""
    key = ("high" if importance >= crosshair[0] else "low", "high" if performance >= crosshair[1] else "low")
    return f"{key[0]}/{key[1]}", ACTIONS[key]


def _numbers(name: str, what: str, values: Sequence[object]) -> list[float | None]:
    return [to_number(v, what=f"{name!r} {what} in row {row}") for row, v in enumerate(values, start=1)]


def _mean(name: str, what: str, values: list[float | None]) -> tuple[float, int]:
    present = [v for v in values if v is not None]
    if not present:
        raise ValueError(f"attribute {name!r} has no {what} answers")
    return sum(present) / len(present), len(present)


def ipa(
    performance: Mapping[str, Sequence[object]],
    *,
    importance: Mapping[str, Sequence[object]] | None = None,
    outcome: Sequence[object] | None = None,
    crosshair: tuple[float, float] | None = None,
) -> IpaResult:
    """IPA grid for ``performance`` (attribute → ratings per respondent).

    Give ``importance`` (attribute → stated importance ratings) or ``outcome`` (overall
    ratings aligned with the respondents, for derived importance), not both.
    """
    if not performance:
        raise ValueError("IPA needs at least one attribute")
    if (importance is None) == (outcome is None):
        raise ValueError("give stated importance ratings or an outcome for derived importance (one of them)")
    if importance is not None and set(importance) != set(performance):
        missing = sorted(set(performance) ^ set(importance))
        raise ValueError(
            f"stated importance and performance cover different attributes: {', '.join(missing)}"
        )

    rows: list[tuple[str, float, int, float, int]] = []
    target = [] if outcome is None else _numbers("outcome", "rating", outcome)
    for name, values in performance.items():
        perf = _numbers(name, "performance", values)
        perf_mean, perf_n = _mean(name, "performance", perf)
        if importance is not None:
            check_same_length(f"{name!r} performance", values, f"{name!r} importance", importance[name])
            imp, imp_n = _mean(name, "importance", _numbers(name, "importance", importance[name]))
        else:
            check_same_length(f"{name!r} performance", values, "outcome", target)
            pairs = np.asarray(
                [(x, y) for x, y in zip(perf, target, strict=True) if x is not None and y is not None],
                dtype=float,
            )
            if len(pairs) < 3 or pairs[:, 0].std() == 0 or pairs[:, 1].std() == 0:
                raise ValueError(f"attribute {name!r}: derived importance needs ≥ 3 varying answer pairs")
            imp, imp_n = float(np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]), len(pairs)
        rows.append((name, imp, imp_n, perf_mean, perf_n))

    if crosshair is None:
        crosshair = (float(np.mean([r[1] for r in rows])), float(np.mean([r[3] for r in rows])))
    if any(math.isnan(c) for c in crosshair):
        raise ValueError("the crosshair must be two numbers")
    attributes = []
    for name, imp, imp_n, perf_mean, perf_n in rows:
        where, action = quadrant(imp, perf_mean, crosshair)
        attributes.append(IpaAttribute(name, imp, perf_mean, imp_n, perf_n, where, action))
    return IpaResult(
        attributes=tuple(attributes),
        importance_kind="stated" if importance is not None else "derived",
        importance_crosshair=crosshair[0],
        performance_crosshair=crosshair[1],
    )
