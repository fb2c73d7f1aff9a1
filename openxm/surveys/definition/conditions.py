"""Structured conditions: evaluation over one respondent's data, and traversal for checks/export.

A condition is a JSON object, never code: a group ``{"all": [...]}``, ``{"any": [...]}``,
``{"not": {...}}`` (nested freely) or a leaf ``{"question"|"hidden"|"contact": ref, "part"?: p,
"op": op, "value"?: v}``.

Included: ``ResponseContext`` (hidden fields, contact attributes, language, randomisation seed),
``evaluate_condition`` and the value semantics it applies, ``iter_leaves`` and ``export_condition``.
Excluded: checking that references exist (``validate_logic.py``) and walking pages (``flow.py``).

Semantics (mirrored by ``export_rules`` for a JavaScript evaluator):
- a missing value (absent, ``None``, ``""``, ``[]``, ``{}``) makes every operator false except
  ``not_answered``; ``not`` of such a leaf is therefore true;
- when either side is a number, both are compared as numbers (``"7"`` from a link equals ``7``);
  otherwise values compare as strings, and ``gt``/``gte``/``lt``/``lte``/``between`` also compare
  two ``YYYY-MM-DD`` dates; anything else is false;
- ``contains`` is a case-insensitive substring test on text and a membership test on lists;
- ``selected`` is true when the chosen option (or any chosen option of a multiple choice) is the
  value, or one of the values when the value is a list;
- ``in``/``not_in`` test membership of the answer (any overlap for list answers); ``eq`` on a
  list value (a contact attribute holding tags, say) is membership, ``neq`` its negation;
- ``part`` reads a matrix row, a KANO / SERVQUAL part, an allocation dimension or the 1-based rank
  of an option in a ranking.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SOURCES = ("question", "hidden", "contact")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ResponseContext:
    """What the server knows about one response besides its answers.

    ``hidden``: values from the invitation link or the trigger (keyed by hidden field id);
    ``contact``: contact attributes (``first_name``, ``tier`` ...); ``language``: the chosen
    survey language (``None`` → default); ``seed``: randomisation seed of the response (``None``
    → definition order everywhere).
    """

    hidden: Mapping[str, Any] = field(default_factory=dict)
    contact: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None
    seed: str | None = None


def is_missing(value: Any) -> bool:
    """True for an absent answer: ``None``, blank text, an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def answer_scalar(value: Any, part: str | None = None) -> Any:
    """The value a condition sees for an answer in any accepted answer shape.

    ``{"choice": c, "other": t}`` → ``c``; ``{"choices": [...], ...}`` → the list; with a ``part``,
    a dict answer gives its entry and a ranking list gives the 1-based rank of the part.
    """
    if isinstance(value, Mapping) and "choice" in value:
        value = value["choice"]
    elif isinstance(value, Mapping) and "choices" in value:
        value = value["choices"]
    if part is None:
        return value
    if isinstance(value, Mapping):
        return value.get(part)
    if isinstance(value, list | tuple):
        return value.index(part) + 1 if part in value else None
    return None


def leaf_source(leaf: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(source, ref)`` of a leaf when exactly one source key is present."""
    found = [(s, leaf[s]) for s in SOURCES if s in leaf]
    return found[0] if len(found) == 1 else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _date(value: Any) -> date | None:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(actual: Any, expected: Any) -> bool:
    if _is_number(actual) or _is_number(expected):
        a, b = _number(actual), _number(expected)
        return a is not None and b is not None and a == b
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    return str(actual) == str(expected)


def _order(actual: Any, expected: Any) -> tuple[Any, Any] | None:
    """Both sides as comparable values, or ``None`` when they cannot be ordered."""
    if _is_number(actual) or _is_number(expected):
        a, b = _number(actual), _number(expected)
        return None if a is None or b is None else (a, b)
    da, db = _date(actual), _date(expected)
    return None if da is None or db is None else (da, db)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    pair = _order(actual, expected)
    if pair is None:
        return False
    a, b = pair
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list | tuple):
        return any(_equal(item, expected) for item in actual)
    if isinstance(actual, str) and not isinstance(expected, list | tuple | dict):
        return str(expected).casefold() in actual.casefold()
    return False


def _member(actual: Any, values: Any) -> bool:
    return any(_equal(a, v) for a in _as_list(actual) for v in _as_list(values))


def apply_operator(op: str, actual: Any, value: Any = None) -> bool:
    """The truth of ``actual <op> value`` under the semantics in the module docstring."""
    if op == "not_answered":
        return is_missing(actual)
    if is_missing(actual):
        return False
    if op == "answered":
        return True
    if op == "eq":
        return _member(actual, value) if isinstance(actual, list | tuple) else _equal(actual, value)
    if op == "neq":
        return not apply_operator("eq", actual, value)
    if op in ("in", "selected"):
        return _member(actual, value)
    if op == "not_in":
        return not _member(actual, value)
    if op in ("gt", "gte", "lt", "lte"):
        return _compare(op, actual, value)
    if op == "between":
        low, high = value
        return _compare("gte", actual, low) and _compare("lte", actual, high)
    if op == "contains":
        return _contains(actual, value)
    raise ValueError(f"unknown operator {op!r}")


def leaf_value(leaf: Mapping[str, Any], answers: Mapping[str, Any], context: ResponseContext) -> Any:
    """The value a leaf tests: an answer (or part of one), a hidden field or a contact attribute."""
    source = leaf_source(leaf)
    if source is None:
        raise ValueError("a condition needs exactly one of question, hidden or contact")
    kind, ref = source
    if kind == "question":
        return answer_scalar(answers.get(ref), leaf.get("part"))
    if kind == "hidden":
        return context.hidden.get(ref)
    return context.contact.get(ref)


def evaluate_condition(
    condition: Mapping[str, Any] | None,
    answers: Mapping[str, Any],
    context: ResponseContext | None = None,
) -> bool:
    """True when ``condition`` holds for these answers; an absent condition (``None``) holds.

    ``answers`` maps question ids to answers in the answer format (see the docs); only answers
    the respondent was shown should be passed (``flow.walk`` does this).
    """
    if condition is None:
        return True
    context = context or ResponseContext()
    if "all" in condition:
        return all(evaluate_condition(c, answers, context) for c in condition["all"])
    if "any" in condition:
        return any(evaluate_condition(c, answers, context) for c in condition["any"])
    if "not" in condition:
        return not evaluate_condition(condition["not"], answers, context)
    return apply_operator(condition["op"], leaf_value(condition, answers, context), condition.get("value"))


def iter_leaves(
    condition: Mapping[str, Any], path: Sequence[str | int] = ()
) -> Iterator[tuple[Mapping[str, Any], tuple[str | int, ...]]]:
    """Every leaf of a condition with its path (relative to where the condition sits)."""
    for group in ("all", "any"):
        if group in condition:
            for i, child in enumerate(condition[group]):
                yield from iter_leaves(child, (*path, group, i))
            return
    if "not" in condition:
        yield from iter_leaves(condition["not"], (*path, "not"))
        return
    yield condition, tuple(path)


def condition_question_refs(condition: Mapping[str, Any] | None) -> set[str]:
    """Ids of the questions a condition reads."""
    if condition is None:
        return set()
    return {leaf["question"] for leaf, _ in iter_leaves(condition) if "question" in leaf}


def export_condition(condition: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The condition as an explicit tree a small JavaScript evaluator can walk.

    Groups become ``{"and": [...]}``, ``{"or": [...]}``, ``{"not": c}``; a leaf becomes
    ``{"op", "source", "ref", "part", "value"}`` with ``part`` and ``value`` always present
    (``null`` when unused).
    """
    if condition is None:
        return None
    if "all" in condition:
        return {"and": [export_condition(c) for c in condition["all"]]}
    if "any" in condition:
        return {"or": [export_condition(c) for c in condition["any"]]}
    if "not" in condition:
        return {"not": export_condition(condition["not"])}
    kind, ref = leaf_source(condition) or ("question", "")
    return {
        "op": condition["op"],
        "source": kind,
        "ref": ref,
        "part": condition.get("part"),
        "value": condition.get("value"),
    }
