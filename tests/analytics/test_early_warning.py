"""The early-warning detectors on synthetic series: they find planted shifts and stay quiet on
stable series at about their stated rate; standardising, silence and the fixed rule."""

import math
import random

import pytest

from openxm.analytics.early_warning import (
    Baseline,
    Cusum,
    Ewma,
    Shewhart,
    count_z,
    detector,
    fixed_drop,
    nps_baseline,
    run,
    severity,
    silence_probability,
    surge_probability,
    top_box_baseline,
    worsened,
)


def test_baselines_follow_the_metric_definitions():
    b = nps_baseline(45, 35, 20)
    assert b.mean == pytest.approx(25.0)
    assert b.sd == pytest.approx(100 * math.sqrt(0.45 + 0.20 - 0.25**2))
    t = top_box_baseline(80, 100)
    assert (t.mean, t.sd) == (pytest.approx(80.0), pytest.approx(40.0))
    assert Baseline(25.0, 76.0).z(25.0 - 76.0 / 10, 100) == pytest.approx(-1.0)  # one SE at n=100
    with pytest.raises(ValueError):
        nps_baseline(0, 0, 0)


@pytest.mark.parametrize(
    ("det", "zs", "fires_at"),
    [
        (Shewhart(), [0.0, 2.9, -3.1], 2),
        (Ewma(), [-1.5] * 10, 4),  # a steady 1.5-SE drop: EWMA alarms within a few periods
        (Cusum(), [-1.0] * 12, 10),  # low CUSUM: 0.5 per period, > h = 5 at the 11th
        (Cusum(), [1.0] * 12, 10),  # and the upper side
    ],
)
def test_charts_on_fixed_z_sequences(det, zs, fires_at):
    det.reset()
    hits = [i for i, z in enumerate(zs) if det.update(z)]
    assert hits and hits[0] == fires_at


def _stable(rng, periods, n, shares=(0.45, 0.35, 0.20)):
    values = []
    for _ in range(periods):
        draws = rng.choices((100, 0, -100), weights=shares, k=n)
        values.append(sum(draws) / n)
    return values


@pytest.mark.parametrize("name", ["pchart", "ewma", "cusum"])
def test_stays_quiet_on_stable_series_about_the_stated_rate(name):
    rng = random.Random(11)
    base = nps_baseline(45, 35, 20)  # the true in-control values
    periods = 3000
    alarms = run(detector(name), _stable(rng, periods, 60), [60] * periods, base, min_n=30)
    # in-control run length of several hundred periods: at most a handful of alarms in 3,000
    assert len(alarms) <= 15, len(alarms)


@pytest.mark.parametrize("name", ["pchart", "ewma", "cusum"])
def test_finds_a_planted_two_se_drop(name):
    rng = random.Random(5)
    n = 100
    base = nps_baseline(45, 35, 20)
    move = 2 * base.sd / math.sqrt(n) / 200  # promoters turned detractors: a 2-SE drop
    values = _stable(rng, 40, n, (0.45 - move, 0.35, 0.20 + move))
    alarms = run(detector(name), values, [n] * 40, base, min_n=30)
    assert alarms and alarms[0].index < 15 and alarms[0].z < 0


def test_small_periods_are_skipped():
    base = nps_baseline(45, 35, 20)
    alarms = run(Shewhart(), [-100.0, None, -100.0], [5, 0, 50], base, min_n=10)
    assert [a.index for a in alarms] == [2]


def test_fixed_drop_rule():
    assert fixed_drop([30, 25, 14, None, 4, 20]) == [2, 4]


def test_counts_and_silence():
    assert count_z(40, 100) == pytest.approx(-6.0)
    assert silence_probability(0, 20) == pytest.approx(math.exp(-20))
    assert silence_probability(2, 3) == pytest.approx(math.exp(-3) * (1 + 3 + 4.5))
    assert silence_probability(50, 3) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "count, expected, probability",
    [
        (0, 5, 1.0),
        (1, 2, 1 - math.exp(-2)),
        (3, 3, 1 - math.exp(-3) * (1 + 3 + 4.5)),
        (5, 0, 0.0),
        # A tiny tail stays exact instead of rounding to 0: P(X ≥ 100 | λ = 20) ≈ 6.2e-34.
        (100, 20, math.exp(100 * math.log(20) - 20 - math.lgamma(101)) * 1.24618),
    ],
)
def test_surge_probability(count, expected, probability):
    assert surge_probability(count, expected) == pytest.approx(probability, rel=1e-3)


@pytest.mark.parametrize(
    "kind, values, expected",
    [
        ("drop", {"ewma": -1.84}, 1.84),
        ("drop", {"ewma": 0.5}, -0.5),
        ("silence", {"probability": 1e-4}, 4.0),
        ("surge", {"probability": 0.0}, 300.0),  # a probability rounded to 0 counts as 1e-300
        ("surge", {"probability": 1.0}, 0.0),
    ],
)
def test_severity(kind, values, expected):
    assert severity(kind, **values) == pytest.approx(expected)


@pytest.mark.parametrize(
    "kind, values",
    [("drop", {"probability": 0.1}), ("silence", {"ewma": -2.0}), ("spike", {"ewma": -2.0})],
)
def test_severity_refuses_what_it_cannot_measure(kind, values):
    with pytest.raises(ValueError):
        severity(kind, **values)


@pytest.mark.parametrize(
    "kind, notified, now, worse",
    [
        ("drop", None, 1.0, True),  # never told: tell
        ("drop", 1.84, 2.59, False),  # 0.75 standard errors lower: the same episode, not news
        ("drop", 1.84, 2.84, True),  # one full standard error lower
        ("drop", 1.84, 1.0, False),  # recovering
        ("silence", 4.0, 6.9, False),
        ("silence", 4.0, 7.0, True),  # a thousand times less likely
        ("surge", 10.0, 13.5, True),
    ],
)
def test_worsened(kind, notified, now, worse):
    assert worsened(kind, notified, now) is worse
