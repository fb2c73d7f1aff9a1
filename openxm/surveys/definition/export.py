"""The survey's rules as plain JSON for a small client-side (vanilla JavaScript) evaluator.

Included: ``export_rules(defn)`` → a JSON-ready dict holding, per page, its ``display_if`` and
``next`` rules and, per question, its type, ``required``, ``display_if``, option / part ids,
scale and answer constraints; the quotas; the piping pattern; and the evaluation semantics
spelled out. Conditions are exported as explicit trees (``{"and": [...]}``, ``{"or": [...]}``,
``{"not": c}``, leaves ``{"op", "source", "ref", "part", "value"}``), so the client needs no
knowledge of the authoring shorthand. The server stays the authority: it re-evaluates everything
with ``flow.py`` on submit.
Excluded: texts (the page renderer sends them, already translated and piped) and the randomised
order of a response (``ordering.randomize``, recorded by the server).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .conditions import export_condition
from .model import SurveyDefinition, option_ids, question_parts, question_scale
from .piping import PIPE_PATTERN
from .vocab import COMPOUND_TYPES, OPERATORS

RULES_FORMAT = "openxm.rules/1"

SEMANTICS = {
    "missing": "absent, null, blank text, [] and {} are missing; every operator is false on a missing value "
               "except not_answered",
    "numbers": "when either side is a number both compare as numbers ('7' equals 7); otherwise as text",
    "order": "gt/gte/lt/lte/between compare numbers, or two YYYY-MM-DD dates; anything else is false",
    "contains": "case-insensitive substring on text, membership on lists",
    "selected": "the chosen option (any chosen option for a list) equals the value or one of the values",
    "in": "the answer (any element of a list answer) equals one of the values; not_in is its negation",
    "part": "reads a matrix row, KANO/SERVQUAL part, allocation dimension, or the 1-based rank of a "
            "ranked option",
    "answers": "{choice, other} counts as choice; {choices, other} counts as choices",
    "next": "rules in order; the first whose if holds (no if: always) goes to its page or ends; else the "
            "following page; pages whose display_if is false are skipped; past the last page: default_ending",
}

_CONSTRAINT_KEYS = ("min", "max", "integer", "min_length", "max_length", "min_selections", "max_selections",
                    "style")


def _question(spec: Mapping[str, Any]) -> dict[str, Any]:
    qtype = spec["type"]
    scale = question_scale(spec)
    return {
        "id": spec["id"],
        "type": qtype,
        "required": bool(spec.get("required", False)),
        "display_if": export_condition(spec.get("display_if")),
        "options": list(option_ids(spec)) if "options" in spec else None,
        "parts": list(question_parts(spec)) if qtype in COMPOUND_TYPES else None,
        "scale": list(scale) if scale else None,
        "constraints": {k: spec[k] for k in _CONSTRAINT_KEYS if k in spec},
    }


def export_rules(definition: SurveyDefinition) -> dict[str, Any]:
    """The rules of ``definition`` in the ``openxm.rules/1`` JSON form (see module docstring)."""
    data = definition.data
    return {
        "format": RULES_FORMAT,
        "languages": list(definition.languages),
        "default_language": definition.default_language,
        "default_ending": definition.default_ending,
        "operators": list(OPERATORS),
        "semantics": dict(SEMANTICS),
        "piping_pattern": PIPE_PATTERN,
        "randomize_pages": [list(g) for g in data.get("randomize_pages", [])],
        "pages": [
            {
                "id": page.id,
                "display_if": export_condition(page.spec.get("display_if")),
                "randomize_questions": bool(page.spec.get("randomize_questions", False)),
                "questions": [_question(definition.question(q).spec) for q in page.question_ids],
                "next": [
                    {"if": export_condition(rule.get("if")), "goto": rule.get("goto"), "end": rule.get("end")}
                    for rule in page.spec.get("next", [])
                ],
            }
            for page in definition.pages
        ],
        "quotas": [
            {
                "id": quota["id"],
                "action": quota["action"],
                "ending": quota.get("ending"),
                "cells": [{"id": c["id"], "if": export_condition(c["if"]), "limit": c["limit"]}
                          for c in quota["cells"]],
            }
            for quota in data.get("quotas", [])
        ],
    }
