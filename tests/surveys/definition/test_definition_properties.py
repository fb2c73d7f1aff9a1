"""Property tests: random valid definitions round-trip through JSON and YAML unchanged; random
invalid ones (single mutations of valid ones) are rejected with an issue at the mutated path; any
garbled definition or answer set is accepted or rejected with issues, never with a crash."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openxm.surveys.definition import (
    DefinitionError,
    ResponseContext,
    dump_definition,
    load_definition,
    validate_answers,
    validate_definition,
)

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LANGUAGE_SETS = [["en"], ["zh-Hans"], ["en", "zh-Hans"], ["en", "zh-Hans", "ja"]]
# Text that YAML and JSON must keep as text: booleans, nulls, numbers, dates, unicode, markup.
TRICKY = st.sampled_from(
    [
        "yes",
        "No",
        "on",
        "null",
        "~",
        "1e3",
        "0x1F",
        "2024-01-01",
        "12:30",
        "- item",
        "# not a comment",
        "a: b",
        "'quoted'",
        '"double"',
        "多语言",
        "emoji 🎉",
        " padded ",
    ]
)
WORDS = st.one_of(
    TRICKY,
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="{}"), min_size=1, max_size=20
    ).filter(lambda s: s.strip()),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | WORDS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(WORDS, children, max_size=3),
    max_leaves=8,
)


class Builder:
    """Draws one valid definition, keeping ids unique and references backwards."""

    def __init__(self, draw: Callable[[Any], Any]):
        self.draw = draw
        self.languages: list[str] = draw(st.sampled_from(LANGUAGE_SETS))
        self.count = 0
        self.earlier: list[dict[str, Any]] = []  # questions on earlier pages
        self.hidden: list[str] = []

    def next_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def text(self) -> Any:
        if len(self.languages) == 1 and self.draw(st.booleans()):
            return self.draw(WORDS)
        return {lang: self.draw(WORDS) for lang in self.languages}

    def options(self, n: int) -> list[dict[str, Any]]:
        return [{"id": self.next_id("o"), "text": self.text()} for _ in range(n)]

    def question(self) -> dict[str, Any]:
        draw = self.draw
        qtype = draw(
            st.sampled_from(
                [
                    "nps",
                    "csat",
                    "ces",
                    "rating",
                    "likert",
                    "single_choice",
                    "multiple_choice",
                    "dropdown",
                    "matrix",
                    "ranking",
                    "text",
                    "number",
                    "date",
                    "email",
                    "phone",
                    "consent",
                    "hidden",
                    "kano",
                    "servqual",
                    "servqual_importance",
                ]
            )
        )
        spec: dict[str, Any] = {"id": self.next_id("q"), "type": qtype}
        if qtype == "hidden":
            self.hidden.append(spec["id"])
            return spec
        spec["text"] = self.text()
        if draw(st.booleans()):
            spec["required"] = True
        if draw(st.booleans()):
            spec["cx_dimension"] = draw(st.sampled_from(["usefulness", "reliability", "empathy"]))
        if qtype == "nps" and draw(st.booleans()):
            spec["scale"] = {"min": 0, "max": 10, "min_label": self.text()}
        elif qtype in ("rating", "likert", "matrix"):
            low = draw(st.integers(0, 1))
            high = draw(st.integers(low + 1, low + 6))
            spec["scale"] = {"min": low, "max": high}
            if qtype == "likert" or draw(st.booleans()):
                spec["scale"]["labels"] = [self.text() for _ in range(high - low + 1)]
        if qtype in ("single_choice", "multiple_choice", "dropdown", "ranking"):
            spec["options"] = self.options(draw(st.integers(2, 4)))
            if qtype in ("single_choice", "multiple_choice") and draw(st.booleans()):
                spec["other"] = {"text": self.text()}
        if qtype == "multiple_choice" and draw(st.booleans()):
            spec["max_selections"] = draw(st.integers(1, 2))
        if qtype == "matrix":
            spec["rows"] = self.options(draw(st.integers(1, 3)))
        if qtype == "number" and draw(st.booleans()):
            spec.update(
                min=draw(st.integers(-5, 0)), max=draw(st.integers(1, 100)), integer=draw(st.booleans())
            )
        if qtype == "date" and draw(st.booleans()):
            spec.update(min="2020-01-01", max="2030-12-31")
        if qtype == "kano":
            spec.update(functional=self.text(), dysfunctional=self.text())
            if draw(st.booleans()):
                spec["importance"] = {"min": 1, "max": draw(st.sampled_from([5, 9])), "text": self.text()}
        if qtype == "servqual":
            spec.update(
                dimension=draw(st.sampled_from(["tangibles", "empathy"])),
                expectation=self.text(),
                perception=self.text(),
            )
        if qtype in ("kano", "servqual_importance") and "ja" in self.languages:
            keys = (
                ["like", "must_be", "neutral", "live_with", "dislike"]
                if qtype == "kano"
                else ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
            )
            spec["labels"] = {k: self.text() for k in keys}
        return spec

    def leaf(self) -> dict[str, Any]:
        candidates = [
            q for q in self.earlier if q["type"] in ("nps", "csat", "single_choice", "text", "kano")
        ]
        choice = self.draw(
            st.sampled_from(["answered", "hidden", "contact", *(["question"] if candidates else [])])
        )
        if choice == "hidden" and self.hidden:
            return {"hidden": self.draw(st.sampled_from(self.hidden)), "op": "eq", "value": self.draw(WORDS)}
        if choice == "contact":
            return {
                "contact": "tier",
                "op": "in",
                "value": self.draw(st.lists(WORDS, min_size=1, max_size=3)),
            }
        if choice == "question":
            q = self.draw(st.sampled_from(candidates))
            if q["type"] == "nps":
                return {"question": q["id"], "op": "between", "value": [0, self.draw(st.integers(0, 10))]}
            if q["type"] == "csat":
                return {"question": q["id"], "op": "gte", "value": self.draw(st.integers(1, 5))}
            if q["type"] == "single_choice":
                return {"question": q["id"], "op": "selected", "value": q["options"][0]["id"]}
            if q["type"] == "kano":
                return {"question": q["id"], "part": "functional", "op": "eq", "value": "like"}
            return {"question": q["id"], "op": "contains", "value": self.draw(WORDS)}
        return {"contact": "first_name", "op": "answered"}

    def condition(self, depth: int = 0) -> dict[str, Any]:
        kind = self.draw(st.sampled_from(["leaf", "leaf", "all", "any", "not"] if depth < 2 else ["leaf"]))
        if kind == "leaf":
            return self.leaf()
        if kind == "not":
            return {"not": self.condition(depth + 1)}
        return {kind: [self.condition(depth + 1) for _ in range(self.draw(st.integers(1, 3)))]}

    def document(self) -> dict[str, Any]:
        draw = self.draw
        n_pages = draw(st.integers(1, 4))
        endings = [{"id": self.next_id("e"), "text": self.text()} for _ in range(draw(st.integers(1, 2)))]
        page_ids = [self.next_id("p") for _ in range(n_pages)]
        pages = []
        for index, page_id in enumerate(page_ids):
            questions = [self.question() for _ in range(draw(st.integers(1, 3)))]
            page: dict[str, Any] = {"id": page_id, "questions": questions}
            if self.earlier and draw(st.booleans()):
                page["display_if"] = self.condition()
            if self.earlier and questions[-1]["type"] != "hidden" and draw(st.booleans()):
                questions[-1]["display_if"] = self.condition()
            self.earlier.extend(questions)
            if draw(st.booleans()):
                target = draw(st.sampled_from(["end", *page_ids[index + 1 :]]))
                rule = {"end": endings[0]["id"]} if target == "end" else {"goto": target}
                page["next"] = [{"if": self.condition(), **rule}]
            pages.append(page)
        doc: dict[str, Any] = {
            "schema_version": 1,
            "key": draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)),
            "version": draw(st.integers(1, 1000)),
            "title": self.text(),
            "languages": list(self.languages),
            "default_language": draw(st.sampled_from(self.languages)),
            "pages": pages,
            "endings": endings,
        }
        if draw(st.booleans()):
            doc["metadata"] = draw(st.dictionaries(WORDS, JSON_VALUES, max_size=4))
        if self.hidden and draw(st.booleans()):
            doc["quotas"] = [
                {
                    "id": "q",
                    "action": "end",
                    "ending": endings[-1]["id"],
                    "cells": [{"id": "c", "if": self.leaf(), "limit": draw(st.integers(0, 100))}],
                }
            ]
        return doc


@st.composite
def valid_documents(draw: Callable[[Any], Any]) -> dict[str, Any]:
    return Builder(draw).document()


@SETTINGS
@given(valid_documents())
def test_random_valid_definitions_round_trip_unchanged(document: dict[str, Any]) -> None:
    assert validate_definition(document) == []
    definition = load_definition(document)
    for fmt in ("json", "yaml"):
        text = dump_definition(definition, fmt)
        assert load_definition(text, fmt).to_dict() == document
        assert load_definition(text).to_dict() == document


def _questions(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"pages[{p}].questions[{q}]", spec)
        for p, page in enumerate(doc["pages"])
        for q, spec in enumerate(page["questions"])
    ]


def _append(doc: dict[str, Any], spec: dict[str, Any]) -> str:
    doc["pages"][-1]["questions"].append(spec)
    return f"pages[{len(doc['pages']) - 1}].questions[{len(doc['pages'][-1]['questions']) - 1}]"


def drop_required_field(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    key = draw(st.sampled_from(["title", "languages", "default_language", "pages", "schema_version"]))
    del doc[key]
    return key


def break_question_type(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    path, spec = draw(st.sampled_from(_questions(doc)))
    spec["type"] = draw(st.sampled_from(["slider", "NPS", "", "matrix_grid"]))
    return f"{path}.type"


def duplicate_question_id(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    first = _questions(doc)[0][1]["id"]
    return (
        _append(doc, {"id": first, "type": "email", "text": dict.fromkeys(doc["languages"], "Mail")}) + ".id"
    )


def unknown_field(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    path, spec = draw(st.sampled_from(_questions(doc)))
    spec["colour"] = "red"
    return f"{path}.colour"


def wrong_fixed_scale(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    qtype, scale = draw(
        st.sampled_from(
            [("nps", {"min": 1, "max": 10}), ("csat", {"min": 1, "max": 7}), ("ces", {"min": 0, "max": 7})]
        )
    )
    spec = {"id": "zz_scale", "type": qtype, "text": dict.fromkeys(doc["languages"], "S"), "scale": scale}
    return _append(doc, spec) + ".scale"


def missing_translation(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    doc["title"] = {doc["languages"][0]: "T"} if len(doc["languages"]) > 1 else {"xx": "T"}
    return "title"


def reference_unknown_question(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    path, spec = draw(
        st.sampled_from([q for q in _questions(doc) if q[1]["type"] != "hidden"] or _questions(doc))
    )
    if spec["type"] == "hidden":
        return duplicate_question_id(doc, draw)
    spec["display_if"] = {"question": "no_such_question", "op": "answered"}
    return f"{path}.display_if.question"


def reference_forward(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    texts = dict.fromkeys(doc["languages"], "T")
    doc["pages"][0]["questions"].insert(
        0,
        {
            "id": "zz_first",
            "type": "text",
            "text": texts,
            "display_if": {"question": "zz_last", "op": "answered"},
        },
    )
    _append(doc, {"id": "zz_last", "type": "text", "text": texts})
    return "pages[0].questions[0].display_if.question"


def undeclared_default_language(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    doc["default_language"] = "fr"
    return "default_language"


def branch_backwards(doc: dict[str, Any], draw: Callable[[Any], Any]) -> str:
    index = draw(st.integers(0, len(doc["pages"]) - 1))
    page = doc["pages"][index]
    page["next"] = [{"goto": page["id"]}]
    return f"pages[{index}].next[0].goto"


MUTATIONS = [
    drop_required_field,
    break_question_type,
    duplicate_question_id,
    unknown_field,
    wrong_fixed_scale,
    missing_translation,
    reference_unknown_question,
    reference_forward,
    undeclared_default_language,
    branch_backwards,
]


@st.composite
def mutated_documents(draw: Callable[[Any], Any]) -> tuple[dict[str, Any], str, str]:
    document = copy.deepcopy(draw(valid_documents()))
    mutation = draw(st.sampled_from(MUTATIONS))
    path = mutation(document, draw)
    return document, path, mutation.__name__


@SETTINGS
@given(mutated_documents())
def test_random_invalid_definitions_are_rejected_with_their_path(
    case: tuple[dict[str, Any], str, str],
) -> None:
    document, path, mutation = case
    with pytest.raises(DefinitionError) as raised:
        load_definition(document)
    paths = [e.path for e in raised.value.errors]
    assert any(p == path or p.startswith(path + ".") or p.startswith(path + "[") for p in paths), (
        mutation,
        paths,
    )
    for fmt in ("json", "yaml"):
        with pytest.raises(DefinitionError):
            load_definition(dump_definition(document, fmt), fmt)


def _all_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            paths.extend(_all_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths.extend(_all_paths(item, (*path, index)))
    return paths


@st.composite
def garbled_documents(draw: Callable[[Any], Any]) -> Any:
    document = draw(valid_documents())
    path = draw(st.sampled_from(_all_paths(document)[1:]))
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = draw(JSON_VALUES)
    return document


@SETTINGS
@given(garbled_documents())
def test_any_garbled_definition_is_accepted_or_rejected_but_never_crashes(document: Any) -> None:
    try:
        definition = load_definition(document)
    except DefinitionError as error:
        assert error.errors and all(e.code and e.message for e in error.errors)
    else:
        assert definition.to_dict() == document


@st.composite
def documents_with_answers(draw: Callable[[Any], Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    document = draw(valid_documents())
    ids = [spec["id"] for page in document["pages"] for spec in page["questions"]]
    answers = draw(st.dictionaries(st.sampled_from([*ids, "unknown"]), JSON_VALUES, max_size=len(ids) + 1))
    return document, answers


@SETTINGS
@given(documents_with_answers())
def test_any_answers_are_validated_without_crashing(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    document, answers = case
    context = ResponseContext(seed="s", hidden={"x": "1"})
    result = validate_answers(load_definition(document), answers, context)
    assert result.ok is (not result.errors)
    assert bool(result.rows) is (result.ok and bool(result.values))
    assert set(result.values) <= {spec["id"] for page in document["pages"] for spec in page["questions"]}
