"""Randomised order of pages, questions, options and matrix rows, reproducible from a seed.

Included: ``randomize(defn, seed)`` → ``Ordering`` (the full presentation order of one response,
serialisable with ``to_dict``/``from_dict`` so it can be recorded with the response).
The order is a pure function of (seed, element ids): each element sorts by the SHA-256 of
``seed␟scope␟id``, so the same seed always gives the same order, different seeds give
independent uniform shuffles, and adding an option does not reorder the others among themselves.
Shuffled: pages inside each ``randomize_pages`` group (the group keeps its place in the survey),
questions of a page with ``randomize_questions``, options of a question with
``randomize_options`` (options marked ``fixed`` and "other" keep their places) and matrix rows
with ``randomize_rows``.
Excluded: deciding which pages/questions are shown (``flow.py``). ``seed=None`` gives the
definition order everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import OTHER, SurveyDefinition, option_ids


def _shuffle(items: Sequence[str], seed: str | None, scope: str) -> list[str]:
    if seed is None:
        return list(items)

    def key(item: str) -> bytes:
        return hashlib.sha256(f"{seed}\x1f{scope}\x1f{item}".encode()).digest()

    return sorted(items, key=key)


def _shuffle_options(spec: Mapping[str, Any], seed: str | None) -> tuple[str, ...]:
    ids = list(option_ids(spec))
    if not spec.get("randomize_options"):
        return tuple(ids)
    fixed = {o["id"] for o in spec.get("options", []) if o.get("fixed")} | {OTHER}
    movable = _shuffle([i for i in ids if i not in fixed], seed, f"options:{spec['id']}")
    moved = iter(movable)
    return tuple(i if i in fixed else next(moved) for i in ids)


@dataclass(frozen=True)
class Ordering:
    """Presentation order for one response.

    ``pages``: every page id; ``questions``: page id → its question ids; ``options``: question id →
    option ids (choice, dropdown and ranking questions, "other" included); ``rows``: matrix
    question id → row ids.
    """

    seed: str | None
    pages: tuple[str, ...]
    questions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the order (lists instead of tuples)."""
        return {
            "seed": self.seed,
            "pages": list(self.pages),
            "questions": {k: list(v) for k, v in self.questions.items()},
            "options": {k: list(v) for k, v in self.options.items()},
            "rows": {k: list(v) for k, v in self.rows.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ordering:
        return cls(
            seed=data.get("seed"),
            pages=tuple(data["pages"]),
            questions={k: tuple(v) for k, v in data.get("questions", {}).items()},
            options={k: tuple(v) for k, v in data.get("options", {}).items()},
            rows={k: tuple(v) for k, v in data.get("rows", {}).items()},
        )


def randomize(definition: SurveyDefinition, seed: str | int | None) -> Ordering:
    """The presentation order of a response with this seed (for example the response id)."""
    seed_text = None if seed is None else str(seed)
    pages = [p.id for p in definition.pages]
    for g, group in enumerate(definition.data.get("randomize_pages", [])):
        slots = sorted(pages.index(page_id) for page_id in group)
        for slot, page_id in zip(slots, _shuffle(list(group), seed_text, f"pages:{g}"), strict=True):
            pages[slot] = page_id
    questions: dict[str, tuple[str, ...]] = {}
    options: dict[str, tuple[str, ...]] = {}
    rows: dict[str, tuple[str, ...]] = {}
    for page in definition.pages:
        ids = page.question_ids
        if page.spec.get("randomize_questions"):
            ids = tuple(_shuffle(ids, seed_text, f"questions:{page.id}"))
        questions[page.id] = tuple(ids)
        for qid in page.question_ids:
            spec = definition.question(qid).spec
            if "options" in spec:
                options[qid] = _shuffle_options(spec, seed_text)
            if "rows" in spec:
                row_ids = [r["id"] for r in spec["rows"]]
                rows[qid] = tuple(_shuffle(row_ids, seed_text, f"rows:{qid}") if spec.get("randomize_rows")
                                  else row_ids)
    return Ordering(seed_text, tuple(pages), questions, options, rows)
