"""docs/survey-definition.md stays true: its example loads, and it lists every type, operator and code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openxm.surveys.definition import ResponseContext, load_definition, validate_answers
from openxm.surveys.definition.messages import CATALOG
from openxm.surveys.definition.vocab import OPERATORS, QUESTION_TYPES

DOC = (Path(__file__).resolve().parents[3] / "docs" / "survey-definition.md").read_text(encoding="utf-8")


def full_example() -> str:
    section = DOC.split("## A full example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match
    return match.group(1)


def test_full_example_is_a_valid_definition() -> None:
    definition = load_definition(full_example())
    assert definition.key == "store-visit"
    result = validate_answers(
        definition,
        {"nps": 4, "why": "queue", "callback": True, "phone": "+86 21 6234 5678"},
        ResponseContext(hidden={"store": "SH01"}, language="zh-Hans"),
    )
    assert result.ok, result.errors
    assert (result.route.pages, result.ending_id) == (("p_score", "p_detractor"), "sorry")


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_error_code_is_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_question_type_is_documented(qtype: str) -> None:
    assert f"| `{qtype}` |" in DOC


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator_is_documented(op: str) -> None:
    assert f"`{op}`" in DOC.split("## Conditions", 1)[1].split("## Piping", 1)[0]
