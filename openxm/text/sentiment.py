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

The model file is gzip-compressed JSON (``models/sentiment_<lang>.json.gz``): plain lists of
n-grams and weights, readable without scikit-learn and stable across library versions.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .clauses import ClauseSpan, split_clauses
from .features import en_features, zh_clean, zh_features
from .lexicon import Lexicon, load_lexicon

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
        self.metadata = metadata or {}
        self.lexicon = lexicon or load_lexicon(language)
        self._featurise = zh_features if language == "zh" else en_features
        self._cache: dict[str, tuple[float, int, float, float]] = {}
        if self.binary:
            self._w1 = [row[0] for row in weights]
            self._wd = {term: row[0] for term, row in zip(vocabulary, weights, strict=True)}

    # -- scoring -----------------------------------------------------------------------------
    def _clause_parts(self, text: str) -> tuple[list[float], int, float, float]:
        """(n-gram weight sums per class, distinct n-grams, lexicon pos, lexicon neg) of a clause."""
        if self.language == "zh":
            text = zh_clean(text)
        pos, neg, masks = self.lexicon.scan(text)
        grams = set(self._featurise(text, masks))
        if self.binary:
            return [sum(filter(None, map(self._wd.get, grams)))], len(grams), pos, neg
        index, weights = self.index, self.weights
        ids = [index[g] for g in grams if g in index]
        return [sum(weights[i][k] for i in ids) for k in range(len(self.bias))], len(grams), pos, neg

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
        """Raw linear margins of a whole comment (one value for two-class models)."""
        sums = [0.0] * len(self.bias)
        n_grams = 0
        pos = neg = 0.0
        for clause in split_clauses(text):
            c_sums, c_n, c_pos, c_neg = self._clause_parts(clause.text)
            sums = [a + b for a, b in zip(sums, c_sums, strict=True)]
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
        for clause in clauses:
            c_sums, c_n, pos, neg = self._clause_parts(clause.text)
            sums = [a + b for a, b in zip(sums, c_sums, strict=True)]
            n_grams += c_n
            pos_total += pos
            neg_total += neg
            if not (pos or neg or any(c_sums)):
                out.append(ClauseSentiment(clause.text, clause.start, clause.end, "neutral", 0.0))
                continue
            label, score = self._label_score(self._margins(c_sums, c_n, pos, neg))
            out.append(ClauseSentiment(clause.text, clause.start, clause.end, label, round(score, 4)))
        if not (pos_total or neg_total or any(sums)):
            return SentimentResult("neutral", 0.0, tuple(out), False)
        if len(out) == 1:  # one clause: the comment is that clause
            return SentimentResult(out[0].label, out[0].score, tuple(out), False)
        label, score = self._label_score(self._margins(sums, n_grams, pos_total, neg_total))
        labels = {c.label for c in out}
        return SentimentResult(label, round(score, 4), tuple(out), {"positive", "negative"} <= labels)

    def _analyze_binary(self, clauses: list[ClauseSpan]) -> SentimentResult:
        """``analyze`` for two-class models, unrolled: this is the pipeline's hot path."""
        get = self._wd.get
        scan = self.lexicon.scan
        zh = self.language == "zh"
        featurise = self._featurise
        bias = self.bias[0]
        w_pos, w_neg = self.lexicon_weights[0][0], self.lexicon_weights[1][0]
        scale, band = self.lexicon_scale, self.neutral_band
        log1p, sqrt, tanh = math.log1p, math.sqrt, math.tanh
        total = 0.0
        n_total = 0
        pos_total = neg_total = 0.0
        out: list[ClauseSentiment] = []
        cache = self._cache
        for clause in clauses:
            parts = cache.get(clause.text)
            if parts is None:
                text = zh_clean(clause.text) if zh else clause.text
                pos, neg, masks = scan(text)
                grams = set(featurise(text, masks))
                parts = (sum(filter(None, map(get, grams))), len(grams), pos, neg)
                if len(cache) >= _CACHE_SIZE:
                    cache.clear()  # short clauses ("好吃", "很快") repeat; the rest need not stay
                cache[clause.text] = parts
            s, n, pos, neg = parts
            total += s
            n_total += n
            pos_total += pos
            neg_total += neg
            if not (s or pos or neg):
                out.append(ClauseSentiment(clause.text, clause.start, clause.end, "neutral", 0.0))
                continue
            margin = bias + s / sqrt(n) + (w_pos * log1p(pos) + w_neg * log1p(neg)) * scale
            score = tanh(margin / 2.0)
            label = "positive" if score >= band else "negative" if score <= -band else "neutral"
            out.append(ClauseSentiment(clause.text, clause.start, clause.end, label, round(score, 4)))
        if not (total or pos_total or neg_total):
            return SentimentResult("neutral", 0.0, tuple(out), False)
        if len(out) == 1:  # one clause: the comment is that clause
            return SentimentResult(out[0].label, out[0].score, tuple(out), False)
        margin = bias + total / sqrt(n_total) + (w_pos * log1p(pos_total) + w_neg * log1p(neg_total)) * scale
        score = tanh(margin / 2.0)
        label = "positive" if score >= band else "negative" if score <= -band else "neutral"
        labels = {c.label for c in out}
        mixed = "positive" in labels and "negative" in labels
        return SentimentResult(label, round(score, 4), tuple(out), mixed)

    def predict_scores(self, texts: list[str]) -> list[float]:
        """Comment scores only (what benchmarks need), without building result objects."""
        out = []
        for text in texts:
            _, score = self._label_score(self.margin(text))
            out.append(score)
        return out

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
