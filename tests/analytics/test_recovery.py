"""Recovery rate as DESIGN.md defines it, and the control-group comparison on synthetic data
with a known effect (found) and without one (not claimed)."""

import random

import pytest

from openxm.analytics import recovery
from openxm.analytics.recovery import CaseOutcome


@pytest.mark.parametrize(
    "score_type, score, eligible",
    [
        ("nps", 0, True),
        ("nps", 6, True),
        ("nps", 7, False),
        ("csat", 1, True),
        ("csat", 2, True),
        ("csat", 3, False),
        ("nps", None, False),
        ("ces", 1, False),
    ],
)
def test_eligible_cases_are_detractor_cases(score_type, score, eligible):
    assert recovery.eligible(score_type, score) is eligible


@pytest.mark.parametrize(
    "score_type, followup, recovered",
    [
        ("nps", 6, False),
        ("nps", 7, True),
        ("nps", 10, True),
        ("csat", 3, False),
        ("csat", 4, True),
        ("nps", None, None),
    ],
)
def test_recovered_means_passive_or_promoter_or_csat_4_plus(score_type, followup, recovered):
    assert recovery.recovered(score_type, followup) is recovered


def test_rate_counts_only_detractor_cases_with_a_follow_up():
    cases = [
        CaseOutcome("nps", 2, 9),  # recovered
        CaseOutcome("nps", 5, 7),  # recovered (passive)
        CaseOutcome("nps", 3, 4),  # not recovered
        CaseOutcome("csat", 1, 5),  # recovered
        CaseOutcome("nps", 4, None),  # no follow-up: not in n
        CaseOutcome("nps", 8, 10),  # not a detractor case: not in n
    ]
    r = recovery.rate(cases)
    assert (r.recovered, r.n) == (3, 4) and r.rate == 0.75
    # Wilson 95 % for 3 of 4: 0.301 to 0.954.
    assert r.ci_low == pytest.approx(0.3006, abs=1e-3) and r.ci_high == pytest.approx(0.9544, abs=1e-3)
    assert recovery.rate([]) == recovery.Rate(0, 0, None, None, None)


def test_rate_by_group():
    rows = [
        ("voucher", CaseOutcome("nps", 2, 9)),
        ("voucher", CaseOutcome("nps", 2, 3)),
        ("apology", CaseOutcome("nps", 1, 2)),
    ]
    found = recovery.by_group(rows)
    assert (found["voucher"].recovered, found["voucher"].n) == (1, 2)
    assert (found["apology"].recovered, found["apology"].n) == (0, 1)


def _bernoulli(rng, p, n):
    return [rng.random() < p for _ in range(n)]


def test_control_group_finds_a_known_effect_on_repurchase():
    rng = random.Random(14)
    contacted, held_out = _bernoulli(rng, 0.45, 400), _bernoulli(rng, 0.25, 400)
    effect = recovery.control_effect(contacted, held_out, "repurchase")
    assert effect.claimed and effect.comparison.p_value < 0.001
    assert effect.comparison.difference == pytest.approx(20, abs=6)  # percentage points
    assert (effect.contacted_n, effect.held_out_n) == (400, 400)


def test_control_group_claims_nothing_without_an_effect():
    rng = random.Random(15)
    contacted, held_out = _bernoulli(rng, 0.30, 400), _bernoulli(rng, 0.30, 400)
    effect = recovery.control_effect(contacted, held_out, "repurchase")
    assert not effect.claimed and effect.reason == "no significant difference"


def test_control_group_on_later_nps():
    rng = random.Random(16)
    better = [rng.choice([9, 10, 10, 8, 7, 6]) for _ in range(300)]
    same = [rng.choice([2, 5, 6, 7, 8, 9]) for _ in range(300)]
    assert recovery.control_effect(better, same, "nps").claimed
    null = recovery.control_effect(same[:150], same[150:], "nps")
    assert not null.claimed


def test_control_group_says_not_enough_data():
    effect = recovery.control_effect([True] * 40, [False] * 5, "repurchase")
    assert not effect.claimed and effect.reason == "not enough data" and effect.comparison is None
    with pytest.raises(ValueError, match="outcome"):
        recovery.control_effect([], [], "churn")
