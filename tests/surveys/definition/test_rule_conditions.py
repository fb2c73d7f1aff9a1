"""Table tests of the alert rule evaluator: every leaf, every operator, groups, missing text."""

import pytest

from openxm.surveys.definition.rule_conditions import (
    ResponseFacts,
    TextFacts,
    check_rule_condition,
    evaluate_rule,
    reads_segments,
    reads_text,
)

FACTS = ResponseFacts(
    answers={
        "q_nps": 2,
        "q_why": "送货太慢了",
        "q_pick": {"choice": "b"},
        "q_m": {"speed": 2},
        "q_d": "2026-05-01",
    },
    scores={"nps": 2, "csat": 4},
    hidden={"order": "A-17", "store": "sh-jingan"},
    contact={"tier": "gold", "tags": ["vip", "b2b"]},
    touchpoint="delivery",
    channel="email",
    language="zh-Hans",
    units=frozenset({"sh-jingan", "sh", "cn"}),
    segments=frozenset({"vip", "win-back"}),
    text=TextFacts(
        sentiments=frozenset({"negative"}),
        topics=frozenset({"delivery.speed", "service.staff"}),
        flags=frozenset({"refund_request"}),
    ),
)
NO_TEXT = ResponseFacts(scores={"nps": 2})

ROWS = [
    # score: every comparison operator
    ({"score": "nps", "op": "lte", "value": 6}, True),
    ({"score": "nps", "op": "lt", "value": 2}, False),
    ({"score": "nps", "op": "gte", "value": 2}, True),
    ({"score": "nps", "op": "gt", "value": 2}, False),
    ({"score": "nps", "op": "eq", "value": 2}, True),
    ({"score": "nps", "op": "neq", "value": 2}, False),
    ({"score": "nps", "op": "between", "value": [0, 6]}, True),
    ({"score": "nps", "op": "between", "value": [7, 8]}, False),
    ({"score": "nps", "op": "in", "value": [0, 1, 2]}, True),
    ({"score": "nps", "op": "not_in", "value": [0, 1, 2]}, False),
    ({"score": "csat", "op": "lte", "value": 2}, False),
    ({"score": "ces", "op": "lte", "value": 3}, False),  # no CES answer: false
    ({"score": "ces", "op": "not_answered"}, True),
    ({"score": "nps", "op": "answered"}, True),
    ({"score": "nps", "op": "lte", "value": "6"}, True),  # "6" from YAML compares as a number
    # question, with part, contains, selected, dates
    ({"question": "q_why", "op": "contains", "value": "太慢"}, True),
    ({"question": "q_why", "op": "contains", "value": "快"}, False),
    ({"question": "q_pick", "op": "selected", "value": "b"}, True),
    ({"question": "q_pick", "op": "selected", "value": ["a", "c"]}, False),
    ({"question": "q_m", "part": "speed", "op": "lte", "value": 2}, True),
    ({"question": "q_d", "op": "gt", "value": "2026-04-30"}, True),
    ({"question": "q_missing", "op": "not_answered"}, True),
    ({"question": "q_missing", "op": "eq", "value": 1}, False),
    # hidden and contact
    ({"hidden": "order", "op": "eq", "value": "A-17"}, True),
    ({"hidden": "store", "op": "neq", "value": "sh-jingan"}, False),
    ({"contact": "tier", "op": "in", "value": ["gold", "platinum"]}, True),
    ({"contact": "tags", "op": "eq", "value": "vip"}, True),
    ({"contact": "tags", "op": "contains", "value": "b2c"}, False),
    # attributes: default eq, list → in, neq and not_in
    ({"touchpoint": "delivery"}, True),
    ({"touchpoint": "store"}, False),
    ({"touchpoint": ["store", "delivery"]}, True),
    ({"touchpoint": "delivery", "op": "neq"}, False),
    ({"channel": ["sms", "wechat"], "op": "not_in"}, True),
    ({"channel": "email"}, True),
    ({"language": "zh-Hans"}, True),
    ({"language": "en"}, False),
    # unit with descendants: the response's unit and every ancestor match
    ({"unit": "sh-jingan"}, True),
    ({"unit": "sh"}, True),
    ({"unit": "cn"}, True),
    ({"unit": "bj"}, False),
    ({"unit": ["bj", "sh"]}, True),
    ({"unit": "sh", "op": "not_in"}, False),
    # saved customer segments the contact is in
    ({"segment": "vip"}, True),
    ({"segment": "champions"}, False),
    ({"segment": ["champions", "win-back"]}, True),
    ({"segment": "vip", "op": "neq"}, False),
    ({"segment": "champions", "op": "not_in"}, True),
    # text analytics
    ({"sentiment": "negative"}, True),
    ({"sentiment": "positive"}, False),
    ({"sentiment": "negative", "op": "neq"}, False),
    ({"topic": "delivery"}, True),  # parent topic matches a sub-topic
    ({"topic": "delivery.speed"}, True),
    ({"topic": "deliv"}, False),  # a prefix that is not a parent does not
    ({"topic": ["price", "service"]}, True),
    ({"flag": "refund_request"}, True),
    ({"flag": "churn_risk"}, False),
    ({"flag": "churn_risk", "op": "not_in"}, True),
    # groups
    ({"all": [{"score": "nps", "op": "lte", "value": 6}, {"touchpoint": "delivery"}]}, True),
    ({"all": [{"score": "nps", "op": "lte", "value": 6}, {"touchpoint": "store"}]}, False),
    ({"any": [{"touchpoint": "store"}, {"flag": "refund_request"}]}, True),
    ({"any": [{"touchpoint": "store"}, {"channel": "sms"}]}, False),
    ({"not": {"touchpoint": "store"}}, True),
    ({"not": {"all": [{"unit": "sh"}, {"sentiment": "negative"}]}}, False),
]


@pytest.mark.parametrize(("condition", "expected"), ROWS, ids=[str(r[0]) for r in ROWS])
def test_evaluate_rule(condition, expected):
    assert evaluate_rule(condition, FACTS) is expected


@pytest.mark.parametrize(
    "condition",
    [{"sentiment": "negative"}, {"topic": "delivery"}, {"flag": "refund_request"}],
)
def test_text_leaves_are_false_before_the_analysis(condition):
    assert evaluate_rule(condition, NO_TEXT) is False
    # and their negation does not fire either way before the text is known: it is true
    assert evaluate_rule({"not": condition}, NO_TEXT) is True


def test_a_response_without_segments_is_in_none():
    assert evaluate_rule({"segment": "vip"}, NO_TEXT) is False
    assert evaluate_rule({"segment": "vip", "op": "neq"}, NO_TEXT) is True


def test_reads_segments():
    assert reads_segments({"all": [{"score": "nps", "op": "lte", "value": 6}, {"not": {"segment": "vip"}}]})
    assert not reads_segments({"any": [{"score": "nps", "op": "lte", "value": 6}, {"unit": "sh"}]})


def test_reads_text():
    assert reads_text({"all": [{"score": "nps", "op": "lte", "value": 6}, {"not": {"topic": "price"}}]})
    assert not reads_text({"any": [{"score": "nps", "op": "lte", "value": 6}, {"unit": "sh"}]})


@pytest.mark.parametrize(
    ("condition", "path", "needle"),
    [
        ({"score": "nps", "op": "lte"}, "when", "needs a value"),
        ({"score": "promoters", "op": "lte", "value": 6}, "when", "score is one of"),
        ({"score": "nps", "op": "about", "value": 6}, "when", "op is one of"),
        ({"any": [{"touchpoint": "x"}, {"channel": "sms", "op": "gt"}]}, "when.any.1", "operator 'gt'"),
        ({"all": []}, "when.all", "non-empty group"),
        ({"not": "nps"}, "when.not", "condition object"),
        ({"sentiment": "angry"}, "when", "sentiment is one of"),
        ({"unit": ""}, "when", "non-empty text"),
        ({"segment": ["vip", ""]}, "when", "non-empty text"),
        ({"segment": "vip", "op": "gt"}, "when", "operator 'gt'"),
        ({"score": "nps", "touchpoint": "x", "op": "eq", "value": 1}, "when", "exactly one of"),
        ({"score": "nps", "op": "between", "value": 6}, "when", "two items"),
        ({"question": "", "op": "answered"}, "when", "needs a name"),
    ],
)
def test_check_rule_condition_names_path_and_problem(condition, path, needle):
    problems = check_rule_condition(condition, ("when",))
    assert len(problems) == 1
    assert problems[0][0] == path
    assert needle in problems[0][1]


def test_check_rule_condition_speaks_chinese_and_passes_good_rules():
    assert check_rule_condition({"score": "nps", "op": "lte", "value": 6}) == []
    [(path, text)] = check_rule_condition({"score": "nps", "op": "lte"}, ("when",), "zh-Hans")
    assert path == "when" and "需要 value" in text
