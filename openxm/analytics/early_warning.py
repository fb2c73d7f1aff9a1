"""Early-warning detectors for period series of proportion-type scores and response counts.

NPS and top-2-box are proportions: a period's value is an average of per-respondent scores
(+100 / 0 / −100 for NPS; 100 / 0 for top-2-box) whose sampling error depends on the period's
n. A fixed threshold ("NPS dips 10 points") ignores that: at n = 30 an NPS moves by ±30 points
from noise alone, at n = 3,000 by ±3. Here each period is **standardised** against the in-control
baseline before any rule looks at it:

    z_t = (x_t − μ0) / (σ0 / √n_t)

with μ0 and σ0 the baseline mean and per-respondent standard deviation (for NPS,
σ0² = 100²·(p_P + p_D − (p_P − p_D)²), DESIGN.md's metric definitions). Periods with fewer than
``min_n`` responses are skipped (no update, no alarm). Three charts read z:

* :class:`Shewhart` — the p-chart: alarm when |z| > L (L = 3: an in-control run length of about
  370 periods for normal z).
* :class:`Ewma` — exponentially weighted moving average of z with weight λ; its exact variance
  λ/(2−λ)·(1−(1−λ)^{2t}) sets the limits ±L·σ. λ = 0.2, L = 3 detects small shifts sooner.
* :class:`Cusum` — two one-sided CUSUMs with reference k and decision interval h (k = 0.5,
  h = 5: tuned to a shift of one standard error).

Each is restarted after an alarm (an episode opens; see ``alerts``). Run lengths and delays are
**measured**, not assumed, in ``benchmarks/early_warning.py`` (docs/alerts.md lists the figures).

For counts, :func:`count_z` standardises a period's response count against its expected Poisson
count, and :func:`silence_probability` is the chance of seeing so few responses (e.g. none) when
``expected`` were due: a broken survey link shows as a tiny probability; :func:`surge_probability`
is the other tail, the chance of so many.

:func:`severity` puts how far out of control a period is on one scale per kind (standard errors
of the EWMA below zero for a drop; −log10 of the tail probability for silence and a surge) and
:func:`worsened` says whether it is meaningfully worse than when members were last told.

Excluded: building the series from stored responses and keeping episodes (the apps do that),
seasonality of the score itself (the baseline is one mean; a weekday pattern in volume is handled
because each period is standardised at its own n).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NPS_VALUES = (100.0, 0.0, -100.0)  # promoter, passive, detractor


@dataclass(frozen=True)
class Baseline:
    """The in-control mean and per-respondent standard deviation of a score."""

    mean: float
    sd: float

    def z(self, value: float, n: int) -> float:
        """The period's value standardised at its own n."""
        return (value - self.mean) / (self.sd / math.sqrt(n))


def nps_baseline(promoters: int, passives: int, detractors: int) -> Baseline:
    """Mean (the NPS) and per-respondent SD of NPS answers from baseline counts."""
    n = promoters + passives + detractors
    if n == 0:
        raise ValueError("an empty baseline")
    p, d = promoters / n, detractors / n
    return Baseline(100.0 * (p - d), 100.0 * math.sqrt(max(p + d - (p - d) ** 2, 1e-12)))


def top_box_baseline(hits: int, n: int) -> Baseline:
    """Mean (the top-2-box %) and per-respondent SD of a 0/100 score."""
    if n == 0:
        raise ValueError("an empty baseline")
    p = hits / n
    return Baseline(100.0 * p, 100.0 * math.sqrt(max(p * (1 - p), 1e-12)))


class Shewhart:
    name = "p-chart"

    def __init__(self, limit: float = 3.0):
        self.limit = limit

    def reset(self) -> None:
        pass

    def update(self, z: float) -> bool:
        return abs(z) > self.limit


class Ewma:
    name = "EWMA"

    def __init__(self, lam: float = 0.2, limit: float = 3.0):
        self.lam, self.limit = lam, limit
        self.reset()

    def reset(self) -> None:
        self.value, self.t = 0.0, 0

    def update(self, z: float) -> bool:
        self.t += 1
        self.value = self.lam * z + (1 - self.lam) * self.value
        var = self.lam / (2 - self.lam) * (1 - (1 - self.lam) ** (2 * self.t))
        return abs(self.value) > self.limit * math.sqrt(var)


class Cusum:
    name = "CUSUM"

    def __init__(self, k: float = 0.5, h: float = 5.0):
        self.k, self.h = k, h
        self.reset()

    def reset(self) -> None:
        self.high, self.low = 0.0, 0.0

    def update(self, z: float) -> bool:
        self.high = max(0.0, self.high + z - self.k)
        self.low = max(0.0, self.low - z - self.k)
        return self.high > self.h or self.low > self.h


def detector(name: str):
    """A fresh detector by name: ``pchart``, ``ewma`` or ``cusum`` with the default settings."""
    return {"pchart": Shewhart, "ewma": Ewma, "cusum": Cusum}[name]()


@dataclass(frozen=True)
class Alarm:
    index: int
    z: float


def run(
    det, values: Sequence[float | None], ns: Sequence[int], baseline: Baseline, min_n: int = 30
) -> list[Alarm]:
    """Alarms of a detector over a series (restarted after each alarm). ``None`` values and
    periods under ``min_n`` are skipped."""
    alarms = []
    det.reset()
    for i, (value, n) in enumerate(zip(values, ns, strict=True)):
        if value is None or n < min_n:
            continue
        z = baseline.z(value, n)
        if det.update(z):
            alarms.append(Alarm(i, z))
            det.reset()
    return alarms


def fixed_drop(values: Sequence[float | None], points: float = 10.0) -> list[int]:
    """The fixed-threshold rule to compare with: an alarm when the score is ``points`` or more
    below the previous period's ("NPS dips 10 points week over week")."""
    found, previous = [], None
    for i, value in enumerate(values):
        if value is not None and previous is not None and previous - value >= points:
            found.append(i)
        if value is not None:
            previous = value
    return found


def count_z(count: int, expected: float) -> float:
    """A period's response count against its expected (Poisson) count, standardised."""
    return (count - expected) / math.sqrt(max(expected, 1e-12))


def silence_probability(count: int, expected: float) -> float:
    """P(X ≤ count) for X ~ Poisson(expected): how likely so few responses are by chance."""
    term = math.exp(-expected)
    total = term
    for k in range(1, count + 1):
        term *= expected / k
        total += term
    return min(total, 1.0)


def surge_probability(count: int, expected: float) -> float:
    """P(X ≥ count) for X ~ Poisson(expected): how likely so many responses are by chance."""
    if count <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    # Summed upwards from the first term (in logs) rather than 1 − P(X < count), which would
    # round a tiny tail to zero.
    term = math.exp(count * math.log(expected) - expected - math.lgamma(count + 1))
    total, k = 0.0, count
    while term > 1e-300 and (total == 0.0 or term > total * 1e-15):
        total += term
        k += 1
        term *= expected / k
    return min(total, 1.0)


# One more standard error of the standardised EWMA below zero (three of the EWMA's own standard
# deviations at λ = 0.2), or a tail probability a thousand times smaller.
WORSE_STEP = {"drop": 1.0, "silence": 3.0, "surge": 3.0}


def severity(kind: str, *, ewma: float | None = None, probability: float | None = None) -> float:
    """How far out of control: ``-ewma`` for a drop, ``-log10(probability)`` for silence or a
    surge (a probability of 0 counts as 1e-300)."""
    if kind == "drop":
        if ewma is None:
            raise ValueError("a drop's severity needs the EWMA")
        return -ewma
    if kind in ("silence", "surge"):
        if probability is None:
            raise ValueError("silence and surge need the tail probability")
        return -math.log10(max(probability, 1e-300))
    raise ValueError(f"unknown kind {kind!r}")


def worsened(kind: str, notified: float | None, now: float) -> bool:
    """Whether ``now`` is at least ``WORSE_STEP[kind]`` beyond the severity members were last
    told of (always, when they were told of none)."""
    return notified is None or now >= notified + WORSE_STEP[kind]
