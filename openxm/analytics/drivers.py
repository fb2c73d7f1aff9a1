"""Key driver analysis: how much of the outcome's R² each driver accounts for.

Two decompositions of the R² of the linear regression of the outcome on all drivers, both
computed from the correlation matrix of the complete rows (listwise deletion; ``n`` and
``dropped`` report it):

* ``relative-weights`` — Johnson (2000): with R_xx = P Λ Pᵀ, Λ* = P Λ^½ Pᵀ, β* = Λ*⁻¹ r_xy,
  the weight of driver j is Σ_k (Λ*_jk)² (β*_k)². The weights add up to R².
* ``shapley`` — Shapley value / LMG (Lindeman, Merenda and Gold 1980; Grömping 2006): the
  R² gain of driver j averaged over all orders of entry, computed exactly from the 2^p
  subset regressions, so at most 12 drivers. The values add up to R².

``percent`` rescales a weight to % of R². Bootstrap intervals are percentile intervals of
the raw weights over rows resampled with replacement, from a seeded generator so a rerun
gives the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from openxm.analytics.intervals import check_confidence
from openxm.analytics.plain import to_plain
from openxm.analytics.values import check_same_length, to_number

__all__ = ["METHODS", "DriverResult", "DriverWeight", "key_drivers", "relative_weights", "shapley_r2"]

METHODS = ("relative-weights", "shapley")
MAX_SHAPLEY_DRIVERS = 12
_COLLINEAR = 1e-10


@dataclass(frozen=True)
class DriverWeight:
    driver: str
    weight: float
    percent: float | None
    ci_low: float | None
    ci_high: float | None
    correlation: float
    beta: float


@dataclass(frozen=True)
class DriverResult:
    """Weights in the order the drivers were given. ``correlations`` is the matrix over
    ``columns`` (outcome first, then the drivers), from the complete rows."""

    outcome: str
    method: str
    n: int
    dropped: int
    r_squared: float
    weights: tuple[DriverWeight, ...]
    columns: tuple[str, ...]
    correlations: tuple[tuple[float, ...], ...]
    bootstrap: int
    seed: int | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def _split(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return corr[1:, 1:], corr[1:, 0]


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights from a correlation matrix, outcome in row/column 0."""
    rxx, rxy = _split(corr)
    values, vectors = np.linalg.eigh(rxx)
    if values.min() < _COLLINEAR:
        raise ValueError("the drivers are perfectly collinear (one is a linear combination of others)")
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = np.linalg.solve(root, rxy)
    return (root**2) @ (beta**2)


def _r2_of_subsets(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    p = len(rxy)
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r = rxy[idx]
        r2[mask] = float(r @ np.linalg.solve(rxx[np.ix_(idx, idx)], r))
    return r2


def shapley_r2(corr: np.ndarray) -> np.ndarray:
    """Exact Shapley decomposition of R² from a correlation matrix, outcome first."""
    rxx, rxy = _split(corr)
    p = len(rxy)
    if p > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"exact Shapley needs 2^p regressions; {p} drivers is more than {MAX_SHAPLEY_DRIVERS}. "
            "Use relative weights, which agree closely and scale to any number of drivers"
        )
    if np.linalg.eigvalsh(rxx).min() < _COLLINEAR:
        raise ValueError("the drivers are perfectly collinear (one is a linear combination of others)")
    r2 = _r2_of_subsets(rxx, rxy)
    # Weight of a coalition of size s not containing j: s!(p − s − 1)!/p!
    factor = [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    values = np.zeros(p)
    for mask in range(1 << p):
        size = mask.bit_count()
        for j in range(p):
            if not mask >> j & 1:
                values[j] += factor[size] * (r2[mask | 1 << j] - r2[mask])
    return values


_DECOMPOSE = {"relative-weights": relative_weights, "shapley": shapley_r2}


def _matrix(outcome_name: str, outcome: Sequence[object], drivers: Mapping[str, Sequence[object]]) -> tuple:
    columns = (outcome_name, *drivers)
    series = [outcome, *drivers.values()]
    for name, values in zip(columns[1:], series[1:], strict=True):
        check_same_length(f"outcome {outcome_name!r}", outcome, f"driver {name!r}", values)
    rows = []
    dropped = 0
    for row in range(len(outcome)):
        numbers = []
        for name, values in zip(columns, series, strict=True):
            numbers.append(to_number(values[row], what=f"{name!r} in row {row + 1}"))
        if any(x is None for x in numbers):
            dropped += 1
        else:
            rows.append(numbers)
    return columns, np.asarray(rows, dtype=float).reshape(len(rows), len(columns)), dropped


def _correlations(data: np.ndarray) -> np.ndarray | None:
    if np.any(data.std(axis=0) == 0):
        return None
    return np.corrcoef(data, rowvar=False)


def key_drivers(
    outcome: Sequence[object],
    drivers: Mapping[str, Sequence[object]],
    *,
    outcome_name: str = "outcome",
    method: str = "relative-weights",
    bootstrap: int = 0,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> DriverResult:
    """Decompose the R² of ``outcome`` over ``drivers`` (name → values aligned with it).

    Blank values drop their row (listwise); a non-numeric value raises ValueError naming
    the column and row, as does a constant column or perfectly collinear drivers.
    """
    if method not in _DECOMPOSE:
        raise ValueError(f"unknown driver method {method!r}; expected one of {', '.join(METHODS)}")
    if not drivers:
        raise ValueError("key driver analysis needs at least one driver")
    if bootstrap < 0:
        raise ValueError("bootstrap must be 0 (none) or a number of resamples")
    check_confidence(confidence)
    columns, data, dropped = _matrix(outcome_name, outcome, drivers)
    n, p = len(data), len(drivers)
    if n < p + 2:
        raise ValueError(f"{n} complete rows are too few for {p} drivers (need at least {p + 2})")
    constant = [c for c, sd in zip(columns, data.std(axis=0), strict=True) if sd == 0]
    if constant:
        raise ValueError(f"{constant[0]!r} has the same value in every complete row; it cannot be analysed")
    corr = np.corrcoef(data, rowvar=False)
    decompose = _DECOMPOSE[method]
    weights = decompose(corr)
    rxx, rxy = _split(corr)
    betas = np.linalg.solve(rxx, rxy)
    r2 = float(rxy @ betas)

    low = high = None
    if bootstrap:
        rng = np.random.default_rng(seed)
        draws = []
        while len(draws) < bootstrap:
            sample = _correlations(data[rng.integers(0, n, n)])
            # A resample where a column happens to be constant has no correlation; redraw it.
            if sample is not None and np.linalg.eigvalsh(sample[1:, 1:]).min() >= _COLLINEAR:
                draws.append(decompose(sample))
        tail = (1 - confidence) / 2 * 100
        low, high = np.percentile(np.asarray(draws), [tail, 100 - tail], axis=0)

    return DriverResult(
        outcome=outcome_name,
        method=method,
        n=n,
        dropped=dropped,
        r_squared=r2,
        weights=tuple(
            DriverWeight(
                driver=name,
                weight=float(weights[j]),
                percent=100 * float(weights[j]) / r2 if r2 > 0 else None,
                ci_low=None if low is None else float(low[j]),
                ci_high=None if high is None else float(high[j]),
                correlation=float(rxy[j]),
                beta=float(betas[j]),
            )
            for j, name in enumerate(columns[1:])
        ),
        columns=columns,
        correlations=tuple(tuple(float(x) for x in row) for row in corr),
        bootstrap=bootstrap,
        seed=seed if bootstrap else None,
        confidence=confidence,
    )
