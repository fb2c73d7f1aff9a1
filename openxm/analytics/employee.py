"""Employee survey vocabulary and figures: which audiences are confidential, how a respondent's
grouping attributes are coarsened before storage, eNPS and the engagement index.

Pure: plain data in and out, no Django.

Included:

* :data:`CONFIDENTIAL_AUDIENCES` — survey audiences whose responses are never linked to a person
  and whose results are released only through :mod:`openxm.analytics.suppression`.
* :func:`coarsen` — the grouping attributes kept on a stored employee response: tenure and age
  as bands, level and department as short labels. Every other attribute is dropped, so the
  stored response carries nothing finer than a group.
* :func:`engagement` — the engagement index: each respondent's mean over the engagement items
  (1–5 agreement) rescaled to 0–100 as ``100·(mean − 1)/4``, averaged over respondents, with a t
  interval. eNPS is :func:`openxm.analytics.metrics.score_from_counts` with metric ``enps``.

Excluded: the threshold and the release decision (suppression), storage (surveys.collect).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .intervals import t_interval

CONFIDENTIAL_AUDIENCES = ("employee", "internal")

# (upper bound exclusive, label); the last band is open.
TENURE_BANDS = ((1, "<1y"), (3, "1-3y"), (5, "3-5y"), (math.inf, "5y+"))
AGE_BANDS = ((30, "<30"), (45, "30-44"), (math.inf, "45+"))
LABELS = ("level", "department")
GROUPING = ("tenure", "age", *LABELS)


def confidential(audience: str) -> bool:
    return audience in CONFIDENTIAL_AUDIENCES


def _band(value, bands) -> str | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or number < 0:
        return None
    return next(label for bound, label in bands if number < bound)


def coarsen(attributes: Mapping) -> dict[str, str]:
    """The grouping attributes a stored employee response keeps: ``tenure`` (years; or
    ``tenure_months``) and ``age`` as bands, ``level`` and ``department`` as text of at most 32
    characters. Unknown or unreadable values are left out."""
    out: dict[str, str] = {}
    tenure = attributes.get("tenure")
    if tenure is None and attributes.get("tenure_months") is not None:
        try:
            tenure = float(attributes["tenure_months"]) / 12
        except (TypeError, ValueError):
            tenure = None
    for name, value, bands in (("tenure", tenure, TENURE_BANDS), ("age", attributes.get("age"), AGE_BANDS)):
        band = _band(value, bands) if value is not None else None
        if band:
            out[name] = band
    for name in LABELS:
        value = attributes.get(name)
        if isinstance(value, str) and value.strip():
            out[name] = value.strip()[:32]
    return out


@dataclass(frozen=True)
class Engagement:
    n: int
    index: float | None
    ci_low: float | None
    ci_high: float | None


def engagement(respondents: Sequence[Sequence[float]], confidence: float = 0.95) -> Engagement:
    """The engagement index of respondents, each given as their answers (1–5) to the engagement
    items; a respondent with no on-scale answer is not counted."""
    scores = []
    for answers in respondents:
        usable = [float(a) for a in answers if a is not None and 1 <= float(a) <= 5]
        if usable:
            scores.append(100 * (sum(usable) / len(usable) - 1) / 4)
    n = len(scores)
    if not n:
        return Engagement(0, None, None, None)
    mean = sum(scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (n - 1)) if n > 1 else 0.0
    interval = t_interval(mean, sd, n, confidence)
    low, high = interval if interval else (None, None)
    return Engagement(
        n, mean,
        None if low is None else max(0.0, low),
        None if high is None else min(100.0, high),
    )
