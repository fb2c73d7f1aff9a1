"""Validation against the published JSON Schema (``schema.json``, draft 2020-12).

Included: loading the schema shipped in the package (``definition_schema``) and turning every
``jsonschema`` error into an ``Issue`` with a precise path and a catalog code: a missing field is
reported at the field's own path (``pages[0].id: is required``), an unknown field at the unknown
key, a field of another question type as ``schema.not_for_type``.
Excluded: rules the schema cannot express (``validate.py``, ``validate_logic.py``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import Issue, format_path, make_issue


@functools.cache
def _schema_text() -> str:
    return resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")


def definition_schema() -> dict[str, Any]:
    """A fresh copy of the JSON Schema of the survey definition format."""
    return json.loads(_schema_text())


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(definition_schema())


@functools.cache
def _question_keys() -> frozenset[str]:
    defs = definition_schema()["$defs"]
    return frozenset(k for name, d in defs.items() if name.startswith("q_") for k in d["properties"])


def _issues_for(error: ValidationError, language: str | None) -> Iterator[Issue]:
    base = list(error.absolute_path)
    path = format_path(base)
    keyword = error.validator
    value = error.validator_value
    instance = error.instance

    def at(*extra: str | int) -> str:
        return format_path([*base, *extra])

    if keyword == "required":
        for key in value:
            if isinstance(instance, Mapping) and key not in instance:
                yield make_issue(at(key), "schema.required", language)
    elif keyword == "additionalProperties" and isinstance(instance, Mapping):
        known = error.schema.get("properties", {})
        for key in instance:
            if key in known:
                continue
            if error.schema.get("x-kind") == "question" and key in _question_keys():
                yield make_issue(at(key), "schema.not_for_type", language, type=instance.get("type"))
            else:
                yield make_issue(at(key), "schema.unknown_field", language)
    elif keyword == "not" and isinstance(value, Mapping) and len(value.get("required", [])) == 1:
        yield make_issue(at(value["required"][0]), "schema.not_allowed", language)
    elif keyword == "type":
        yield make_issue(path, "schema.type", language, expected=value)
    elif keyword == "enum":
        yield make_issue(path, "schema.enum", language, allowed=list(value))
    elif keyword == "const":
        yield make_issue(path, "schema.const", language, expected=json.dumps(value))
    elif keyword in ("minimum", "maximum"):
        yield make_issue(path, f"schema.{keyword}", language, limit=value)
    elif keyword in ("minLength", "minItems", "minProperties") and value <= 1:
        yield make_issue(path, "schema.empty", language)
    elif keyword == "minItems":
        yield make_issue(path, "schema.min_items", language, limit=value)
    elif keyword == "maxItems":
        yield make_issue(path, "schema.max_items", language, limit=value)
    elif keyword == "maxLength":
        yield make_issue(path, "schema.max_length", language, limit=value)
    elif keyword == "uniqueItems":
        yield make_issue(path, "schema.unique", language)
    elif keyword == "pattern":
        kind = error.schema.get("title", "value")
        if "propertyNames" in error.relative_schema_path:
            yield make_issue(at(str(instance)), "schema.pattern", language, value=instance, kind=kind)
        else:
            yield make_issue(path, "schema.pattern", language, value=instance, kind=kind)
    else:
        yield make_issue(path, "schema.invalid", language, detail=error.message)


def schema_issues(document: Any, language: str | None = "en") -> list[Issue]:
    """Every schema violation of ``document`` as issues (unsorted, possibly repeated)."""
    issues: list[Issue] = []
    for error in _validator().iter_errors(document):
        issues.extend(_issues_for(error, language))
    return issues
