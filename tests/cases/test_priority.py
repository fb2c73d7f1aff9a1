"""Priority from severity and value tier; a rule's priority wins."""

import pytest

from openxm.cases.priority import priority_for


@pytest.mark.parametrize(
    "score_type, score, tier, given, expected",
    [
        ("nps", 0, "", "", "high"),
        ("nps", 3, "", "", "high"),
        ("nps", 4, "", "", "normal"),
        ("nps", 6, "", "", "normal"),
        ("nps", 8, "", "", "low"),
        ("csat", 1, "", "", "high"),
        ("csat", 2, "", "", "normal"),
        ("csat", 4, "", "", "low"),
        ("nps", 2, "champions", "", "urgent"),
        ("nps", 5, "at_risk", "", "high"),
        ("nps", 5, "hibernating", "", "normal"),
        ("", None, "", "", "normal"),
        ("nps", 9, "champions", "", "normal"),
        ("nps", 1, "champions", "low", "low"),
    ],
)
def test_priority(score_type, score, tier, given, expected):
    assert priority_for(score_type, score, tier, given) == expected
