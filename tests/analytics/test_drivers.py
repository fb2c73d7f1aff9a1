import math
from pathlib import Path

import numpy as np
import pytest

from openxm.analytics.drivers import key_drivers, relative_weights, shapley_r2

ABC2 = Path(__file__).resolve().parents[2].parent / "shared/datasets/surveys/abc_csat/ABC2.csv"


def _corr(r1, r2, r12):
    return np.array([[1, r1, r2], [r1, 1, r12], [r2, r12, 1]], dtype=float)


@pytest.mark.parametrize(("r1", "r2", "r12"), [(0.5, 0.3, 0.2), (0.6, 0.55, 0.7), (0.4, -0.1, -0.3)])
def test_two_drivers_match_the_closed_forms(r1, r2, r12):
    r2_full = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    # Shapley with two players: half of each order of entry
    shapley = shapley_r2(_corr(r1, r2, r12))
    assert shapley == pytest.approx([(r1**2 + r2_full - r2**2) / 2, (r2**2 + r2_full - r1**2) / 2])
    # Relative weights: R_xx^½ = [[a, b], [b, a]] with a, b from the eigenvalues 1 ± r12
    a = (math.sqrt(1 + r12) + math.sqrt(1 - r12)) / 2
    b = (math.sqrt(1 + r12) - math.sqrt(1 - r12)) / 2
    beta1, beta2 = np.linalg.solve([[a, b], [b, a]], [r1, r2])
    expected = [a**2 * beta1**2 + b**2 * beta2**2, b**2 * beta1**2 + a**2 * beta2**2]
    assert relative_weights(_corr(r1, r2, r12)) == pytest.approx(expected)
    assert sum(expected) == pytest.approx(r2_full)


def test_uncorrelated_drivers_get_their_squared_correlations():
    corr = _corr(0.5, 0.3, 0.0)
    assert relative_weights(corr) == pytest.approx([0.25, 0.09])
    assert shapley_r2(corr) == pytest.approx([0.25, 0.09])


@pytest.fixture
def synthetic():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 4))
    x[:, 1] += 0.6 * x[:, 0]  # correlated drivers make the decompositions differ
    y = 0.5 * x[:, 0] + 0.3 * x[:, 1] + 0.2 * x[:, 2] + rng.normal(size=300)
    return x, y


@pytest.mark.parametrize("method", ["relative-weights", "shapley"])
def test_weights_sum_to_the_regression_r_squared(synthetic, method):
    x, y = synthetic
    drivers = {f"x{j}": x[:, j].tolist() for j in range(4)}
    result = key_drivers(y.tolist(), drivers, outcome_name="y", method=method)
    design = np.column_stack([np.ones(len(y)), x])
    residuals = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r2 = 1 - residuals.var() / y.var()
    assert result.r_squared == pytest.approx(r2)
    assert sum(w.weight for w in result.weights) == pytest.approx(r2)
    assert sum(w.percent for w in result.weights) == pytest.approx(100)
    assert [w.driver for w in result.weights] == ["x0", "x1", "x2", "x3"]
    assert max(result.weights, key=lambda w: w.weight).driver == "x0"
    assert result.columns == ("y", "x0", "x1", "x2", "x3")
    assert result.correlations[0][1] == pytest.approx(np.corrcoef(y, x[:, 0])[0, 1])


def test_listwise_deletion_and_seeded_bootstrap(synthetic):
    x, y = synthetic
    outcome = y.tolist()
    outcome[0] = "NA"
    drivers = {"a": x[:, 0].tolist(), "b": x[:, 1].tolist()}
    drivers["b"][5] = ""
    first = key_drivers(outcome, drivers, bootstrap=200, seed=3)
    again = key_drivers(outcome, drivers, bootstrap=200, seed=3)
    assert (first.n, first.dropped) == (298, 2)
    assert first == again
    for w in first.weights:
        assert w.ci_low < w.weight < w.ci_high
    assert key_drivers(outcome, drivers, bootstrap=200, seed=4) != first


@pytest.mark.parametrize(
    ("outcome", "drivers", "fragment"),
    [
        ([1, 2, 3, 4, 5], {"a": [1, 1, 1, 1, 1]}, "'a' has the same value"),
        ([1, 2, 3, 4, 5], {"a": [1, 2, 3, 4, 5], "b": [2, 4, 6, 8, 10]}, "collinear"),
        ([1, 2, 3], {"a": [1, 2, 3], "b": [3, 1, 2]}, "too few"),
        ([1, 2, "x", 4], {"a": [1, 2, 3, 4]}, "'outcome' in row 3"),
        ([1, 2, 3, 4], {"a": [1, 2, 3]}, "align"),
    ],
)
def test_bad_data_is_named(outcome, drivers, fragment):
    with pytest.raises(ValueError, match=fragment):
        key_drivers(outcome, drivers)


def test_shapley_refuses_more_than_twelve_drivers():
    corr = np.eye(14)
    corr[0, 1:] = corr[1:, 0] = 0.1
    with pytest.raises(ValueError, match="13 drivers"):
        shapley_r2(corr)


def test_abc2_satisfaction_drivers():
    if not ABC2.exists():
        pytest.skip(f"ABC2.csv not found at {ABC2}")
    from openxm.readers import read_table

    rows = list(read_table(ABC2))
    names = ["Equipment", "SalesSup", "TechnicalSup", "Suppliers", "AdministrativeSup", "TermsCondPrices"]
    outcome = [r["Satisfaction"] for r in rows]
    drivers = {name: [r[name] for r in rows] for name in names}
    rw = key_drivers(outcome, drivers, outcome_name="Satisfaction")
    sh = key_drivers(outcome, drivers, outcome_name="Satisfaction", method="shapley")
    assert (rw.n, rw.dropped) == (216, 50)
    assert rw.r_squared == pytest.approx(0.5049, abs=1e-4)
    # Both methods rank technical support, then equipment, first, and agree within a point of R².
    for result in (rw, sh):
        ranked = sorted(result.weights, key=lambda w: -w.weight)
        assert [w.driver for w in ranked[:2]] == ["TechnicalSup", "Equipment"]
    for a, b in zip(rw.weights, sh.weights, strict=True):
        assert a.weight == pytest.approx(b.weight, abs=0.01)
