"""The fixed vocabulary of the survey definition format.

Included: question types and their families, the fixed scales (NPS, CSAT, CES, SERVQUAL), the CX
dimensions, the KANO answers and SERVQUAL dimensions with their built-in en / zh-Hans labels, the
condition operators and which sub-parts ("parts") each compound question type has.
Excluded: anything that needs a definition to be computed (see ``model.py``).
"""

from __future__ import annotations

SCHEMA_VERSION = 1

QUESTION_TYPES: tuple[str, ...] = (
    "nps", "csat", "ces", "rating", "likert",
    "single_choice", "multiple_choice", "dropdown", "matrix", "ranking",
    "text", "number", "date", "email", "phone", "consent", "hidden",
    "kano", "servqual", "servqual_importance",
)

#: Types whose scale is fixed by the method: (min, max).
FIXED_SCALES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "servqual": (1, 7),
}

#: Types whose answer is one integer on a scale.
SCALE_TYPES = frozenset({"nps", "csat", "ces", "rating", "likert"})
#: Types with an ``options`` list.
OPTION_TYPES = frozenset({"single_choice", "multiple_choice", "dropdown", "ranking"})
#: Types whose answer is one option id.
SINGLE_CHOICE_TYPES = frozenset({"single_choice", "dropdown"})
#: Types whose answer is a dict of parts (see ``fixed_parts`` and matrix rows / ranking options).
COMPOUND_TYPES = frozenset({"matrix", "ranking", "kano", "servqual", "servqual_importance"})
#: Types whose answer is free text.
TEXT_TYPES = frozenset({"text", "email", "phone"})

CX_DIMENSIONS: tuple[str, ...] = (
    "usefulness", "reliability", "responsiveness", "empathy", "resolution", "personalization",
)

AUDIENCES: tuple[str, ...] = ("customer", "employee", "internal")

KANO_ANSWERS: tuple[str, ...] = ("like", "must_be", "neutral", "live_with", "dislike")
KANO_PARTS: tuple[str, ...] = ("functional", "dysfunctional", "importance")
KANO_IMPORTANCE_MAX: tuple[int, ...] = (5, 9)

SERVQUAL_DIMENSIONS: tuple[str, ...] = (
    "tangibles", "reliability", "responsiveness", "assurance", "empathy",
)
SERVQUAL_PARTS: tuple[str, ...] = ("expectation", "perception")
ALLOCATION_TOTAL = 100

#: Built-in labels, so a study in en and/or zh-Hans need not repeat them.
BUILTIN_LABEL_LANGUAGES = frozenset({"en", "zh-Hans"})

KANO_LABELS: dict[str, dict[str, str]] = {
    "like": {"en": "I like it that way", "zh-Hans": "我喜欢这样"},
    "must_be": {"en": "It must be that way", "zh-Hans": "理应如此"},
    "neutral": {"en": "I am neutral", "zh-Hans": "无所谓"},
    "live_with": {"en": "I can live with it that way", "zh-Hans": "能忍受"},
    "dislike": {"en": "I dislike it that way", "zh-Hans": "我不喜欢这样"},
}

SERVQUAL_LABELS: dict[str, dict[str, str]] = {
    "tangibles": {"en": "Tangibles", "zh-Hans": "有形性"},
    "reliability": {"en": "Reliability", "zh-Hans": "可靠性"},
    "responsiveness": {"en": "Responsiveness", "zh-Hans": "响应性"},
    "assurance": {"en": "Assurance", "zh-Hans": "保证性"},
    "empathy": {"en": "Empathy", "zh-Hans": "移情性"},
}

#: Condition operators. ``VALUELESS_OPERATORS`` take no ``value``.
OPERATORS: tuple[str, ...] = (
    "eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "between",
    "contains", "answered", "not_answered", "selected",
)
VALUELESS_OPERATORS = frozenset({"answered", "not_answered"})
LIST_VALUE_OPERATORS = frozenset({"in", "not_in"})

#: Question types that can be piped into later text with ``{{id}}``.
PIPEABLE_TYPES = frozenset({
    "nps", "csat", "ces", "rating", "likert", "single_choice", "multiple_choice", "dropdown",
    "text", "number", "date", "email", "phone",
})

#: Default ``max_length`` of a text answer by style.
TEXT_MAX_LENGTH = {"short": 255, "long": 10000}


def fixed_parts(qtype: str) -> tuple[str, ...]:
    """The sub-parts of a compound type whose part names do not depend on the question."""
    if qtype == "kano":
        return KANO_PARTS
    if qtype == "servqual":
        return SERVQUAL_PARTS
    if qtype == "servqual_importance":
        return SERVQUAL_DIMENSIONS
    return ()
