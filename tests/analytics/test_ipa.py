import pytest

from openxm.analytics.ipa import ipa, quadrant


@pytest.mark.parametrize(
    ("importance", "performance", "where", "action"),
    [
        (6.0, 3.0, "high/low", "Concentrate here"),
        (6.0, 6.0, "high/high", "Keep up the good work"),
        (2.0, 3.0, "low/low", "Low priority"),
        (2.0, 6.0, "low/high", "Possible overkill"),
        (5.0, 5.0, "high/high", "Keep up the good work"),  # on the crosshair counts as high
    ],
)
def test_quadrants(importance, performance, where, action):
    assert quadrant(importance, performance, (5.0, 5.0)) == (where, action)


def test_stated_importance_with_crosshair_at_the_means():
    result = ipa(
        {"speed": [2, 3, 4], "price": [6, 7, 5], "staff": [6, 6, "NA"]},
        importance={"speed": [7, 7, 7], "price": [3, 2, 4], "staff": [6, 6, 6]},
    )
    assert result.importance_kind == "stated"
    assert result.importance_crosshair == pytest.approx((7 + 3 + 6) / 3)
    assert result.performance_crosshair == pytest.approx((3 + 6 + 6) / 3)
    by_name = {a.name: a for a in result.attributes}
    assert by_name["speed"].action == "Concentrate here"
    assert by_name["price"].action == "Possible overkill"
    assert by_name["staff"].action == "Keep up the good work"
    assert by_name["staff"].n_performance == 2


def test_derived_importance_is_the_correlation_with_the_outcome_and_crosshair_can_be_fixed():
    outcome = [1, 2, 3, 4, 5]
    result = ipa(
        {"tracks": [1, 2, 3, 4, 5], "noise": [3, 1, 4, 1, 5], "against": [5, 4, 3, 2, 1]},
        outcome=outcome,
        crosshair=(0.5, 3.0),
    )
    by_name = {a.name: a for a in result.attributes}
    assert by_name["tracks"].importance == pytest.approx(1.0)
    assert by_name["against"].importance == pytest.approx(-1.0)
    assert by_name["noise"].importance == pytest.approx(4 / 128**0.5)  # Σdxdy 4, Σdx² 12.8, Σdy² 10
    assert by_name["tracks"].quadrant == "high/high"
    assert by_name["against"].action == "Possible overkill"
    assert (result.importance_crosshair, result.performance_crosshair) == (0.5, 3.0)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"performance": {"a": [1, 2]}}, "one of them"),
        (
            {"performance": {"a": [1, 2]}, "importance": {"b": [1, 2]}, "outcome": None},
            "different attributes",
        ),
        ({"performance": {"a": ["", None]}, "importance": {"a": [1, 2]}}, "no performance"),
        ({"performance": {"a": [1, 1, 1]}, "outcome": [1, 2, 3]}, "varying"),
    ],
)
def test_bad_input(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ipa(**kwargs)
