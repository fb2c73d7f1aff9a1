"""Validating a definition: the JSON Schema, then the semantic rules the schema cannot express.

Included here: ``validate_definition`` (schema + every semantic check, issues sorted by path) and
the structural semantic checks: unique ids (pages, questions across the survey, options, rows,
endings, quotas, cells), canonical and consistent languages, complete translations of every
text, scale ranges per question type, min/max pairs, real dates, and labels for languages that
have no built-in KANO / SERVQUAL labels.
Excluded: logic, piping, branching, randomisation and quota references (``validate_logic.py``).
Semantic checks run only on a document that passes the schema, since they rely on its shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .errors import Collector, Issue, Path, format_path, sort_issues
from .i18n import canonical_language
from .model import OTHER, build_index, iter_questions, iter_texts
from .schema_check import schema_issues
from .validate_logic import logic_issues
from .vocab import BUILTIN_LABEL_LANGUAGES, FIXED_SCALES, KANO_IMPORTANCE_MAX

#: Largest number of points on a scale, by type (star ratings count their stars).
_MAX_POINTS = {"rating": 101, "likert": 11, "matrix": 11}
_MAX_STARS = 10


def validate_definition(document: Any, language: str | None = "en") -> list[Issue]:
    """Every problem of a definition document (a dict), sorted by path; empty when it is valid.

    Messages are rendered in ``language`` (en or zh-Hans). Semantic checks are skipped while the
    document violates the JSON Schema.
    """
    issues = schema_issues(document, language)
    if not issues:
        out = Collector(language)
        _check_ids(document, out)
        _check_languages(document, out)
        _check_texts(document, out)
        for path, spec in iter_questions(document):
            _check_question(path, spec, document, out)
        issues = out.issues + logic_issues(document, build_index(document), language)
    return sort_issues(issues)


# -- ids -------------------------------------------------------------------------------------------


def _unique(items: list[tuple[Path, str]], out: Collector) -> None:
    first: dict[str, Path] = {}
    for path, value in items:
        if value in first:
            out.add(path, "id.duplicate", id=value, first=format_path(first[value]))
        else:
            first[value] = path


def _check_ids(document: Mapping[str, Any], out: Collector) -> None:
    pages = document["pages"]
    _unique([(("pages", p, "id"), page["id"]) for p, page in enumerate(pages)], out)
    _unique([((*path, "id"), spec["id"]) for path, spec in iter_questions(document)], out)
    for path, spec in iter_questions(document):
        options = [((*path, "options", i, "id"), o["id"]) for i, o in enumerate(spec.get("options", []))]
        if spec.get("other"):
            options.append(((*path, "other"), OTHER))
        _unique(options, out)
        _unique([((*path, "rows", i, "id"), r["id"]) for i, r in enumerate(spec.get("rows", []))], out)
    _unique([(("endings", i, "id"), e["id"]) for i, e in enumerate(document.get("endings", []))], out)
    quotas = document.get("quotas", [])
    _unique([(("quotas", i, "id"), q["id"]) for i, q in enumerate(quotas)], out)
    for i, quota in enumerate(quotas):
        _unique([(("quotas", i, "cells", c, "id"), cell["id"]) for c, cell in enumerate(quota["cells"])], out)


# -- languages and texts ---------------------------------------------------------------------------


def _check_languages(document: Mapping[str, Any], out: Collector) -> None:
    languages = document["languages"]
    seen: set[str] = set()
    for i, tag in enumerate(languages):
        canonical = canonical_language(tag)
        if canonical != tag:
            out.add(("languages", i), "language.not_canonical", canonical=canonical, language=tag)
        if canonical in seen:
            out.add(("languages", i), "language.duplicate", language=tag)
        seen.add(canonical)
    default = document["default_language"]
    if default not in languages:
        out.add(("default_language",), "language.default_missing", languages=list(languages))


def _check_texts(document: Mapping[str, Any], out: Collector) -> None:
    languages = list(document["languages"])
    declared = set(languages)
    for path, text in iter_texts(document):
        if isinstance(text, str):
            if len(languages) > 1:
                out.add(path, "text.plain", languages=languages)
            continue
        for lang in text:
            if lang not in declared:
                out.add((*path, lang), "text.unknown_language", language=lang)
        missing = [lang for lang in languages if lang not in text]
        if missing:
            out.add(path, "text.untranslated", missing=missing)


# -- questions -------------------------------------------------------------------------------------


def _real_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_scale(path: Path, spec: Mapping[str, Any], out: Collector) -> None:
    qtype = spec["type"]
    scale = spec.get("scale")
    if scale is None:
        return
    low, high = scale["min"], scale["max"]
    if qtype in FIXED_SCALES:
        if (low, high) != FIXED_SCALES[qtype]:
            fixed_min, fixed_max = FIXED_SCALES[qtype]
            out.add((*path, "scale"), "scale.fixed", min=fixed_min, max=fixed_max, type=qtype)
            return
    elif low >= high:
        out.add((*path, "scale"), "scale.order")
        return
    if qtype == "rating" and spec.get("style", "star") == "star":
        if low not in (0, 1):
            out.add((*path, "scale", "min"), "scale.star_min")
        if high > _MAX_STARS:
            out.add((*path, "scale", "max"), "scale.span", type="star rating", limit=_MAX_STARS)
    elif high - low + 1 > _MAX_POINTS.get(qtype, 101):
        out.add((*path, "scale"), "scale.span", type=qtype, limit=_MAX_POINTS[qtype])
    labels = scale.get("labels")
    if labels is not None and len(labels) != high - low + 1:
        out.add((*path, "scale", "labels"), "scale.labels_count",
                expected=high - low + 1, min=low, max=high, actual=len(labels))


def _check_pair(path: Path, spec: Mapping[str, Any], low_key: str, high_key: str, out: Collector) -> None:
    if low_key in spec and high_key in spec and spec[low_key] > spec[high_key]:
        out.add((*path, high_key), "range.order")


def _check_question(path: Path, spec: Mapping[str, Any], document: Mapping[str, Any], out: Collector) -> None:
    qtype = spec["type"]
    _check_scale(path, spec, out)
    if qtype == "number":
        _check_pair(path, spec, "min", "max", out)
    elif qtype == "text":
        _check_pair(path, spec, "min_length", "max_length", out)
    elif qtype == "date":
        valid = True
        for key in ("min", "max"):
            if key in spec and _real_date(spec[key]) is None:
                out.add((*path, key), "date.invalid", value=spec[key])
                valid = False
        if valid:
            _check_pair(path, spec, "min", "max", out)
    elif qtype == "multiple_choice":
        count = len(spec["options"]) + (1 if spec.get("other") else 0)
        _check_pair(path, spec, "min_selections", "max_selections", out)
        for key in ("min_selections", "max_selections"):
            if spec.get(key, 0) > count:
                out.add((*path, key), "choice.selections", count=count)
    elif qtype == "kano" and "importance" in spec:
        importance = spec["importance"]
        if importance["min"] != 1 or importance["max"] not in KANO_IMPORTANCE_MAX:
            out.add((*path, "importance"), "kano.importance")
    if qtype in ("kano", "servqual_importance") and "labels" not in spec:
        for lang in document["languages"]:
            if lang not in BUILTIN_LABEL_LANGUAGES:
                out.add((*path, "labels"), "labels.missing", language=lang)
