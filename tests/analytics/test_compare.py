import math

import pytest
from scipy import stats

from openxm.analytics.compare import (
    adjust_p_values,
    chi_squared,
    crosstab,
    nps_difference,
    one_way_anova,
    pairwise_nps,
    two_proportions,
    welch_t,
)
from openxm.analytics.metrics import csat, nps


def test_two_proportions_pooled_z_by_hand():
    result = two_proportions(60, 100, 45, 100, groups=("north", "south"))
    pooled = 105 / 200
    z = 0.15 / math.sqrt(pooled * (1 - pooled) * 2 / 100)
    assert result.test == "two-proportion z"
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.difference == pytest.approx(15.0)
    half = 1.959964 * math.sqrt(0.6 * 0.4 / 100 + 0.45 * 0.55 / 100) * 100
    assert (result.ci_low, result.ci_high) == pytest.approx((15 - half, 15 + half), abs=1e-4)
    with pytest.raises(ValueError, match="successes ≤ n"):
        two_proportions(5, 4, 1, 2)


def test_nps_difference_uses_both_standard_errors():
    a = nps([10] * 6 + [0] * 2 + [8] * 2)  # NPS 40
    b = nps([10] * 3 + [0] * 3 + [7] * 4)  # NPS 0
    result = nps_difference(a, b, groups=("web", "store"))
    se = math.sqrt(a.se**2 + b.se**2)
    assert result.test == "NPS difference z"
    assert result.difference == pytest.approx(40.0)
    assert result.statistic == pytest.approx(40 / se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(40 / se))
    with pytest.raises(ValueError, match="not NPS"):
        nps_difference(a, csat([5, 4]))
    with pytest.raises(ValueError, match="suppressed"):
        nps_difference(a, nps([10], min_n=5))


def test_welch_t_matches_scipy_and_reports_the_interval():
    a, b = [5, 4, 4, 5, 3, "NA"], [2, 3, 3, 1, 2, 4, 2]
    result = welch_t(a, b)
    reference = stats.ttest_ind([5, 4, 4, 5, 3], [2, 3, 3, 1, 2, 4, 2], equal_var=False)
    assert result.test == "Welch t"
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.n == (5, 7)
    assert result.ci_low < result.difference < result.ci_high
    assert result.difference == pytest.approx(4.2 - 17 / 7)


def test_chi_squared_crosstab_without_yates():
    rows, cols, table = crosstab(["a", "a", "b", "b", "b", None], ["yes", "no", "yes", "yes", "no", "yes"])
    assert (rows, cols, table) == (["a", "b"], ["no", "yes"], [[1, 1], [1, 2]])
    result = chi_squared([[30, 10], [20, 40]], groups=["web", "store"])
    assert result.test == "chi-squared"
    # (ad − bc)² n / (row and column totals) = (1200 − 200)² · 100 / (40 · 60 · 50 · 50)
    assert result.statistic == pytest.approx(1000**2 * 100 / (40 * 60 * 50 * 50))
    assert result.df == 1
    assert result.effect_size == pytest.approx(math.sqrt(result.statistic / 100))
    assert result.note is None
    assert "expected counts are below 5" in chi_squared([[3, 1], [1, 3]]).note


def test_one_way_anova_and_eta_squared():
    groups = {"a": [1, 2, 3], "b": [4, 5, 6], "c": [7, 8, "", 9]}
    result = one_way_anova(groups)
    reference = stats.f_oneway([1, 2, 3], [4, 5, 6], [7, 8, 9])
    assert result.test == "one-way ANOVA"
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.effect_size == pytest.approx(54 / 60)  # between 54 of total 60
    with pytest.raises(ValueError, match="two groups"):
        one_way_anova({"a": [1, 2]})


def test_holm_and_benjamini_hochberg_worked_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    assert adjust_p_values(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_p_values(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjust_p_values(p, "bh") == pytest.approx(list(stats.false_discovery_control(p)))
    assert adjust_p_values([0.5, 0.9], "holm") == [1.0, 1.0]
    with pytest.raises(ValueError, match="'bonferroni'"):
        adjust_p_values(p, "bonferroni")


def test_pairwise_nps_skips_suppressed_groups_and_corrects():
    results = {
        "a": nps([10] * 8 + [0] * 2),
        "b": nps([10] * 2 + [0] * 8),
        "c": nps([10] * 5 + [0] * 5),
        "tiny": nps([10], min_n=5),
    }
    comparisons = pairwise_nps(results)
    assert [c.groups for c in comparisons] == [("a", "b"), ("a", "c"), ("b", "c")]
    raw = [c.p_value for c in comparisons]
    assert [c.adjusted_p for c in comparisons] == pytest.approx(adjust_p_values(raw, "holm"))
    assert all(c.adjusted_p >= c.p_value for c in comparisons)
