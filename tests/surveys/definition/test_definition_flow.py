"""Randomised order, quotas and the exported rules."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from openxm.surveys.definition import (
    Ordering,
    ResponseContext,
    check_quotas,
    export_rules,
    load_definition,
    next_step,
    quota_key,
    randomize,
    visible_questions,
    walk,
)
from openxm.surveys.definition.conditions import answer_scalar, apply_operator

SURVEY = load_definition("""
schema_version: 1
title: Random
languages: [en]
default_language: en
pages:
  - id: intro
    questions:
      - {id: segment, type: hidden}
      - {id: score, type: nps, text: Score}
      - id: pick
        type: single_choice
        randomize_options: true
        text: Pick
        options:
          - {id: a, text: A}
          - {id: b, text: B}
          - {id: c, text: C}
          - {id: d, text: D}
          - {id: none, text: None of these, fixed: true}
        other: {text: Other}
      - id: keep
        type: single_choice
        text: Keep
        options: [{id: k1, text: K1}, {id: k2, text: K2}, {id: k3, text: K3}]
  - id: b1
    randomize_questions: true
    questions:
      - {id: x1, type: csat, text: X1}
      - {id: x2, type: csat, text: X2}
      - {id: x3, type: csat, text: X3}
      - id: grid
        type: matrix
        randomize_rows: true
        text: Grid
        rows: [{id: r1, text: R1}, {id: r2, text: R2}, {id: r3, text: R3}]
        scale: {min: 1, max: 5}
  - id: b2
    questions: [{id: y1, type: csat, text: Y1}]
  - id: b3
    questions: [{id: z1, type: csat, text: Z1}]
  - id: last
    questions: [{id: end_q, type: text, text: Bye}]
randomize_pages:
  - [b1, b2, b3]
endings:
  - {id: thanks, text: Thanks}
  - {id: full, text: Full}
quotas:
  - id: score_band
    action: end
    ending: full
    cells:
      - {id: promoters, if: {question: score, op: gte, value: 9}, limit: 2}
      - {id: others, if: {not: {question: score, op: gte, value: 9}}, limit: 3}
  - id: segment
    action: stop
    message: We have enough answers from your group.
    cells:
      - {id: vip, if: {hidden: segment, op: eq, value: vip}, limit: 0}
""")


def test_same_seed_gives_the_same_order_and_it_can_be_recorded() -> None:
    first = randomize(SURVEY, "response-42")
    assert randomize(SURVEY, "response-42") == first
    recorded = json.loads(json.dumps(first.to_dict()))
    assert Ordering.from_dict(recorded) == first


def test_order_for_a_seed_is_stable_across_releases() -> None:
    ordering = randomize(SURVEY, "response-42")
    assert ordering.pages == ("intro", "b3", "b2", "b1", "last")
    assert ordering.options["pick"] == ("b", "c", "a", "d", "none", "other")
    assert ordering.questions["b1"] == ("x3", "grid", "x1", "x2")
    assert ordering.rows["grid"] == ("r2", "r3", "r1")


def test_no_seed_means_definition_order() -> None:
    ordering = randomize(SURVEY, None)
    assert ordering.pages == ("intro", "b1", "b2", "b3", "last")
    assert ordering.options["pick"] == ("a", "b", "c", "d", "none", "other")
    assert ordering.questions["b1"] == ("x1", "x2", "x3", "grid")


def test_what_is_not_randomised_keeps_its_place() -> None:
    for seed in range(50):
        ordering = randomize(SURVEY, seed)
        assert ordering.pages[0] == "intro" and ordering.pages[-1] == "last"
        assert sorted(ordering.pages[1:4]) == ["b1", "b2", "b3"]
        assert ordering.options["pick"][4:] == ("none", "other")
        assert ordering.options["keep"] == ("k1", "k2", "k3")
        assert ordering.questions["intro"] == ("segment", "score", "pick", "keep")


def test_every_permutation_occurs_across_seeds() -> None:
    seen_pages = {randomize(SURVEY, f"r{i}").pages[1:4] for i in range(300)}
    seen_rows = {randomize(SURVEY, f"r{i}").rows["grid"] for i in range(300)}
    assert seen_pages == set(itertools.permutations(["b1", "b2", "b3"]))
    assert seen_rows == set(itertools.permutations(["r1", "r2", "r3"]))


def test_evaluator_presents_pages_and_questions_in_the_seeded_order() -> None:
    context = ResponseContext(seed="response-42")
    ordering = randomize(SURVEY, "response-42")
    assert visible_questions(SURVEY, "b1", {}, context) == ordering.questions["b1"]
    assert walk(SURVEY, {}, context).pages == ordering.pages
    assert next_step(SURVEY, "intro", {}, context).page_id == ordering.pages[1]


@pytest.mark.parametrize(
    ("answers", "hidden", "counts", "final", "action", "cell", "matched"),
    [
        ({"score": 10}, {}, {}, False, "continue", None, ("score_band.promoters",)),
        ({"score": 10}, {}, {"score_band.promoters": 1}, False, "continue", None, ("score_band.promoters",)),
        (
            {"score": 10},
            {},
            {"score_band.promoters": 2},
            False,
            "end",
            "promoters",
            ("score_band.promoters",),
        ),
        ({"score": 3}, {}, {"score_band.promoters": 2}, False, "continue", None, ("score_band.others",)),
        ({"score": 3}, {}, {"score_band.others": 3}, False, "end", "others", ("score_band.others",)),
        (
            {},
            {},
            {"score_band.others": 3},
            False,
            "continue",
            None,
            (),
        ),  # not decided before score is answered
        ({}, {}, {"score_band.others": 3}, True, "end", "others", ("score_band.others",)),
        ({}, {"segment": "vip"}, {}, False, "stop", "vip", ("segment.vip",)),
        (
            {"score": 9},
            {"segment": "vip"},
            {"score_band.promoters": 5},
            False,
            "end",
            "promoters",
            ("score_band.promoters", "segment.vip"),
        ),
    ],
)
def test_quota_decision(
    answers: dict[str, Any],
    hidden: dict[str, str],
    counts: dict[str, int],
    final: bool,
    action: str,
    cell: str | None,
    matched: tuple[str, ...],
) -> None:
    decision = check_quotas(SURVEY, answers, ResponseContext(hidden=hidden), counts, final=final)
    assert (decision.action, decision.cell_id, decision.matched) == (action, cell, matched)
    assert decision.stops is (action != "continue")


def test_full_quota_carries_its_ending_or_message() -> None:
    ended = check_quotas(SURVEY, {"score": 10}, ResponseContext(), {quota_key("score_band", "promoters"): 2})
    assert (ended.quota_id, ended.ending_id, ended.message) == ("score_band", "full", None)
    stopped = check_quotas(SURVEY, {}, ResponseContext(hidden={"segment": "vip"}), {})
    assert (stopped.ending_id, stopped.message) == (None, "We have enough answers from your group.")


BRANCHY = load_definition("""
schema_version: 1
title: Export
languages: [en]
default_language: en
pages:
  - id: p1
    questions:
      - {id: shop, type: hidden}
      - {id: s, type: nps, required: true, text: S}
      - {id: t, type: multiple_choice, text: T, max_selections: 2,
         options: [{id: a, text: A}, {id: b, text: B}, {id: c, text: C}]}
    next:
      - if: {any: [{question: s, op: gte, value: 9}, {all: [{hidden: shop, op: eq, value: x},
                                                         {not: {question: t, op: selected, value: a}}]}]}
        goto: p3
      - if: {question: s, op: lte, value: 2}
        end: e2
  - id: p2
    display_if: {question: t, op: selected, value: b}
    questions: [{id: u, type: text, text: U, max_length: 20}]
  - id: p3
    questions: [{id: v, type: csat, text: V}]
endings:
  - {id: e1, text: E1}
  - {id: e2, text: E2}
""")


def mirror_condition(node: dict[str, Any] | None, answers: dict[str, Any], hidden: dict[str, Any]) -> bool:
    """What a small client-side evaluator does with the exported tree."""
    if node is None:
        return True
    if "and" in node:
        return all(mirror_condition(c, answers, hidden) for c in node["and"])
    if "or" in node:
        return any(mirror_condition(c, answers, hidden) for c in node["or"])
    if "not" in node:
        return not mirror_condition(node["not"], answers, hidden)
    source = {"question": answers, "hidden": hidden, "contact": {}}[node["source"]]
    return apply_operator(node["op"], answer_scalar(source.get(node["ref"]), node["part"]), node["value"])


def mirror_next(
    rules: dict[str, Any], current: str, answers: dict[str, Any], hidden: dict[str, Any]
) -> tuple:
    pages = rules["pages"]
    index = [p["id"] for p in pages].index(current)
    start = index + 1
    for rule in pages[index]["next"]:
        if mirror_condition(rule["if"], answers, hidden):
            if rule["end"]:
                return None, rule["end"]
            start = [p["id"] for p in pages].index(rule["goto"])
            break
    for page in pages[start:]:
        if mirror_condition(page["display_if"], answers, hidden):
            return page["id"], None
    return None, rules["default_ending"]


@pytest.mark.parametrize(
    ("answers", "hidden"),
    [
        ({"s": 10}, {}),
        ({"s": 5}, {}),
        ({"s": 1}, {}),
        ({"s": 5, "t": ["b"]}, {}),
        ({"s": 5, "t": ["c"]}, {"shop": "x"}),
        ({"s": 5, "t": ["a", "b"]}, {"shop": "x"}),
    ],
)
def test_exported_rules_let_a_client_mirror_the_server(
    answers: dict[str, Any], hidden: dict[str, Any]
) -> None:
    rules = json.loads(json.dumps(export_rules(BRANCHY)))
    step = next_step(BRANCHY, "p1", answers, ResponseContext(hidden=hidden))
    assert mirror_next(rules, "p1", answers, hidden) == (step.page_id, step.ending_id)


def test_exported_rules_describe_questions() -> None:
    rules = export_rules(BRANCHY)
    assert rules["format"] == "openxm.rules/1"
    assert rules["pages"][0]["next"][1] == {
        "if": {"op": "lte", "source": "question", "ref": "s", "part": None, "value": 2},
        "goto": None,
        "end": "e2",
    }
    t = rules["pages"][0]["questions"][2]
    assert (t["options"], t["constraints"], t["scale"]) == (["a", "b", "c"], {"max_selections": 2}, None)
    assert rules["pages"][0]["questions"][1]["required"] is True
    assert rules["pages"][1]["questions"][0]["constraints"] == {"max_length": 20}
    assert export_rules(SURVEY)["quotas"][0]["cells"][1]["if"] == {
        "not": {"op": "gte", "source": "question", "ref": "score", "part": None, "value": 9}
    }


def test_responses_without_a_seed_share_the_definition_order_computed_once() -> None:
    from openxm.surveys.definition.flow import ordering_for

    first = ordering_for(SURVEY, ResponseContext())
    assert first == randomize(SURVEY, None) and first.seed is None
    assert ordering_for(SURVEY, ResponseContext(language="en")) is first  # computed once, shared
    seeded = ordering_for(SURVEY, ResponseContext(seed=7))
    assert seeded == randomize(SURVEY, 7) and seeded is not first
