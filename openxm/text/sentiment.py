"""Sentiment of comments and of their clauses, from a shipped linear model plus the lexicon.

A :class:`SentimentModel` is a linear model over two kinds of features, computed per clause
(see :mod:`openxm.text.features` and :mod:`openxm.text.lexicon`):

* n-gram counts — how many of the comment's clauses contain the n-gram — divided by the square
  root of the number of (clause, distinct n-gram) pairs, known to the model or not, so a long
  comment does not shout louder;
* the lexicon's positive and negative sums, ``log1p``-squashed and multiplied by a fixed scale.

Chinese models are two-class: ``score = tanh(margin / 2)`` (= 2·P(positive) − 1) and the label is
neutral inside ``±neutral_band``. English models are three-class (softmax): the label is the most
probable class and ``score = P(positive) − P(negative)``. In both, the sign of the score agrees
with a positive/negative label. A clause with neither a known n-gram nor a lexicon hit (an emoji,
a number) is neutral with score 0. A comment's sentiment is computed over all its clauses at
once, not averaged from them; ``mixed`` says that it has a positive and a negative clause.

Negation rule: n-gram weights learn little about negated phrases that reviews rarely use ("不差",
"没毛病", "not bad" come out negative from the n-grams of 差/bad). For a short clause made of
negated lexicon entries (``Lexicon.negation_rule``: "不差", "没什么问题", "I am not satisfied"),
the lexicon's sign wins when the model's label disagrees: the clause gets ``tanh`` of the
lexicon's net weight, at least ±0.25. A one-clause comment is that clause; a longer comment is
overruled only when every clause with a signal is such a clause. ``margin`` is the model alone.

Suggestion rule (:mod:`openxm.text.suggestions`): a clause that suggests ("包装可以更环保",
"could be more eco-friendly") is never positive — a positive label becomes neutral, a positive
score 0 — and a comment whose clauses with a signal are all suggestions is not positive either. Praise
words in a wish are not praise.

Neutral gate (three-class models, off unless ``neutral_gate`` > 0): a clause or comment in which
the lexicon finds no opinion entry and whose ``|score|`` is below ``neutral_gate`` is neutral
("We went there on a Sunday"), VADER's notion of neutral. Across domains it is a trade-off (it
helps where neutral means factual, it hurts where every comment carries an opinion the lexicon
lacks); see docs/text-model-card.md. The shipped model leaves it off.

The model file is gzip-compressed JSON (``models/sentiment_<lang>.json.gz``): plain lists of
n-grams and weights, readable without scikit-learn and stable across library versions.
"""

from __future__ import annotations

import copy
import gzip
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ._fast import fast_constructor
from .clauses import ClauseSpan, split_clauses
from .features import en_features, zh_clean, zh_features, zh_gram_set
from .lexicon import Lexicon, load_lexicon
from .suggestions import is_suggestion

__all__ = [
    "SentimentModel",
    "SentimentResult",
    "ClauseSentiment",
    "load_sentiment_model",
    "LABELS",
]

LABELS = ("negative", "neutral", "positive")
FORMAT = "openxm-sentiment/1"
_CACHE_SIZE = 50_000


def _apply_rule(label: str, score: float, value: float) -> tuple[str, float]:
    """The negation rule: keep the model's verdict if it has the lexicon's sign, else the lexicon's.

    ``value`` is the lexicon's net weight (e.g. +0.5 for "不差"/"not bad", −0.8 for "不太满意");
    the overriding score is ``tanh(value)``, at least 0.25 in magnitude, so it is never neutral.
    """
    if value == 0 or (label == "positive" if value > 0 else label == "negative"):
        return label, score
    score = math.copysign(max(0.25, abs(math.tanh(value))), value)
    return ("positive" if value > 0 else "negative"), score


def _not_praise(label: str, score: float) -> tuple[str, float]:
    """The suggestion rule: a positive lean on a suggestion becomes neutral with score 0."""
    if score > 0 or label == "positive":
        return ("neutral" if label == "positive" else label), 0.0
    return label, score


@dataclass(frozen=True, slots=True)
class ClauseSentiment:
    """One clause with its sentiment; ``text`` is ``comment[start:end]``."""

    text: str
    start: int
    end: int
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """Comment-level label and score in [−1, 1], its clauses, and whether they disagree."""

    label: str
    score: float
    clauses: tuple[ClauseSentiment, ...]
    mixed: bool


_clause = fast_constructor(ClauseSentiment)
_result = fast_constructor(SentimentResult)


class SentimentModel:
    """A loaded sentiment model for one language; see the module docstring for the maths."""

    def __init__(
        self,
        language: str,
        classes: tuple[str, ...],
        vocabulary: list[str],
        weights: list[list[float]],
        bias: list[float],
        lexicon_weights: list[list[float]],
        lexicon_scale: float,
        neutral_band: float = 0.2,
        metadata: dict | None = None,
        lexicon: Lexicon | None = None,
        neutral_gate: float = 0.0,
    ):
        self.language = language
        self.classes = tuple(classes)
        self.binary = len(self.classes) == 2
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.weights = weights  # one row per feature, one column per class (one column if binary)
        self.bias = bias
        self.lexicon_weights = lexicon_weights  # [positive_feature, negative_feature] rows
        self.lexicon_scale = lexicon_scale
        self.neutral_band = neutral_band
        self.neutral_gate = neutral_gate
        self.metadata = metadata or {}
        self.lexicon = lexicon or load_lexicon(language)
        self._featurise = zh_features if language == "zh" else en_features
        self._cache: dict[str, tuple] = {}
        if self.binary:
            self._w1 = [row[0] for row in weights]
            self._wd = {term: row[0] for term, row in zip(vocabulary, weights, strict=True)}
            if language == "zh":
                # Position tables for clauses without a repeated character, where every n-gram is
                # distinct: the weight of "a", of "a"+"ab" and of "a"+"ab"+"abc" (see _zh_sum).
                wd = self._wd
                self._u = {t: w for t, w in wd.items() if len(t) == 1}
                self._b = {t: wd.get(t[0], 0.0) + w for t, w in wd.items() if len(t) == 2}
                self._t = {
                    t: wd.get(t[0], 0.0) + wd.get(t[:2], 0.0) + w for t, w in wd.items() if len(t) == 3
                }

    # -- scoring -----------------------------------------------------------------------------
    def _clause_parts(self, text: str) -> tuple:
        """(n-gram weight sum(s), distinct n-grams, lexicon pos, lexicon neg, rule value) of a clause.

        The n-gram part is one float for two-class models and a list per class otherwise. The rule
        value is the lexicon's net weight when the clause is a short negated one ("不差", "not
        bad", "没什么问题"), else None (see ``Lexicon.negation_rule``).
        """
        zh = self.language == "zh"
        if zh:
            text = zh_clean(text)
        pos, neg, masks, rule = self.lexicon.scan_with_rule(text)
        if self.binary:
            if zh and not masks:
                n = len(text)
                if n > 2 and len(set(text)) == n:  # every n-gram distinct: 3n − 3 of them
                    return self._zh_sum(text, n), 3 * n - 3, pos, neg, rule
                grams = zh_gram_set(text)
            else:
                grams = set(self._featurise(text, masks))
            return sum(filter(None, map(self._wd.get, grams))), len(grams), pos, neg, rule
        grams = set(self._featurise(text, masks))
        index, weights = self.index, self.weights
        ids = [index[g] for g in grams if g in index]
        return [sum(weights[i][k] for i in ids) for k in range(len(self.bias))], len(grams), pos, neg, rule

    def _zh_sum(self, s: str, n: int) -> float:
        """Sum of the weights of the 1–3-grams of ``s`` (``n`` ≥ 3 characters, none repeated).

        One look-up per position instead of three: the longest known n-gram starting there
        carries the weights of its known prefixes.
        """
        t_get, b_get, u_get = self._t.get, self._b.get, self._u.get
        total = 0.0
        for i in range(n - 2):
            v = t_get(s[i : i + 3])
            if v is None:
                v = b_get(s[i : i + 2])
                if v is None:
                    v = u_get(s[i], 0.0)
            total += v
        v = b_get(s[n - 2 :])
        return total + (u_get(s[n - 2], 0.0) if v is None else v) + u_get(s[n - 1], 0.0)

    def _margins(self, sums: list[float], n_grams: int, pos: float, neg: float) -> list[float]:
        lp = math.log1p(pos) * self.lexicon_scale
        ln = math.log1p(neg) * self.lexicon_scale
        norm = 1.0 / math.sqrt(n_grams) if n_grams else 0.0
        lw = self.lexicon_weights
        return [b + sums[k] * norm + lw[0][k] * lp + lw[1][k] * ln for k, b in enumerate(self.bias)]

    def _label_score(self, margins: list[float]) -> tuple[str, float]:
        if self.binary:
            score = math.tanh(margins[0] / 2.0)
            if score >= self.neutral_band:
                return "positive", score
            if score <= -self.neutral_band:
                return "negative", score
            return "neutral", score
        top = max(margins)
        exps = [math.exp(m - top) for m in margins]
        total = sum(exps)
        probs = dict(zip(self.classes, (e / total for e in exps), strict=True))
        label = max(probs, key=probs.__getitem__)
        return label, probs.get("positive", 0.0) - probs.get("negative", 0.0)

    def margin(self, text: str) -> list[float]:
        """Raw linear margins of a whole comment (one value for two-class models), without the rule."""
        sums = [0.0] * len(self.bias)
        n_grams = 0
        pos = neg = 0.0
        for clause in split_clauses(text):
            c_sums, c_n, c_pos, c_neg, _ = self._clause_parts(clause.text)
            sums = [a + b for a, b in zip(sums, [c_sums] if self.binary else c_sums, strict=True)]
            n_grams += c_n
            pos += c_pos
            neg += c_neg
        return self._margins(sums, n_grams, pos, neg)

    def analyze(self, text: str, clauses: list[ClauseSpan] | None = None) -> SentimentResult:
        """Comment and clause sentiment of ``text``."""
        if clauses is None:
            clauses = split_clauses(text)
        if self.binary:
            return self._analyze_binary(clauses)
        sums = [0.0] * len(self.bias)
        n_grams = 0
        pos_total = neg_total = 0.0
        out: list[ClauseSentiment] = []
        rules: list[float | None] = []
        all_suggestions = True
        for clause in clauses:
            c_sums, c_n, pos, neg, rule = self._clause_parts(clause.text)
            sums = [a + b for a, b in zip(sums, c_sums, strict=True)]
            n_grams += c_n
            pos_total += pos
            neg_total += neg
            if not (pos or neg or any(c_sums)):
                out.append(ClauseSentiment(clause.text, clause.start, clause.end, "neutral", 0.0))
                continue
            label, score = self._label_score(self._margins(c_sums, c_n, pos, neg))
            if not (pos or neg) and abs(score) < self.neutral_gate:
                label = "neutral"
            if rule is not None:
                label, score = _apply_rule(label, score, rule)
            if is_suggestion(clause.text, self.language):
                label, score = _not_praise(label, score)
            else:
                all_suggestions = False
            rules.append(rule)
            out.append(ClauseSentiment(clause.text, clause.start, clause.end, label, round(score, 4)))
        if not (pos_total or neg_total or any(sums)):
            return SentimentResult("neutral", 0.0, tuple(out), False)
        if len(out) == 1:  # one clause: the comment is that clause
            return SentimentResult(out[0].label, out[0].score, tuple(out), False)
        label, score = self._label_score(self._margins(sums, n_grams, pos_total, neg_total))
        if not (pos_total or neg_total) and abs(score) < self.neutral_gate:
            label = "neutral"
        if rules and None not in rules:  # every clause with a signal is a short negated one
            label, score = _apply_rule(label, score, sum(rules))
        if all_suggestions:
            label, score = _not_praise(label, score)
        labels = {c.label for c in out}
        return SentimentResult(label, round(score, 4), tuple(out), {"positive", "negative"} <= labels)

    def _analyze_binary(self, clauses: list[ClauseSpan]) -> SentimentResult:
        """``analyze`` for two-class models, unrolled: this is the pipeline's hot path."""
        bias = self.bias[0]
        w_pos, w_neg = self.lexicon_weights[0][0], self.lexicon_weights[1][0]
        scale, band = self.lexicon_scale, self.neutral_band
        log1p, sqrt, tanh = math.log1p, math.sqrt, math.tanh
        total = 0.0
        n_total = 0
        pos_total = neg_total = 0.0
        out: list[ClauseSentiment] = []
        cache = self._cache
        all_rules = True
        all_suggestions = True
        rule_total = 0.0
        language = self.language
        for clause in clauses:
            text = clause.text
            parts = cache.get(text)
            if parts is None:
                s, n, pos, neg, rule = self._clause_parts(text)
                if s or pos or neg:
                    margin = bias + s / sqrt(n) + (w_pos * log1p(pos) + w_neg * log1p(neg)) * scale
                    score = tanh(margin / 2.0)
                    label = "positive" if score >= band else "negative" if score <= -band else "neutral"
                    if rule is not None:
                        label, score = _apply_rule(label, score, rule)
                    suggestion = is_suggestion(text, language)
                    if suggestion:
                        label, score = _not_praise(label, score)
                    parts = (s, n, pos, neg, rule, label, round(score, 4), suggestion)
                else:
                    parts = (s, n, pos, neg, rule, None, 0.0, False)
                if len(cache) >= _CACHE_SIZE:
                    cache.clear()  # short clauses ("好吃", "很快") repeat; the rest need not stay
                cache[text] = parts
            s, n, pos, neg, rule, label, score, suggestion = parts
            total += s
            n_total += n
            pos_total += pos
            neg_total += neg
            if label is None:  # no signal: neutral, and no say in whether the comment is ruled
                out.append(_clause(text, clause.start, clause.end, "neutral", 0.0))
                continue
            if rule is None:
                all_rules = False
            else:
                rule_total += rule
            if not suggestion:
                all_suggestions = False
            out.append(_clause(text, clause.start, clause.end, label, score))
        if not (total or pos_total or neg_total):
            return _result("neutral", 0.0, tuple(out), False)
        if len(out) == 1:  # one clause: the comment is that clause
            return _result(out[0].label, out[0].score, tuple(out), False)
        margin = bias + total / sqrt(n_total) + (w_pos * log1p(pos_total) + w_neg * log1p(neg_total)) * scale
        score = tanh(margin / 2.0)
        label = "positive" if score >= band else "negative" if score <= -band else "neutral"
        if all_rules:  # every clause with a signal is a short negated one
            label, score = _apply_rule(label, score, rule_total)
        if all_suggestions:
            label, score = _not_praise(label, score)
        labels = {c.label for c in out}
        mixed = "positive" in labels and "negative" in labels
        return _result(label, round(score, 4), tuple(out), mixed)

    def with_neutral_gate(self, gate: float) -> SentimentModel:
        """A copy of this model (sharing its weights) with ``neutral_gate`` set to ``gate``."""
        clone = copy.copy(self)
        clone.neutral_gate = gate
        clone._cache = {}
        return clone

    def predict_scores(self, texts: list[str]) -> list[float]:
        """Comment scores only (what benchmarks need): the same scores as ``analyze``."""
        return [self.analyze(text).score for text in texts]

    # -- persistence ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        vocabulary = [""] * len(self.index)
        for term, i in self.index.items():
            vocabulary[i] = term
        return {
            "format": FORMAT,
            "language": self.language,
            "classes": list(self.classes),
            "vocabulary": vocabulary,
            "weights": self.weights,
            "bias": self.bias,
            "lexicon_weights": self.lexicon_weights,
            "lexicon_scale": self.lexicon_scale,
            "neutral_band": self.neutral_band,
            "metadata": self.metadata,
            "neutral_gate": self.neutral_gate,
        }

    @classmethod
    def from_dict(cls, data: dict) -> SentimentModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not an openxm sentiment model (format {data.get('format')!r})")
        return cls(
            data["language"],
            tuple(data["classes"]),
            data["vocabulary"],
            data["weights"],
            data["bias"],
            data["lexicon_weights"],
            data["lexicon_scale"],
            data.get("neutral_band", 0.2),
            data.get("metadata", {}),
            neutral_gate=data.get("neutral_gate", 0.0),
        )

    def save(self, path: str | Path) -> None:
        """Write the model as gzip-compressed JSON (weights rounded to 5 significant digits)."""
        data = self.to_dict()
        data["weights"] = [[float(f"{w:.5g}") for w in row] for row in data["weights"]]
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with Path(path).open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(payload)

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        with gzip.open(path, "rb") as f:
            return cls.from_dict(json.loads(f.read().decode("utf-8")))


@cache
def load_sentiment_model(language: str) -> SentimentModel:
    """The shipped model for ``"zh"`` or ``"en"`` (loaded once per process)."""
    ref = resources.files("openxm.text").joinpath(f"models/sentiment_{language}.json.gz")
    with ref.open("rb") as raw, gzip.open(raw, "rb") as f:
        return SentimentModel.from_dict(json.loads(f.read().decode("utf-8")))
