import math

import numpy as np
import pytest

from openxm.analytics.servqual import ServqualItem, cronbach_alpha, servqual

T975_DF3 = 3.182446305284263

# Four respondents, hand-checked:
#   T1 gaps −2, 0, −1, −1 (mean −1, var 2/3)   T2 gaps −1, 0, −2, −1 (mean −1, var 2/3)
#   R1 gaps −3, −2, −1, −2 (mean −2, var 2/3)
#   tangibles per respondent −1.5, 0, −1.5, −1 (mean −1, var 1/2); T1 + T2 totals var 2
ITEMS = [
    ServqualItem("T1", "tangibles", [7, 6, 5, 7], [5, 6, 4, 6]),
    ServqualItem("T2", "Tangibles", ["6", 6, 6.0, 6], [5, 6, 4, 5]),
    ServqualItem("R1", "reliability", [7, 7, 7, 7], [4, 5, 6, 5]),
]


def test_item_gaps_with_paired_intervals():
    result = servqual(ITEMS)
    t1, t2, r1 = result.items
    assert (t1.n, t1.expectation, t1.perception, t1.gap) == (4, 6.25, 5.25, -1.0)
    assert t1.sd == pytest.approx(math.sqrt(2 / 3))
    half = T975_DF3 * math.sqrt(2 / 3) / 2
    assert (t1.ci_low, t1.ci_high) == pytest.approx((-1 - half, -1 + half))
    assert t2.gap == -1.0 and t2.dimension == "tangibles"
    assert r1.gap == -2.0


def test_dimension_gaps_alpha_and_scores():
    result = servqual(ITEMS, importance={"tangibles": 40, "reliability": 60})
    tangibles, reliability = result.dimensions
    assert (tangibles.name, tangibles.items, tangibles.n, tangibles.gap) == ("tangibles", 2, 4, -1.0)
    half = T975_DF3 * math.sqrt(0.5) / 2
    assert (tangibles.ci_low, tangibles.ci_high) == pytest.approx((-1 - half, -1 + half))
    assert tangibles.alpha == pytest.approx(2 * (1 - (4 / 3) / 2))
    assert reliability.alpha is None  # one item
    assert result.unweighted == pytest.approx(-1.5)
    assert result.weighted == pytest.approx(-1 * 0.4 + -2 * 0.6)
    assert dict(result.weights) == {"tangibles": 40.0, "reliability": 60.0}


def test_per_respondent_allocations_are_averaged_and_blank_rows_skipped():
    importance = {"tangibles": [30, 50, "", 40], "reliability": [70, 50, None, 60]}
    result = servqual(ITEMS, importance=importance)
    assert dict(result.weights) == {"tangibles": 40.0, "reliability": 60.0}
    assert result.weighted == pytest.approx(-1.6)
    with pytest.raises(ValueError, match="row 2 adds up to 90"):
        servqual(ITEMS, importance={"tangibles": [30, 40, 50, 40], "reliability": [70, 50, 50, 60]})
    with pytest.raises(ValueError, match="reliability"):
        servqual(ITEMS, importance={"tangibles": 100})


def test_missing_answers_reduce_item_n_and_the_complete_cases_of_the_dimension():
    items = [
        ServqualItem("T1", "tangibles", [7, 6, 5, "NA"], [5, 6, 4, 6]),
        ServqualItem("T2", "tangibles", [6, 6, 6, 6], [5, 6, 4, 5]),
    ]
    result = servqual(items)
    assert result.items[0].n == 3 and result.items[0].gap == pytest.approx(-1.0)
    assert result.items[0].expectation == pytest.approx(6.0)
    tangibles = result.dimensions[0]
    assert tangibles.n == 3
    assert tangibles.gap == pytest.approx((-1.0 + -1.0) / 2)


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        ([ServqualItem("X", "price", [1], [1])], "'price'"),
        ([ServqualItem("X", "empathy", [8], [1])], "'X' expectation, row 1: .*8"),
        ([ServqualItem("X", "empathy", [1, 2], [1])], "does not have 2 answers"),
        ([], "at least one item"),
    ],
)
def test_bad_input_is_named(items, fragment):
    with pytest.raises(ValueError, match=fragment):
        servqual(items)


def test_custom_dimensions_and_cronbach_alpha_against_a_textbook_value():
    result = servqual([ServqualItem("P", "price", [3, 4], [4, 4])], dimensions=("price",))
    assert result.dimensions[0].gap == pytest.approx(0.5)
    # Three perfectly parallel items: alpha = 1
    scores = np.array([[1, 1, 1], [2, 2, 2], [4, 4, 4]], dtype=float)
    assert cronbach_alpha(scores) == pytest.approx(1.0)
    assert cronbach_alpha(np.ones((3, 2))) is None
