"""Reading and writing definitions as JSON and YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openxm.surveys.definition import DefinitionError, SurveyDefinition, dump_definition, load_definition

ALL_TYPES = (Path(__file__).with_name("data") / "all_types.yaml").read_text(encoding="utf-8")

MINIMAL_YAML = """
schema_version: 1
title: Hi
languages: [en]
default_language: en
pages:
  - id: p1
    questions:
      - id: q1
        type: single_choice
        text: Pick
        options:
          - {id: yes, text: "Yes"}
          - {id: no, text: "No"}
          - {id: on, text: "On"}
      - {id: when, type: date, text: When, min: 2024-01-01}
"""


def load_error(source: object, fmt: str = "auto") -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as raised:
        load_definition(source, fmt)  # type: ignore[arg-type]
    return [(e.path, e.code) for e in raised.value.errors]


def test_yaml_keeps_yes_no_on_and_dates_as_text() -> None:
    spec = load_definition(MINIMAL_YAML).question("q1").spec
    assert [o["id"] for o in spec["options"]] == ["yes", "no", "on"]
    assert load_definition(MINIMAL_YAML).question("when").spec["min"] == "2024-01-01"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_dump_then_load_gives_an_equal_definition(fmt: str) -> None:
    definition = load_definition(ALL_TYPES, "yaml")
    text = dump_definition(definition, fmt)
    again = load_definition(text, fmt)
    assert again == definition
    assert again.to_dict() == definition.to_dict()


def test_auto_detects_json_and_accepts_bytes_with_bom() -> None:
    document = load_definition(ALL_TYPES).to_dict()
    as_json = json.dumps(document, ensure_ascii=False)
    assert load_definition(as_json).to_dict() == document
    assert load_definition(("\ufeff" + as_json).encode("utf-8")).to_dict() == document


def test_json_dump_keeps_chinese_readable_and_key_order() -> None:
    text = dump_definition(load_definition(ALL_TYPES))
    assert "所有题型" in text
    assert list(json.loads(text)) == [
        "schema_version",
        "key",
        "version",
        "title",
        "languages",
        "default_language",
        "pages",
        "endings",
    ]


def test_loading_a_mapping_never_modifies_it() -> None:
    document = load_definition(ALL_TYPES).to_dict()
    snapshot = json.dumps(document, sort_keys=True)
    definition = load_definition(document)
    document["title"]["en"] = "changed"
    assert definition.title["en"] == "All types"
    assert json.loads(snapshot)["title"]["en"] == "All types"


def test_definition_exposes_its_parts() -> None:
    definition = load_definition(ALL_TYPES)
    assert isinstance(definition, SurveyDefinition)
    assert (definition.key, definition.version, definition.languages) == ("all-types", 2, ("en", "zh-Hans"))
    assert [p.id for p in definition.pages] == ["p1", "p2", "p3", "p4"]
    assert definition.question("grid").page_id == "p2"
    assert definition.question("nps").position == 1
    assert definition.default_ending == "done"


@pytest.mark.parametrize(
    ("source", "fmt", "expected"),
    [
        ('{"title": 1,}', "auto", ("", "format.json")),
        ('{"a": 1, "a": 2}', "json", ("", "format.duplicate_key")),
        ('{"a": NaN}', "json", ("", "format.json")),
        ("title: a\ntitle: b\n", "yaml", ("", "format.duplicate_key")),
        ("title: [unclosed\n", "yaml", ("", "format.yaml")),
        ("- a\n- b\n", "yaml", ("", "format.not_object")),
        ("title: !!set {a, b}\n", "yaml", ("title", "format.value")),
        ("title: .nan\n", "yaml", ("title", "format.value")),
        ("title: !!timestamp 2024-01-01\n", "yaml", ("title", "format.value")),
        ("1: x\n", "yaml", ("", "format.key")),
        ("title: x\n", "xml", ("", "format.unknown")),
    ],
)
def test_unreadable_documents_are_rejected_with_a_code(
    source: str, fmt: str, expected: tuple[str, str]
) -> None:
    assert expected in load_error(source, fmt)


def test_json_syntax_error_names_line_and_column() -> None:
    with pytest.raises(DefinitionError) as raised:
        load_definition('{\n  "title": 1,\n}')
    issue = raised.value.errors[0]
    assert (issue.params["line"], issue.params["column"]) == (3, 1)
    assert "line 3, column 1" in str(issue)


def test_definition_error_message_lists_the_issues() -> None:
    with pytest.raises(DefinitionError) as raised:
        load_definition({"schema_version": 1})
    assert str(raised.value).startswith("invalid survey definition: default_language: is required; ")
    assert {e.path for e in raised.value.errors} == {"default_language", "languages", "pages", "title"}


def test_dump_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        dump_definition(load_definition(ALL_TYPES), "toml")
