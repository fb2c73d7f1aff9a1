"""The in-memory survey definition: the document plus indexes over its pages and questions.

Included: ``SurveyDefinition`` (frozen; built only from a document that passed validation, by
``load_definition``), ``Page`` and ``Question`` views, helpers that read a question spec (its
options, parts and scale) with the format's defaults applied, and document traversal
(``iter_questions``, ``iter_texts``: every translatable text with its path).
Excluded: validation (``validate.py``), evaluation (``flow.py``) and answers (``answers.py``).
The document itself is kept exactly as given (no defaults written into it), so exporting it again
gives the same document.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .vocab import FIXED_SCALES, fixed_parts

OTHER = "other"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Question:
    """One question: where it sits (page, position in the whole survey) and its ``spec`` (the JSON)."""

    id: str
    type: str
    page_id: str
    page_index: int
    position: int
    spec: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Page:
    """One page: its position and the ids of its questions in definition order."""

    id: str
    index: int
    question_ids: tuple[str, ...]
    spec: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Index:
    """Pages and questions of a document; on duplicate ids the first one wins."""

    pages: tuple[Page, ...]
    questions: Mapping[str, Question]
    page_by_id: Mapping[str, Page]
    ending_ids: tuple[str, ...]


def build_index(data: Mapping[str, Any]) -> Index:
    """Indexes a document that is valid against the JSON Schema."""
    pages: list[Page] = []
    questions: dict[str, Question] = {}
    position = 0
    for p_index, page in enumerate(data.get("pages", [])):
        ids = []
        for spec in page.get("questions", []):
            qid = spec["id"]
            ids.append(qid)
            if qid not in questions:
                questions[qid] = Question(qid, spec["type"], page["id"], p_index, position, spec)
            position += 1
        pages.append(Page(page["id"], p_index, tuple(ids), page))
    by_id: dict[str, Page] = {}
    for page in pages:
        by_id.setdefault(page.id, page)
    endings = tuple(e["id"] for e in data.get("endings", []))
    return Index(tuple(pages), questions, by_id, endings)


@dataclass(frozen=True, eq=False)
class SurveyDefinition:
    """A validated survey definition. Build it with ``load_definition``; read it, never mutate it.

    ``to_dict()`` returns a deep copy of the document exactly as loaded. Equality compares the
    documents.
    """

    data: Mapping[str, Any] = field(repr=False)
    index: Index = field(repr=False)

    @classmethod
    def from_valid(cls, data: Mapping[str, Any]) -> SurveyDefinition:
        document = copy.deepcopy(dict(data))
        return cls(document, build_index(document))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SurveyDefinition) and self.data == other.data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        count = len(self.questions)
        return f"SurveyDefinition(key={self.key!r}, version={self.version!r}, questions={count})"

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.data))

    @cached_property
    def definition_order(self):  # -> ordering.Ordering (a module that imports this one)
        """The presentation order without a seed, computed once per loaded definition: imports
        and API submissions carry no seed, and every response to a version shares its object."""
        from .ordering import randomize

        return randomize(self, None)

    @property
    def key(self) -> str | None:
        return self.data.get("key")

    @property
    def version(self) -> int | None:
        return self.data.get("version")

    @property
    def title(self) -> Any:
        return self.data["title"]

    @property
    def audience(self) -> str:
        return self.data.get("audience", "customer")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.data["languages"])

    @property
    def default_language(self) -> str:
        return self.data["default_language"]

    @property
    def pages(self) -> tuple[Page, ...]:
        return self.index.pages

    @property
    def questions(self) -> Mapping[str, Question]:
        return self.index.questions

    @property
    def ending_ids(self) -> tuple[str, ...]:
        return self.index.ending_ids

    @property
    def default_ending(self) -> str | None:
        """``default_ending``, else the first ending, else ``None`` (the platform's thank-you page)."""
        return self.data.get("default_ending") or next(iter(self.ending_ids), None)

    def page(self, page_id: str) -> Page:
        return self.index.page_by_id[page_id]

    def question(self, question_id: str) -> Question:
        return self.index.questions[question_id]

    def ending(self, ending_id: str) -> Mapping[str, Any]:
        for ending in self.data.get("endings", []):
            if ending["id"] == ending_id:
                return ending
        raise KeyError(ending_id)


def option_ids(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Option ids of a choice question, with ``other`` last when the question offers it."""
    ids = tuple(o["id"] for o in spec.get("options", []))
    return (*ids, OTHER) if spec.get("other") else ids


def option_text(spec: Mapping[str, Any], option_id: str) -> Any:
    """The (translatable) label of an option; ``None`` when unknown."""
    if option_id == OTHER and spec.get("other"):
        return spec["other"].get("text", "other")
    for option in spec.get("options", []):
        if option["id"] == option_id:
            return option["text"]
    return None


def question_scale(spec: Mapping[str, Any]) -> tuple[int, int] | None:
    """``(min, max)`` of a scale question or matrix; ``None`` for types without a scale."""
    qtype = spec["type"]
    scale = spec.get("scale")
    if scale is not None:
        return int(scale["min"]), int(scale["max"])
    return FIXED_SCALES.get(qtype)


def question_parts(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Sub-parts of a compound question: matrix rows, ranked options, KANO / SERVQUAL parts.

    A KANO question has an ``importance`` part only when it asks for importance.
    """
    qtype = spec["type"]
    if qtype == "matrix":
        return tuple(r["id"] for r in spec.get("rows", []))
    if qtype == "ranking":
        return tuple(o["id"] for o in spec.get("options", []))
    parts = fixed_parts(qtype)
    if qtype == "kano" and "importance" not in spec:
        return parts[:2]
    return parts


def part_scale(spec: Mapping[str, Any], part: str) -> tuple[int, int] | None:
    """Numeric range of one part; ``None`` when the part is categorical (KANO answers)."""
    qtype = spec["type"]
    if qtype == "matrix" or qtype == "servqual":
        return question_scale(spec)
    if qtype == "ranking":
        return 1, len(spec.get("options", []))
    if qtype == "kano":
        return (1, int(spec["importance"]["max"])) if part == "importance" else None
    if qtype == "servqual_importance":
        return 0, 100
    return None


def iter_questions(document: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """``(path, spec)`` of every question in definition order."""
    for p, page in enumerate(document["pages"]):
        for q, spec in enumerate(page["questions"]):
            yield ("pages", p, "questions", q), spec


def iter_texts(document: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """``(path, text)`` of every translatable text in the document."""
    for key in ("title", "description"):
        if key in document:
            yield (key,), document[key]
    for p, page in enumerate(document["pages"]):
        for key in ("title", "description"):
            if key in page:
                yield ("pages", p, key), page[key]
        for q, spec in enumerate(page["questions"]):
            yield from question_texts(("pages", p, "questions", q), spec)
    for i, ending in enumerate(document.get("endings", [])):
        yield ("endings", i, "text"), ending["text"]
    for i, quota in enumerate(document.get("quotas", [])):
        if "message" in quota:
            yield ("quotas", i, "message"), quota["message"]


def question_texts(path: Path, spec: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """``(path, text)`` of every translatable text of one question."""
    for key in ("text", "description", "functional", "dysfunctional", "expectation", "perception"):
        if key in spec:
            yield (*path, key), spec[key]
    scale = spec.get("scale", {})
    for key in ("min_label", "max_label"):
        if key in scale:
            yield (*path, "scale", key), scale[key]
    for i, label in enumerate(scale.get("labels", [])):
        yield (*path, "scale", "labels", i), label
    for collection in ("options", "rows"):
        for i, item in enumerate(spec.get(collection, [])):
            yield (*path, collection, i, "text"), item["text"]
    if "other" in spec:
        yield (*path, "other", "text"), spec["other"]["text"]
    if "importance" in spec:
        yield (*path, "importance", "text"), spec["importance"]["text"]
    for key, label in spec.get("labels", {}).items():
        yield (*path, "labels", key), label
