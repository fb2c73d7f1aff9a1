"""Confidence intervals shared by the metrics.

``n`` may be a Kish effective sample size (a float) when respondents are weighted. Every
function returns ``None`` instead of an interval when the sample cannot support one (no
observations, or fewer than two for a t interval), so callers never show a made-up range.
"""

from __future__ import annotations

import math

from scipy import stats


def check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (got {confidence!r})")


def z_critical(confidence: float) -> float:
    """Two-sided standard normal critical value, 1.959964 for 95 %."""
    check_confidence(confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def t_critical(confidence: float, df: float) -> float:
    check_confidence(confidence)
    return float(stats.t.ppf(0.5 + confidence / 2, df))


def wilson(p: float, n: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion ``p`` observed on ``n`` respondents.

    Chosen over the Wald interval because it stays inside [0, 1] and keeps its coverage near
    0 and 1, where top-box shares of small teams often sit (Wilson 1927; Brown, Cai and
    DasGupta 2001).
    """
    if n <= 0:
        return None
    z = z_critical(confidence)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def t_interval(mean: float, sd: float, n: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """Student t interval for a mean with sample standard deviation ``sd`` (df = n − 1)."""
    if n < 2 or math.isnan(sd):
        return None
    half = t_critical(confidence, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half
