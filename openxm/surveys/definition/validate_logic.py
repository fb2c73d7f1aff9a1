"""Semantic checks of logic, piping, branching, randomised page groups, endings and quotas.

Included, each reported at the exact key at fault:
- every condition leaf: one source; the question exists, is not a hidden field (those are read
  with ``hidden:``) and comes before the place that reads it (a question's ``display_if`` may read
  earlier questions of its own page, a page's ``display_if`` only earlier pages, a page's ``next``
  rules its own page too, quotas anything); ``part`` fits the question; the operator fits the
  answer type; the value has the right shape, names existing options and lies on the scale;
- every piped ``{{...}}`` reference: syntax, existence, pipeable type, on an earlier page (texts are
  rendered before the page is answered); endings and quota messages may pipe anything;
- ``next`` rules: exactly one of goto/end, forward targets only, no target inside a randomised
  page group, no rule after an unconditional one; endings referenced by rules, quotas and
  ``default_ending`` exist;
- ``randomize_pages`` groups: known, consecutive pages in at most one group, without ``next``
  rules and without references between pages of the same group; questions of a page with
  ``randomize_questions`` do not read each other.
Excluded: ids, languages, texts and scales (``validate.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import iter_leaves
from .errors import Collector, Issue, Path
from .model import Index, iter_texts, option_ids, part_scale, question_parts, question_scale
from .piping import has_syntax_error, iter_pipes, parse_ref
from .vocab import (
    COMPOUND_TYPES,
    KANO_ANSWERS,
    LIST_VALUE_OPERATORS,
    PIPEABLE_TYPES,
    SCALE_TYPES,
    SINGLE_CHOICE_TYPES,
    TEXT_TYPES,
    VALUELESS_OPERATORS,
)

_PRESENCE = {"answered", "not_answered"}
_EQUALITY = {"eq", "neq", "in", "not_in"}
_ORDERING = {"gt", "gte", "lt", "lte", "between"}
OPERATORS_BY_KIND: dict[str, frozenset[str]] = {
    "numeric": frozenset(_PRESENCE | _EQUALITY | _ORDERING),
    "date": frozenset(_PRESENCE | _EQUALITY | _ORDERING),
    "choice": frozenset(_PRESENCE | _EQUALITY | {"selected"}),
    "multi": frozenset(_PRESENCE | {"selected", "contains"}),
    "kano": frozenset(_PRESENCE | _EQUALITY),
    "text": frozenset(_PRESENCE | _EQUALITY | {"contains"}),
    "boolean": frozenset(_PRESENCE | {"eq", "neq"}),
    "compound": frozenset(_PRESENCE),
}


@dataclass(frozen=True)
class Scope:
    """Where a reference is made: which questions it may read.

    ``mode``: ``survey`` (nothing answered yet), ``page`` (earlier pages), ``question`` (earlier
    pages, or earlier on the same page when ``same_page`` is allowed), ``next`` (up to this page),
    ``anywhere``.
    """

    mode: str
    page: int = -1
    position: int = -1
    same_page: bool = False


def value_kind(qtype: str, part: str | None) -> str:
    """The kind of value a condition compares for a question type (and part)."""
    if part is not None:
        return "kano" if qtype == "kano" and part != "importance" else "numeric"
    if qtype in SCALE_TYPES or qtype == "number":
        return "numeric"
    if qtype in SINGLE_CHOICE_TYPES:
        return "choice"
    if qtype == "multiple_choice":
        return "multi"
    if qtype in TEXT_TYPES:
        return "text"
    if qtype == "date":
        return "date"
    if qtype == "consent":
        return "boolean"
    return "compound"


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


class _Checker:
    def __init__(self, document: Mapping[str, Any], index: Index, language: str | None):
        self.doc = document
        self.index = index
        self.out = Collector(language)
        self.group_of: dict[int, int] = {}

    # -- references --------------------------------------------------------------------------

    def order_problem(self, ref_page: int, ref_position: int, scope: Scope, piping: bool) -> str | None:
        """The error code when a question at (page, position) may not be read from ``scope``."""
        prefix = "piping" if piping else "logic"
        if scope.mode == "anywhere":
            return None
        if scope.mode == "survey":
            return f"{prefix}.forward_reference"
        if scope.mode == "next":
            ok = ref_page <= scope.page
        elif scope.mode == "question" and not piping and ref_page == scope.page:
            ok = ref_position < scope.position
            if ok and not scope.same_page:
                return "random.same_page_reference"
        else:
            ok = ref_page < scope.page
        if not ok:
            return f"{prefix}.forward_reference"
        group = self.group_of.get(scope.page)
        if ref_page != scope.page and group is not None and self.group_of.get(ref_page) == group:
            return "random.cross_reference"
        return None

    def question_ref(self, path: Path, ref: str, scope: Scope, piping: bool) -> Mapping[str, Any] | None:
        """The spec of a referenced question, or ``None`` after reporting why it cannot be read."""
        prefix = "piping" if piping else "logic"
        question = self.index.questions.get(ref)
        if question is None:
            self.out.add(path, f"{prefix}.unknown_question", ref=ref)
            return None
        if question.type == "hidden":
            self.out.add(path, f"{prefix}.hidden_as_question", ref=ref)
            return None
        problem = self.order_problem(question.page_index, question.position, scope, piping)
        if problem:
            self.out.add(path, problem, ref=ref)
            return None
        return question.spec

    def hidden_ref(self, path: Path, ref: str, piping: bool) -> None:
        question = self.index.questions.get(ref)
        if question is None or question.type != "hidden":
            self.out.add(path, "piping.unknown_hidden" if piping else "logic.unknown_hidden", ref=ref)

    # -- conditions --------------------------------------------------------------------------

    def condition(self, path: Path, condition: Mapping[str, Any], scope: Scope) -> None:
        for leaf, rel in iter_leaves(condition):
            self.leaf((*path, *rel), leaf, scope)

    def leaf(self, path: Path, leaf: Mapping[str, Any], scope: Scope) -> None:
        sources = [s for s in ("question", "hidden", "contact") if s in leaf]
        if len(sources) != 1:
            self.out.add(path, "logic.source")
            return
        source = sources[0]
        op = leaf["op"]
        if source != "question":
            if "part" in leaf:
                self.out.add((*path, "part"), "logic.part_not_allowed")
            if source == "hidden":
                self.hidden_ref((*path, "hidden"), leaf["hidden"], piping=False)
            self.value_shape(path, leaf, op, kind=None)
            return
        spec = self.question_ref((*path, "question"), leaf["question"], scope, piping=False)
        if spec is None:
            return
        qtype, part = spec["type"], leaf.get("part")
        if part is not None:
            parts = question_parts(spec)
            if qtype not in COMPOUND_TYPES:
                self.out.add((*path, "part"), "logic.part_not_allowed")
                return
            if part not in parts:
                self.out.add((*path, "part"), "logic.unknown_part", part=part, ref=leaf["question"],
                             parts=list(parts))
                return
        elif qtype in COMPOUND_TYPES and op not in VALUELESS_OPERATORS:
            self.out.add(path, "logic.part_required", type=qtype, parts=list(question_parts(spec)))
            return
        kind = value_kind(qtype, part)
        if op not in OPERATORS_BY_KIND[kind]:
            self.out.add((*path, "op"), "logic.operator", op=op, type=qtype)
            return
        self.value_shape(path, leaf, op, kind=kind, spec=spec, part=part)

    def value_shape(
        self, path: Path, leaf: Mapping[str, Any], op: str, kind: str | None,
        spec: Mapping[str, Any] | None = None, part: str | None = None,
    ) -> None:
        if op in VALUELESS_OPERATORS:
            if "value" in leaf:
                self.out.add((*path, "value"), "logic.value_unexpected", op=op)
            return
        if "value" not in leaf:
            self.out.add(path, "logic.value_missing", op=op)
            return
        value = leaf["value"]
        vpath = (*path, "value")
        if op in LIST_VALUE_OPERATORS or (op == "selected" and isinstance(value, list)):
            if not isinstance(value, list) or not value:
                self.out.add(vpath, "logic.value_list", op=op)
                return
            items = list(enumerate(value))
        elif op == "between":
            if not isinstance(value, list) or len(value) != 2:
                self.out.add(vpath, "logic.value_between")
                return
            items = list(enumerate(value))
        elif isinstance(value, list):
            self.out.add(vpath, "logic.value_type", expected=_EXPECTED.get(kind or "", "string"),
                         type=spec["type"] if spec else "scalar")
            return
        else:
            items = [(None, value)]
        if kind is None or spec is None:
            return
        valid = all(self.item((*vpath, i) if i is not None else vpath, v, kind, spec, part, leaf)
                    for i, v in items)
        if valid and op == "between" and value[0] > value[1]:
            self.out.add(vpath, "logic.value_between")

    def item(self, path: Path, value: Any, kind: str, spec: Mapping[str, Any], part: str | None,
             leaf: Mapping[str, Any]) -> bool:
        qtype, ref = spec["type"], leaf["question"]
        if kind in ("numeric", "date", "boolean", "text") and not _matches(kind, value):
            self.out.add(path, "logic.value_type", expected=_EXPECTED[kind], type=qtype)
            return False
        if kind == "numeric":
            scale = part_scale(spec, part) if part is not None else question_scale(spec)
            if scale and not scale[0] <= value <= scale[1]:
                self.out.add(path, "logic.value_range", value=value, min=scale[0], max=scale[1], ref=ref)
                return False
        elif kind in ("choice", "multi", "kano"):
            allowed = KANO_ANSWERS if kind == "kano" else option_ids(spec)
            if not isinstance(value, str) or value not in allowed:
                self.out.add(path, "logic.unknown_option", value=value, ref=ref)
                return False
        return True

    # -- piping ------------------------------------------------------------------------------

    def texts(self) -> None:
        for path, text in iter_texts(self.doc):
            scope = _text_scope(path)
            variants = [(path, text)] if isinstance(text, str) else [((*path, k), v) for k, v in text.items()]
            for vpath, value in variants:
                self.pipes(vpath, value, scope)

    def pipes(self, path: Path, text: str, scope: Scope) -> None:
        if has_syntax_error(text):
            self.out.add(path, "piping.syntax")
        for ref, _fallback in iter_pipes(text):
            parsed = parse_ref(ref)
            if parsed is None:
                if ref:
                    self.out.add(path, "piping.bad_reference", ref=ref)
                continue
            kind, name = parsed
            if kind == "hidden":
                self.hidden_ref(path, name, piping=True)
            elif kind == "question":
                spec = self.question_ref(path, name, scope, piping=True)
                if spec is not None and spec["type"] not in PIPEABLE_TYPES:
                    self.out.add(path, "piping.not_pipeable", ref=name, type=spec["type"])

    # -- pages, branching, randomisation, endings, quotas -------------------------------------

    def random_groups(self) -> None:
        page_index = {p.id: p.index for p in reversed(self.index.pages)}
        for g, group in enumerate(self.doc.get("randomize_pages", [])):
            indexes = []
            for i, page_id in enumerate(group):
                if page_id not in page_index:
                    self.out.add(("randomize_pages", g, i), "random.unknown_page", ref=page_id)
                elif page_index[page_id] in self.group_of:
                    self.out.add(("randomize_pages", g, i), "random.repeated", ref=page_id)
                else:
                    self.group_of[page_index[page_id]] = g
                    indexes.append(page_index[page_id])
            if indexes and sorted(indexes) != list(range(min(indexes), max(indexes) + 1)):
                self.out.add(("randomize_pages", g), "random.not_consecutive")
            for index in indexes:
                if "next" in self.doc["pages"][index]:
                    self.out.add(("pages", index, "next"), "random.has_branching", ref=group[0])

    def pages(self) -> None:
        page_index = {p.id: p.index for p in reversed(self.index.pages)}
        for p, page in enumerate(self.doc["pages"]):
            if "display_if" in page:
                self.condition(("pages", p, "display_if"), page["display_if"], Scope("page", p))
            randomized = bool(page.get("randomize_questions"))
            for q, spec in enumerate(page["questions"]):
                if "display_if" in spec:
                    position = _position(self.doc, p, q)
                    scope = Scope("question", p, position, same_page=not randomized)
                    self.condition(("pages", p, "questions", q, "display_if"), spec["display_if"], scope)
            unconditional = False
            for r, rule in enumerate(page.get("next", [])):
                rpath: Path = ("pages", p, "next", r)
                if unconditional:
                    self.out.add(rpath, "branch.unreachable")
                if "if" in rule:
                    self.condition((*rpath, "if"), rule["if"], Scope("next", p))
                else:
                    unconditional = True
                if ("goto" in rule) == ("end" in rule):
                    self.out.add(rpath, "branch.target")
                elif "goto" in rule:
                    target = page_index.get(rule["goto"])
                    if target is None:
                        self.out.add((*rpath, "goto"), "branch.unknown_page", ref=rule["goto"])
                    elif target <= p:
                        self.out.add((*rpath, "goto"), "branch.backward", ref=rule["goto"])
                    elif target in self.group_of:
                        self.out.add((*rpath, "goto"), "branch.into_random_group", ref=rule["goto"])
                else:
                    self.ending((*rpath, "end"), rule["end"])

    def ending(self, path: Path, ending_id: str) -> None:
        if ending_id not in self.index.ending_ids:
            self.out.add(path, "ending.unknown", ref=ending_id)

    def quotas(self) -> None:
        if "default_ending" in self.doc:
            self.ending(("default_ending",), self.doc["default_ending"])
        for i, quota in enumerate(self.doc.get("quotas", [])):
            if "ending" in quota:
                self.ending(("quotas", i, "ending"), quota["ending"])
            for c, cell in enumerate(quota["cells"]):
                self.condition(("quotas", i, "cells", c, "if"), cell["if"], Scope("anywhere"))


_EXPECTED = {"numeric": "number", "date": "date", "boolean": "boolean", "text": "string",
             "choice": "option", "multi": "option", "kano": "option", "compound": "string"}


def _matches(kind: str, value: Any) -> bool:
    if kind == "numeric":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "date":
        return _is_date(value)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


def _position(document: Mapping[str, Any], page: int, question: int) -> int:
    return sum(len(p["questions"]) for p in document["pages"][:page]) + question


def _text_scope(path: Path) -> Scope:
    if path[0] == "pages":
        return Scope("page", int(path[1]))
    if path[0] in ("endings", "quotas"):
        return Scope("anywhere")
    return Scope("survey")


def logic_issues(document: Mapping[str, Any], index: Index, language: str | None = "en") -> list[Issue]:
    """Issues of logic, piping, branching, randomisation, endings and quotas (unsorted)."""
    checker = _Checker(document, index, language)
    checker.random_groups()
    checker.pages()
    checker.texts()
    checker.quotas()
    return checker.out.issues
