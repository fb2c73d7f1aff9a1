"""Topics from a rule taxonomy, with aspect sentiment.

A taxonomy is a YAML (or JSON) document::

    name: default-cx
    version: 1
    topics:
      - id: delivery                      # dotted ids nest: delivery.speed is under delivery
        label: {en: Delivery, zh: 配送}
        rule: 配送 OR deliver* OR courier  # see openxm.text.rules for the rule language

Rules are checked clause by clause. A topic matches a comment when its rule holds in at least
one clause; a matching child also reports its parent (``delivery.speed`` ⇒ ``delivery``), with
the union of the clauses. The aspect sentiment of a topic is the mean score of the clauses it
matched (the label follows the sign, neutral within ±0.2). Parents must be declared before their
children; unknown keys, duplicate ids and bad rules are rejected with the topic id in the
message. The shipped default is ``data/taxonomy_cx.yaml`` (Chinese and English in one file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from ._fast import fast_constructor
from .lexicon import trie_regex
from .rules import WORD_RE, RuleSyntaxError, Term, parse_rule, positive_terms, terms_of

__all__ = ["Taxonomy", "TopicDefinition", "TopicMatch", "TaxonomyError", "load_taxonomy", "default_taxonomy"]

_WORD = WORD_RE
_ASCII_ALNUM = re.compile("[a-z0-9]")
_ALLOWED_KEYS = {"id", "label", "rule", "description"}
_CACHE_SIZE = 50_000


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the topic and the problem."""


@dataclass(frozen=True, slots=True)
class TopicDefinition:
    """One topic of a taxonomy: id, labels by language, the rule as written and its parent id."""

    id: str
    labels: tuple[tuple[str, str], ...]
    rule: str
    parent: str | None

    def label(self, language: str = "en") -> str:
        """The label in ``language``, else the English one, else the id."""
        for lang in (language, "en"):
            for key, text in self.labels:
                if key == lang and text:
                    return text
        return self.id


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A topic found in a comment: its sentiment and the (start, end) clause spans it matched."""

    id: str
    label: str
    sentiment: str
    score: float
    spans: tuple[tuple[int, int], ...]


_topic_match = fast_constructor(TopicMatch)


class Taxonomy:
    """A parsed taxonomy with an index from terms to the topics they can trigger."""

    def __init__(self, name: str, topics: Sequence[TopicDefinition]):
        self.name = name
        self.topics = tuple(topics)
        self.by_id = {t.id: t for t in self.topics}
        self._terms: list[Term] = []
        self._term_ids: dict[Term, int] = {}
        self._zh: dict[str, int] = {}
        self._zh_starts: dict[str, tuple[int, ...]] = {}
        self._en: dict[tuple[str, ...], int] = {}
        self._en_prefix: list[tuple[str, Term, int]] = []
        self._rules = []
        self._cache: dict[str, tuple[int, ...]] = {}
        self._trigger: dict[int, set[int]] = {}
        zh_lengths: dict[str, set[int]] = {}
        for position, topic in enumerate(self.topics):
            try:
                tree = parse_rule(topic.rule)
            except RuleSyntaxError as exc:
                raise TaxonomyError(f"topic {topic.id!r}: bad rule: {exc}") from exc
            for term in sorted(terms_of(tree), key=lambda t: (t.text, t.prefix)):
                if term not in self._term_ids:
                    tid = self._term_ids[term] = len(self._terms)
                    self._terms.append(term)
                    if term.chinese:
                        self._zh[term.text] = tid
                        zh_lengths.setdefault(term.text[0], set()).add(len(term.text))
                    elif term.prefix:
                        self._en_prefix.append((term.words[-1], term, tid))
                    else:
                        self._en[term.words] = tid
            for term in positive_terms(tree):
                self._trigger.setdefault(self._term_ids[term], set()).add(position)
            self._rules.append(self._compile(tree))
        self._zh_starts = {c: tuple(sorted(ls)) for c, ls in zh_lengths.items()}
        self._zh_any = trie_regex(self._zh)  # most clauses hold no Chinese term: one regex search says so
        position_of = {t.id: k for k, t in enumerate(self.topics)}
        self._lineage = [
            (k, *(position_of[a] for a in self.ancestors(t.id) if a in position_of))
            for k, t in enumerate(self.topics)
        ]
        self._labels = {lang: [t.label(lang) for t in self.topics] for lang in ("zh", "en")}
        self._max_words = max((len(k) for k in self._en), default=1)
        self._en_stems = tuple(stem for stem, _, _ in self._en_prefix)

    def _compile(self, tree):
        """Turn a rule tree into a function of the set of present term ids."""
        kind = tree[0]
        ids = self._term_ids
        if kind == "term":
            tid = ids[tree[1]]
            return lambda present: tid in present
        if kind == "not":
            inner = self._compile(tree[1])
            return lambda present: not inner(present)
        children = tree[1]
        if all(child[0] == "term" for child in children):
            group = frozenset(ids[child[1]] for child in children)
            if kind == "or":
                return lambda present: not group.isdisjoint(present)
            return lambda present: group <= present
        parts = [self._compile(child) for child in children]
        if kind == "and":
            return lambda present: all(f(present) for f in parts)
        return lambda present: any(f(present) for f in parts)

    def _present_ids(self, clause: str) -> set[int]:
        present: set[int] = set()
        low = clause.lower()
        zh, starts = self._zh, self._zh_starts
        n = len(low)
        for i, ch in enumerate(low if self._zh_any.search(low) else ()):
            lengths = starts.get(ch)
            if lengths:
                for length in lengths:
                    if i + length > n:
                        break
                    tid = zh.get(low[i : i + length])
                    if tid is not None:
                        present.add(tid)
        words = _WORD.findall(low) if _ASCII_ALNUM.search(low) else ()
        if words:
            en = self._en
            for size in range(1, min(self._max_words, len(words)) + 1):
                for i in range(len(words) - size + 1):
                    tid = en.get(tuple(words[i : i + size]))
                    if tid is not None:
                        present.add(tid)
            stems = self._en_stems
            if stems and any(word.startswith(stems) for word in words):
                for stem, term, tid in self._en_prefix:
                    for i, word in enumerate(words):
                        if word.startswith(stem) and self._prefix_ok(words, i, term):
                            present.add(tid)
                            break
        return present

    def present_terms(self, clause: str) -> set[Term]:
        """The taxonomy's terms that occur in one clause."""
        return {self._terms[i] for i in self._present_ids(clause)}

    @staticmethod
    def _prefix_ok(words: list[str], i: int, term: Term) -> bool:
        k = len(term.words)
        start = i - (k - 1)
        return start >= 0 and tuple(words[start:i]) == term.words[:-1]

    def _match_positions(self, clause: str) -> tuple[int, ...]:
        cached = self._cache.get(clause)
        if cached is not None:
            return cached
        present = self._present_ids(clause)
        found: tuple[int, ...] = ()
        if present:
            candidates: set[int] = set()
            for tid in present:
                candidates |= self._trigger.get(tid, set())
            found = tuple(k for k in candidates if self._rules[k](present))
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()  # short clauses repeat a lot ("好吃", "很快"); the rest need not stay
        self._cache[clause] = found
        return found

    def match_clause(self, clause: str) -> list[str]:
        """Ids of topics whose rule holds in ``clause`` (parents not added), in taxonomy order."""
        return [self.topics[k].id for k in sorted(self._match_positions(clause))]

    def ancestors(self, topic_id: str) -> list[str]:
        """Parent, grandparent, … of a topic id."""
        out = []
        parent = self.by_id[topic_id].parent
        while parent:
            out.append(parent)
            parent = self.by_id[parent].parent
        return out

    def match(self, clauses: Sequence, language: str = "en") -> tuple[TopicMatch, ...]:
        """Topics of a comment from its scored clauses (objects with text, start, end, score)."""
        hits: dict[int, list[int]] = {}
        lineage = self._lineage
        cache = self._cache
        for n, clause in enumerate(clauses):
            found = cache.get(clause.text)
            if found is None:
                found = self._match_positions(clause.text)
            for k in found:
                for topic in lineage[k]:
                    bucket = hits.setdefault(topic, [])
                    if not bucket or bucket[-1] != n:
                        bucket.append(n)
        out = []
        topics = self.topics
        labels = self._labels.get(language) or [t.label(language) for t in topics]
        for k in sorted(hits):
            matched = [clauses[n] for n in hits[k]]
            score = sum(c.score for c in matched) / len(matched)
            label = "positive" if score >= 0.2 else "negative" if score <= -0.2 else "neutral"
            spans = tuple((c.start, c.end) for c in matched)
            out.append(_topic_match(topics[k].id, labels[k], label, round(score, 4), spans))
        return tuple(out)


def _parse(data: dict, source: str) -> Taxonomy:
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise TaxonomyError(f"{source}: a taxonomy needs a 'topics' list")
    topics: list[TopicDefinition] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["topics"], start=1):
        if not isinstance(raw, dict):
            raise TaxonomyError(f"{source}: topic #{n} is not a mapping")
        tid = str(raw.get("id", "")).strip()
        if not tid:
            raise TaxonomyError(f"{source}: topic #{n} has no id")
        unknown = set(raw) - _ALLOWED_KEYS
        if unknown:
            raise TaxonomyError(f"{source}: topic {tid!r} has unknown keys {sorted(unknown)}")
        if tid in seen:
            raise TaxonomyError(f"{source}: duplicate topic id {tid!r}")
        if not isinstance(raw.get("rule"), str) or not raw["rule"].strip():
            raise TaxonomyError(f"{source}: topic {tid!r} has no rule")
        parent = tid.rsplit(".", 1)[0] if "." in tid else None
        if parent and parent not in seen:
            raise TaxonomyError(f"{source}: topic {tid!r} comes before its parent {parent!r}")
        label = raw.get("label", tid)
        labels = tuple(sorted(label.items())) if isinstance(label, dict) else (("en", str(label)),)
        seen.add(tid)
        topics.append(TopicDefinition(tid, labels, raw["rule"], parent))
    return Taxonomy(str(data.get("name", source)), topics)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read a taxonomy from a ``.yaml``/``.yml`` or ``.json`` file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    return _parse(data, path.name)


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped bilingual CX taxonomy (``data/taxonomy_cx.yaml``)."""
    text = resources.files("openxm.text").joinpath("data/taxonomy_cx.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text), "taxonomy_cx.yaml")
