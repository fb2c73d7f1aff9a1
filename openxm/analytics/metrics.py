"""CX scores: NPS, eNPS, CSAT, CES, score distributions and response rate.

Definitions follow docs/methods and DESIGN.md "Metric definitions":

* NPS / eNPS, 0–10: promoters 9–10, passives 7–8, detractors 0–6; NPS = 100·(P − D)/n;
  SE = 100·sqrt((p_P + p_D − (p_P − p_D)²)/n); normal interval, clipped to [−100, 100].
* CSAT, 1–5: score = top-2-box % (4–5) with a Wilson interval; mean with a t interval.
* CES, 1–7: score = mean with a t interval; % agree (5–7) in ``shares``.

Mean intervals are clipped to the scale (a 1–7 mean cannot have an upper bound of 7.8).

Every result carries ``n`` (answers counted), ``missing`` (blank answers skipped) and the
counts per scale point. When ``n < min_n`` the result is *suppressed*: ``n`` stays, every
figure derived from the answers (score, mean, intervals, counts, shares) is None or empty,
because in a small team even the counts identify people.

Weights: with respondent weights the shares and the mean are weighted, and the intervals use
Kish's effective n, (Σw)²/Σw². Respondents whose weight is zero are left out of ``n``.

The raw-answer functions and :func:`score_from_counts` share one code path, so a rollup
computed from stored ``{value: count}`` tables gives exactly the same numbers as the answers
it was built from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from types import MappingProxyType
from typing import Any

from openxm.analytics.intervals import check_confidence, t_interval, wilson, z_critical
from openxm.analytics.plain import to_plain
from openxm.analytics.values import Scale, check_same_length, to_number, to_point, to_weight

__all__ = [
    "SPECS",
    "Distribution",
    "MetricSpec",
    "RateResult",
    "ScoreResult",
    "ces",
    "csat",
    "distribution",
    "enps",
    "nps",
    "response_rate",
    "score",
    "score_from_counts",
]

EMPLOYEE_MIN_N = 5
CUSTOMER_MIN_N = 1


@dataclass(frozen=True)
class MetricSpec:
    """What a metric is: its scale, its answer bands and which figure is the headline."""

    name: str
    label: str
    scale: Scale
    bands: tuple[tuple[str, int, int], ...]
    headline: str  # "net" (promoters − detractors), "top" (share of first band) or "mean"
    default_min_n: int


_NPS_BANDS = (("promoters", 9, 10), ("passives", 7, 8), ("detractors", 0, 6))

SPECS: Mapping[str, MetricSpec] = MappingProxyType(
    {
        "nps": MetricSpec("nps", "NPS", Scale("NPS", 0, 10), _NPS_BANDS, "net", CUSTOMER_MIN_N),
        # eNPS is the same arithmetic on employees, whose anonymity needs the higher floor.
        "enps": MetricSpec("enps", "eNPS", Scale("eNPS", 0, 10), _NPS_BANDS, "net", EMPLOYEE_MIN_N),
        "csat": MetricSpec(
            "csat",
            "CSAT",
            Scale("CSAT", 1, 5),
            (("satisfied", 4, 5), ("neutral", 3, 3), ("dissatisfied", 1, 2)),
            "top",
            CUSTOMER_MIN_N,
        ),
        "ces": MetricSpec(
            "ces",
            "CES",
            Scale("CES", 1, 7),
            (("agree", 5, 7), ("neutral", 4, 4), ("disagree", 1, 3)),
            "mean",
            CUSTOMER_MIN_N,
        ),
    }
)


@dataclass(frozen=True)
class ScoreResult:
    """One metric over one group of answers.

    ``score`` is NPS (−100…100), CSAT top-2-box % (0…100) or CES mean (1…7); ``ci_low`` /
    ``ci_high`` bound it. ``shares`` are band percentages (NPS promoters/passives/detractors,
    CSAT satisfied/neutral/dissatisfied, CES agree/neutral/disagree). ``counts`` are raw
    (unweighted) answers per scale point, every point present; ``weighted_counts`` the summed
    weights per point when weighted.
    """

    metric: str
    n: int
    score: float | None
    ci_low: float | None
    ci_high: float | None
    se: float | None
    mean: float | None
    mean_ci_low: float | None
    mean_ci_high: float | None
    counts: Mapping[int, int]
    shares: Mapping[str, float]
    suppressed: bool
    min_n: int
    missing: int
    effective_n: float | None
    weighted: bool
    weighted_counts: Mapping[int, float] | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


# point -> (answers, sum of weights, sum of squared weights); unweighted tallies hold ints so
# the raw path and the counts path do the very same integer arithmetic.
_Tally = dict[int, tuple[int, float, float]]


def _spec(metric: str) -> MetricSpec:
    try:
        return SPECS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(SPECS)}") from None


def _tally_values(
    spec: MetricSpec, values: Sequence[object], weights: Sequence[object] | None
) -> tuple[_Tally, int]:
    tally: _Tally = {}
    missing = 0
    if weights is not None:
        check_same_length("values", values, "weights", weights)
    for position, value in enumerate(values):
        point = to_point(value, spec.scale)
        if point is None:
            missing += 1
            continue
        if weights is None:
            count, wsum, wsq = tally.get(point, (0, 0, 0))
            tally[point] = (count + 1, wsum + 1, wsq + 1)
            continue
        w = to_weight(weights[position], position=position)
        if w == 0:
            continue
        count, wsum, wsq = tally.get(point, (0, 0.0, 0.0))
        tally[point] = (count + 1, wsum + w, wsq + w * w)
    return tally, missing


def _suppressed(
    spec: MetricSpec, n: int, missing: int, min_n: int, weighted: bool, conf: float
) -> ScoreResult:
    return ScoreResult(
        metric=spec.name,
        n=n,
        score=None,
        ci_low=None,
        ci_high=None,
        se=None,
        mean=None,
        mean_ci_low=None,
        mean_ci_high=None,
        counts=MappingProxyType({}),
        shares=MappingProxyType({}),
        suppressed=True,
        min_n=min_n,
        missing=missing,
        effective_n=None,
        weighted=weighted,
        weighted_counts=None,
        confidence=conf,
    )


def _summarise(
    spec: MetricSpec, tally: _Tally, *, missing: int, weighted: bool, min_n: int, confidence: float
) -> ScoreResult:
    check_confidence(confidence)
    n = sum(count for count, _, _ in tally.values())
    if n == 0 or n < min_n:
        return _suppressed(spec, n, missing, min_n, weighted, confidence)

    total = sum(wsum for _, wsum, _ in tally.values())
    total_sq = sum(wsq for _, _, wsq in tally.values())
    n_eff = total * total / total_sq if weighted else float(n)

    def band_share(low: int, high: int) -> float:
        return sum(wsum for point, (_, wsum, _) in tally.items() if low <= point <= high) / total

    shares = {band: band_share(low, high) for band, low, high in spec.bands}
    mean = sum(point * wsum for point, (_, wsum, _) in tally.items()) / total
    if n_eff > 1:
        # Weighted variance with the effective-n correction; the plain sample variance when
        # every weight is 1.
        ss = sum(wsum * (point - mean) ** 2 for point, (_, wsum, _) in tally.items())
        sd = math.sqrt(ss / total * n_eff / (n_eff - 1))
    else:
        sd = math.nan
    mean_ci = t_interval(mean, sd, n_eff, confidence)
    if mean_ci is not None:
        # A mean cannot leave its scale, so neither may the interval shown around it.
        mean_ci = (max(float(spec.scale.low), mean_ci[0]), min(float(spec.scale.high), mean_ci[1]))

    if spec.headline == "net":
        p_pro, p_det = shares["promoters"], shares["detractors"]
        value = 100 * (p_pro - p_det)
        se = 100 * math.sqrt(max(0.0, p_pro + p_det - (p_pro - p_det) ** 2) / n_eff)
        half = z_critical(confidence) * se
        ci: tuple[float, float] | None = (max(-100.0, value - half), min(100.0, value + half))
    elif spec.headline == "top":
        p_top = shares[spec.bands[0][0]]
        value = 100 * p_top
        se = 100 * math.sqrt(p_top * (1 - p_top) / n_eff)
        bounds = wilson(p_top, n_eff, confidence)
        ci = None if bounds is None else (100 * bounds[0], 100 * bounds[1])
    else:
        value = mean
        se = sd / math.sqrt(n_eff) if not math.isnan(sd) else None
        ci = mean_ci

    counts = {point: tally.get(point, (0, 0, 0))[0] for point in spec.scale.points()}
    weighted_counts = (
        MappingProxyType({point: float(tally.get(point, (0, 0.0, 0.0))[1]) for point in spec.scale.points()})
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
        missing=missing,
        effective_n=n_eff,
        weighted=weighted,
        weighted_counts=weighted_counts,
        confidence=confidence,
    )


def score(
    metric: str,
    values: Sequence[object],
    *,
    weights: Sequence[object] | None = None,
    min_n: int | None = None,
    confidence: float = 0.95,
) -> ScoreResult:
    """``metric`` ("nps", "enps", "csat", "ces") over raw answers.

    Missing answers are skipped and counted in ``missing``; an answer off the scale raises
    ValueError naming it. ``min_n`` defaults to 5 for eNPS and 1 otherwise.
    """
    spec = _spec(metric)
    tally, missing = _tally_values(spec, values, weights)
    return _summarise(
        spec,
        tally,
        missing=missing,
        weighted=weights is not None,
        min_n=spec.default_min_n if min_n is None else min_n,
        confidence=confidence,
    )


def nps(values: Sequence[object], **options: Any) -> ScoreResult:
    """Net Promoter Score of 0–10 answers; see :func:`score` for the options."""
    return score("nps", values, **options)


def enps(values: Sequence[object], **options: Any) -> ScoreResult:
    """Employee NPS of 0–10 answers, suppressed below 5 answers unless ``min_n`` says otherwise."""
    return score("enps", values, **options)


def csat(values: Sequence[object], **options: Any) -> ScoreResult:
    """CSAT of 1–5 answers: top-2-box % as the score, the mean alongside."""
    return score("csat", values, **options)


def ces(values: Sequence[object], **options: Any) -> ScoreResult:
    """Customer Effort Score (CES 2.0, 1–7 agreement): the mean as the score, % agree in shares."""
    return score("ces", values, **options)


def _count_of(value: object, point: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"count for answer {point!r} is {value!r}, not a whole number")
    number = value if isinstance(value, Integral) else to_number(value, what=f"count for answer {point!r}")
    if number is None or not float(number).is_integer() or number < 0:
        raise ValueError(f"count for answer {point!r} is {value!r}; counts are whole numbers ≥ 0")
    return int(number)


def score_from_counts(
    metric: str,
    counts: Mapping[object, object],
    *,
    min_n: int | None = None,
    confidence: float = 0.95,
) -> ScoreResult:
    """``metric`` from a pre-aggregated ``{answer: count}`` table (unweighted).

    Keys may be 5, 5.0 or "5" (equal keys are added up); a key off the scale raises. Gives
    the same numbers as :func:`score` over the answers the table counts.
    """
    spec = _spec(metric)
    tally: _Tally = {}
    for key, raw_count in counts.items():
        point = to_point(key, spec.scale)
        if point is None:
            raise ValueError(f"{spec.label} counts have a blank answer key {key!r}")
        count = _count_of(raw_count, key)
        if count:
            previous = tally.get(point, (0, 0, 0))[0]
            tally[point] = (previous + count, previous + count, previous + count)
    return _summarise(
        spec,
        tally,
        missing=0,
        weighted=False,
        min_n=spec.default_min_n if min_n is None else min_n,
        confidence=confidence,
    )


@dataclass(frozen=True)
class Distribution:
    """Answers per scale point. ``percentages`` are of ``n`` (missing excluded)."""

    n: int
    missing: int
    counts: Mapping[int, int]
    percentages: Mapping[int, float]
    suppressed: bool
    min_n: int


def distribution(
    values: Sequence[object], *, low: int, high: int, name: str = "answer", min_n: int = 1
) -> Distribution:
    """Counts and percentages of ``values`` on the ``low``–``high`` scale, every point listed."""
    if low > high:
        raise ValueError(f"scale low {low} is above high {high}")
    scale = Scale(name, low, high)
    counts = dict.fromkeys(scale.points(), 0)
    missing = 0
    for value in values:
        point = to_point(value, scale)
        if point is None:
            missing += 1
        else:
            counts[point] += 1
    n = sum(counts.values())
    if n == 0 or n < min_n:
        return Distribution(n, missing, MappingProxyType({}), MappingProxyType({}), True, min_n)
    percentages = {point: 100 * count / n for point, count in counts.items()}
    return Distribution(n, missing, MappingProxyType(counts), MappingProxyType(percentages), False, min_n)


@dataclass(frozen=True)
class RateResult:
    """Response rate in % of delivered invitations, with a Wilson interval."""

    completed: int
    delivered: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    min_n: int

    @property
    def n(self) -> int:
        return self.delivered


def response_rate(completed: int, delivered: int, *, min_n: int = 1, confidence: float = 0.95) -> RateResult:
    """Completed responses / invitations delivered. Undelivered (bounced) invitations are not
    in ``delivered``; suppressed when fewer than ``min_n`` invitations were delivered."""
    completed = _count_of(completed, "completed")
    delivered = _count_of(delivered, "delivered")
    if completed > delivered:
        raise ValueError(f"completed responses ({completed}) exceed delivered invitations ({delivered})")
    if delivered == 0 or delivered < min_n:
        return RateResult(completed, delivered, None, None, None, True, min_n)
    p = completed / delivered
    low, high = wilson(p, delivered, confidence) or (math.nan, math.nan)
    return RateResult(completed, delivered, 100 * p, 100 * low, 100 * high, False, min_n)
