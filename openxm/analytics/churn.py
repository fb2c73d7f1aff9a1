"""Churn risk learned from an organisation's own history, evaluated on a time-based split.

Pure: plain values in and out (scikit-learn and numpy), no Django.

Included:

* :func:`snapshot` — per customer, the features as they stood at a cut-off, computed **only**
  from purchases and experience strictly before it (behaviour: recency, frequency and spend in
  the last 365 days, tenure; experience: last NPS, the NPS trend, a detractor answer in the last
  90 days, negative comments in the last 90 days, survey invitations left unanswered, cases open
  at the cut-off and cases opened in the last 90 days), and the
  label: the customer was active in the year before the cut-off and made no purchase in the
  ``horizon_days`` after it.
* :func:`evaluate` — trains a standardised logistic regression on the snapshot at one cut-off
  and scores the snapshot at a later cut-off (whose labels lie after every training label), and
  reports AUC with a 95 % interval (Hanley & McNeil 1982), the calibration curve (ten bins of
  predicted risk), the lift in the top decile, and the same AUC and lift for the recency-only
  rule, so the model is compared with the obvious baseline in the same run. It refuses to train
  with fewer than :data:`MIN_CHURNERS` churners (or non-churners) and says how many it needs.
* :func:`reasons` — per customer, each feature's contribution to the log-odds (coefficient ×
  standardised value), largest first.

Excluded: text features beyond the count of negative comments; what a case was about.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

FEATURES = (
    "recency_days",
    "frequency_365",
    "monetary_365",
    "tenure_days",
    "last_nps",
    "nps_trend",
    "detractor_90d",
    "negative_comments_90d",
    "unanswered_invitations_365",
    "open_cases",
    "cases_90d",
)
MIN_CHURNERS = 30
DEFAULT_HORIZON_DAYS = 90


class NotEnoughData(ValueError):
    """Too few churners or non-churners to train or evaluate; the message says how many."""


@dataclass(frozen=True)
class Experience:
    customer: str
    at: datetime
    nps: float | None = None  # an NPS answer
    negative_comment: bool = False
    unanswered_invitation: bool = False
    case_opened: bool = False  # a case about the customer was opened
    open_cases_change: int = 0  # +1 a case opened or reopened, −1 one resolved or closed


@dataclass(frozen=True)
class Snapshot:
    cutoff: datetime
    customers: list[str]
    X: np.ndarray  # one row per customer, columns FEATURES
    y: np.ndarray  # 1 = churned in the horizon after the cut-off


def snapshot(
    purchases: Iterable[tuple[str, datetime, float]],
    experiences: Iterable[Experience],
    cutoff: datetime,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> Snapshot:
    """Features at ``cutoff`` (from rows strictly before it) and labels from the horizon after it,
    for every customer with a purchase in the 365 days before the cut-off."""
    year_ago, end = cutoff - timedelta(days=365), cutoff + timedelta(days=horizon_days)
    per: dict[str, dict] = {}
    bought_after: set[str] = set()
    for customer, at, amount in purchases:
        if at >= cutoff:
            if at < end:
                bought_after.add(customer)
            continue
        p = per.setdefault(customer, {"first": at, "last": at, "n": 0, "spend": 0.0})
        p["first"], p["last"] = min(p["first"], at), max(p["last"], at)
        if at >= year_ago:
            p["n"] += 1
            p["spend"] += amount
    exp: dict[str, list[Experience]] = {}
    for e in experiences:
        if e.at < cutoff:
            exp.setdefault(e.customer, []).append(e)
    customers = sorted(c for c, p in per.items() if p["last"] >= year_ago)
    rows = []
    for c in customers:
        p, mine = per[c], sorted(exp.get(c, []), key=lambda e: e.at)
        scores = [e.nps for e in mine if e.nps is not None]
        recent = [e for e in mine if e.at >= cutoff - timedelta(days=90)]
        rows.append(
            [
                (cutoff - p["last"]).days,
                p["n"],
                p["spend"],
                (cutoff - p["first"]).days,
                scores[-1] if scores else np.nan,
                scores[-1] - float(np.mean(scores)) if len(scores) > 1 else 0.0,
                float(any(e.nps is not None and e.nps <= 6 for e in recent)),
                float(sum(e.negative_comment for e in recent)),
                float(sum(e.unanswered_invitation for e in mine if e.at >= year_ago)),
                float(max(0, sum(e.open_cases_change for e in mine))),
                float(sum(e.case_opened for e in recent)),
            ]
        )
    X = np.array(rows, dtype=float).reshape(len(customers), len(FEATURES))
    y = np.array([0 if c in bought_after else 1 for c in customers], dtype=int)
    return Snapshot(cutoff, customers, X, y)


@dataclass(frozen=True)
class Model:
    coefficients: dict[str, float]
    intercept: float
    means: np.ndarray
    scales: np.ndarray
    fill: np.ndarray  # the value a missing feature (no NPS answer) takes: the training mean

    @classmethod
    def stored(cls, coefficients: dict, intercept: float, means, scales, fill) -> Model:
        """A model as saved (plain lists). One saved before a feature was added (the features
        are only ever appended) gives it weight 0: it scores as it did when it was evaluated."""
        missing = len(FEATURES) - len(means)
        pad = lambda values, v: np.array(list(values) + [v] * missing, dtype=float)  # noqa: E731
        return cls(
            {f: float(coefficients.get(f, 0.0)) for f in FEATURES},
            float(intercept),
            pad(means, 0.0),
            pad(scales, 1.0),
            pad(fill, 0.0),
        )

    def _z(self, X: np.ndarray) -> np.ndarray:
        X = np.where(np.isnan(X), self.fill, X)
        return (X - self.means) / self.scales

    def risk(self, X: np.ndarray) -> np.ndarray:
        logit = self._z(X) @ np.array([self.coefficients[f] for f in FEATURES]) + self.intercept
        return 1.0 / (1.0 + np.exp(-logit))


def _check(y: np.ndarray, what: str) -> None:
    churners, stayers = int(y.sum()), int(len(y) - y.sum())
    if churners < MIN_CHURNERS or stayers < MIN_CHURNERS:
        raise NotEnoughData(
            f"{what}: {churners} churners and {stayers} customers who stayed; "
            f"the model needs at least {MIN_CHURNERS} of each"
        )


def train(data: Snapshot) -> Model:
    """A logistic regression (L2, standardised features) on one snapshot."""
    from sklearn.linear_model import LogisticRegression

    _check(data.y, "training")
    present = ~np.isnan(data.X)
    counts = present.sum(axis=0)
    fill = np.where(counts > 0, np.where(present, data.X, 0.0).sum(axis=0) / np.maximum(counts, 1), 0.0)
    X = np.where(np.isnan(data.X), fill, data.X)
    means, scales = X.mean(axis=0), X.std(axis=0)
    scales = np.where(scales > 0, scales, 1.0)
    fitted = LogisticRegression(C=1.0, max_iter=1000).fit((X - means) / scales, data.y)
    return Model(
        dict(zip(FEATURES, map(float, fitted.coef_[0]), strict=True)),
        float(fitted.intercept_[0]),
        means,
        scales,
        fill,
    )


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties count one half): the Mann-Whitney statistic."""
    from scipy.stats import rankdata

    y = np.asarray(y)
    ranks = rankdata(score)
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def auc_interval(value: float, positives: int, negatives: int) -> tuple[float, float]:
    """95 % interval of an AUC (Hanley & McNeil 1982)."""
    q1, q2 = value / (2 - value), 2 * value * value / (1 + value)
    var = (value * (1 - value) + (positives - 1) * (q1 - value**2) + (negatives - 1) * (q2 - value**2)) / (
        positives * negatives
    )
    half = 1.96 * math.sqrt(max(var, 0.0))
    return max(0.0, value - half), min(1.0, value + half)


def top_decile_lift(y: np.ndarray, score: np.ndarray) -> float:
    """Churn rate among the 10 % highest scores over the overall churn rate."""
    k = max(1, len(y) // 10)
    top = np.argsort(-np.asarray(score), kind="stable")[:k]
    return float(np.mean(y[top]) / np.mean(y)) if np.mean(y) > 0 else float("nan")


@dataclass(frozen=True)
class Evaluation:
    n_train: int
    n_test: int
    churners_test: int
    auc: float
    auc_low: float
    auc_high: float
    lift_top_decile: float
    baseline_auc: float  # recency only
    baseline_lift_top_decile: float
    calibration: list[tuple[float, float, int]] = field(default_factory=list)  # (mean predicted, observed, n)
    model: Model | None = None

    @property
    def better_than_chance(self) -> bool:
        """The AUC's 95 % interval lies above 0.5: the only case in which a signal is claimed."""
        return self.auc_low > 0.5


def calibration(y: np.ndarray, risk: np.ndarray, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean predicted risk, observed churn rate, n) in ``bins`` equal-count bins of risk."""
    order = np.argsort(risk, kind="stable")
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk):
            out.append((float(risk[chunk].mean()), float(y[chunk].mean()), len(chunk)))
    return out


def evaluate(train_at: Snapshot, test_at: Snapshot) -> Evaluation:
    """Train on the earlier snapshot, evaluate on the later one (time-based split)."""
    if test_at.cutoff <= train_at.cutoff:
        raise ValueError("the test cut-off must come after the training cut-off")
    model = train(train_at)
    _check(test_at.y, "evaluation")
    risk = model.risk(test_at.X)
    value = auc(test_at.y, risk)
    positives = int(test_at.y.sum())
    low, high = auc_interval(value, positives, len(test_at.y) - positives)
    recency = test_at.X[:, FEATURES.index("recency_days")]
    return Evaluation(
        n_train=len(train_at.y),
        n_test=len(test_at.y),
        churners_test=positives,
        auc=value,
        auc_low=low,
        auc_high=high,
        lift_top_decile=top_decile_lift(test_at.y, risk),
        baseline_auc=auc(test_at.y, recency),
        baseline_lift_top_decile=top_decile_lift(test_at.y, recency),
        calibration=calibration(test_at.y, risk),
        model=model,
    )


def reasons(model: Model, x: Sequence[float], top: int = 3) -> list[tuple[str, float]]:
    """The features pushing this customer's risk up most: (feature, contribution to log-odds)."""
    z = model._z(np.asarray(x, dtype=float).reshape(1, -1))[0]
    parts = [(f, float(model.coefficients[f] * z[i])) for i, f in enumerate(FEATURES)]
    return sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[:top]
