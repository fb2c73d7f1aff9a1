"""Rule-based sentiment lexicon scoring with negation, intensifiers and diminishers.

The lexicon is ``data/lexicon.json`` (hand-curated, Chinese and English, editable). Scoring
walks a clause left to right taking the longest lexicon entry at each position:

* sentiment words weigh 2 (strong), 1 (plain) or 0.5 (weak);
* a negator (不, 没有, 不太, not, n't, never, …) within 4 characters (Chinese) or 3 words
  (English) before a sentiment word flips it; a flipped positive keeps 80 % of its weight
  ("不太满意" is negative) and a flipped negative 50 % ("not bad" is mildly positive);
  two negators cancel;
* an intensifier (很, 非常, 太, very, …) right before a sentiment word multiplies it by 1.5, a
  diminisher (有点, a bit, …) by 0.6. A character that is both a sentiment word and an
  intensifier (好, 挺) is read as an intensifier when a sentiment word follows at once.

Only what the lexicon lists is scored: sarcasm, domain-specific words and comparisons are the
learned model's job (see :mod:`openxm.text.sentiment`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Lexicon", "LexiconHit", "load_lexicon", "en_words"]

_WEIGHTS = {
    "strong_positive": 2.0,
    "positive": 1.0,
    "weak_positive": 0.5,
    "strong_negative": -2.0,
    "negative": -1.0,
    "weak_negative": -0.5,
}
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|n't")


def en_words(text: str) -> list[str]:
    """Lower-cased English words; "didn't" stays one word, as the lexicon lists it."""
    return _EN_WORD.findall(text.lower())


@dataclass(frozen=True, slots=True)
class LexiconHit:
    """A scored lexicon entry: the entry as written, its final weight and whether it was negated."""

    term: str
    weight: float
    negated: bool


class Lexicon:
    """Longest-match scorer for one language (``"zh"`` scans characters, ``"en"`` words)."""

    def __init__(self, language: str, entries: dict[str, list[str]]):
        self.language = language
        self.sentiment: dict[str, float] = {}
        for group, weight in _WEIGHTS.items():
            for term in entries.get(group, []):
                self.sentiment.setdefault(self._key(term), weight)
        self.negators = {self._key(t) for t in entries.get("negators", [])}
        self.modifiers: dict[str, float] = {self._key(t): 1.5 for t in entries.get("intensifiers", [])}
        self.modifiers.update({self._key(t): 0.6 for t in entries.get("diminishers", [])})
        self.window = 4 if language == "zh" else 3
        # key -> (sentiment weight or None, is negator, modifier factor or None)
        self._entries: dict[str, tuple[float | None, bool, float | None]] = {}
        lengths: dict[str, set[int]] = {}
        sent_lengths: dict[str, set[int]] = {}
        for key in {*self.sentiment, *self.negators, *self.modifiers}:
            if not key:
                continue
            self._entries[key] = (self.sentiment.get(key), key in self.negators, self.modifiers.get(key))
            units = self._units(key)
            lengths.setdefault(units[0], set()).add(len(units))
            if key in self.sentiment:
                sent_lengths.setdefault(units[0], set()).add(len(units))
        self._starts = {u: tuple(sorted(ls, reverse=True)) for u, ls in lengths.items()}
        self._sent_starts = {u: tuple(sorted(ls, reverse=True)) for u, ls in sent_lengths.items()}

    def _key(self, term: str) -> str:
        return term if self.language == "zh" else " ".join(en_words(term))

    def _units(self, text: str):
        return text if self.language == "zh" else en_words(text)

    def _lookup(self, units, i: int, starts: dict[str, tuple[int, ...]]):
        """Longest entry beginning at ``i`` among those indexed in ``starts``: (key, length) or None."""
        lengths = starts.get(units[i])
        if not lengths:
            return None
        n = len(units)
        zh = self.language == "zh"
        for length in lengths:
            if i + length > n:
                continue
            key = units[i : i + length] if zh else " ".join(units[i : i + length])
            if key in self._entries and (starts is self._starts or self._entries[key][0] is not None):
                return key, length
        return None

    def hits(self, text: str) -> list[LexiconHit]:
        """Every scored entry in ``text`` (one clause), in order."""
        return [LexiconHit(key, weight, negated) for key, weight, negated, _, _ in self._scan(text)]

    def _scan(self, text: str) -> list[tuple[str, float, bool, int, int]]:
        """(entry, weight, negated, first unit, end unit) per hit; a negated hit starts at its negator."""
        units = self._units(text)
        out: list[tuple[str, float, bool, int, int]] = []
        negations: list[tuple[int, int]] = []  # (start, end) unit indices of pending negators
        scale = 1.0
        scale_end = -1
        i = 0
        n = len(units)
        entries = self._entries
        starts = self._starts
        while i < n:
            if units[i] not in starts:  # most positions start no entry: skip the call
                i += 1
                continue
            found = self._lookup(units, i, starts)
            if found is None:
                i += 1
                continue
            key, length = found
            weight, is_neg, modifier = entries[key]
            if weight is not None and (is_neg or modifier is not None):
                # 好/挺/不 … : a modifier when a sentiment word follows at once, else a word
                if i + length < n and self._lookup(units, i + length, self._sent_starts) is not None:
                    weight = None
                else:
                    is_neg, modifier = False, None
            if weight is None:
                if is_neg:
                    negations.append((i, i + length))
                elif modifier is not None:
                    scale, scale_end = modifier, i + length
            else:
                live = [start for start, end in negations if i - end <= self.window]
                negated = len(live) % 2 == 1
                if negated:
                    weight = -weight * (0.8 if weight > 0 else 0.5)
                if scale_end == i:
                    weight *= scale
                out.append((key, weight, negated, live[0] if negated else i, i + length))
                negations = []
            i += length
        return out

    def score(self, text: str) -> tuple[float, float]:
        """(sum of positive weights, sum of absolute negative weights) over ``text``."""
        pos, neg, _ = self.scan(text)
        return pos, neg

    def scan(self, text: str) -> tuple[float, float, list[tuple[int, int, str]]]:
        """Positive sum, absolute negative sum, and the (start, end, entry) unit spans of negated hits.

        The spans let the n-gram features replace "不差" or "not bad" by one negation feature
        instead of counting the n-grams of 差 or "bad" against the comment.
        """
        pos = neg = 0.0
        masks: list[tuple[int, int, str]] = []
        for key, weight, negated, start, end in self._scan(text):
            if weight > 0:
                pos += weight
            else:
                neg -= weight
            if negated:
                masks.append((start, end, key))
        return pos, neg, masks


@cache
def load_lexicon(language: str) -> Lexicon:
    """The shipped lexicon for ``"zh"`` or ``"en"`` (read once per process)."""
    raw = resources.files("openxm.text").joinpath("data/lexicon.json").read_text(encoding="utf-8")
    return Lexicon(language, json.loads(raw)[language])
