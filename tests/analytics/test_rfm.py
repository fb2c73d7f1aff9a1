import pytest

from openxm.analytics.rfm import TIER_NAMES, RfmInput, quintiles, rfm, tier


@pytest.mark.parametrize(
    ("values", "higher", "expected"),
    [
        ([], True, []),
        ([7], True, [1]),
        ([1, 2, 3, 4, 5], True, [1, 2, 3, 4, 5]),
        ([1, 2, 3, 4, 5], False, [5, 4, 3, 2, 1]),  # recency: fewer days is better
        ([10, 10, 10, 10], True, [1, 1, 1, 1]),  # ties share the lowest score
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], True, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
        ([5, 1, 5, 3], True, [3, 1, 3, 2]),
    ],
)
def test_quintiles(values, higher, expected):
    assert quintiles(values, higher) == expected


@pytest.mark.parametrize(
    ("r", "f", "m", "name"),
    [
        (5, 5, 5, "champions"),
        (3, 4, 1, "loyal"),
        (4, 2, 5, "big_spenders"),
        (5, 1, 1, "new"),
        (3, 2, 2, "promising"),
        (1, 4, 3, "at_risk"),
        (2, 1, 1, "hibernating"),
        (2, 2, 5, "hibernating"),
        (3, 1, 1, "promising"),
    ],
)
def test_tiers(r, f, m, name):
    assert tier(r, f, m) == name


def test_every_triple_has_a_known_tier():
    names = {tier(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert names <= set(TIER_NAMES)


def test_rfm_scores_in_order():
    rows = [RfmInput(str(i), recency_days=100 - 10 * i, frequency=i, monetary=10.0 * i) for i in range(10)]
    scores = rfm(rows)
    assert [s.customer for s in scores] == [str(i) for i in range(10)]
    assert scores[0].code == "111" and scores[-1].code == "555"
    assert scores[-1].tier == "champions"
