"""Before/after and difference-in-differences impact (openxm/analytics/impact.py).

Synthetic data with a known effect must be found; data without one must not be claimed, and
over many seeds the share of false claims stays near alpha."""

import math

import numpy as np
import pytest
from scipy import stats

from openxm.analytics.compare import nps_difference, welch_t
from openxm.analytics.impact import Rules, before_after, diff_in_diff, summarise
from openxm.analytics.metrics import nps

LOOSE = Rules(min_n=2, min_days=1)

# NPS answer distributions over 0..10 (each sums to 1).
BASE = np.array([0.03, 0.02, 0.03, 0.04, 0.04, 0.06, 0.08, 0.12, 0.18, 0.2, 0.2])  # NPS ≈ 10
BETTER = np.array([0.02, 0.01, 0.02, 0.03, 0.03, 0.04, 0.05, 0.1, 0.15, 0.25, 0.3])  # NPS ≈ 35


def nps_of(p):
    return 100 * (p[9:].sum() - p[:7].sum())


def draw(rng, p, n):
    """{answer: count} of n answers drawn from the distribution p over 0..len(p)-1."""
    counts = rng.multinomial(n, p)
    return {value: int(c) for value, c in enumerate(counts) if c}


@pytest.mark.parametrize(
    ("metric", "values", "n", "estimate", "se"),
    [
        ("nps", [10, 10, 10, 8, 0], 5, 40.0, 100 * math.sqrt((0.6 + 0.2 - 0.16) / 5)),
        ("nps", {9: 3, 7: 1}, 4, 75.0, 100 * math.sqrt((0.75 - 0.75**2) / 4)),
        ("csat", [5, 4, 3, 2, None, ""], 4, 50.0, 100 * math.sqrt(0.25 / 4)),
        ("ces", [7, 5, 6], 3, 6.0, 1 / math.sqrt(3)),
        ("ces", [4], 1, 4.0, None),
        ("negative_share", {1: 1, 0: 3}, 4, 25.0, 100 * math.sqrt(0.1875 / 4)),
        ("nps", [], 0, None, None),
    ],
)
def test_cells(metric, values, n, estimate, se):
    cell = summarise(metric, values)
    assert cell.n == n
    assert cell.estimate == (pytest.approx(estimate) if estimate is not None else None)
    assert cell.se == (pytest.approx(se) if se is not None else None)


@pytest.mark.parametrize(
    ("metric", "values", "message"),
    [
        ("nps", [11], "not on the nps scale 0–10"),
        ("csat", [4.5], "not on the csat scale"),
        ("nps", {9: -1}, "not a whole number"),
        ("nps", ["nine"], "answer"),
        ("mood", [1], "unknown metric 'mood'"),
    ],
)
def test_bad_answers_name_the_problem(metric, values, message):
    with pytest.raises(ValueError, match=message):
        summarise(metric, values)


def test_before_after_nps_matches_the_nps_difference_test():
    before, after = [10] * 3 + [0] * 3 + [7] * 4, [10] * 6 + [0] * 2 + [8] * 2
    result = before_after("nps", before, after, days_before=30, days_after=30, rules=LOOSE)
    reference = nps_difference(nps(after), nps(before))
    assert result.enough and result.test == "z"
    assert result.effect == pytest.approx(40.0)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.p_value)
    assert (result.ci_low, result.ci_high) == pytest.approx((reference.ci_low, reference.ci_high))
    assert [c.n for c in result.cells] == [10, 10] and result.n == 20


def test_before_after_means_is_welchs_test():
    before, after = [3, 4, 4, 5, 2, 3, 4], [5, 6, 5, 7, 6, 4]
    result = before_after("ces", before, after, days_before=20, days_after=20, rules=LOOSE)
    reference = welch_t(after, before)
    assert result.test == "Welch t"
    assert result.effect == pytest.approx(reference.difference)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.df == pytest.approx(reference.df)
    assert result.p_value == pytest.approx(reference.p_value)
    assert (result.ci_low, result.ci_high) == pytest.approx((reference.ci_low, reference.ci_high))
    assert result.verdict == "improved"


def test_diff_in_diff_by_hand():
    # Treated CSAT 50 % → 80 %, control 50 % → 60 %: DiD = +20 points.
    tb, ta = {5: 50, 1: 50}, {5: 80, 2: 20}
    cb, ca = {4: 50, 3: 50}, {4: 60, 3: 40}
    result = diff_in_diff("csat", tb, ta, cb, ca, days_before=30, days_after=30, rules=LOOSE)
    se = 100 * math.sqrt(0.25 / 100 + 0.16 / 100 + 0.25 / 100 + 0.24 / 100)
    assert result.design == "diff_in_diff"
    assert result.effect == pytest.approx(20.0)
    assert result.se == pytest.approx(se)
    assert result.statistic == pytest.approx(20 / se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(20 / se))
    half = stats.norm.ppf(0.975) * se
    assert (result.ci_low, result.ci_high) == pytest.approx((20 - half, 20 + half))
    assert [c.label for c in result.cells] == [
        "treated before",
        "treated after",
        "control before",
        "control after",
    ]


def test_fewer_negative_mentions_is_an_improvement():
    result = before_after("negative_share", {1: 40, 0: 60}, {1: 10, 0: 90}, days_before=30, days_after=30)
    assert result.effect == pytest.approx(-30.0)
    assert result.verdict == "improved"


@pytest.mark.parametrize(
    ("before", "after", "days_before", "days_after", "reasons"),
    [
        ({10: 19, 0: 10}, {10: 40, 0: 10}, 30, 30, ("min_n",)),
        ({10: 40, 0: 10}, {10: 40, 0: 10}, 30, 13, ("window_after",)),
        ({10: 40, 0: 10}, {10: 40, 0: 10}, 5, 30, ("window_before",)),
        ({10: 3}, {10: 3}, 2, 2, ("min_n", "window_before", "window_after")),
        ({10: 40}, {10: 50}, 30, 30, ("no_variation",)),
    ],
)
def test_not_enough_data_yet(before, after, days_before, days_after, reasons):
    result = before_after("nps", before, after, days_before=days_before, days_after=days_after)
    assert not result.enough
    assert result.reasons == reasons
    assert result.verdict == "not_enough_data"
    assert result.effect is None and result.p_value is None and result.ci_low is None
    # The n behind the figures is still shown.
    assert [c.n for c in result.cells] == [sum(before.values()), sum(after.values())]


def test_rules_are_checked():
    with pytest.raises(ValueError, match="min_n"):
        Rules(min_n=1)
    with pytest.raises(ValueError, match="confidence"):
        Rules(alpha=1.5)


def test_a_known_effect_is_found_with_did():
    rng = np.random.default_rng(14)
    true_effect = nps_of(BETTER) - nps_of(BASE)
    result = diff_in_diff(
        "nps",
        draw(rng, BASE, 600),
        draw(rng, BETTER, 600),
        draw(rng, BASE, 600),
        draw(rng, BASE, 600),
        days_before=42,
        days_after=42,
    )
    assert result.verdict == "improved"
    assert result.p_value < 0.05
    assert result.ci_low < true_effect < result.ci_high
    assert result.to_dict()["n"] == 2400


def test_a_common_trend_is_not_claimed_by_did():
    """Both groups improve the same (seasonality, a company-wide campaign): before/after on the
    treated group alone would claim it, the difference in differences does not."""
    rng = np.random.default_rng(7)
    tb, ta = draw(rng, BASE, 800), draw(rng, BETTER, 800)
    cb, ca = draw(rng, BASE, 800), draw(rng, BETTER, 800)
    naive = before_after("nps", tb, ta, days_before=42, days_after=42)
    did = diff_in_diff("nps", tb, ta, cb, ca, days_before=42, days_after=42)
    assert naive.verdict == "improved"
    assert did.verdict == "no_clear_change"
    assert did.ci_low < 0 < did.ci_high


@pytest.mark.parametrize(
    ("metric", "p"),
    [
        ("nps", BASE),
        ("csat", np.array([0, 0.1, 0.15, 0.25, 0.3, 0.2])),  # 1–5 (index 0 unused)
        ("ces", np.array([0, 0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.15])),  # 1–7
    ],
)
def test_false_claims_stay_near_alpha(metric, p):
    """Without an effect, DiD claims one (p < 0.05) in about 5 % of 600 synthetic plans: the
    99.9 % binomial range of the claim count is about 13..50."""
    rng = np.random.default_rng(2026)
    seeds = 600
    claims = sum(
        diff_in_diff(metric, *(draw(rng, p, 120) for _ in range(4)), days_before=30, days_after=30).p_value
        < 0.05
        for _ in range(seeds)
    )
    low, high = stats.binom.ppf([0.0005, 0.9995], seeds, 0.05)
    assert low <= claims <= high, (claims, low, high)


def test_a_modest_effect_is_found_as_often_as_its_power_says():
    """A 25-point NPS gain with 300 answers per cell: the normal approximation gives the power
    (about 75 %); the count of plans where it is found must fall in that binomial range."""
    rng = np.random.default_rng(99)
    plans, n = 200, 300

    def variance(p):
        promoters, detractors = p[9:].sum(), p[:7].sum()
        return 100**2 * (promoters + detractors - (promoters - detractors) ** 2) / n

    se = math.sqrt(3 * variance(BASE) + variance(BETTER))
    power = stats.norm.sf(stats.norm.ppf(0.975) - (nps_of(BETTER) - nps_of(BASE)) / se)
    found = sum(
        diff_in_diff(
            "nps",
            draw(rng, BASE, n),
            draw(rng, BETTER, n),
            draw(rng, BASE, n),
            draw(rng, BASE, n),
            days_before=30,
            days_after=30,
        ).verdict
        == "improved"
        for _ in range(plans)
    )
    low, high = stats.binom.ppf([0.0005, 0.9995], plans, power)
    assert 0.7 < power < 0.8
    assert low <= found <= high, (found, power)
