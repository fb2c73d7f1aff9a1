"""Customer lifetime value: BG/NBD for purchases, Gamma-Gamma for spend, discounted over a horizon.

Pure: numpy/scipy over plain values, no Django.

Included:

* :func:`summarise` — transactions (customer, date, value) → per customer the repeat-purchase
  sufficient statistics of the models, in **weeks**: ``x`` repeat purchases, ``t_x`` the time of
  the last purchase and ``T`` the time observed, both from the first purchase, and the mean value
  of the repeat purchases. Purchases on the same day count as one transaction (their values add).
* :func:`fit_bgnbd` — the BG/NBD model of Fader, Hardie & Lee (2005), "Counting your customers
  the easy way", Marketing Science 24(2): maximum likelihood of (r, alpha, a, b), eq. 6 of the paper.
* :func:`expected_purchases` (eq. 10), :func:`p_alive`, :func:`expected_purchases_population`.
* :func:`fit_gamma_gamma` and :func:`expected_spend` — Fader & Hardie (2013), "The Gamma-Gamma
  model of monetary value" (brucehardie.com note 025): (p, q, gamma) fitted on customers with at
  least one repeat purchase.
* :func:`clv` — the whole chain over a horizon in weeks and an annual discount rate; with too
  little data (few customers or few repeaters, or a fit that does not converge) it falls back to
  the **simple** formula of DESIGN.md (mean order value × weekly purchase rate × horizon,
  discounted the same way) and says so in ``method``.

Excluded: covariates, the Pareto/NBD and BG/BB models, margins (pass margin-based values if
profit rather than revenue is wanted).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

# Below these the models are not fitted and the simple formula is used (labelled so).
MIN_CUSTOMERS = 30
MIN_REPEATERS = 10


@dataclass(frozen=True)
class CustomerSummary:
    customer: str
    x: int  # repeat purchases (transactions after the first)
    t_x: float  # weeks from the first purchase to the last
    T: float  # weeks from the first purchase to the end of the calibration period
    mean_value: float  # mean value of the repeat purchases (0 without any)
    first_value: float  # value of the first purchase
    total_value: float  # value of every purchase in the calibration period


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def summarise(
    transactions: Iterable[tuple[str, object, float]], calibration_end=None
) -> list[CustomerSummary]:
    """Per customer statistics from (customer, date, value) rows up to ``calibration_end``
    (inclusive; default the last date seen). Rows after the end are ignored; customers whose
    first purchase is after it are left out. Ordered by customer."""
    days: dict[str, dict[date, float]] = {}
    for customer, when, value in transactions:
        day = _day(when)
        per_day = days.setdefault(str(customer), {})
        per_day[day] = per_day.get(day, 0.0) + float(value or 0.0)
    if not days:
        return []
    end = _day(calibration_end) if calibration_end is not None else max(max(d) for d in days.values())
    out = []
    for customer in sorted(days):
        dated = sorted((d, v) for d, v in days[customer].items() if d <= end)
        if not dated:
            continue
        first = dated[0][0]
        repeat = [v for _d, v in dated[1:]]
        out.append(
            CustomerSummary(
                customer=customer,
                x=len(repeat),
                t_x=(dated[-1][0] - first).days / 7.0,
                T=(end - first).days / 7.0,
                mean_value=sum(repeat) / len(repeat) if repeat else 0.0,
                first_value=dated[0][1],
                total_value=sum(v for _d, v in dated),
            )
        )
    return out


# ---------------------------------------------------------------------------- BG/NBD


@dataclass(frozen=True)
class BgNbdFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n: int
    converged: bool


def bgnbd_log_likelihood(params: Sequence[float], x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood of FHL 2005 eq. 6 (the δ(x>0) term only for repeaters)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    a3 = np.full_like(x, -np.inf)
    a3[repeat] = (
        betaln(a + 1, b + x[repeat] - 1) - betaln(a, b) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return a1 + np.logaddexp(a2, a3)


def _fit(neg_ll, start: Sequence[float]) -> tuple[np.ndarray, float, bool]:
    """Minimise over log-parameters (keeps them positive); restarts from the best point once,
    since Nelder-Mead can stall on these flat likelihoods."""
    best = None
    x0 = np.log(np.asarray(start, dtype=float))
    for _round in range(3):
        result = minimize(
            neg_ll, x0, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-9}
        )
        if best is None or result.fun < best.fun:
            best = result
        x0 = best.x
    return np.exp(best.x), float(-best.fun), bool(best.success and np.isfinite(best.fun))


def fit_bgnbd(x, t_x, T) -> BgNbdFit:
    """Maximum-likelihood (r, alpha, a, b) of the BG/NBD model."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    scale = 10.0 / max(float(T.max()), 1e-9)  # fit on a rescaled clock, as lifetimes does, for stability

    def neg(logp):
        r, alpha, a, b = np.exp(logp)
        ll = bgnbd_log_likelihood((r, alpha, a, b), x, t_x * scale, T * scale)
        total = ll.sum()
        return -total if np.isfinite(total) else 1e100

    (r, alpha, a, b), ll, ok = _fit(neg, (1.0, 1.0, 1.0, 1.0))
    # Undo the clock: alpha is a time scale; the log-likelihood of the densities shifts by n·r·ln(scale)
    # only through alpha, so recompute it on the original clock.
    alpha = alpha / scale
    ll = float(bgnbd_log_likelihood((r, alpha, a, b), x, t_x, T).sum())
    return BgNbdFit(
        r=float(r), alpha=float(alpha), a=float(a), b=float(b), log_likelihood=ll, n=len(x), converged=ok
    )


def p_alive(fit: BgNbdFit, x, t_x, T) -> np.ndarray:
    """P(the customer is still active | x, t_x, T) (FHL 2005, eq. 11 of the technical note)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    ratio = np.exp((fit.r + x) * (np.log(fit.alpha + T) - np.log(fit.alpha + t_x)))
    odds = np.where(x > 0, fit.a / np.maximum(fit.b + x - 1, 1e-12) * ratio, 0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(fit: BgNbdFit, t, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T], FHL 2005 eq. 10."""
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    t = np.asarray(t, dtype=float)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    head = (a + b + x - 1) / (a - 1)
    body = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp
    ratio = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    denominator = 1 + np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ratio, 0.0)
    return head * body / denominator


def expected_purchases_population(fit: BgNbdFit, t) -> np.ndarray:
    """E[X(t)] for a new customer: expected repeat purchases in (0, t] (FHL 2005 eq. 7)."""
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    t = np.asarray(t, dtype=float)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


# ---------------------------------------------------------------------------- Gamma-Gamma


@dataclass(frozen=True)
class GammaGammaFit:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    n: int
    converged: bool


def gamma_gamma_log_likelihood(params: Sequence[float], x, mean_value) -> np.ndarray:
    """Per-customer log-likelihood of the mean spend m̄ over x transactions (FH 2013, eq. 3)."""
    p, q, gamma = params
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def fit_gamma_gamma(x, mean_value) -> GammaGammaFit:
    """Maximum-likelihood (p, q, gamma) on customers with x ≥ 1 and a positive mean value."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]

    def neg(logp):
        total = gamma_gamma_log_likelihood(np.exp(logp), x, m).sum()
        return -total if np.isfinite(total) else 1e100

    (p, q, gamma), ll, ok = _fit(neg, (1.0, 1.0, max(float(m.mean()), 1.0)))
    return GammaGammaFit(
        p=float(p), q=float(q), gamma=float(gamma), log_likelihood=ll, n=len(x), converged=ok
    )


def expected_spend(fit: GammaGammaFit, x, mean_value) -> np.ndarray:
    """E[M | p, q, gamma, m̄, x] = p(γ + m̄x)/(px + q − 1) (FH 2013, eq. 5); customers without a
    repeat purchase get the population mean pγ/(q − 1)."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    return fit.p * (fit.gamma + m * x) / (fit.p * x + fit.q - 1)


# ---------------------------------------------------------------------------- CLV


@dataclass(frozen=True)
class CustomerValue:
    customer: str
    expected_purchases: float
    p_alive: float | None  # None with the simple formula
    expected_spend: float
    clv: float


@dataclass(frozen=True)
class ClvResult:
    method: str  # "bgnbd+gamma-gamma" or "simple"
    horizon_weeks: int
    annual_discount_rate: float
    n: int
    repeaters: int
    bgnbd: BgNbdFit | None = None
    gamma_gamma: GammaGammaFit | None = None
    reason: str = ""  # why the simple formula was used
    customers: list[CustomerValue] = field(default_factory=list)


def _weekly_discount(annual: float, weeks: int) -> np.ndarray:
    """Discount factor of each week 1..weeks at an annual rate."""
    weekly = (1.0 + annual) ** (1.0 / 52.0) - 1.0
    return 1.0 / (1.0 + weekly) ** np.arange(1, weeks + 1)


def clv(
    summaries: Sequence[CustomerSummary], horizon_weeks: int = 52, annual_discount_rate: float = 0.10
) -> ClvResult:
    """Expected purchases, P(alive), expected spend and discounted CLV per customer.

    CLV = Σ_k (E[purchases by week k] − E[purchases by week k−1]) × E[spend] × discount_k over the
    horizon (weekly steps; the annual rate converted to a weekly one)."""
    if horizon_weeks < 1:
        raise ValueError("horizon_weeks must be at least 1")
    if annual_discount_rate < 0:
        raise ValueError("annual_discount_rate must not be negative")
    n = len(summaries)
    repeaters = sum(1 for s in summaries if s.x > 0 and s.mean_value > 0)
    discount = _weekly_discount(annual_discount_rate, horizon_weeks)
    base = {
        "horizon_weeks": horizon_weeks,
        "annual_discount_rate": annual_discount_rate,
        "n": n,
        "repeaters": repeaters,
    }
    if n == 0:
        return ClvResult(method="simple", reason="no customers", **base)
    x = np.array([s.x for s in summaries], dtype=float)
    t_x = np.array([s.t_x for s in summaries], dtype=float)
    T = np.array([s.T for s in summaries], dtype=float)
    m = np.array([s.mean_value for s in summaries], dtype=float)
    reason = ""
    if n < MIN_CUSTOMERS or repeaters < MIN_REPEATERS:
        reason = (
            f"too little data: {n} customers, {repeaters} with repeat purchases "
            f"(the models need {MIN_CUSTOMERS} and {MIN_REPEATERS})"
        )
    elif float(T.max()) <= 0:
        reason = "no time observed"
    if not reason:
        bg = fit_bgnbd(x, t_x, T)
        gg = fit_gamma_gamma(x, m)
        if not (bg.converged and gg.converged) or gg.q <= 1:
            reason = "the model fit did not converge"
    if reason:
        return _simple(summaries, discount, reason, base)
    steps = np.arange(0, horizon_weeks + 1, dtype=float)
    cumulative = np.array([expected_purchases(bg, t, x, t_x, T) for t in steps])  # (weeks+1, n)
    if not np.isfinite(cumulative).all():
        # The likelihood was highest at a boundary (customers buying at one regular rate: the
        # gamma and beta mixtures collapse, r, alpha, a, b run to ~1e9) and eq. 10's 2F1 is not
        # finite there. Say so and use the simple formula instead of storing NaN.
        reason = "the model fit reached a boundary (customers too alike); its expectations are not finite"
        return _simple(summaries, discount, reason, base)
    per_week = np.diff(cumulative, axis=0)
    spend = expected_spend(gg, x, m)
    values = (per_week * discount[:, None]).sum(axis=0) * spend
    alive = p_alive(bg, x, t_x, T)
    customers = [
        CustomerValue(
            s.customer, float(cumulative[-1, i]), float(alive[i]), float(spend[i]), float(values[i])
        )
        for i, s in enumerate(summaries)
    ]
    return ClvResult(method="bgnbd+gamma-gamma", bgnbd=bg, gamma_gamma=gg, customers=customers, **base)


def _simple(summaries, discount, reason, base) -> ClvResult:
    """Mean order value × weekly purchase rate × horizon (discounted): DESIGN.md's simple CLV."""
    customers = []
    for s in summaries:
        orders = s.x + 1
        weeks = max(s.T, 1.0)
        rate = orders / weeks
        order_value = s.total_value / orders
        value = float(order_value * rate * discount.sum())
        customers.append(CustomerValue(s.customer, rate * len(discount), None, order_value, value))
    return ClvResult(method="simple", reason=reason, customers=customers, **base)


def finite(value: float | None) -> float | None:
    """A float for JSON: None for NaN or infinity."""
    return value if value is not None and math.isfinite(value) else None
