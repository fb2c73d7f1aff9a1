"""The logic evaluator: conditions, nested groups, visibility, branching, endings and piping."""

from __future__ import annotations

from typing import Any

import pytest

from openxm.surveys.definition import (
    ResponseContext,
    evaluate_condition,
    load_definition,
    next_step,
    render_text,
    visible_questions,
    walk,
)

ANSWERS = {
    "score": 8,
    "color": {"choice": "other", "other": "teal"},
    "tags": ["a", "c"],
    "comment": "Delivery was LATE again",
    "grid": {"speed": 2, "price": 5},
    "rank": ["z", "x", "y"],
    "visit": "2024-05-01",
    "agree": True,
    "blank": "  ",
    "empty": [],
}
CONTEXT = ResponseContext(hidden={"store": "SH01", "visits": "7"}, contact={"tier": "gold", "age": 41})


def q(ref: str, op: str, value: Any = None, **kw: Any) -> dict[str, Any]:
    leaf = {"question": ref, "op": op, **kw}
    if value is not None:
        leaf["value"] = value
    return leaf


CONDITIONS: list[tuple[dict[str, Any], bool]] = [
    (q("score", "eq", 8), True),
    (q("score", "eq", "8"), True),  # the answer is a number, so "8" compares as a number
    (q("comment", "eq", "delivery was late again"), False),  # texts compare exactly
    (q("score", "neq", 8), False),
    (q("score", "in", [7, 8]), True),
    (q("score", "not_in", [7, 8]), False),
    (q("score", "gt", 7), True),
    (q("score", "gte", 8), True),
    (q("score", "lt", 8), False),
    (q("score", "lte", 8), True),
    (q("score", "between", [7, 8]), True),
    (q("score", "between", [9, 10]), False),
    (q("color", "selected", "other"), True),
    (q("color", "eq", "other"), True),
    (q("color", "selected", ["red", "blue"]), False),
    (q("tags", "selected", "c"), True),
    (q("tags", "selected", ["b", "d"]), False),
    (q("tags", "contains", "a"), True),
    (q("tags", "in", ["c", "z"]), True),
    (q("tags", "not_in", ["c", "z"]), False),
    (q("comment", "contains", "late"), True),
    (q("comment", "contains", "early"), False),
    (q("grid", "gte", 5, part="price"), True),
    (q("grid", "lte", 1, part="speed"), False),
    (q("rank", "eq", 1, part="z"), True),
    (q("rank", "lte", 2, part="y"), False),
    (q("visit", "gt", "2024-04-30"), True),
    (q("visit", "between", ["2024-06-01", "2024-06-30"]), False),
    (q("agree", "eq", True), True),
    (q("agree", "eq", 1), False),
    (q("score", "answered"), True),
    (q("blank", "answered"), False),
    (q("blank", "not_answered"), True),
    (q("empty", "not_answered"), True),
    (q("missing", "not_answered"), True),
    (q("missing", "neq", 3), False),  # every operator but not_answered is false on a missing value
    (q("missing", "not_in", [3]), False),
    ({"not": q("missing", "eq", 3)}, True),
    ({"hidden": "store", "op": "eq", "value": "SH01"}, True),
    ({"hidden": "visits", "op": "gte", "value": 5}, True),  # "7" from a link compares as a number
    ({"hidden": "visits", "op": "gte", "value": "5"}, False),  # two texts do not order
    ({"hidden": "nope", "op": "not_answered"}, True),
    ({"contact": "tier", "op": "in", "value": ["gold", "platinum"]}, True),
    ({"contact": "age", "op": "between", "value": [18, 40]}, False),
    ({"all": [q("score", "gte", 7), {"contact": "tier", "op": "eq", "value": "gold"}]}, True),
    ({"all": [q("score", "gte", 7), q("tags", "selected", "b")]}, False),
    ({"any": [q("score", "gte", 9), q("tags", "selected", "a")]}, True),
    ({"any": [q("score", "gte", 9), {"not": q("comment", "answered")}]}, False),
    (
        {
            "all": [
                {
                    "any": [
                        q("score", "lte", 6),
                        {"all": [q("score", "gte", 7), {"not": q("tags", "selected", "b")}]},
                    ]
                },
                {"hidden": "store", "op": "contains", "value": "sh"},
            ]
        },
        True,
    ),
    ({"not": {"any": [q("score", "eq", 8), q("missing", "answered")]}}, False),
]


@pytest.mark.parametrize(("condition", "expected"), CONDITIONS, ids=[str(c[0]) for c in CONDITIONS])
def test_condition(condition: dict[str, Any], expected: bool) -> None:
    assert evaluate_condition(condition, ANSWERS, CONTEXT) is expected


def test_absent_condition_holds() -> None:
    assert evaluate_condition(None, {}, ResponseContext()) is True


def test_unknown_operator_is_an_error_not_a_silent_false() -> None:
    with pytest.raises(ValueError, match="unknown operator"):
        evaluate_condition(q("score", "like", 3), ANSWERS, CONTEXT)


SURVEY = load_definition("""
schema_version: 1
title: {en: Flow, zh-Hans: 流程}
languages: [en, zh-Hans]
default_language: en
pages:
  - id: start
    questions:
      - {id: shop, type: hidden}
      - id: score
        type: nps
        text: {en: "Hi {{contact.first_name|there}}, score {{hidden.shop|us}}", zh-Hans: "评分"}
      - id: fruit
        type: multiple_choice
        text: {en: Fruit, zh-Hans: 水果}
        options:
          - {id: apple, text: {en: Apple, zh-Hans: 苹果}}
          - {id: pear, text: {en: Pear, zh-Hans: 梨}}
        other: {text: {en: Other, zh-Hans: 其他}}
      - id: why_apple
        type: text
        display_if: {question: fruit, op: selected, value: apple}
        text: {en: "Why apple?", zh-Hans: 为什么是苹果？}
      - id: deeper
        type: text
        display_if: {question: why_apple, op: answered}
        text: {en: Tell more, zh-Hans: 多说点}
    next:
      - if: {question: score, op: gte, value: 9}
        goto: promoter
      - if: {all: [{question: score, op: lte, value: 2}, {hidden: shop, op: eq, value: closed}]}
        end: closed_shop
  - id: detractor
    display_if: {question: score, op: lte, value: 6}
    questions:
      - id: fix
        type: text
        text:
          en: "You said {{score}} and liked {{fruit|nothing}}: what to fix?"
          zh-Hans: "您打了 {{score}} 分，喜欢{{fruit|无}}：要改进什么？"
    next:
      - end: sorry
  - id: passive
    questions:
      - {id: better, type: text, text: {en: "What would make it a 10?", zh-Hans: 怎样才能打 10 分？}}
  - id: promoter
    display_if: {not: {hidden: shop, op: eq, value: closed}}  # neq would be false without a shop
    questions:
      - {id: love, type: text, text: {en: "What do you love?", zh-Hans: 您喜欢什么？}}
endings:
  - {id: thanks, text: {en: "Thanks {{contact.first_name|}}!", zh-Hans: "谢谢{{contact.first_name|}}！"}}
  - {id: sorry, text: {en: Sorry, zh-Hans: 抱歉}}
  - {id: closed_shop, text: {en: Closed, zh-Hans: 已关闭}}
""")


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({}, ("score", "fruit")),
        ({"fruit": ["pear"]}, ("score", "fruit")),
        ({"fruit": ["apple"]}, ("score", "fruit", "why_apple")),
        ({"fruit": ["apple"], "why_apple": "crisp"}, ("score", "fruit", "why_apple", "deeper")),
        ({"fruit": ["pear"], "why_apple": "stale"}, ("score", "fruit")),  # a hidden answer does not count
    ],
)
def test_visible_questions_follow_in_page_conditions(answers: dict[str, Any], shown: tuple[str, ...]) -> None:
    assert visible_questions(SURVEY, "start", answers, ResponseContext()) == shown


@pytest.mark.parametrize(
    ("current", "answers", "hidden", "page", "ending"),
    [
        (None, {}, {}, "start", None),
        ("start", {"score": 10}, {}, "promoter", None),
        (
            "start",
            {"score": 10},
            {"shop": "closed"},
            None,
            "thanks",
        ),  # goto target hidden → skipped to the end
        ("start", {"score": 7}, {}, "passive", None),  # detractor page hidden → skipped
        ("start", {"score": 4}, {}, "detractor", None),
        ("start", {"score": 1}, {"shop": "closed"}, None, "closed_shop"),
        ("start", {"score": 1}, {"shop": "open"}, "detractor", None),
        ("detractor", {"score": 4}, {}, None, "sorry"),
        ("passive", {"score": 7}, {}, "promoter", None),
        ("promoter", {"score": 10}, {}, None, "thanks"),
    ],
)
def test_next_step(
    current: str | None, answers: dict[str, Any], hidden: dict[str, str], page: str | None, ending: str | None
) -> None:
    step = next_step(SURVEY, current, answers, ResponseContext(hidden=hidden))
    assert (step.page_id, step.ending_id, step.finished) == (page, ending, page is None)


@pytest.mark.parametrize(
    ("answers", "pages", "ending"),
    [
        ({"score": 10, "love": "all"}, ("start", "promoter"), "thanks"),
        ({"score": 7}, ("start", "passive", "promoter"), "thanks"),
        ({"score": 3, "fix": "x"}, ("start", "detractor"), "sorry"),
    ],
)
def test_walk_follows_branching_to_the_ending(
    answers: dict[str, Any], pages: tuple[str, ...], ending: str
) -> None:
    route = walk(SURVEY, answers, ResponseContext())
    assert (route.pages, route.ending_id, route.finished) == (pages, ending, True)


def test_walk_keeps_only_answers_of_questions_shown() -> None:
    route = walk(SURVEY, {"score": 10, "fix": "stale", "love": "all"}, ResponseContext())
    assert dict(route.answers) == {"score": 10, "love": "all"}
    assert route.shown_questions == ("score", "fruit", "love")


def test_survey_without_endings_ends_on_the_platform_page() -> None:
    bare = load_definition(
        {
            "schema_version": 1,
            "title": "T",
            "languages": ["en"],
            "default_language": "en",
            "pages": [{"id": "p", "questions": [{"id": "q", "type": "csat", "text": "Q"}]}],
        }
    )
    assert next_step(bare, "p", {}, ResponseContext()) == next_step(bare, "p", {"q": 5}, ResponseContext())
    assert next_step(bare, "p", {}, ResponseContext()).ending_id is None


@pytest.mark.parametrize(
    ("text", "answers", "context", "language", "expected"),
    [
        (
            SURVEY.question("score").spec["text"],
            {},
            ResponseContext(contact={"first_name": "Ann"}, hidden={"shop": "Nanjing Rd"}),
            "en",
            "Hi Ann, score Nanjing Rd",
        ),
        (SURVEY.question("score").spec["text"], {}, ResponseContext(), "en", "Hi there, score us"),
        (
            SURVEY.question("fix").spec["text"],
            {"score": 4, "fruit": ["apple", "other"]},
            ResponseContext(),
            "en",
            "You said 4 and liked Apple, Other: what to fix?",
        ),
        (
            SURVEY.question("fix").spec["text"],
            {"score": 4, "fruit": {"choices": ["pear", "other"], "other": "kiwi"}},
            ResponseContext(),
            "zh-Hans",
            "您打了 4 分，喜欢梨、kiwi：要改进什么？",
        ),
        (
            SURVEY.question("fix").spec["text"],
            {"score": 4},
            ResponseContext(),
            "zh-Hans",
            "您打了 4 分，喜欢无：要改进什么？",
        ),
        ("Ratio {{contact.ratio}}", {}, ResponseContext(contact={"ratio": 2.0}), "en", "Ratio 2"),
        (
            "<b>{{contact.first_name}}</b>",
            {},
            ResponseContext(contact={"first_name": "<i>x</i>"}),
            "en",
            "<b><i>x</i></b>",
        ),  # not escaped: the renderer escapes
        (
            SURVEY.ending("thanks")["text"],
            {},
            ResponseContext(contact={"first_name": "李"}, language="zh-CN"),
            None,
            "谢谢李！",
        ),
    ],
)
def test_render_text_pipes_in_the_chosen_language(
    text: Any, answers: dict[str, Any], context: ResponseContext, language: str | None, expected: str
) -> None:
    assert render_text(SURVEY, text, answers, context, language) == expected


LIKERT = load_definition("""
schema_version: 1
title: L
languages: [en]
default_language: en
pages:
  - id: p1
    questions:
      - id: agree
        type: likert
        text: Agree?
        scale: {min: 1, max: 3, labels: [No, Maybe, "Yes"]}
      - {id: size, type: number, text: Size}
  - id: p2
    questions:
      - {id: echo, type: text, text: "You said {{agree}} and {{size}}"}
""")


def test_likert_pipes_its_label_and_numbers_drop_trailing_zero() -> None:
    text = LIKERT.question("echo").spec["text"]
    assert render_text(LIKERT, text, {"agree": 3, "size": 2.0}, ResponseContext()) == "You said Yes and 2"
    assert render_text(LIKERT, text, {"agree": 2, "size": 2.5}, ResponseContext()) == "You said Maybe and 2.5"
