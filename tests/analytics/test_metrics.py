import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openxm.analytics.metrics import (
    ces,
    csat,
    distribution,
    enps,
    nps,
    response_rate,
    score,
    score_from_counts,
)

# (case, values, expected NPS, expected SE, promoters %, passives %, detractors %)
NPS_CASES = [
    ("all promoters", [9, 10, 10], 100.0, 0.0, 100.0, 0.0, 0.0),
    ("all passives", [7, 8, 7, 8], 0.0, 0.0, 0.0, 100.0, 0.0),
    ("all detractors", [0, 6, 3], -100.0, 0.0, 0.0, 0.0, 100.0),
    # P=5, D=3, n=10: SE = 100·sqrt((0.5 + 0.3 − 0.2²)/10)
    (
        "hand-checked SE",
        [10] * 3 + [9] * 2 + [8, 7] + [6, 5, 0],
        20.0,
        100 * math.sqrt(0.076),
        50.0,
        20.0,
        30.0,
    ),
    ("thirds do not round", [10, 9, 0], 100 / 3, 100 * math.sqrt((1 - 1 / 9) / 3), 200 / 3, 0.0, 100 / 3),
    ("boundary 6 is a detractor, 9 a promoter", [6, 9], 0.0, 100 * math.sqrt(1 / 2), 50.0, 0.0, 50.0),
]


@pytest.mark.parametrize(("case", "values", "expected", "se", "pro", "pas", "det"), NPS_CASES)
def test_nps_table(case, values, expected, se, pro, pas, det):
    result = nps(values)
    assert result.n == len(values)
    assert result.score == pytest.approx(expected), case
    assert result.se == pytest.approx(se, abs=1e-12), case
    assert dict(result.shares) == pytest.approx({"promoters": pro, "passives": pas, "detractors": det})
    assert result.ci_low <= result.score <= result.ci_high


def test_nps_interval_is_score_plus_minus_z_se_and_clipped():
    result = nps([10] * 3 + [9] * 2 + [8, 7] + [6, 5, 0])
    half = 1.959963984540054 * 100 * math.sqrt(0.076)
    assert result.ci_low == pytest.approx(20 - half)
    assert result.ci_high == pytest.approx(20 + half)
    wide = nps([10, 10, 0])
    assert wide.ci_high == 100.0  # 33.3 + 1.96·54.4 would exceed the scale
    assert nps([10, 9, 0], confidence=0.9).ci_low > nps([10, 9, 0]).ci_low


def test_counts_list_every_point_and_values_in_any_spelling_count_the_same():
    result = csat([5, 5.0, "5", " 5 ", 4, "NA", None, "", float("nan")])
    assert result.counts == {1: 0, 2: 0, 3: 0, 4: 1, 5: 4}
    assert result.n == 5
    assert result.missing == 4


@pytest.mark.parametrize(
    ("fn", "value", "fragment"),
    [
        (nps, 11, "11"),
        (nps, -1, "-1"),
        (csat, 0, "0"),
        (csat, "6", "'6'"),
        (ces, 8, "8"),
        (ces, 4.5, "4.5"),
        (nps, "ten", "'ten'"),
        (nps, True, "True"),
    ],
)
def test_bad_answer_raises_naming_the_value(fn, value, fragment):
    with pytest.raises(ValueError, match=fragment.replace(".", r"\.").replace("'", "'")):
        fn([5, value])


def test_csat_top_two_box_with_wilson_interval_and_mean_t_interval():
    result = csat([5, 4, 4, 3, 2])
    assert result.score == pytest.approx(60.0)
    # Wilson 95 % for 3/5, worked by hand: centre 0.55655, half-width 0.32582
    assert result.ci_low == pytest.approx(23.07, abs=0.01)
    assert result.ci_high == pytest.approx(88.24, abs=0.01)
    assert result.mean == pytest.approx(3.6)
    # sd = sqrt(1.3), t(0.975, 4) = 2.776445
    assert result.mean_ci_low == pytest.approx(3.6 - 2.776445 * math.sqrt(1.3 / 5), abs=1e-5)
    assert result.mean_ci_high == 5.0  # 5.016 clipped to the scale
    assert dict(result.shares) == pytest.approx({"satisfied": 60.0, "neutral": 20.0, "dissatisfied": 20.0})


def test_ces_mean_is_the_score_and_agree_share_is_5_to_7():
    result = ces([7, 6, 5, 4, 3, 2, 1])
    assert result.score == pytest.approx(4.0)
    assert result.score == result.mean
    assert result.shares["agree"] == pytest.approx(300 / 7)
    assert result.shares["disagree"] == pytest.approx(300 / 7)
    sd = math.sqrt(28 / 6)
    assert result.se == pytest.approx(sd / math.sqrt(7))
    assert (result.ci_low, result.ci_high) == (result.mean_ci_low, result.mean_ci_high)


def test_single_answer_has_no_interval_rather_than_a_made_up_one():
    result = ces([5])
    assert result.score == 5.0
    assert result.ci_low is None and result.ci_high is None


@pytest.mark.parametrize(
    ("fn", "values", "options", "suppressed"),
    [
        (enps, [9, 9, 9, 9], {}, True),  # employee floor is 5
        (enps, [9, 9, 9, 9, 0], {}, False),
        (nps, [9], {}, False),
        (nps, [9, 9], {"min_n": 3}, True),
        (nps, [], {"min_n": 0}, True),  # nothing to compute, whatever the floor
        (csat, ["NA", None], {}, True),
    ],
)
def test_suppression_below_min_n_hides_every_figure(fn, values, options, suppressed):
    result = fn(values, **options)
    assert result.suppressed is suppressed
    if suppressed:
        assert result.n == sum(1 for v in values if v not in ("NA", None))
        assert result.score is None and result.mean is None and result.ci_low is None
        assert dict(result.counts) == {} and dict(result.shares) == {}
    else:
        assert result.score is not None and sum(result.counts.values()) == result.n


def test_equal_weights_change_nothing_but_unequal_weights_use_kish_n():
    values = [10, 9, 8, 6, 0, 10, 7]
    plain = nps(values)
    doubled = nps(values, weights=[2] * len(values))
    assert doubled.score == pytest.approx(plain.score)
    assert doubled.se == pytest.approx(plain.se)
    assert doubled.effective_n == pytest.approx(len(values))

    weighted = nps([10, 0, 10], weights=[1, 1, 2])
    n_eff = 16 / 6
    assert weighted.effective_n == pytest.approx(n_eff)
    assert weighted.score == pytest.approx(50.0)  # promoters 3/4, detractors 1/4 of the weight
    assert weighted.se == pytest.approx(100 * math.sqrt((1 - 0.25) / n_eff))
    assert weighted.counts[10] == 2 and weighted.weighted_counts[10] == 3.0


def test_weights_zero_excluded_negative_and_misaligned_rejected():
    assert nps([10, 0], weights=[1, 0]).n == 1
    with pytest.raises(ValueError, match="negative"):
        nps([10, 0], weights=[1, -1])
    with pytest.raises(ValueError, match="align"):
        nps([10, 0], weights=[1])


def test_counts_path_equals_raw_path_on_a_realistic_table():
    # ABC2 Satisfaction counts (Kenett & Salini 2012): top-2-box 156/262 = 59.5 %
    counts = {1: 11, 2: 25, 3: 70, 4: 118, 5: 38}
    values = [point for point, count in counts.items() for _ in range(count)]
    from_counts = score_from_counts("csat", {str(k): v for k, v in counts.items()})
    assert from_counts == csat(values)
    assert from_counts.score == pytest.approx(100 * 156 / 262)
    assert from_counts.n == 262


@given(st.lists(st.integers(min_value=0, max_value=10), max_size=60), st.sampled_from(["nps", "enps"]))
def test_counts_path_is_identical_to_raw_path(values, metric):
    assert score_from_counts(metric, Counter(values)) == score(metric, values)


@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=60))
def test_ces_score_stays_on_scale_and_counts_sum_to_n(values):
    result = ces(values)
    if result.n > 1:
        assert 1 <= result.mean_ci_low <= result.score <= result.mean_ci_high <= 7
    assert sum(result.counts.values()) == result.n == len(values)


@pytest.mark.parametrize(
    ("counts", "fragment"),
    [({11: 3}, "11"), ({5: -1}, "-1"), ({5: 1.5}, "1.5"), ({"": 2}, "blank")],
)
def test_counts_path_rejects_bad_tables(counts, fragment):
    with pytest.raises(ValueError, match=fragment):
        score_from_counts("nps", counts)


def test_unknown_metric_is_named():
    with pytest.raises(ValueError, match="'xyz'"):
        score("xyz", [1])


def test_distribution_lists_every_point():
    result = distribution([1, 2, 2, "NA", 5], low=1, high=5)
    assert result.counts == {1: 1, 2: 2, 3: 0, 4: 0, 5: 1}
    assert result.percentages[2] == pytest.approx(50.0)
    assert result.missing == 1
    assert distribution([1], low=1, high=5, min_n=2).suppressed


def test_response_rate():
    result = response_rate(30, 100)
    assert result.rate == pytest.approx(30.0)
    assert result.ci_low == pytest.approx(21.89, abs=0.01)
    assert result.ci_high == pytest.approx(39.58, abs=0.01)
    assert response_rate(0, 0).suppressed
    with pytest.raises(ValueError, match="exceed"):
        response_rate(5, 4)
