"""Definition validation: the JSON Schema and the structural semantic rules (ids, languages,
translations, scales, ranges), one row per case with its exact path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from openxm.surveys.definition import (
    DefinitionError,
    definition_schema,
    load_definition,
    validate_definition,
    vocab,
)

DATA = Path(__file__).with_name("data")
DELETE = object()


def base() -> dict[str, Any]:
    """The small valid survey in ``data/base.yaml``."""
    return yaml.safe_load((DATA / "base.yaml").read_text(encoding="utf-8"))


def patched(*ops: tuple[str, Any]) -> dict[str, Any]:
    """``base()`` with each ``(dotted.path, value)`` set (``DELETE`` removes the key)."""
    doc = base()
    for path, value in ops:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = doc
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    return doc


Q1 = "pages.0.questions.1"
COLOR = "pages.0.questions.2"
GRID = "pages.1.questions.0"
WHY = "pages.1.questions.1"
SAT = "pages.2.questions.0"


def leaf(**kw: Any) -> dict[str, Any]:
    return kw


INVALID: list[tuple[str, list[tuple[str, Any]], str, str]] = [
    # -- JSON Schema -------------------------------------------------------------------------------
    ("missing title", [("title", DELETE)], "title", "schema.required"),
    ("wrong schema version", [("schema_version", 2)], "schema_version", "schema.const"),
    ("unknown top-level field", [("colour", "red")], "colour", "schema.unknown_field"),
    ("no pages", [("pages", [])], "pages", "schema.empty"),
    ("page without id", [("pages.0.id", DELETE)], "pages[0].id", "schema.required"),
    ("unknown question type", [(f"{Q1}.type", "slider")], "pages[0].questions[1].type", "schema.enum"),
    ("bad question id", [(f"{Q1}.id", "1abc")], "pages[0].questions[1].id", "schema.pattern"),
    ("options on an nps", [(f"{Q1}.options", [])], "pages[0].questions[1].options", "schema.not_for_type"),
    (
        "text on a hidden field",
        [("pages.0.questions.0.text", "x")],
        "pages[0].questions[0].text",
        "schema.not_for_type",
    ),
    (
        "typo in a question field",
        [(f"{Q1}.requird", True)],
        "pages[0].questions[1].requird",
        "schema.unknown_field",
    ),
    (
        "one option only",
        [(f"{COLOR}.options", [{"id": "a", "text": "A"}])],
        "pages[0].questions[2].options",
        "schema.min_items",
    ),
    ("empty text", [(f"{Q1}.text", "")], "pages[0].questions[1].text", "schema.empty"),
    (
        "bad language key",
        [(f"{Q1}.text", {"english!": "x"})],
        'pages[0].questions[1].text["english!"]',
        "schema.pattern",
    ),
    (
        "required is not a boolean",
        [(f"{Q1}.required", "yes")],
        "pages[0].questions[1].required",
        "schema.type",
    ),
    (
        "likert without labels",
        [(f"{SAT}", {"id": "lk", "type": "likert", "text": "L", "scale": {"min": 1, "max": 3}})],
        "pages[2].questions[0].scale.labels",
        "schema.required",
    ),
    (
        "unknown operator",
        [(f"{WHY}.display_if", leaf(question="q1", op="greater", value=1))],
        "pages[1].questions[1].display_if.op",
        "schema.enum",
    ),
    (
        "group with a leaf key",
        [(f"{WHY}.display_if", {"all": [leaf(question="q1", op="answered")], "op": "eq"})],
        "pages[1].questions[1].display_if.op",
        "schema.unknown_field",
    ),
    (
        "empty group",
        [(f"{WHY}.display_if", {"any": []})],
        "pages[1].questions[1].display_if.any",
        "schema.empty",
    ),
    ("quota end without ending", [("quotas.0.ending", DELETE)], "quotas[0].ending", "schema.required"),
    (
        "quota stop with an ending",
        [("quotas.0.action", "stop"), ("quotas.0.message", "Full")],
        "quotas[0].ending",
        "schema.not_allowed",
    ),
    (
        "redirect is not http",
        [("endings.0.redirect_url", "ftp://x.org")],
        "endings[0].redirect_url",
        "schema.pattern",
    ),
    (
        "unknown cx dimension",
        [(f"{Q1}.cx_dimension", "speed")],
        "pages[0].questions[1].cx_dimension",
        "schema.enum",
    ),
    (
        "bad touchpoint",
        [(f"{Q1}.touchpoint", "Store Visit")],
        "pages[0].questions[1].touchpoint",
        "schema.pattern",
    ),
    (
        "kano without dysfunctional",
        [(SAT, {"id": "k", "type": "kano", "text": "K", "functional": "F"})],
        "pages[2].questions[0].dysfunctional",
        "schema.required",
    ),
    (
        "servqual unknown dimension",
        [
            (
                SAT,
                {
                    "id": "s",
                    "type": "servqual",
                    "text": "S",
                    "dimension": "price",
                    "expectation": "E",
                    "perception": "P",
                },
            )
        ],
        "pages[2].questions[0].dimension",
        "schema.enum",
    ),
    ("negative quota limit", [("quotas.0.cells.0.limit", -1)], "quotas[0].cells[0].limit", "schema.minimum"),
    ("zero max length", [(f"{WHY}.max_length", 0)], "pages[1].questions[1].max_length", "schema.minimum"),
    # -- scales ------------------------------------------------------------------------------------
    ("nps on 1-10", [(f"{SAT}.scale", {"min": 1, "max": 10})], "pages[2].questions[0].scale", "scale.fixed"),
    (
        "csat on 0-5",
        [(SAT, {"id": "c", "type": "csat", "text": "C", "scale": {"min": 0, "max": 5}})],
        "pages[2].questions[0].scale",
        "scale.fixed",
    ),
    (
        "ces on 1-5",
        [(SAT, {"id": "c", "type": "ces", "text": "C", "scale": {"min": 1, "max": 5}})],
        "pages[2].questions[0].scale",
        "scale.fixed",
    ),
    (
        "servqual on 1-5",
        [
            (
                SAT,
                {
                    "id": "s",
                    "type": "servqual",
                    "text": "S",
                    "dimension": "empathy",
                    "expectation": "E",
                    "perception": "P",
                    "scale": {"min": 1, "max": 5},
                },
            )
        ],
        "pages[2].questions[0].scale",
        "scale.fixed",
    ),
    (
        "rating min equals max",
        [(SAT, {"id": "r", "type": "rating", "text": "R", "scale": {"min": 5, "max": 5}})],
        "pages[2].questions[0].scale",
        "scale.order",
    ),
    (
        "20 stars",
        [(SAT, {"id": "r", "type": "rating", "text": "R", "scale": {"min": 1, "max": 20}})],
        "pages[2].questions[0].scale.max",
        "scale.span",
    ),
    (
        "stars from 2",
        [(SAT, {"id": "r", "type": "rating", "text": "R", "scale": {"min": 2, "max": 5}})],
        "pages[2].questions[0].scale.min",
        "scale.star_min",
    ),
    (
        "likert label count",
        [
            (
                SAT,
                {
                    "id": "l",
                    "type": "likert",
                    "text": "L",
                    "scale": {"min": 1, "max": 5, "labels": ["a", "b", "c", "d"]},
                },
            )
        ],
        "pages[2].questions[0].scale.labels",
        "scale.labels_count",
    ),
    (
        "matrix label count",
        [(f"{GRID}.scale.labels", ["a", "b"])],
        "pages[1].questions[0].scale.labels",
        "scale.labels_count",
    ),
    (
        "kano importance 1-7",
        [
            (
                SAT,
                {
                    "id": "k",
                    "type": "kano",
                    "text": "K",
                    "functional": "F",
                    "dysfunctional": "D",
                    "importance": {"min": 1, "max": 7, "text": "I"},
                },
            )
        ],
        "pages[2].questions[0].importance",
        "kano.importance",
    ),
    # -- ids -------------------------------------------------------------------------------------
    ("question id reused", [(f"{SAT}.id", "q1")], "pages[2].questions[0].id", "id.duplicate"),
    ("page id reused", [("pages.2.id", "p0")], "pages[2].id", "id.duplicate"),
    (
        "option id reused",
        [(f"{COLOR}.options.1.id", "red")],
        "pages[0].questions[2].options[1].id",
        "id.duplicate",
    ),
    (
        "option named other",
        [(f"{COLOR}.options.1.id", "other")],
        "pages[0].questions[2].other",
        "id.duplicate",
    ),
    ("matrix row reused", [(f"{GRID}.rows.1.id", "r1")], "pages[1].questions[0].rows[1].id", "id.duplicate"),
    ("ending id reused", [("endings.1.id", "thanks")], "endings[1].id", "id.duplicate"),
    (
        "cell id reused",
        [("quotas.0.cells", [{"id": "c1", "if": leaf(hidden="store", op="answered"), "limit": 1}] * 2)],
        "quotas[0].cells[1].id",
        "id.duplicate",
    ),
    # -- languages and translations --------------------------------------------------------------
    ("default not declared", [("default_language", "fr")], "default_language", "language.default_missing"),
    ("non-canonical language", [("languages", ["en", "zh-CN"])], "languages[1]", "language.not_canonical"),
    ("language twice", [("languages", ["en", "EN"])], "languages[1]", "language.duplicate"),
    ("plain text in a bilingual survey", [("languages", ["en", "zh-Hans"])], "title", "text.plain"),
    (
        "missing translation",
        [("languages", ["en", "zh-Hans"]), ("title", {"en": "T"})],
        "title",
        "text.untranslated",
    ),
    ("undeclared translation", [("title", {"en": "T", "fr": "T"})], "title.fr", "text.unknown_language"),
    (
        "kano labels for a third language",
        [
            ("languages", ["ja"]),
            ("default_language", "ja"),
            (SAT, {"id": "k", "type": "kano", "text": "K", "functional": "F", "dysfunctional": "D"}),
        ],
        "pages[2].questions[0].labels",
        "labels.missing",
    ),
    # -- ranges ----------------------------------------------------------------------------------
    (
        "number min above max",
        [(SAT, {"id": "n", "type": "number", "text": "N", "min": 5, "max": 1})],
        "pages[2].questions[0].max",
        "range.order",
    ),
    (
        "impossible date",
        [(SAT, {"id": "d", "type": "date", "text": "D", "min": "2024-02-30"})],
        "pages[2].questions[0].min",
        "date.invalid",
    ),
    (
        "text min above max",
        [(f"{WHY}.min_length", 9), (f"{WHY}.max_length", 3)],
        "pages[1].questions[1].max_length",
        "range.order",
    ),
    (
        "more selections than options",
        [
            (
                SAT,
                {
                    "id": "m",
                    "type": "multiple_choice",
                    "text": "M",
                    "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                    "max_selections": 3,
                },
            )
        ],
        "pages[2].questions[0].max_selections",
        "choice.selections",
    ),
]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = definition_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", ["base", "all_types.yaml"])
def test_valid_definitions_have_no_issues(path: str) -> None:
    document = base() if path == "base" else load_definition((DATA / path).read_text()).to_dict()
    assert validate_definition(document) == []


@pytest.mark.parametrize(
    ("ops", "path", "code"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID]
)
def test_invalid_definition_is_reported_at_its_path(ops: list[tuple[str, Any]], path: str, code: str) -> None:
    issues = validate_definition(patched(*ops))
    assert (path, code) in [(i.path, i.code) for i in issues], [str(i) for i in issues]
    with pytest.raises(DefinitionError) as raised:
        load_definition(patched(*ops))
    assert any(e.path == path and e.code == code for e in raised.value.errors)


def test_error_text_names_path_and_problem_in_both_languages() -> None:
    issues = validate_definition(patched((f"{SAT}.scale", {"min": 1, "max": 10})))
    assert [str(i) for i in issues] == ["pages[2].questions[0].scale: must be 0-10 for nps"]
    assert issues[0].render("zh-Hans") == "pages[2].questions[0].scale: nps 的量表必须为 0-10"
    assert issues[0].params == {"min": 0, "max": 10, "type": "nps"}


def test_messages_are_rendered_in_the_requested_language() -> None:
    issues = validate_definition(patched(("title", DELETE)), language="zh-CN")
    assert [str(i) for i in issues] == ["title: 为必填项"]


def test_issues_are_sorted_in_document_order() -> None:
    doc = patched(
        (f"{SAT}.scale", {"min": 1, "max": 10}),
        (f"{Q1}.scale", {"min": 1, "max": 10}),
        ("pages.1.questions.0.scale.labels", ["a"] * 2),
    )
    paths = [i.path for i in validate_definition(doc)]
    assert paths == [
        "pages[0].questions[1].scale",
        "pages[1].questions[0].scale.labels",
        "pages[2].questions[0].scale",
    ]


def test_semantic_checks_wait_for_a_schema_valid_document() -> None:
    doc = patched(("title", DELETE), (f"{SAT}.id", "q1"))
    assert [i.code for i in validate_definition(doc)] == ["schema.required"]


def test_every_problem_is_reported_at_once() -> None:
    doc = patched((f"{SAT}.id", "q1"), ("default_language", "fr"), (f"{WHY}.text", "{{ghost}}"))
    codes = {i.code for i in validate_definition(doc)}
    assert {"id.duplicate", "language.default_missing", "piping.unknown_question"} <= codes


def test_schema_enums_match_the_vocabulary() -> None:
    defs = definition_schema()["$defs"]
    assert defs["question"]["properties"]["type"]["enum"] == list(vocab.QUESTION_TYPES)
    assert defs["leaf"]["properties"]["op"]["enum"] == list(vocab.OPERATORS)
    assert defs["q_nps"]["properties"]["cx_dimension"]["enum"] == list(vocab.CX_DIMENSIONS)
    assert defs["q_servqual"]["properties"]["dimension"]["enum"] == list(vocab.SERVQUAL_DIMENSIONS)
    assert defs["q_kano"]["properties"]["labels"]["required"] == list(vocab.KANO_ANSWERS)
    assert definition_schema()["properties"]["audience"]["enum"] == list(vocab.AUDIENCES)
    assert definition_schema()["properties"]["schema_version"]["const"] == vocab.SCHEMA_VERSION
    assert {name.removeprefix("q_") for name in defs if name.startswith("q_")} == set(vocab.QUESTION_TYPES)
