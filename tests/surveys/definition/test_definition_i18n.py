"""Languages (canonical tags, choosing a language, picking a text) and the message catalog."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import openxm.surveys.definition as package
from openxm.surveys.definition import canonical_language, pick_language, render_issues
from openxm.surveys.definition.errors import Issue
from openxm.surveys.definition.i18n import localize
from openxm.surveys.definition.messages import CATALOG, MESSAGE_LANGUAGES, message_language, render_message


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh_cn", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("zh-hans", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("zh-Hant-CN", "zh-Hant"),
        ("EN-us", "en-US"),
        ("en", "en"),
        ("sr-latn-rs", "sr-Latn-RS"),
        (" ja ", "ja"),
    ],
)
def test_canonical_language(tag: str, canonical: str) -> None:
    assert canonical_language(tag) == canonical


@pytest.mark.parametrize(
    ("languages", "respondent", "contact", "expected"),
    [
        (["en", "zh-Hans"], None, None, "en"),
        (["en", "zh-Hans"], "zh-CN", None, "zh-Hans"),
        (["en", "zh-Hans"], "zh", "en", "zh-Hans"),
        (["en", "zh-Hans"], None, "zh_CN", "zh-Hans"),
        (["en", "zh-Hans"], "fr", "zh-SG", "zh-Hans"),
        (["en", "zh-Hans"], "en-GB", "zh", "en"),
        (["en", "zh-Hans"], "zh-TW", None, "en"),  # Traditional never silently becomes Simplified
        (["en-US", "ja"], "en", None, "en-US"),
        (["en", "ja"], "JA-jp", None, "ja"),
        (["en", "zh-Hans"], "", "", "en"),
    ],
)
def test_pick_language(
    languages: list[str], respondent: str | None, contact: str | None, expected: str
) -> None:
    assert pick_language(languages, languages[0], respondent=respondent, contact=contact) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Plain", "zh-Hans", "Plain"),
        ({"en": "Hi", "zh-Hans": "你好"}, "zh-Hans", "你好"),
        ({"en": "Hi", "zh-Hans": "你好"}, "ja", "Hi"),
        ({"ja": "やあ"}, "fr", "やあ"),
        (None, "en", ""),
    ],
)
def test_localize(text: object, language: str, expected: str) -> None:
    assert localize(text, language, "en") == expected


@pytest.mark.parametrize(
    ("language", "catalog"),
    [
        ("en", "en"),
        ("zh-Hans", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh_CN", "zh-Hans"),
        ("zh-TW", "en"),
        ("fr", "en"),
        (None, "en"),
    ],
)
def test_message_language(language: str | None, catalog: str) -> None:
    assert message_language(language) == catalog


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_catalog_entry_has_both_languages_with_the_same_placeholders(code: str) -> None:
    entry = CATALOG[code]
    assert set(entry) == set(MESSAGE_LANGUAGES)
    assert _fields(entry["en"]) == _fields(entry["zh-Hans"])
    assert all(entry[lang].strip() for lang in MESSAGE_LANGUAGES)


def _codes_in_source() -> set[str]:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in Path(package.__file__).parent.glob("*.py")
        if p.name != "messages.py"
    )
    literal = set(
        re.findall(
            r'"((?:format|schema|id|language|text|scale|kano|range|choice|date|labels|logic|'
            r'piping|branch|ending|random|answer|rule)\.[a-z_]+)"',
            source,
        )
    )
    for suffix in re.findall(r'f"\{prefix\}\.([a-z_]+)"', source):
        literal |= {f"logic.{suffix}", f"piping.{suffix}"}
    if 'f"schema.{keyword}"' in source:
        literal |= {"schema.minimum", "schema.maximum"}
    return literal - {"schema.json"}  # the schema's file name, not a code


def test_every_code_used_is_in_the_catalog_and_every_entry_is_used() -> None:
    used = _codes_in_source()
    assert used - set(CATALOG) == set()
    assert set(CATALOG) - used == set()


def test_render_fills_params_per_language() -> None:
    assert render_message("schema.enum", {"allowed": ["a", "b"]}, "en") == "must be one of: a, b"
    assert render_message("schema.enum", {"allowed": ["a", "b"]}, "zh-Hans") == "必须是以下之一：a、b"
    assert (
        render_message("schema.type", {"expected": ["string", "object"]}, "en")
        == "must be a string or an object"
    )
    assert render_message("schema.pattern", {"value": "1x", "kind": "id"}, "zh-Hans").startswith(
        "“1x”不是有效的标识符"
    )


def test_unknown_code_or_missing_param_stays_visible() -> None:
    assert render_message("no.such_code", {"x": 1}) == "no.such_code {'x': 1}"
    assert render_message("scale.fixed", {"min": 0}) == "must be 0-{max} for {type}"


def test_render_issues_switches_language() -> None:
    issue = Issue("pages[0].id", "schema.required", "is required")
    assert render_issues([issue], "zh-Hans") == ["pages[0].id: 为必填项"]
    assert render_issues([Issue("", "format.not_object", "x")], "en") == [
        "a survey definition must be an object (a mapping of fields)"
    ]
