"""Alert rule conditions: the survey-logic condition language over one stored response.

A rule's ``when`` is a condition in the language of :mod:`.conditions` (groups ``all``/``any``/
``not``, operators ``eq``, ``neq``, ``in``, ``not_in``, ``gt``, ``gte``, ``lt``, ``lte``,
``between``, ``contains``, ``answered``, ``not_answered``, ``selected``) with more leaves, because
a rule sees the whole stored response, not one respondent's page:

* ``{"score": "nps"|"csat"|"ces", "op": …, "value": …}`` — the response's score of that kind
  (the first answered question of that type);
* ``{"question": id, "part"?: p, "op": …}``, ``{"hidden": name, …}``, ``{"contact": attribute, …}``
  — as in survey logic;
* ``{"touchpoint": v}``, ``{"channel": v}``, ``{"language": v}``, ``{"unit": code}`` — attributes of
  the response. The value is what to match (a list matches any of its items); ``op`` may be
  ``eq`` (the default), ``neq``, ``in`` or ``not_in``. ``unit`` matches the unit and every unit
  below it (the response's unit and its ancestors are in :attr:`ResponseFacts.units`);
* ``{"segment": key}`` — the response's contact is (``op`` ``eq``/``in``, the default) or is not
  (``neq``/``not_in``) in the saved customer segment ``key`` now (a list: any of them). A
  response without a contact is in no segment. The segments are in :attr:`ResponseFacts.segments`;
  :func:`reads_segments` tells the evaluator when to look them up;
* ``{"sentiment": v}``, ``{"topic": v}``, ``{"flag": v}`` — results of text analytics on the
  response's comments (any comment: a response with one negative comment has sentiment
  ``negative``). ``topic`` also matches sub-topics (``delivery`` matches ``delivery.speed``).
  Before the analysis has run (``ResponseFacts.text`` is ``None``) these leaves are false.

Included: :class:`ResponseFacts`, :func:`evaluate_rule`, :func:`check_rule_condition` (the
problems of a condition with their paths), :func:`reads_text` and :func:`reads_segments`.
Excluded: loading responses, deciding who may see them (the alerts app evaluates with its rule
owner's scope), which segments exist (the alerts app checks the keys when a rule is saved).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .conditions import ResponseContext, apply_operator, leaf_value
from .messages import render_message

SCORES = ("nps", "csat", "ces")
VALUE_SOURCES = ("score", "question", "hidden", "contact")
ATTRIBUTE_SOURCES = ("touchpoint", "channel", "language", "unit", "segment")
TEXT_SOURCES = ("sentiment", "topic", "flag")
SOURCES = VALUE_SOURCES + ATTRIBUTE_SOURCES + TEXT_SOURCES
OPERATORS = frozenset(
    {"eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "between", "contains",
     "answered", "not_answered", "selected"}
)
ATTRIBUTE_OPERATORS = frozenset({"eq", "neq", "in", "not_in"})
SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class TextFacts:
    """What text analytics found in a response's comments: every sentiment, topic and flag."""

    sentiments: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResponseFacts:
    """One stored response as a rule sees it (plain values, already redacted as the rule's owner
    may see them)."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    hidden: Mapping[str, Any] = field(default_factory=dict)
    contact: Mapping[str, Any] = field(default_factory=dict)
    touchpoint: str = ""
    channel: str = ""
    language: str = ""
    units: frozenset[str] = frozenset()  # the response's unit code and its ancestors' codes
    text: TextFacts | None = None
    segments: frozenset[str] = frozenset()  # keys of the saved segments the contact is in


def _source(leaf: Mapping[str, Any]) -> str | None:
    found = [s for s in SOURCES if s in leaf]
    return found[0] if len(found) == 1 else None


def _attribute(leaf: Mapping[str, Any], source: str, facts: ResponseFacts) -> bool:
    wanted = leaf[source]
    op = leaf.get("op", "in" if isinstance(wanted, list) else "eq")
    if source in ("unit", "segment"):
        found = facts.units if source == "unit" else facts.segments
        hit = any(str(w) in found for w in (wanted if isinstance(wanted, list) else [wanted]))
        return hit if op in ("eq", "in") else not hit
    return apply_operator(op, getattr(facts, source), wanted)


def _topic_hit(found: frozenset[str], wanted: str) -> bool:
    return any(t == wanted or t.startswith(wanted + ".") for t in found)


def _text(leaf: Mapping[str, Any], source: str, facts: ResponseFacts) -> bool:
    if facts.text is None:
        return False
    wanted = leaf[source]
    op = leaf.get("op", "in" if isinstance(wanted, list) else "eq")
    wanted_list = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
    if source == "sentiment":
        hit = any(w in facts.text.sentiments for w in wanted_list)
    elif source == "topic":
        hit = any(_topic_hit(facts.text.topics, w) for w in wanted_list)
    else:
        hit = any(w in facts.text.flags for w in wanted_list)
    return hit if op in ("eq", "in") else not hit


def _leaf(leaf: Mapping[str, Any], facts: ResponseFacts) -> bool:
    source = _source(leaf)
    if source is None:
        raise ValueError("a rule condition leaf needs exactly one source")
    if source in ATTRIBUTE_SOURCES:
        return _attribute(leaf, source, facts)
    if source in TEXT_SOURCES:
        return _text(leaf, source, facts)
    if source == "score":
        actual = facts.scores.get(leaf["score"])
    else:
        context = ResponseContext(hidden=facts.hidden, contact=facts.contact, language=facts.language)
        actual = leaf_value(leaf, facts.answers, context)
    return apply_operator(leaf["op"], actual, leaf.get("value"))


def evaluate_rule(condition: Mapping[str, Any], facts: ResponseFacts) -> bool:
    """True when the rule's condition holds for the response (see the module docstring)."""
    if "all" in condition:
        return all(evaluate_rule(c, facts) for c in condition["all"])
    if "any" in condition:
        return any(evaluate_rule(c, facts) for c in condition["any"])
    if "not" in condition:
        return not evaluate_rule(condition["not"], facts)
    return _leaf(condition, facts)


def _walk(condition: Any, path: tuple) -> list[tuple[Mapping[str, Any] | None, tuple]]:
    if not isinstance(condition, Mapping):
        return [(None, path)]
    for group in ("all", "any"):
        if group in condition:
            children = condition[group]
            if not isinstance(children, list) or not children:
                return [(None, (*path, group))]
            return [pair for i, c in enumerate(children) for pair in _walk(c, (*path, group, i))]
    if "not" in condition:
        return _walk(condition["not"], (*path, "not"))
    return [(condition, path)]


def reads_segments(condition: Mapping[str, Any]) -> bool:
    """True when the condition reads saved customer segments."""
    return any(leaf is not None and "segment" in leaf for leaf, _ in _walk(condition, ()))


def reads_text(condition: Mapping[str, Any]) -> bool:
    """True when the condition reads text analytics (sentiment, topic or flag)."""
    return any(leaf is not None and any(s in leaf for s in TEXT_SOURCES) for leaf, _ in _walk(condition, ()))


def _leaf_problem(leaf: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    sources = [s for s in SOURCES if s in leaf]
    if len(sources) != 1:
        return "rule.source", {"sources": ", ".join(SOURCES)}
    source = sources[0]
    op = leaf.get("op")
    if source in ATTRIBUTE_SOURCES or source in TEXT_SOURCES:
        if op is not None and op not in ATTRIBUTE_OPERATORS:
            return "rule.attribute_op", {"op": op}
        wanted = leaf[source]
        items = wanted if isinstance(wanted, list) else [wanted]
        if not items or any(not isinstance(w, str) or not w for w in items):
            return "rule.attribute_value", {"source": source}
        if source == "sentiment" and any(w not in SENTIMENTS for w in items):
            return "rule.sentiment", {"allowed": ", ".join(SENTIMENTS)}
        return None
    if source == "score" and leaf["score"] not in SCORES:
        return "rule.score", {"allowed": ", ".join(SCORES)}
    if source != "score" and (not isinstance(leaf[source], str) or not leaf[source]):
        return "rule.name", {"source": source}
    if op not in OPERATORS:
        return "rule.op", {"allowed": ", ".join(sorted(OPERATORS))}
    if op not in ("answered", "not_answered") and "value" not in leaf:
        return "rule.value", {"op": op}
    if op == "between" and not (isinstance(leaf.get("value"), list) and len(leaf["value"]) == 2):
        return "rule.between", {}
    return None


def check_rule_condition(
    condition: Any, path: Sequence[str | int] = (), language: str = "en"
) -> list[tuple[str, str]]:
    """``(path, problem)`` for every problem of a condition, in ``language``; empty when it can
    be evaluated. Paths are dotted (``when.any.1``) below the given prefix."""
    problems = []
    for leaf, where in _walk(condition, tuple(path)):
        dotted = ".".join(str(p) for p in where)
        found = ("rule.group", {}) if leaf is None else _leaf_problem(leaf)
        if found:
            problems.append((dotted, render_message(found[0], found[1], language)))
    return problems
