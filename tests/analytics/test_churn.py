"""The churn model: planted signal found, noise not claimed, no feature from after the cut-off."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from openxm.analytics import churn
from openxm.analytics import churn_synthetic as synthetic

START = datetime(2024, 1, 1, tzinfo=UTC)
TRAIN, TEST = START + timedelta(days=450), START + timedelta(days=540)


def _evaluate(mode: str, seed: int = 3):
    purchases, experiences = synthetic.population(2000, START, 720, mode, seed=seed)
    return churn.evaluate(
        churn.snapshot(purchases, experiences, TRAIN), churn.snapshot(purchases, experiences, TEST)
    )


def test_a_planted_signal_is_found_and_beats_recency_alone():
    result = _evaluate("planted")
    assert result.better_than_chance
    assert result.auc > result.baseline_auc and result.auc > 0.8
    assert result.lift_top_decile > 1.8
    # calibrated: in each bin the observed churn rate is within 0.15 of the mean predicted risk
    assert all(abs(predicted - observed) < 0.15 for predicted, observed, _n in result.calibration)
    assert result.model.coefficients["last_nps"] < 0  # happier customers stay


@pytest.mark.parametrize("seed", [3, 4])
def test_pure_noise_is_not_claimed(seed):
    result = _evaluate("noise", seed)
    assert not result.better_than_chance
    assert abs(result.auc - 0.5) < 0.05
    assert result.auc_low <= 0.5 <= result.auc_high


def test_no_feature_is_computed_from_after_the_cutoff():
    purchases, experiences = synthetic.population(300, START, 720, "planted", seed=5)
    before = churn.snapshot(purchases, experiences, TRAIN)
    late = TRAIN + timedelta(days=1)
    more_purchases = purchases + [(c, late, 999.0) for c in before.customers]
    more_experiences = experiences + [
        churn.Experience(c, late, nps=0.0, negative_comment=True, case_opened=True, open_cases_change=1)
        for c in before.customers
    ]
    after = churn.snapshot(more_purchases, more_experiences, TRAIN)
    assert after.customers == before.customers
    np.testing.assert_array_equal(after.X, before.X)  # the same features, whatever happens later
    assert after.y.sum() == 0  # only the labels see the horizon: everyone bought again


def test_cases_count_as_they_stood_at_the_cutoff():
    """A case opened before the cut-off and resolved after it was open at the cut-off; a case
    opened after it is unknown; "recent" is opened in the 90 days before."""
    bought = [("c", TRAIN - timedelta(days=d), 50.0) for d in (200, 100, 30)]
    cases = [
        churn.Experience("c", TRAIN - timedelta(days=150), case_opened=True, open_cases_change=1),
        churn.Experience("c", TRAIN - timedelta(days=140), open_cases_change=-1),  # resolved
        churn.Experience("c", TRAIN - timedelta(days=20), case_opened=True, open_cases_change=1),
        churn.Experience("c", TRAIN + timedelta(days=1), open_cases_change=-1),  # resolved later
        churn.Experience("c", TRAIN + timedelta(days=2), case_opened=True, open_cases_change=1),
    ]
    row = dict(zip(churn.FEATURES, churn.snapshot(bought, cases, TRAIN).X[0], strict=True))
    assert (row["open_cases"], row["cases_90d"]) == (1.0, 1.0)
    later = dict(
        zip(churn.FEATURES, churn.snapshot(bought, cases, TRAIN + timedelta(days=3)).X[0], strict=True)
    )
    assert (later["open_cases"], later["cases_90d"]) == (1.0, 2.0)


def test_a_model_saved_before_the_case_features_scores_as_it_did():
    purchases, experiences = synthetic.population(600, START, 720, "planted", seed=7)
    data = churn.snapshot(purchases, experiences, TRAIN)
    model = churn.train(data)
    old = [f for f in churn.FEATURES if f not in ("open_cases", "cases_90d")]
    n = len(old)
    saved = churn.Model.stored(
        {f: model.coefficients[f] for f in old},
        model.intercept,
        model.means[:n],
        model.scales[:n],
        model.fill[:n],
    )
    with_cases = data.X.copy()
    with_cases[:, n:] = 3.0  # whatever the new features say, the old model gives them no weight
    old_model = churn.Model(
        {**model.coefficients, "open_cases": 0.0, "cases_90d": 0.0},
        model.intercept,
        model.means,
        model.scales,
        model.fill,
    )
    np.testing.assert_allclose(saved.risk(with_cases), old_model.risk(data.X))


def test_too_few_churners_is_refused_with_the_number_needed():
    purchases, experiences = synthetic.population(40, START, 720, "planted", seed=6)
    with pytest.raises(churn.NotEnoughData, match=f"at least {churn.MIN_CHURNERS} of each"):
        churn.train(churn.snapshot(purchases, experiences, TRAIN))


def test_the_split_must_go_forward_in_time():
    purchases, experiences = synthetic.population(200, START, 720, "planted", seed=7)
    snap = churn.snapshot(purchases, experiences, TRAIN)
    with pytest.raises(ValueError):
        churn.evaluate(snap, snap)


def test_reasons_name_the_features_that_raise_the_risk():
    result = _evaluate("planted")
    lapsed = [400.0, 2, 200.0, 600.0, 2.0, -4.0, 1.0, 2.0, 3.0, 0.0, 0.0]
    top = [name for name, _contribution in churn.reasons(result.model, lapsed)]
    assert top[0] == "recency_days" and "last_nps" in top


@pytest.mark.parametrize(
    ("y", "score", "expected"),
    [
        ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75),
        ([0, 1], [0.2, 0.9], 1.0),
        ([0, 1], [0.9, 0.2], 0.0),
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),  # ties count one half
    ],
)
def test_auc_rows(y, score, expected):
    assert churn.auc(np.array(y), np.array(score)) == pytest.approx(expected)


def test_auc_interval_and_lift():
    low, high = churn.auc_interval(0.75, 50, 50)
    assert low < 0.75 < high and high - low < 0.25
    y = np.array([1] * 10 + [0] * 90)
    assert churn.top_decile_lift(y, np.arange(100)[::-1]) == pytest.approx(10.0)
