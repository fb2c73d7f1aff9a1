"""Definition validation of references: logic, piping, branching, endings and randomisation,
one row per case with its exact path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from openxm.surveys.definition import DefinitionError, load_definition, validate_definition

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
    # -- logic -----------------------------------------------------------------------------------
    (
        "unknown question",
        [(f"{WHY}.display_if", leaf(question="nope", op="answered"))],
        "pages[1].questions[1].display_if.question",
        "logic.unknown_question",
    ),
    (
        "reads a later page",
        [(f"{COLOR}.display_if", leaf(question="why", op="answered"))],
        "pages[0].questions[2].display_if.question",
        "logic.forward_reference",
    ),
    (
        "reads a later question on its page",
        [(f"{GRID}.display_if", leaf(question="why", op="answered"))],
        "pages[1].questions[0].display_if.question",
        "logic.forward_reference",
    ),
    (
        "reads itself",
        [(f"{WHY}.display_if", leaf(question="why", op="answered"))],
        "pages[1].questions[1].display_if.question",
        "logic.forward_reference",
    ),
    (
        "page reads its own question",
        [("pages.1.display_if", leaf(question="grid", op="answered"))],
        "pages[1].display_if.question",
        "logic.forward_reference",
    ),
    (
        "hidden field read as question",
        [(f"{WHY}.display_if", leaf(question="store", op="answered"))],
        "pages[1].questions[1].display_if.question",
        "logic.hidden_as_question",
    ),
    (
        "unknown hidden field",
        [(f"{WHY}.display_if", leaf(hidden="shop", op="answered"))],
        "pages[1].questions[1].display_if.hidden",
        "logic.unknown_hidden",
    ),
    (
        "two sources",
        [(f"{WHY}.display_if", leaf(question="q1", hidden="store", op="answered"))],
        "pages[1].questions[1].display_if",
        "logic.source",
    ),
    (
        "selected on a score",
        [(f"{WHY}.display_if", leaf(question="q1", op="selected", value="a"))],
        "pages[1].questions[1].display_if.op",
        "logic.operator",
    ),
    (
        "unknown option",
        [(f"{WHY}.display_if", leaf(question="color", op="selected", value="green"))],
        "pages[1].questions[1].display_if.value",
        "logic.unknown_option",
    ),
    (
        "unknown option in a list",
        [(f"{WHY}.display_if", leaf(question="color", op="in", value=["red", "pink"]))],
        "pages[1].questions[1].display_if.value[1]",
        "logic.unknown_option",
    ),
    (
        "value off the scale",
        [(f"{WHY}.display_if", leaf(question="q1", op="gte", value=11))],
        "pages[1].questions[1].display_if.value",
        "logic.value_range",
    ),
    (
        "between reversed",
        [(f"{WHY}.display_if", leaf(question="q1", op="between", value=[9, 3]))],
        "pages[1].questions[1].display_if.value",
        "logic.value_between",
    ),
    (
        "in without a list",
        [(f"{WHY}.display_if", leaf(question="q1", op="in", value=3))],
        "pages[1].questions[1].display_if.value",
        "logic.value_list",
    ),
    (
        "answered with a value",
        [(f"{WHY}.display_if", leaf(question="q1", op="answered", value=3))],
        "pages[1].questions[1].display_if.value",
        "logic.value_unexpected",
    ),
    (
        "eq without a value",
        [(f"{WHY}.display_if", leaf(question="q1", op="eq"))],
        "pages[1].questions[1].display_if",
        "logic.value_missing",
    ),
    (
        "text value for a score",
        [(f"{WHY}.display_if", leaf(question="q1", op="eq", value="high"))],
        "pages[1].questions[1].display_if.value",
        "logic.value_type",
    ),
    (
        "matrix without part",
        [(f"{WHY}.display_if", leaf(question="grid", op="gte", value=4))],
        "pages[1].questions[1].display_if",
        "logic.part_required",
    ),
    (
        "matrix unknown row",
        [(f"{WHY}.display_if", leaf(question="grid", part="r9", op="gte", value=4))],
        "pages[1].questions[1].display_if.part",
        "logic.unknown_part",
    ),
    (
        "part on a score",
        [(f"{WHY}.display_if", leaf(question="q1", part="x", op="gte", value=4))],
        "pages[1].questions[1].display_if.part",
        "logic.part_not_allowed",
    ),
    (
        "nested error",
        [
            (
                f"{WHY}.display_if",
                {
                    "all": [
                        leaf(question="q1", op="answered"),
                        {
                            "any": [
                                leaf(contact="tier", op="eq", value="gold"),
                                {"not": leaf(question="ghost", op="answered")},
                            ]
                        },
                    ]
                },
            )
        ],
        "pages[1].questions[1].display_if.all[1].any[1].not.question",
        "logic.unknown_question",
    ),
    (
        "quota reads unknown question",
        [("quotas.0.cells.0.if", leaf(question="ghost", op="answered"))],
        "quotas[0].cells[0].if.question",
        "logic.unknown_question",
    ),
    # -- piping ----------------------------------------------------------------------------------
    (
        "pipes unknown question",
        [(f"{WHY}.text", "About {{ghost}}")],
        "pages[1].questions[1].text",
        "piping.unknown_question",
    ),
    (
        "pipes same page",
        [(f"{WHY}.text", "About {{grid}}")],
        "pages[1].questions[1].text",
        "piping.forward_reference",
    ),
    (
        "pipes a matrix",
        [(f"{SAT}.text", "About {{grid}}")],
        "pages[2].questions[0].text",
        "piping.not_pipeable",
    ),
    ("unclosed placeholder", [(f"{WHY}.text", "About {{q1")], "pages[1].questions[1].text", "piping.syntax"),
    (
        "bad reference",
        [(f"{WHY}.text", "Hi {{user.name}}")],
        "pages[1].questions[1].text",
        "piping.bad_reference",
    ),
    (
        "pipes undeclared hidden",
        [(f"{WHY}.text", "At {{hidden.shop}}")],
        "pages[1].questions[1].text",
        "piping.unknown_hidden",
    ),
    (
        "pipes hidden as question",
        [(f"{WHY}.text", "At {{store}}")],
        "pages[1].questions[1].text",
        "piping.hidden_as_question",
    ),
    ("title pipes an answer", [("title", "About {{q1}}")], "title", "piping.forward_reference"),
    (
        "bilingual pipe error",
        [("languages", ["en", "zh-Hans"]), ("title", {"en": "T", "zh-Hans": "{{q1}}"})],
        'title["zh-Hans"]',
        "piping.forward_reference",
    ),
    # -- branching, endings, randomisation -------------------------------------------------------
    ("goto backwards", [("pages.1.next", [{"goto": "p0"}])], "pages[1].next[0].goto", "branch.backward"),
    (
        "goto unknown page",
        [("pages.1.next", [{"goto": "p9"}])],
        "pages[1].next[0].goto",
        "branch.unknown_page",
    ),
    (
        "goto and end",
        [("pages.1.next", [{"goto": "p2", "end": "thanks"}])],
        "pages[1].next[0]",
        "branch.target",
    ),
    (
        "neither goto nor end",
        [("pages.1.next", [{"if": leaf(question="q1", op="answered")}])],
        "pages[1].next[0]",
        "branch.target",
    ),
    ("end unknown ending", [("pages.1.next", [{"end": "nope"}])], "pages[1].next[0].end", "ending.unknown"),
    (
        "rule after unconditional",
        [("pages.1.next", [{"end": "thanks"}, {"goto": "p2"}])],
        "pages[1].next[1]",
        "branch.unreachable",
    ),
    (
        "next reads a later page",
        [("pages.0.next", [{"if": leaf(question="sat", op="answered"), "end": "bye"}])],
        "pages[0].next[0].if.question",
        "logic.forward_reference",
    ),
    ("unknown default ending", [("default_ending", "nope")], "default_ending", "ending.unknown"),
    ("unknown quota ending", [("quotas.0.ending", "nope")], "quotas[0].ending", "ending.unknown"),
    (
        "random group unknown page",
        [("randomize_pages", [["p1", "p9"]])],
        "randomize_pages[0][1]",
        "random.unknown_page",
    ),
    (
        "random group not consecutive",
        [("randomize_pages", [["p0", "p2"]])],
        "randomize_pages[0]",
        "random.not_consecutive",
    ),
    (
        "page in two groups",
        [("randomize_pages", [["p0", "p1"], ["p1", "p2"]])],
        "randomize_pages[1][0]",
        "random.repeated",
    ),
    (
        "random page with next",
        [("randomize_pages", [["p1", "p2"]]), ("pages.1.next", [{"end": "bye"}])],
        "pages[1].next",
        "random.has_branching",
    ),
    (
        "goto into a random group",
        [("randomize_pages", [["p1", "p2"]]), ("pages.0.next", [{"goto": "p2"}])],
        "pages[0].next[0].goto",
        "branch.into_random_group",
    ),
    (
        "reads a page of its random group",
        [("randomize_pages", [["p1", "p2"]]), (f"{SAT}.display_if", leaf(question="why", op="answered"))],
        "pages[2].questions[0].display_if.question",
        "random.cross_reference",
    ),
    (
        "reads same randomised page",
        [
            ("pages.1.randomize_questions", True),
            (f"{WHY}.display_if", leaf(question="grid", part="r1", op="gte", value=3)),
        ],
        "pages[1].questions[1].display_if.question",
        "random.same_page_reference",
    ),
]


@pytest.mark.parametrize(
    ("ops", "path", "code"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID]
)
def test_invalid_reference_is_reported_at_its_path(ops: list[tuple[str, Any]], path: str, code: str) -> None:
    issues = validate_definition(patched(*ops))
    assert (path, code) in [(i.path, i.code) for i in issues], [str(i) for i in issues]
    with pytest.raises(DefinitionError) as raised:
        load_definition(patched(*ops))
    assert any(e.path == path and e.code == code for e in raised.value.errors)


def test_same_page_condition_on_an_earlier_question_is_allowed() -> None:
    doc = patched((f"{WHY}.display_if", leaf(question="grid", part="r1", op="lte", value=2)))
    assert validate_definition(doc) == []
