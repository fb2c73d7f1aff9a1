"""The math from rollup counts, against hand-computed values and against openxm.analytics.

One row per case (empty, all passive, tiny samples, clipping, weights); every figure from a
tally must equal what the metrics and compare modules give on the raw answers.
"""

import math
import random
from datetime import date

import numpy as np
import pytest

from openxm.analytics import compare, metrics
from openxm.analytics import rollup_math as rm

Z = 1.959963984540054


def t(values):
    return rm.tally_from_values(values)


# (case, metric, answers, n, score, ci_low, ci_high, mean) — computed by hand (see comments).
HAND = [
    # P=3 (10, 9, 10), D=3 (6, 0, 3), n=8: NPS 0; SE = 100·sqrt((.375+.375−0)/8) = 30.6186.
    ("nps balanced", "nps", [10, 9, 8, 7, 6, 0, 10, 3], 8, 0.0, -Z * 30.61862, Z * 30.61862, 53 / 8),
    # Every answer passive: NPS 0 and a zero-width interval (SE = sqrt(0/n)).
    ("nps all passive", "nps", [7, 8, 7, 8], 4, 0.0, 0.0, 0.0, 7.5),
    # One promoter: NPS 100, SE 0, interval clipped to [100, 100].
    ("nps one answer", "nps", [9], 1, 100.0, 100.0, 100.0, 9.0),
    # 4 promoters of 5, 1 detractor: NPS 60; SE = 100·sqrt((.8+.2−.36)/5) = 35.7771 → clipped at 100.
    ("nps clipped", "nps", [10, 10, 9, 9, 2], 5, 60.0, 60 - Z * 35.77709, 100.0, 8.0),
    # CSAT top-2-box: 3 of 6 → 50 %; Wilson (z²=3.8415): centre .5, half .312384.
    ("csat half", "csat", [5, 4, 3, 2, 1, 4], 6, 50.0, 18.7616, 81.2384, 19 / 6),
    # All satisfied: 100 %; Wilson upper bound 1, lower n/(n+z²) = 4/7.8415 = .51011.
    ("csat all top", "csat", [5, 4, 5, 4], 4, 100.0, 51.0107, 100.0, 4.5),
    # CES mean 5.5, sd sqrt(5/3) = 1.29099, t(.975, 3) = 3.182446 → 5.5 ± 2.05426, upper clipped at 7.
    ("ces four", "ces", [7, 6, 5, 4], 4, 5.5, 3.44574, 7.0, 5.5),
]


@pytest.mark.parametrize(("case", "metric", "answers", "n", "score", "low", "high", "mean"), HAND)
def test_hand_computed(case, metric, answers, n, score, low, high, mean):
    r = rm.score_from_tally(metric, t(answers))
    assert (r.n, r.suppressed) == (n, False)
    assert r.score == pytest.approx(score, abs=1e-3)
    assert r.ci_low == pytest.approx(low, abs=1e-3)
    assert r.ci_high == pytest.approx(high, abs=1e-3)
    assert r.mean == pytest.approx(mean, abs=1e-9)


def test_ces_reports_percent_agree_and_csat_the_mean():
    assert rm.score_from_tally("ces", t([7, 6, 5, 4])).shares["agree"] == pytest.approx(75.0)
    assert rm.score_from_tally("csat", t([5, 4, 3, 2, 1, 4])).mean == pytest.approx(19 / 6)


@pytest.mark.parametrize(
    ("metric", "answers", "min_n", "suppressed", "n"),
    [
        ("nps", [], 1, True, 0),  # empty: nothing to show
        ("nps", [9, 9, 9, 9], 5, True, 4),  # below the minimum n: n stays, the value goes
        ("nps", [9, 9, 9, 9, 9], 5, False, 5),
        ("enps", [9, 9, 9, 9], None, True, 4),  # eNPS defaults to a minimum of 5
        ("csat", [5], 1, False, 1),
    ],
)
def test_suppression(metric, answers, min_n, suppressed, n):
    r = rm.score_from_tally(metric, t(answers), min_n=min_n)
    assert (r.suppressed, r.n) == (suppressed, n)
    if suppressed:
        assert r.score is None and r.ci_low is None and dict(r.counts) == {}


def test_single_answer_means_have_no_interval():
    r = rm.score_from_tally("ces", t([6]))
    assert r.score == 6 and r.ci_low is None and r.ci_high is None


def test_off_scale_point_is_named():
    with pytest.raises(ValueError, match="outside"):
        rm.score_from_tally("csat", t([6]))


@pytest.mark.parametrize("metric,low,high", [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7), ("enps", 0, 10)])
def test_from_counts_is_identical_to_metrics(metric, low, high):
    rng = random.Random(metric)
    for _ in range(150):
        values = [rng.randint(low, high) for _ in range(rng.choice([0, 1, 2, 3, 7, 40, 300]))]
        counts = {p: c for p, (c, _, _) in sorted(t(values).items())}
        assert rm.score_from_tally(metric, t(values), min_n=1) == metrics.score_from_counts(
            metric, counts, min_n=1
        )
        raw = metrics.score(metric, values, min_n=1)
        mine = rm.score_from_tally(metric, t(values), min_n=1)
        for name in ("score", "ci_low", "ci_high", "mean", "se"):
            a, b = getattr(mine, name), getattr(raw, name)
            assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, abs=1e-9))


@pytest.mark.parametrize("metric,low,high", [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)])
def test_weighted_tallies_equal_weighted_raw_answers(metric, low, high):
    rng = random.Random(7)
    for _ in range(100):
        values = [rng.randint(low, high) for _ in range(rng.choice([1, 2, 5, 30]))]
        weights = [rng.choice([0.5, 1.0, 1.7, 3.0]) for _ in values]
        mine = rm.score_from_tally(metric, rm.tally_from_values(values, weights), weighted=True)
        raw = metrics.score(metric, values, weights=weights)
        assert mine.effective_n == pytest.approx(raw.effective_n)
        for name in ("score", "ci_low", "ci_high", "mean"):
            a, b = getattr(mine, name), getattr(raw, name)
            assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, abs=1e-9))


def test_equal_weights_give_the_unweighted_figures():
    values = [10, 9, 6, 7, 8, 3]
    w = rm.score_from_tally("nps", rm.tally_from_values(values, [1.0] * 6), weighted=True)
    u = rm.score_from_tally("nps", t(values))
    assert (w.score, w.ci_low, w.ci_high) == pytest.approx((u.score, u.ci_low, u.ci_high))


@pytest.mark.parametrize("metric,low,high", [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)])
def test_grid_equals_single_figures(metric, low, high):
    rng = random.Random(3)
    tallies = [
        t([rng.randint(low, high) for _ in range(rng.choice([0, 1, 2, 4, 9, 60]))]) for _ in range(120)
    ]
    counts = [[tl.get(p, (0, 0, 0))[0] for p in range(low, high + 1)] for tl in tallies]
    grid = rm.score_grid(metric, counts, min_n=2)
    for i, tl in enumerate(tallies):
        r = rm.score_from_tally(metric, tl, min_n=2)
        assert bool(grid.suppressed[i]) == r.suppressed and grid.n[i] == r.n
        for name in ("score", "ci_low", "ci_high"):
            a, b = getattr(r, name), float(getattr(grid, name)[i])
            assert (a is None) == math.isnan(b)
            if a is not None:
                assert a == pytest.approx(b, abs=1e-9)


def test_index_rescales_each_scale_to_0_100():
    # CSAT 5 → 100, CSAT 1 → 0, NPS 5 → 50, CES 4 → 50: mean 50; sd of (100, 0, 50, 50) = 40.8248.
    r = rm.index_from_tallies([(1, 5, t([5, 1])), (0, 10, t([5])), (1, 7, t([4]))])
    assert (r.n, r.mean) == (4, pytest.approx(50.0))
    half = 3.182446 * 40.824829 / 2
    assert (r.ci_low, r.ci_high) == pytest.approx((max(0, 50 - half), min(100, 50 + half)), abs=1e-3)
    assert rm.index_from_tallies([]).suppressed
    assert rm.index_from_tallies([(1, 5, t([4]))]).ci_low is None


def test_welch_from_tallies_equals_compare_welch_t():
    a, b = [5, 6, 7, 7, 4, 6, 5], [3, 4, 5, 2, 4, 4]
    mine = rm.welch_from_tallies(t(a), t(b))
    ref = compare.welch_t(a, b)
    for name in ("statistic", "p_value", "df", "difference", "ci_low", "ci_high", "effect_size"):
        assert getattr(mine, name) == pytest.approx(getattr(ref, name), rel=1e-9)
    assert mine.test == "Welch t"


def test_period_comparison_picks_the_test_that_fits_the_metric():
    cases = {
        "nps": ([10] * 30 + [3] * 10, [10] * 10 + [3] * 30, "NPS difference z"),
        "csat": ([5] * 30 + [2] * 10, [5] * 10 + [2] * 30, "two-proportion z"),
        "ces": ([7] * 20 + [5] * 20, [3] * 20 + [5] * 20, "Welch t"),
    }
    for metric, (now, before, test) in cases.items():
        a, b = t(now), t(before)
        c = rm.compare_periods(metric, rm.score_from_tally(metric, a), rm.score_from_tally(metric, b), a, b)
        assert c.test == test and c.p_value < 0.001 and c.difference > 0
        assert rm.trend(c) == "up"
    a, b = t([9, 3]), t([])
    assert (
        rm.compare_periods("nps", rm.score_from_tally("nps", a), rm.score_from_tally("nps", b), a, b) is None
    )
    assert rm.trend(None) == ""


def test_weighted_comparison_uses_the_standard_errors():
    a = rm.tally_from_values([10, 9, 3, 10], [1, 2, 1, 1])
    b = rm.tally_from_values([3, 4, 9, 6], [1, 1, 2, 1])
    ra, rb = (rm.score_from_tally("nps", x, weighted=True) for x in (a, b))
    c = rm.compare_periods("nps", ra, rb, a, b)
    assert c.test == "weighted z" and c.difference == pytest.approx(ra.score - rb.score)


def test_pain_points_rank_by_volume_times_gap():
    items = [
        ("delivery", "csat", 400, 70.0, 85.0),  # 400 × 15/100 × 100 = 6000
        ("chat", "ces", 100, 4.5, 5.5),  # 100 × 1/6 × 100 = 1667
        ("purchase", "nps", 900, 45.0, 40.0),  # above target: not a pain point
        ("web", "nps", 50, None, 30.0),  # suppressed: left out
        ("app", "nps", 300, 10.0, 30.0),  # 300 × 20/200 × 100 = 3000
    ]
    ranked = rm.pain_points(items)
    assert [p.key for p in ranked] == ["delivery", "app", "chat"]
    assert ranked[0].impact == pytest.approx(6000) and ranked[2].impact == pytest.approx(1666.667, abs=1e-2)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 3, 1), date(2025, 3, 31), [("m", date(2025, 3, 1))]),
        (date(2025, 3, 3), date(2025, 3, 9), [("w", date(2025, 3, 3))]),
        (
            date(2025, 2, 27),
            date(2025, 4, 8),
            [
                ("d", date(2025, 2, 27)),
                ("d", date(2025, 2, 28)),
                ("m", date(2025, 3, 1)),
                ("d", date(2025, 4, 1)),
                ("d", date(2025, 4, 2)),
                ("d", date(2025, 4, 3)),
                ("d", date(2025, 4, 4)),
                ("d", date(2025, 4, 5)),
                ("d", date(2025, 4, 6)),
                ("w", date(2025, 4, 7)),
            ][:-1]
            + [("d", date(2025, 4, 7)), ("d", date(2025, 4, 8))],
        ),
        (date(2025, 3, 9), date(2025, 3, 8), []),
    ],
)
def test_decompose_covers_each_day_exactly_once(start, end, expected):
    pieces = rm.decompose(start, end)
    assert pieces == expected
    days = []
    for grain, b in pieces:
        d = b
        while d <= rm.bucket_end(b, grain):
            days.append(d)
            d = date.fromordinal(d.toordinal() + 1)
    assert days == [date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)]


def test_buckets_clip_partial_weeks():
    out = rm.buckets(date(2025, 3, 5), date(2025, 3, 18), "w")
    assert out == [
        (date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 9)),
        (date(2025, 3, 10), date(2025, 3, 10), date(2025, 3, 16)),
        (date(2025, 3, 17), date(2025, 3, 17), date(2025, 3, 18)),
    ]


def test_grid_handles_weights_and_empty_rows():
    grid = rm.score_grid("csat", np.zeros((3, 5)))
    assert grid.suppressed.all() and np.isnan(grid.score).all()


@pytest.mark.parametrize("metric,low,high", [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7), ("enps", 0, 10)])
def test_grid_from_sufficient_statistics_equals_grid_from_counts(metric, low, high):
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 6, size=(300, high - low + 1)) * (rng.random((300, 1)) < 0.9)
    points = np.arange(low, high + 1)
    n = counts.sum(axis=1)
    total, total_sq = counts @ points, counts @ (points**2)
    if metric in ("nps", "enps"):
        stats = {"first": counts[:, 9:].sum(axis=1), "second": counts[:, :7].sum(axis=1), "total": total}
    elif metric == "csat":
        stats = {"first": counts[:, 3:].sum(axis=1), "total": total}
    else:
        stats = {"total": total, "total_sq": total_sq}
    a = rm.grid_from_stats(metric, n, min_n=2, **stats)
    b = rm.score_grid(metric, counts, min_n=2)
    for name in ("n", "score", "ci_low", "ci_high", "mean", "suppressed"):
        assert np.allclose(getattr(a, name), getattr(b, name), equal_nan=True, atol=1e-9), name
