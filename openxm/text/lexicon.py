"""Rule-based sentiment lexicon scoring with negation, intensifiers and diminishers.

The lexicon is ``data/lexicon.json`` (hand-curated, Chinese and English, editable). Scoring
walks a clause left to right taking the longest lexicon entry at each position:

* sentiment words weigh 2 (strong), 1 (plain) or 0.5 (weak);
* neutral entries are domain words that contain a sentiment word ("冷链", cold chain, is not
  "冷", cold): the longest match takes them, so the word inside is not scored, and they score
  nothing themselves;
* a negator (不, 没有, 不太, not, n't, never, …) within 4 characters (Chinese) or 3 words
  (English) before a sentiment word flips it; a flipped positive keeps 80 % of its weight
  ("不太满意" is negative) and a flipped negative 50 % ("not bad" is mildly positive);
  two negators cancel;
* an intensifier (很, 非常, 太, very, …) right before a sentiment word multiplies it by 1.5, a
  diminisher (有点, a bit, …) by 0.6. A character that is both a sentiment word and an
  intensifier (好, 挺) is read as an intensifier when a sentiment word follows at once.

Only what the lexicon lists is scored: sarcasm, domain-specific words and comparisons are the
learned model's job (see :mod:`openxm.text.sentiment`). ``negation_rule`` says which short
clauses are plain negations the lexicon can label on its own ("不差", "not bad at all").
Chinese is scanned by one trie-shaped regex (same longest-match result as the word loop).
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
# How many characters (zh) or words (en) of a clause may lie outside its negated spans for the
# negation rule ("质量不差", "I am not satisfied", "not bad at all").
RULE_SLACK = {"zh": 2, "en": 3}
# What may stand between negator and word for the negation rule: degree words, not "更"/"过"/
# "让我" and the like ("不能更慢", "没吃过那么难吃的" read the other way).
_ZH_GAP = re.compile("(?:是|很|太|也|都|还|算|够|怎么|特别|非常|那么|这么|一点|十分|很是|咋|让我|让人)*")
_ZH_FILLER = frozenset("一点也还真的了啊呀吧哦呢都是挺倒并嘛")
_EN_GAP = frozenset(
    (
        "a", "an", "the", "be", "been", "so", "very", "too", "that", "this", "really", "at", "all", "as",
        "quite", "entirely", "overly", "exactly", "even", "any", "much", "particularly", "terribly", "super",
    )
)
# English negations of actions, not of qualities: "don't waste your money", "I will not return"
# (the lexicon's "waste" and "return" are complaints, negated they are still complaints).
_EN_VERB_NEGATORS = frozenset(
    (
        "don't", "dont", "didn't", "didnt", "doesn't", "doesnt", "won't", "wont", "wouldn't", "wouldnt",
        "can't", "cant", "cannot", "couldn't", "couldnt", "shouldn't",
    )
)
_EN_AUX = frozenset(
    ("do", "does", "did", "will", "would", "can", "could", "should", "shall", "may", "might", "must")
)
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
        self.neutral = {self._key(t) for t in entries.get("neutral", [])}
        self.negators = {self._key(t) for t in entries.get("negators", [])}
        self.modifiers: dict[str, float] = {self._key(t): 1.5 for t in entries.get("intensifiers", [])}
        self.modifiers.update({self._key(t): 0.6 for t in entries.get("diminishers", [])})
        self.window = 4 if language == "zh" else 3
        # key -> (sentiment weight or None, is negator, modifier factor or None)
        self._entries: dict[str, tuple[float | None, bool, float | None]] = {}
        lengths: dict[str, set[int]] = {}
        sent_lengths: dict[str, set[int]] = {}
        for key in {*self.sentiment, *self.negators, *self.modifiers, *self.neutral}:
            if not key:
                continue
            weight = 0.0 if key in self.neutral else self.sentiment.get(key)
            self._entries[key] = (weight, key in self.negators, self.modifiers.get(key))
            units = self._units(key)
            lengths.setdefault(units[0], set()).add(len(units))
            if key in self.sentiment:
                sent_lengths.setdefault(units[0], set()).add(len(units))
        self._starts = {u: tuple(sorted(ls, reverse=True)) for u, ls in lengths.items()}
        self._sent_starts = {u: tuple(sorted(ls, reverse=True)) for u, ls in sent_lengths.items()}
        # sentiment entries that carry their own negation ("不贵", "没问题", "no complaints")
        if language == "zh":
            self._built_in = frozenset(k for k in self.sentiment if len(k) > 1 and k[0] in "不没无非未别")
        else:
            negators = self.negators
            self._built_in = frozenset(k for k in self.sentiment if " " in k and k.split(" ")[0] in negators)
        if language == "zh":  # longest-match scanning by the regex engine (same result, ~3× faster)
            self._any_re = trie_regex(self._entries)
            self._sent_re = trie_regex(k for k, v in self._entries.items() if v[0])

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
            if key in self._entries and (starts is self._starts or self._entries[key][0]):
                return key, length
        return None

    def hits(self, text: str) -> list[LexiconHit]:
        """Every scored entry in ``text`` (one clause), in order."""
        return [LexiconHit(key, weight, negated) for key, weight, negated, _, _ in self._scan(text)]

    def _scan(self, text: str) -> list[tuple[str, float, bool, int, int]]:
        """(entry, weight, negated, first unit, end unit) per hit; a negated hit starts at its negator."""
        if self.language == "zh":
            return self._scan_zh(text)
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
            if weight == 0.0:  # a neutral domain word: it only hides the sentiment word inside it
                i += length
                continue
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

    def _scan_zh(self, text: str) -> list[tuple[str, float, bool, int, int]]:
        """``_scan`` for Chinese: the trie regex finds the longest entry at each position."""
        out: list[tuple[str, float, bool, int, int]] = []
        negations: list[tuple[int, int]] = []
        scale = 1.0
        scale_end = -1
        entries = self._entries
        window = self.window
        sent_match = self._sent_re.match
        for m in self._any_re.finditer(text):
            key = m.group()
            i, end = m.span()
            weight, is_neg, modifier = entries[key]
            if weight == 0.0:  # a neutral domain word (see _scan)
                continue
            if weight is not None and (is_neg or modifier is not None):
                if sent_match(text, end) is not None:
                    weight = None
                else:
                    is_neg, modifier = False, None
            if weight is None:
                if is_neg:
                    negations.append((i, end))
                elif modifier is not None:
                    scale, scale_end = modifier, end
            else:
                live = [start for start, stop in negations if i - stop <= window] if negations else ()
                negated = len(live) % 2 == 1
                if negated:
                    weight = -weight * (0.8 if weight > 0 else 0.5)
                if scale_end == i:
                    weight *= scale
                out.append((key, weight, negated, live[0] if negated else i, end))
                negations = []
        return out

    def scan_with_rule(self, text: str) -> tuple[float, float, list[tuple[int, int, str]], float | None]:
        """``scan`` plus ``negation_rule`` from one pass over the clause."""
        pos = neg = 0.0
        masks: list[tuple[int, int, str]] = []
        hits = self._scan(text)
        check = False
        built_in = self._built_in
        for key, weight, negated, start, end in hits:
            if weight > 0:
                pos += weight
            else:
                neg -= weight
            if negated:
                masks.append((start, end, key))
                check = True
            elif key in built_in and (len(text) <= len(key) + 4 or self.language == "en"):
                check = True  # only a short clause can be ruled by it
        return pos, neg, masks, (self.negation_rule(text, hits) if check else None)

    def negation_rule(self, text: str, hits: list | None = None) -> float | None:
        """The lexicon's net weight of a short negated clause ("不差", "not bad at all"), else None.

        It applies when every scored entry of the clause is negated or carries its own negation
        ("不贵", "no complaints"); only degree words stand between negator and word ("不是很好",
        "not that bad"; not "不能更慢" or "没吃过那么难吃的", which read the other way; in English the
        negation of a quality, not of an action: not "don't waste", "will not return"); a negated
        word does not itself begin with a negator ("没…没法"); and the entries' spans leave at most
        ``RULE_SLACK`` characters (Chinese, not counting particles such as 也/的/了) or words
        (English) of the clause uncovered. The sentiment model uses it to overrule n-gram weights
        that the training data rarely saw negated (see ``openxm.text.sentiment``).
        """
        if hits is None:
            hits = self._scan(text)
        if not hits:
            return None
        zh = self.language == "zh"
        units = self._units(text)
        for key, _, negated, start, end in hits:
            size = len(key) if zh else key.count(" ") + 1
            built_in = key in self._built_in
            if negated:
                if built_in or not self._plain_gap(units[start : end - size]):
                    return None  # "没…没法" and distant negators are left to the model
                if not zh and (units[start] in _EN_VERB_NEGATORS or (start and units[start - 1] in _EN_AUX)):
                    return None  # a negated action ("don't waste", "won't return") is no verdict
            elif not built_in:
                return None
        spans = [(start, end) for _, _, _, start, end in hits]
        outside = [u for k, u in enumerate(units) if not any(start <= k < end for start, end in spans)]
        if zh:  # particles and adverbs around the spans do not count ("一点也不差", "真的不错")
            outside = [ch for ch in outside if ch not in _ZH_FILLER]
        if len(outside) > RULE_SLACK[self.language]:
            return None
        value = sum(weight for _, weight, _, _, _ in hits)
        return value or None

    def _plain_gap(self, gap) -> bool:
        """True if ``gap`` (negator … up to the word) is a negator followed only by degree words."""
        zh = self.language == "zh"
        for length in range(len(gap), 0, -1):  # the longest negator the gap begins with
            head = gap[:length] if zh else " ".join(gap[:length])
            if head in self.negators:
                rest = gap[length:]
                break
        else:
            return False
        if zh:
            return _ZH_GAP.fullmatch(rest) is not None
        return all(word in _EN_GAP for word in rest)

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


def trie_regex(keys) -> re.Pattern[str]:
    """A regex matching the longest of ``keys`` at a position (a character trie, so it stays fast)."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a key ends here: the longer keys are tried first, this one is the fallback
            return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    pattern = build(trie)
    return re.compile(pattern if pattern else "(?!)")


@cache
def load_lexicon(language: str) -> Lexicon:
    """The shipped lexicon for ``"zh"`` or ``"en"`` (read once per process)."""
    raw = resources.files("openxm.text").joinpath("data/lexicon.json").read_text(encoding="utf-8")
    return Lexicon(language, json.loads(raw)[language])
