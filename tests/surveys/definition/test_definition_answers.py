"""Answer validation: every question type, required-if-shown, dropped answers and storage rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openxm.surveys.definition import AnswerRow, ResponseContext, load_definition, validate_answers

ALL_TYPES = load_definition((Path(__file__).with_name("data") / "all_types.yaml").read_text(encoding="utf-8"))
REQUIRED_OK = {"nps": 9, "ok": True, "feat2": {"functional": "like", "dysfunctional": "dislike"}}
ALLOC = {"tangibles": 10, "reliability": 30, "responsiveness": 20, "assurance": 20, "empathy": 20}

# (question id, raw answer, expected clean value (None: not kept), expected errors as (path, code))
CASES: list[tuple[str, Any, Any, list[tuple[str, str]]]] = [
    ("nps", 9, 9, []),
    ("nps", "10", 10, []),
    ("nps", 7.0, 7, []),
    ("nps", 11, None, [("nps", "answer.range")]),
    ("nps", "x", None, [("nps", "answer.integer")]),
    ("nps", True, None, [("nps", "answer.integer")]),
    ("nps", 7.5, None, [("nps", "answer.integer")]),
    ("csat", 0, None, [("csat", "answer.range")]),
    ("csat", 5, 5, []),
    ("ces", 7, 7, []),
    ("ces", 8, None, [("ces", "answer.range")]),
    ("stars", 0, None, [("stars", "answer.range")]),
    ("agree", 3, 3, []),
    ("agree", 4, None, [("agree", "answer.range")]),
    ("color", "red", "red", []),
    ("color", "green", None, [("color", "answer.unknown_option")]),
    ("color", {"choice": "other", "other": " teal "}, {"choice": "other", "other": "teal"}, []),
    ("color", {"choice": "other"}, None, [("color.other", "answer.other_text")]),
    ("color", {"choice": "red", "other": "x"}, None, [("color.other", "answer.other_without_choice")]),
    ("color", 5, None, [("color", "answer.string")]),
    ("color", {"choice": "red", "x": 1}, None, [("color", "answer.object")]),
    ("tags", ["b", "a"], ["a", "b"], []),
    ("tags", ["a", "a"], None, [("tags", "answer.duplicate")]),
    ("tags", ["a", "b", "c"], None, [("tags", "answer.too_many")]),
    ("tags", ["none", "a"], None, [("tags", "answer.exclusive")]),
    ("tags", ["zz"], None, [("tags", "answer.unknown_option"), ("tags", "answer.too_few")]),
    ("tags", "a", None, [("tags", "answer.list")]),
    ("tags", {"choices": ["other"], "other": "mine"}, {"choices": ["other"], "other": "mine"}, []),
    ("tags", ["other"], None, [("tags.other", "answer.other_text")]),
    ("tags", [], None, []),
    ("city", "sh", "sh", []),
    ("city", "other", None, [("city", "answer.unknown_option")]),
    ("city", {"choice": "sh"}, None, [("city", "answer.string")]),
    ("grid", {"speed": 4}, {"speed": 4}, []),
    ("grid", {"speed": 6}, None, [("grid.speed", "answer.range")]),
    ("grid", {"taste": 3}, None, [("grid.taste", "answer.unknown_part")]),
    ("grid", [1, 2], None, [("grid", "answer.object")]),
    ("grid", {"speed": None, "price": "2"}, {"price": 2}, []),
    ("rank", ["z", "x", "y"], ["z", "x", "y"], []),
    ("rank", ["x", "y"], None, [("rank", "answer.ranking")]),
    ("rank", ["x", "x", "y"], None, [("rank", "answer.duplicate")]),
    ("rank", ["x", "y", "w"], None, [("rank", "answer.unknown_option")]),
    ("comment", " hi ", "hi", []),
    ("comment", "a", None, [("comment", "answer.too_short")]),
    ("comment", "x" * 11, None, [("comment", "answer.too_long")]),
    ("comment", 3, None, [("comment", "answer.string")]),
    ("qty", 3, 3, []),
    ("qty", "4", 4, []),
    ("qty", 2.5, None, [("qty", "answer.integer")]),
    ("qty", 11, None, [("qty", "answer.range")]),
    ("qty", "abc", None, [("qty", "answer.number")]),
    ("weight", 0.25, None, [("weight", "answer.min")]),
    ("weight", "1.5", 1.5, []),
    ("weight", float("inf"), None, [("weight", "answer.number")]),
    ("visit", "2024-05-01", "2024-05-01", []),
    ("visit", "2023-12-31", None, [("visit", "answer.date_min")]),
    ("visit", "2025-01-01", None, [("visit", "answer.date_max")]),
    ("visit", "2024-02-30", None, [("visit", "answer.date")]),
    ("visit", "01/05/2024", None, [("visit", "answer.date")]),
    ("mail", "Ann@Example.COM", "Ann@example.com", []),
    ("mail", "ann@localhost", None, [("mail", "answer.email")]),
    ("mail", "a b@x.org", None, [("mail", "answer.email")]),
    ("mail", "ann@@x.org", None, [("mail", "answer.email")]),
    ("tel", "+86 138-0013-8000", "+8613800138000", []),
    ("tel", "(021) 6234 5678", "02162345678", []),
    ("tel", "12345", None, [("tel", "answer.phone")]),
    ("tel", "+1 555 CALL", None, [("tel", "answer.phone")]),
    ("ok", "on", True, []),
    ("ok", False, False, [("ok", "answer.consent")]),
    ("ok", "maybe", None, [("ok", "answer.boolean")]),
    (
        "feat",
        {"functional": "like", "dysfunctional": "must_be", "importance": 9},
        {"functional": "like", "dysfunctional": "must_be", "importance": 9},
        [],
    ),
    ("feat", {"functional": "love", "dysfunctional": "like"}, None, [("feat.functional", "answer.kano")]),
    ("feat", {"functional": "like"}, None, [("feat", "answer.incomplete")]),
    (
        "feat",
        {"functional": "like", "dysfunctional": "like", "importance": 10},
        None,
        [("feat.importance", "answer.range")],
    ),
    (
        "feat",
        {"functional": "like", "dysfunctional": "like", "extra": 1},
        None,
        [("feat.extra", "answer.unknown_part")],
    ),
    (
        "feat2",
        {"functional": "like", "dysfunctional": "dislike", "importance": 3},
        None,
        [("feat2.importance", "answer.unknown_part")],
    ),
    ("sq", {"expectation": 7, "perception": 5}, {"expectation": 7, "perception": 5}, []),
    ("sq", {"expectation": 7}, None, [("sq", "answer.incomplete")]),
    ("sq", {"expectation": 8, "perception": 1}, None, [("sq.expectation", "answer.range")]),
    ("alloc", ALLOC, ALLOC, []),
    ("alloc", {"reliability": 100}, {**dict.fromkeys(ALLOC, 0), "reliability": 100}, []),
    ("alloc", {**ALLOC, "empathy": 10}, None, [("alloc", "answer.allocation")]),
    ("alloc", {**ALLOC, "empathy": -10}, None, [("alloc.empathy", "answer.range")]),
    ("alloc", {"price": 100}, None, [("alloc.price", "answer.unknown_part")]),
]


@pytest.mark.parametrize(
    ("qid", "raw", "clean", "errors"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_answer_of_each_type(qid: str, raw: Any, clean: Any, errors: list[tuple[str, str]]) -> None:
    result = validate_answers(ALL_TYPES, {**REQUIRED_OK, qid: raw}, ResponseContext())
    assert [(e.path, e.code) for e in result.errors] == sorted(errors)
    assert result.ok is (not errors)
    assert result.values.get(qid) == clean


def _rows_of(result: Any, qid: str) -> list[AnswerRow]:
    return [r for r in result.rows if r.question_id == qid]


def test_rows_for_storage() -> None:
    answers = {
        "nps": 9,
        "color": {"choice": "other", "other": "teal"},
        "tags": ["c", "a"],
        "grid": {"speed": 4, "price": 2},
        "rank": ["y", "z", "x"],
        "comment": "fine",
        "visit": "2024-03-04",
        "ok": True,
        "feat": {"functional": "like", "dysfunctional": "neutral", "importance": 7},
        "feat2": {"functional": "must_be", "dysfunctional": "dislike"},
        "sq": {"expectation": 7, "perception": 4},
        "alloc": ALLOC,
    }
    result = validate_answers(ALL_TYPES, answers, ResponseContext(hidden={"store": "SH-01"}))
    assert result.ok, result.errors
    assert _rows_of(result, "store") == [AnswerRow("store", "hidden", value_text="SH-01")]
    assert _rows_of(result, "nps") == [
        AnswerRow("nps", "nps", value_number=9, touchpoint="shop.visit", cx_dimension="usefulness")
    ]
    assert _rows_of(result, "color") == [
        AnswerRow("color", "single_choice", value_choice="other", value_text="teal")
    ]
    assert _rows_of(result, "tags") == [AnswerRow("tags", "multiple_choice", value_choices=("a", "c"))]
    assert [(r.sub_key, r.value_number) for r in _rows_of(result, "grid")] == [("speed", 4), ("price", 2)]
    assert [(r.sub_key, r.value_choice, r.value_number) for r in _rows_of(result, "rank")] == [
        ("y", "y", 1),
        ("z", "z", 2),
        ("x", "x", 3),
    ]
    assert _rows_of(result, "visit") == [AnswerRow("visit", "date", value_text="2024-03-04")]
    assert _rows_of(result, "ok") == [AnswerRow("ok", "consent", value_number=1)]
    assert [(r.sub_key, r.value_choice, r.value_number) for r in _rows_of(result, "feat")] == [
        ("functional", "like", None),
        ("dysfunctional", "neutral", None),
        ("importance", None, 7),
    ]
    assert [(r.sub_key, r.value_number) for r in _rows_of(result, "sq")] == [
        ("expectation", 7),
        ("perception", 4),
    ]
    assert {r.sub_key: r.value_number for r in _rows_of(result, "alloc")} == ALLOC
    assert [r.question_id for r in result.rows][:3] == ["store", "nps", "color"]


def test_rejected_answers_produce_no_rows() -> None:
    result = validate_answers(ALL_TYPES, {**REQUIRED_OK, "nps": 42}, ResponseContext(hidden={"store": "X"}))
    assert not result.ok
    assert result.rows == ()


BRANCHING = load_definition("""
schema_version: 1
title: {en: Branching, zh-Hans: 分支}
languages: [en, zh-Hans]
default_language: en
pages:
  - id: p1
    questions:
      - {id: q1, type: nps, required: true, text: {en: Score, zh-Hans: 分数}}
      - id: q1_low
        type: text
        required: true
        display_if: {question: q1, op: lte, value: 6}
        text: {en: "Why low?", zh-Hans: 为什么低？}
      - {id: store, type: hidden}
  - id: p2
    display_if: {question: q1, op: lte, value: 6}
    questions:
      - id: q2
        type: single_choice
        required: true
        text: {en: Which, zh-Hans: 哪个}
        options:
          - {id: a, text: {en: A, zh-Hans: 甲}}
          - {id: b, text: {en: B, zh-Hans: 乙}}
  - id: p3
    questions:
      - id: q3
        type: text
        required: true
        display_if: {question: q2, op: selected, value: a}
        text: {en: Tell us about A, zh-Hans: 说说甲}
endings:
  - {id: done, text: {en: Done, zh-Hans: 完成}}
""")


@pytest.mark.parametrize(
    ("answers", "errors", "dropped", "pages"),
    [
        ({"q1": 9}, [], (), ("p1", "p3")),
        ({"q1": 3}, [("q1_low", "answer.required"), ("q2", "answer.required")], (), ("p1", "p2", "p3")),
        ({"q1": 3, "q1_low": "slow", "q2": "a"}, [("q3", "answer.required")], (), ("p1", "p2", "p3")),
        ({"q1": 3, "q1_low": "slow", "q2": "b"}, [], (), ("p1", "p2", "p3")),
        ({"q1": 9, "q1_low": "stale", "q2": "a", "q3": "stale"}, [], ("q1_low", "q2", "q3"), ("p1", "p3")),
        ({"q1": "abc", "q2": "a"}, [("q1", "answer.integer")], ("q2",), ("p1", "p3")),
        ({"q1": 9, "store": "forged"}, [], ("store",), ("p1", "p3")),
        ({"q1": 9, "zzz": 1}, [("zzz", "answer.unknown_question")], (), ("p1", "p3")),
    ],
)
def test_only_questions_shown_are_required_and_kept(
    answers: dict[str, Any], errors: list[tuple[str, str]], dropped: tuple[str, ...], pages: tuple[str, ...]
) -> None:
    result = validate_answers(BRANCHING, answers, ResponseContext(hidden={"store": "S1"}))
    assert [(e.path, e.code) for e in result.errors] == errors
    assert result.dropped == dropped
    assert result.route.pages == pages
    assert all(q not in result.values for q in dropped if q != "store")
    assert result.values.get("store") == "S1"


def test_page_by_page_submission_checks_only_pages_reached() -> None:
    partial = validate_answers(BRANCHING, {"q1": 3, "q1_low": "slow"}, ResponseContext(), through_page="p1")
    assert partial.ok
    assert (partial.route.pages, partial.route.finished) == (("p1",), False)
    full = validate_answers(BRANCHING, {"q1": 3, "q1_low": "slow"}, ResponseContext())
    assert [(e.path, e.code) for e in full.errors] == [("q2", "answer.required")]
    assert (full.route.finished, full.ending_id) == (True, "done")


def test_answers_must_be_a_mapping() -> None:
    result = validate_answers(BRANCHING, ["q1", 9], ResponseContext())
    assert [(e.path, e.code) for e in result.errors][0] == ("", "answer.not_object")


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (ResponseContext(), "is required"),
        (ResponseContext(language="zh-CN"), "此题必答"),
        (ResponseContext(contact={"language": "zh"}), "此题必答"),
        (ResponseContext(language="en-GB", contact={"language": "zh"}), "is required"),
        (ResponseContext(language="zh-TW"), "is required"),
    ],
)
def test_error_messages_follow_the_respondent_language(context: ResponseContext, message: str) -> None:
    result = validate_answers(BRANCHING, {}, context)
    assert result.errors[0].path == "q1"
    assert result.errors[0].message == message


def test_errors_are_grouped_by_question_for_the_form() -> None:
    result = validate_answers(ALL_TYPES, {**REQUIRED_OK, "grid": {"speed": 9, "price": 0}, "nps": 11})
    assert sorted(result.by_question) == ["grid", "nps"]
    assert [e.path for e in result.by_question["grid"]] == ["grid.price", "grid.speed"]
