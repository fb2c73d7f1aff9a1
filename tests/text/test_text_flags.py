"""Churn, urgency and escalation flags, with the phrase that triggered them and negation."""

import pytest

from openxm.text.flags import detect_flags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("再也不来了！", {"churn": "再也不来"}),
        ("这家店我要销户", {"churn": "销户"}),
        ("I'll cancel my account tomorrow.", {"churn": "I'll cancel"}),
        ("I will not be back.", {"churn": "will not be back"}),
        ("I won't cancel, the new plan is fine", {}),
        ("No need to cancel my subscription after all", {}),
        ("我不会退订的，挺好", {}),
        ("我不想销户", {}),
        ("不着急，慢慢来", {}),
        ("急！！还没送到", {"urgency": "还没送到"}),
        ("Please fix this ASAP", {"urgency": "ASAP"}),
        ("This is not urgent", {}),
        ("我要投诉到12315", {"escalation": "要投诉"}),
        ("已经投诉到12315了", {"escalation": "投诉到"}),
        ("订单号123150，请查", {}),
        ("消协见", {"escalation": "消协"}),
        ("My lawyer will hear about this", {"escalation": "lawyer"}),
        ("The food court was nice", {}),
        ("Call me right now or I will contact the Better Business Bureau",
         {"urgency": "right now", "escalation": "Better Business Bureau"}),
        ("", {}),
    ],
)
def test_flags(text, expected):
    flags = detect_flags(text)
    assert {f.kind: f.phrase for f in flags} == expected
    for f in flags:
        assert text[f.start : f.end] == f.phrase


def test_first_trigger_is_reported_once_per_kind():
    flags = detect_flags("I'm cancelling. Never coming back, I will cancel everything")
    assert [(f.kind, f.phrase) for f in flags] == [("churn", "I'm cancelling")]
