"""BG/NBD, Gamma-Gamma and CLV: hand-computed values and the published CDNOW results.

Published figures (CDNOW 1/10 sample, 2,357 customers, 39-week calibration to 1997-09-30):
BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 (Fader, Hardie & Lee 2005);
Gamma-Gamma on the 946 repeat buyers p = 6.25, q = 3.74, γ = 15.44 (Fader & Hardie 2013);
and from Hardie's BG/NBD spreadsheet, E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 and the
population E[X(t)] row below.
"""

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from openxm.analytics import clv

DATA = Path(__file__).parent / "data" / "cdnow_sample.txt"


def _cdnow():
    rows = []
    for line in DATA.read_text().splitlines():
        _master, customer, day, _cds, dollars = line.split()
        rows.append((customer, f"{day[:4]}-{day[4:6]}-{day[6:]}", float(dollars)))
    return rows


@pytest.fixture(scope="module")
def cdnow():
    return clv.summarise(_cdnow(), "1997-09-30")


@pytest.fixture(scope="module")
def fitted(cdnow):
    x = [s.x for s in cdnow]
    bg = clv.fit_bgnbd(x, [s.t_x for s in cdnow], [s.T for s in cdnow])
    gg = clv.fit_gamma_gamma(x, [s.mean_value for s in cdnow])
    return bg, gg


def test_the_cdnow_summary_matches_the_published_one(cdnow):
    assert len(cdnow) == 2357
    assert sum(1 for s in cdnow if s.x > 0) == 946
    first = next(s for s in cdnow if s.customer == "0001")
    # Hardie's summary: x = 2, t_x = 30.43, T = 38.86, mean repeat spend 22.35
    assert (first.x, round(first.t_x, 2), round(first.T, 2)) == (2, 30.43, 38.86)
    assert first.mean_value == pytest.approx(22.345)  # (29.73 + 14.96) / 2, shown rounded as 22.35


def test_bgnbd_reproduces_fader_hardie_lee_2005(fitted):
    bg, _gg = fitted
    assert bg.converged and bg.n == 2357
    assert (round(bg.r, 3), round(bg.alpha, 3), round(bg.a, 3), round(bg.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(bg.log_likelihood, 1) == -9582.4


def test_gamma_gamma_reproduces_fader_hardie_2013(fitted):
    _bg, gg = fitted
    assert gg.converged and gg.n == 946
    assert (round(gg.p, 2), round(gg.q, 2), round(gg.gamma, 2)) == (6.25, 3.74, 15.44)


def test_conditional_and_population_expectations_match_hardies_spreadsheet(fitted):
    bg, _gg = fitted
    assert float(clv.expected_purchases(bg, 39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=1e-3)
    times = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0]
    expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    np.testing.assert_allclose(clv.expected_purchases_population(bg, times), expected, atol=1e-3)


@pytest.mark.parametrize(
    ("x", "t_x", "T", "expected"),
    [
        (0, 0.0, 38.86, 1.0),  # no repeat purchase: alive by the model's assumption
        (2, 38.86, 38.86, None),  # bought at the end: close to 1
        (2, 1.0, 38.86, None),  # bought long ago: lower
    ],
)
def test_p_alive_rows(fitted, x, t_x, T, expected):
    bg, _gg = fitted
    value = float(clv.p_alive(bg, x, t_x, T))
    assert 0.0 <= value <= 1.0
    if expected is not None:
        assert value == expected


def test_p_alive_falls_with_time_since_the_last_purchase(fitted):
    bg, _gg = fitted
    recent, old = clv.p_alive(bg, [3, 3], [38.0, 5.0], [38.86, 38.86])
    assert recent > 0.8 and old < 0.1


def test_hand_computed_bgnbd_likelihood_of_one_customer():
    # r=α=a=b=1, x=1, t_x=1, T=2: B(1,2)/B(1,1)·Γ(2)/(Γ(1)(1+2)^2) + B(2,1)/B(1,1)·Γ(2)/(Γ(1)(1+1)^2)
    by_hand = math.log(0.5 * 1 / 9 + 0.5 * 1 / 4)
    assert float(clv.bgnbd_log_likelihood((1, 1, 1, 1), [1], [1], [2])[0]) == pytest.approx(by_hand)


def test_hand_computed_expected_spend():
    fit = clv.GammaGammaFit(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, n=1, converged=True)
    # p(γ + m̄x)/(px + q − 1) with x = 2, m̄ = 22.35
    by_hand = 6.25 * (15.44 + 22.35 * 2) / (6.25 * 2 + 3.74 - 1)
    assert float(clv.expected_spend(fit, 2, 22.35)) == pytest.approx(by_hand)


@pytest.mark.parametrize(
    ("rows", "end", "expected"),
    [
        ([], None, []),
        # same-day purchases are one transaction; their values add
        (
            [("a", "2024-01-01", 10), ("a", "2024-01-01", 5), ("a", "2024-01-15", 20)],
            "2024-01-29",
            [("a", 1, 2.0, 4.0, 20.0, 15.0)],
        ),
        # purchases after the calibration end are ignored; a customer who starts after it is left out
        (
            [("a", "2024-01-01", 10), ("a", "2024-03-01", 99), ("b", "2024-03-01", 5)],
            "2024-01-08",
            [("a", 0, 0.0, 1.0, 0.0, 10.0)],
        ),
    ],
)
def test_summarise_rows(rows, end, expected):
    got = [(s.customer, s.x, s.t_x, s.T, s.mean_value, s.first_value) for s in clv.summarise(rows, end)]
    assert got == expected


def test_clv_is_discounted_and_grows_with_the_horizon(cdnow):
    short = clv.clv(cdnow, horizon_weeks=26, annual_discount_rate=0.1)
    long = clv.clv(cdnow, horizon_weeks=52, annual_discount_rate=0.1)
    undiscounted = clv.clv(cdnow, horizon_weeks=52, annual_discount_rate=0.0)
    assert short.method == long.method == "bgnbd+gamma-gamma"
    a, b, c = (next(v for v in r.customers if v.customer == "0001") for r in (short, long, undiscounted))
    assert 0 < a.clv < b.clv < c.clv
    # without discounting, CLV is expected purchases × expected spend
    assert c.clv == pytest.approx(c.expected_purchases * c.expected_spend)


def test_thin_data_falls_back_to_the_simple_formula_and_says_so():
    rows = [("a", "2024-01-01", 10), ("a", "2024-01-15", 30), ("b", "2024-01-08", 50)]
    result = clv.clv(clv.summarise(rows, "2024-01-29"), horizon_weeks=4, annual_discount_rate=0.0)
    assert result.method == "simple" and "too little data" in result.reason
    a = next(v for v in result.customers if v.customer == "a")
    # 2 orders over 4 weeks, mean order 20: 20 × 0.5/week × 4 weeks
    assert a.p_alive is None and a.clv == pytest.approx(40.0)


@pytest.mark.parametrize(("horizon", "rate"), [(0, 0.1), (4, -0.1)])
def test_bad_horizon_or_rate_is_refused(horizon, rate):
    with pytest.raises(ValueError):
        clv.clv([], horizon_weeks=horizon, annual_discount_rate=rate)


def test_a_fit_at_a_boundary_falls_back_to_the_simple_formula_and_says_so():
    """40 customers buying every 9-13 days (half stopped): no heterogeneity, the BG/NBD fit runs
    to r, alpha, a, b ~ 1e9 and eq. 10 is not finite there; the result says so, never NaN."""
    end = date(2026, 12, 7)
    rows = []
    for i in range(40):
        day, stop = 360, (120 + i if i % 2 else 0)
        while day > stop:
            rows.append((f"c{i}", end - timedelta(days=day), 100 + 10 * i + (day % 7) * 15))
            day -= 9 + i % 5
    result = clv.clv(clv.summarise(rows, end))
    assert result.method == "simple" and "boundary" in result.reason
    assert all(math.isfinite(c.clv) and c.clv > 0 for c in result.customers)
