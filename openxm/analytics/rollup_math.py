"""Metric math over rollup counts: scores, indexes, period comparisons, pain points, time buckets.

Pure (no Django). Rollups store, per scale point, ``(count, Σweight, Σweight²)``; this module
turns such *tallies* into the results of :mod:`openxm.analytics.metrics` and
:mod:`openxm.analytics.compare`:

* :func:`score_from_tally` returns a :class:`metrics.ScoreResult` equal to
  ``metrics.score_from_counts`` (unweighted) and to ``metrics.score(values, weights=…)``
  (weighted) over the answers the tally counts. It follows ``metrics``' arithmetic step by step
  but caches the normal and t critical values, which ``metrics`` asks SciPy for on every call
  (≈0.6 ms a figure; a journey map shows thousands). tests/insights/test_rollup_math.py holds
  the two implementations equal.
* :func:`index_from_tallies` pools answers of different scales onto 0–100 (the emotion line
  and the CX dimensions).
* :func:`compare_periods` picks the test that fits the metric (NPS difference z, two-proportion
  z, Welch t) and runs it on two tallies.
* :func:`pain_points` ranks touchpoints by impact = volume × gap to target.
* :func:`decompose`, :func:`buckets`: exact covers of a date range by month, ISO week and day
  rows, so a rollup keeps one row per coarse bucket and still answers any day range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from scipy import stats

from openxm.analytics import compare
from openxm.analytics.intervals import check_confidence, t_critical, z_critical
from openxm.analytics.metrics import SPECS, ScoreResult
from openxm.analytics.plain import to_plain

__all__ = [
    "IndexResult",
    "PainPoint",
    "add_tally",
    "buckets",
    "compare_periods",
    "decompose",
    "index_from_tallies",
    "month_start",
    "pain_points",
    "score_from_tally",
    "tally_from_values",
    "week_start",
]

# point -> (answers, Σ weight, Σ weight²). Unweighted tallies hold ints in all three places.
Tally = Mapping[int, tuple[int, float, float]]


@lru_cache(maxsize=32)
def _z(confidence: float) -> float:
    return z_critical(confidence)


@lru_cache(maxsize=8192)
def _t(confidence: float, df: float) -> float:
    return t_critical(confidence, df)


def tally_from_values(values: Iterable[int], weights: Iterable[float] | None = None) -> dict:
    """A tally of integer answers (the raw path); with ``weights`` Σw and Σw² are kept too."""
    tally: dict[int, tuple] = {}
    if weights is None:
        for v in values:
            c, _, _ = tally.get(v, (0, 0, 0))
            tally[v] = (c + 1, c + 1, c + 1)
    else:
        for v, w in zip(values, weights, strict=True):
            c, s, q = tally.get(v, (0, 0.0, 0.0))
            tally[v] = (c + 1, s + w, q + w * w)
    return tally


def add_tally(into: dict, point: int, count: int, wsum: float, wsq: float) -> None:
    c, s, q = into.get(point, (0, 0, 0))
    into[point] = (c + count, s + wsum, q + wsq)


def _sorted(tally: Tally) -> list[tuple[int, int, float, float]]:
    return [(p, c, s, q) for p, (c, s, q) in sorted(tally.items()) if c]


def _suppressed(metric: str, n: int, min_n: int, weighted: bool, confidence: float) -> ScoreResult:
    empty = MappingProxyType({})
    return ScoreResult(
        metric,
        n,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        empty,
        empty,
        True,
        min_n,
        0,
        None,
        weighted,
        None,
        confidence,
    )


def score_from_tally(
    metric: str,
    tally: Tally,
    *,
    weighted: bool = False,
    min_n: int | None = None,
    confidence: float = 0.95,
) -> ScoreResult:
    """``metric`` (nps, enps, csat, ces) from a tally; see the module docstring.

    Points are read in ascending order, so equal tallies always give bit-identical results.
    A point off the metric's scale raises ValueError.
    """
    try:
        spec = SPECS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(SPECS)}") from None
    check_confidence(confidence)
    if min_n is None:
        min_n = spec.default_min_n
    rows = _sorted(tally)
    low, high = spec.scale.low, spec.scale.high
    for p, _, _, _ in rows:
        if p < low or p > high:
            raise ValueError(f"{spec.label} answer {p!r} is outside the {spec.scale} scale")
    n = sum(c for _, c, _, _ in rows)
    if n == 0 or n < min_n:
        return _suppressed(spec.name, n, min_n, weighted, confidence)

    total = sum(s for _, _, s, _ in rows)
    total_sq = sum(q for _, _, _, q in rows)
    n_eff = total * total / total_sq if weighted else float(n)
    shares = {band: sum(s for p, _, s, _ in rows if lo <= p <= hi) / total for band, lo, hi in spec.bands}
    mean = sum(p * s for p, _, s, _ in rows) / total
    if n_eff > 1:
        ss = sum(s * (p - mean) ** 2 for p, _, s, _ in rows)
        sd = math.sqrt(ss / total * n_eff / (n_eff - 1))
    else:
        sd = math.nan
    if n_eff < 2 or math.isnan(sd):
        mean_ci = None
    else:
        half = _t(confidence, n_eff - 1) * sd / math.sqrt(n_eff)
        mean_ci = (max(float(low), mean - half), min(float(high), mean + half))

    if spec.headline == "net":
        p_pro, p_det = shares["promoters"], shares["detractors"]
        value = 100 * (p_pro - p_det)
        se = 100 * math.sqrt(max(0.0, p_pro + p_det - (p_pro - p_det) ** 2) / n_eff)
        half = _z(confidence) * se
        ci: tuple[float, float] | None = (max(-100.0, value - half), min(100.0, value + half))
    elif spec.headline == "top":
        p_top = shares[spec.bands[0][0]]
        value = 100 * p_top
        se = 100 * math.sqrt(p_top * (1 - p_top) / n_eff)
        ci = _wilson(p_top, n_eff, confidence)
    else:
        value = mean
        se = sd / math.sqrt(n_eff) if not math.isnan(sd) else None
        ci = mean_ci

    by_point = {p: (c, s) for p, c, s, _ in rows}
    counts = {p: by_point.get(p, (0, 0))[0] for p in range(low, high + 1)}
    weighted_counts = (
        MappingProxyType({p: float(by_point.get(p, (0, 0.0))[1]) for p in range(low, high + 1)})
        if weighted
        else None
    )
    return ScoreResult(
        metric=spec.name,
        n=n,
        score=value,
        ci_low=None if ci is None else ci[0],
        ci_high=None if ci is None else ci[1],
        se=se,
        mean=mean,
        mean_ci_low=None if mean_ci is None else mean_ci[0],
        mean_ci_high=None if mean_ci is None else mean_ci[1],
        counts=MappingProxyType(counts),
        shares=MappingProxyType({band: 100 * share for band, share in shares.items()}),
        suppressed=False,
        min_n=min_n,
        missing=0,
        effective_n=n_eff,
        weighted=weighted,
        weighted_counts=weighted_counts,
        confidence=confidence,
    )


def _wilson(p: float, n: float, confidence: float) -> tuple[float, float] | None:
    # intervals.wilson with the critical value cached; the same operations in the same order.
    if n <= 0:
        return None
    z = _z(confidence)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


# --- Pooled index (emotion line, CX dimensions) ---------------------------------------------


@dataclass(frozen=True)
class IndexResult:
    """Answers of possibly different scales rescaled to 0–100 ((x − low)/(high − low)·100) and
    averaged, with a t interval. Suppressed (every figure None) below ``min_n`` answers."""

    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    min_n: int

    def to_dict(self) -> dict:
        return to_plain(self)


def index_from_tallies(
    parts: Sequence[tuple[int, int, Tally]],
    *,
    weighted: bool = False,
    min_n: int = 1,
    confidence: float = 0.95,
) -> IndexResult:
    """``parts`` are (scale low, scale high, tally); weights as in :func:`score_from_tally`."""
    check_confidence(confidence)
    points: dict[float, list] = {}
    for low, high, tally in parts:
        if high <= low:
            raise ValueError(f"scale {low}–{high} is empty")
        for p, c, s, q in _sorted(tally):
            x = 100.0 * (p - low) / (high - low)
            acc = points.setdefault(x, [0, 0.0, 0.0])
            acc[0] += c
            acc[1] += s
            acc[2] += q
    rows = sorted(points.items())
    n = sum(c for _, (c, _, _) in rows)
    if n == 0 or n < min_n:
        return IndexResult(n, None, None, None, True, min_n)
    total = sum(s for _, (_, s, _) in rows)
    total_sq = sum(q for _, (_, _, q) in rows)
    n_eff = total * total / total_sq if weighted else float(n)
    mean = sum(x * s for x, (_, s, _) in rows) / total
    if n_eff < 2:
        return IndexResult(n, mean, None, None, False, min_n)
    ss = sum(s * (x - mean) ** 2 for x, (_, s, _) in rows)
    sd = math.sqrt(ss / total * n_eff / (n_eff - 1))
    half = _t(confidence, n_eff - 1) * sd / math.sqrt(n_eff)
    return IndexResult(n, mean, max(0.0, mean - half), min(100.0, mean + half), False, min_n)


# --- Comparisons ------------------------------------------------------------------------------


def _moments(tally: Tally) -> tuple[int, float, float]:
    rows = _sorted(tally)
    n = sum(c for _, c, _, _ in rows)
    mean = sum(p * c for p, c, _, _ in rows) / n
    var = sum(c * (p - mean) ** 2 for p, c, _, _ in rows) / (n - 1)
    return n, mean, var


def welch_from_tallies(
    a: Tally, b: Tally, *, groups: tuple[str, str] = ("a", "b"), confidence: float = 0.95
) -> compare.Comparison:
    """``compare.welch_t`` over the (unweighted) answers two tallies count, without expanding them."""
    na, ma, var_a = _moments(a) if sum(c for c, _, _ in a.values()) >= 2 else (0, 0.0, 0.0)
    nb, mb, var_b = _moments(b) if sum(c for c, _, _ in b.values()) >= 2 else (0, 0.0, 0.0)
    if na < 2 or nb < 2:
        raise ValueError("each group needs at least two answers for a t test")
    va, vb = var_a / na, var_b / nb
    if va + vb == 0:
        raise ValueError("both groups are constant; a t test is undefined")
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    diff = ma - mb
    t = diff / se
    half = _t(confidence, df) * se
    pooled = math.sqrt(((na - 1) * var_a + (nb - 1) * var_b) / (na + nb - 2))
    return compare.Comparison(
        test="Welch t",
        groups=groups,
        n=(na, nb),
        statistic=t,
        p_value=float(2 * stats.t.sf(abs(t), df)),
        df=df,
        difference=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        effect_size=diff / pooled if pooled > 0 else None,
        effect_name="Cohen's d",
    )


def _se_difference(
    a: ScoreResult, b: ScoreResult, groups, confidence: float, test: str
) -> compare.Comparison:
    se = math.sqrt(a.se**2 + b.se**2)  # type: ignore[operator]
    diff = a.score - b.score  # type: ignore[operator]
    z = diff / se if se > 0 else 0.0
    half = _z(confidence) * se
    return compare.Comparison(
        test=test,
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


def compare_periods(
    metric: str,
    current: ScoreResult,
    previous: ScoreResult,
    current_tally: Tally,
    previous_tally: Tally,
    *,
    groups: tuple[str, str] = ("current", "previous"),
    confidence: float = 0.95,
) -> compare.Comparison | None:
    """current − previous with the test that fits the metric, or None when a side is suppressed
    or the test is undefined (a constant sample, fewer than two answers).

    NPS/eNPS: ``compare.nps_difference`` ("NPS difference z"). CSAT top-2-box:
    ``compare.two_proportions`` ("two-proportion z"). CES mean: Welch t from the tallies. With
    weights the shares and means are compared by a z test on the results' standard errors
    (which use Kish's effective n): "weighted z".
    """
    if current.suppressed or previous.suppressed or current.score is None or previous.score is None:
        return None
    try:
        if current.weighted or previous.weighted:
            if current.se is None or previous.se is None:
                return None
            return _se_difference(current, previous, groups, confidence, "weighted z")
        if metric in ("nps", "enps"):
            return compare.nps_difference(current, previous, groups=groups, confidence=confidence)
        if metric == "csat":
            top_a = sum(c for p, (c, _, _) in current_tally.items() if p >= 4)
            top_b = sum(c for p, (c, _, _) in previous_tally.items() if p >= 4)
            return compare.two_proportions(
                top_a, current.n, top_b, previous.n, groups=groups, confidence=confidence
            )
        return welch_from_tallies(current_tally, previous_tally, groups=groups, confidence=confidence)
    except ValueError:
        return None


def trend(comparison: compare.Comparison | None, alpha: float = 0.05) -> str:
    """ "up"/"down" when the difference is significant at ``alpha``, "flat" when it is not,
    "" when there is nothing to compare."""
    if comparison is None or comparison.difference is None:
        return ""
    if comparison.p_value >= alpha:
        return "flat"
    return "up" if comparison.difference > 0 else "down"


# --- Pain points ------------------------------------------------------------------------------

#: Width of each metric's scale, so gaps in NPS points, CSAT % and CES means rank together.
SCALE_WIDTH = {"nps": 200.0, "enps": 200.0, "csat": 100.0, "ces": 6.0}


@dataclass(frozen=True)
class PainPoint:
    key: str
    metric: str
    n: int
    score: float
    target: float
    gap: float  # target − score, in the metric's units (positive: below target)
    impact: float  # n × gap as % of the scale width

    def to_dict(self) -> dict:
        return to_plain(self)


def pain_points(
    items: Iterable[tuple[str, str, int, float | None, float | None]], limit: int = 5
) -> list[PainPoint]:
    """Touchpoint-metric pairs below target, highest impact first.

    ``items`` are (key, metric, n, score, target); pairs without a score (suppressed) or a
    target, and pairs at or above target, are left out. Impact = n × (target − score) /
    scale width × 100, i.e. respondents × percentage points of the scale missed.
    """
    found = []
    for key, metric, n, score, target in items:
        if score is None or target is None or metric not in SCALE_WIDTH or n <= 0:
            continue
        gap = target - score
        if gap <= 0:
            continue
        found.append(PainPoint(key, metric, n, score, target, gap, n * gap / SCALE_WIDTH[metric] * 100))
    found.sort(key=lambda p: (-p.impact, p.key, p.metric))
    return found[:limit]


# --- Time buckets -----------------------------------------------------------------------------

GRAINS = ("d", "w", "m")


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def bucket_start(day: date, grain: str) -> date:
    if grain == "d":
        return day
    if grain == "w":
        return week_start(day)
    if grain == "m":
        return month_start(day)
    raise ValueError(f"unknown grain {grain!r}; expected d, w or m")


def bucket_end(start: date, grain: str) -> date:
    if grain == "d":
        return start
    if grain == "w":
        return start + timedelta(days=6)
    if grain == "m":
        return date(start.year + (start.month == 12), start.month % 12 + 1, 1) - timedelta(days=1)
    raise ValueError(f"unknown grain {grain!r}; expected d, w or m")


def decompose(start: date, end: date, grains: Sequence[str] = ("m", "w", "d")) -> list[tuple[str, date]]:
    """The fewest (grain, bucket start) pieces, coarsest first where they fit, that cover
    ``start``…``end`` (inclusive) exactly: whole months, then whole ISO weeks, then days."""
    if end < start:
        return []
    out: list[tuple[str, date]] = []
    day = start
    while day <= end:
        for grain in grains:
            if bucket_start(day, grain) == day and bucket_end(day, grain) <= end:
                out.append((grain, day))
                day = bucket_end(day, grain) + timedelta(days=1)
                break
        else:
            raise ValueError("grains must include 'd'")
    return out


def buckets(start: date, end: date, grain: str) -> list[tuple[date, date, date]]:
    """(bucket start, first day in range, last day in range) of every ``grain`` bucket that
    overlaps ``start``…``end``; the first and last may be partial."""
    out = []
    b = bucket_start(start, grain)
    while b <= end:
        e = bucket_end(b, grain)
        out.append((b, max(b, start), min(e, end)))
        b = e + timedelta(days=1)
    return out


# --- Many figures at once ---------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Figures of many cells computed together (numpy arrays, one entry per cell).

    ``score``/``ci_low``/``ci_high``/``mean`` are NaN where a cell is suppressed (n below
    ``min_n`` or no answers). Equal, to rounding, to :func:`score_from_tally` cell by cell.
    """

    metric: str
    n: object
    score: object
    ci_low: object
    ci_high: object
    mean: object
    suppressed: object
    min_n: int


def score_grid(
    metric: str,
    counts,
    wsums=None,
    wsq_totals=None,
    *,
    min_n: int | None = None,
    confidence: float = 0.95,
) -> Grid:
    """``metric`` for every row of ``counts`` (cells × scale points, low…high in order).

    Unweighted unless ``wsums`` (Σw per cell and point) and ``wsq_totals`` (Σw² per cell) are
    given. Used where a page or the benchmark needs thousands of figures (touchpoint × week);
    single figures go through :func:`score_from_tally`, which returns a full ScoreResult.
    """
    import numpy as np

    try:
        spec = SPECS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(SPECS)}") from None
    check_confidence(confidence)
    if min_n is None:
        min_n = spec.default_min_n
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2 or c.shape[1] != spec.scale.high - spec.scale.low + 1:
        raise ValueError(f"{spec.label} counts need one column per point {spec.scale}")
    weighted = wsums is not None
    w = np.asarray(wsums, dtype=float) if weighted else c
    n = c.sum(axis=1)
    total = w.sum(axis=1)
    ok = (n > 0) & (n >= min_n)
    safe_total = np.where(ok, total, 1.0)
    if weighted:
        q = np.asarray(wsq_totals, dtype=float)
        n_eff = np.where(ok, safe_total * safe_total / np.where(q > 0, q, 1.0), 1.0)
    else:
        n_eff = np.where(ok, n, 1.0)
    with np.errstate(all="ignore"):
        return _grid(spec, c, w, n, ok, safe_total, n_eff, min_n, confidence)


def _grid(spec, c, w, n, ok, safe_total, n_eff, min_n: int, confidence: float) -> Grid:
    import numpy as np

    points = np.arange(spec.scale.low, spec.scale.high + 1, dtype=float)
    mean = (w @ points) / safe_total
    ss = (w * (points[None, :] - mean[:, None]) ** 2).sum(axis=1)
    sd = np.sqrt(ss / safe_total * n_eff / (n_eff - 1))
    has_t = ok & (n_eff >= 2)
    tcrit = np.full(len(n), np.nan)
    if has_t.any():
        dfs = n_eff[has_t] - 1
        unique, inverse = np.unique(dfs, return_inverse=True)
        tcrit[has_t] = np.array([_t(confidence, float(df)) for df in unique])[inverse]
    half_t = tcrit * sd / np.sqrt(n_eff)
    mean_lo = np.maximum(float(spec.scale.low), mean - half_t)
    mean_hi = np.minimum(float(spec.scale.high), mean + half_t)

    def share(low: int, high: int):
        return w[:, low - spec.scale.low : high - spec.scale.low + 1].sum(axis=1) / safe_total

    z = _z(confidence)
    if spec.headline == "net":
        p_pro, p_det = share(*spec.bands[0][1:]), share(*spec.bands[2][1:])
        score = 100 * (p_pro - p_det)
        se = 100 * np.sqrt(np.maximum(0.0, p_pro + p_det - (p_pro - p_det) ** 2) / n_eff)
        lo, hi = np.maximum(-100.0, score - z * se), np.minimum(100.0, score + z * se)
    elif spec.headline == "top":
        p = np.clip(share(*spec.bands[0][1:]), 0.0, 1.0)  # weighted sums may round past 1
        score = 100 * p
        z2 = z * z
        centre = (p + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
        half = z * np.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff)) / (1 + z2 / n_eff)
        lo, hi = 100 * np.maximum(0.0, centre - half), 100 * np.minimum(1.0, centre + half)
    else:
        score, lo, hi = mean, mean_lo, mean_hi
    nan = np.nan
    return Grid(
        metric=spec.name,
        n=n.astype(int),
        score=np.where(ok, score, nan),
        ci_low=np.where(ok & np.isfinite(lo), lo, nan),
        ci_high=np.where(ok & np.isfinite(hi), hi, nan),
        mean=np.where(ok, mean, nan),
        suppressed=~ok,
        min_n=min_n,
    )


def grid_from_stats(
    metric: str,
    n,
    first=None,
    second=None,
    total=None,
    total_sq=None,
    *,
    min_n: int | None = None,
    confidence: float = 0.95,
) -> Grid:
    """:func:`score_grid` from unweighted sufficient statistics per cell, which a database can
    sum without returning every answer point:

    * NPS/eNPS: ``n``, ``first`` = promoters, ``second`` = detractors, ``total`` = Σ answers;
    * CSAT: ``n``, ``first`` = answers of 4 or 5, ``total`` = Σ answers;
    * CES: ``n``, ``total`` = Σ answers, ``total_sq`` = Σ answers².

    Equal, to rounding, to :func:`score_grid` over the same answers.
    """
    import numpy as np

    try:
        spec = SPECS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(SPECS)}") from None
    check_confidence(confidence)
    if min_n is None:
        min_n = spec.default_min_n
    n = np.asarray(n, dtype=float)
    ok = (n > 0) & (n >= min_n)
    safe_n = np.where(ok, n, 1.0)
    z = _z(confidence)
    with np.errstate(all="ignore"):
        mean = np.asarray(total, dtype=float) / safe_n if total is not None else np.full(len(n), np.nan)
        if spec.headline == "net":
            p_pro = np.asarray(first, dtype=float) / safe_n
            p_det = np.asarray(second, dtype=float) / safe_n
            score = 100 * (p_pro - p_det)
            se = 100 * np.sqrt(np.maximum(0.0, p_pro + p_det - (p_pro - p_det) ** 2) / safe_n)
            lo, hi = np.maximum(-100.0, score - z * se), np.minimum(100.0, score + z * se)
        elif spec.headline == "top":
            p = np.clip(np.asarray(first, dtype=float) / safe_n, 0.0, 1.0)
            score = 100 * p
            z2 = z * z
            centre = (p + z2 / (2 * safe_n)) / (1 + z2 / safe_n)
            half = z * np.sqrt(p * (1 - p) / safe_n + z2 / (4 * safe_n * safe_n)) / (1 + z2 / safe_n)
            lo, hi = 100 * np.maximum(0.0, centre - half), 100 * np.minimum(1.0, centre + half)
        else:
            ss = np.maximum(0.0, np.asarray(total_sq, dtype=float) - safe_n * mean * mean)
            sd = np.sqrt(ss / (safe_n - 1))
            has_t = ok & (n >= 2)
            tcrit = np.full(len(n), np.nan)
            if has_t.any():
                unique, inverse = np.unique(n[has_t] - 1, return_inverse=True)
                tcrit[has_t] = np.array([_t(confidence, float(df)) for df in unique])[inverse]
            half = tcrit * sd / np.sqrt(safe_n)
            score = mean
            lo = np.maximum(float(spec.scale.low), mean - half)
            hi = np.minimum(float(spec.scale.high), mean + half)
    nan = np.nan
    return Grid(
        metric=spec.name,
        n=n.astype(int),
        score=np.where(ok, score, nan),
        ci_low=np.where(ok & np.isfinite(lo), lo, nan),
        ci_high=np.where(ok & np.isfinite(hi), hi, nan),
        mean=np.where(ok, mean, nan),
        suppressed=~ok,
        min_n=min_n,
    )
