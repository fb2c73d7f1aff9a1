"""Topics adapted to one organisation's comments: the taxonomy's rules as a prior plus in-domain words.

``adapt_topics(texts, rule_topics, gold_topics, language)`` learns, topic by topic, from comments
whose topics an analyst reviewed: ``rule_topics[i]`` are the topics the taxonomy's rules find in
``texts[i]``, ``gold_topics[i]`` the topics the comment has after the analyst's corrections. For
each topic with at least ``min_each`` comments with it and ``min_each`` without it, two
candidates are compared on the same stratified folds by the F1 of "has the topic":

* ``rules`` — the taxonomy's rules unchanged (no fitting, so no folds are needed);
* ``adapted`` — balanced logistic regression on in-domain TF-IDF (the blocks of
  :mod:`openxm.text.adapt`) plus the rule's verdict multiplied by a prior scale (1, 3 or 10,
  chosen by the same cross-validation): with few corrections it leans on the rule, and the
  n-grams learn the words the rules miss or misread in this domain.

A topic's adapted model is used only when its cross-validated F1 beats the rules' (ties keep the
rules); every figure carries a 95 % bootstrap interval and its n. Topics below ``min_each`` are
reported with how many more comments each side needs. Excluded: sub-topic hierarchy (a child
and its parent are learnt as separate topics; the engine adds a parent with its child), topic
sentiment (an adapted topic takes the comment's sentiment) and spans.

Saved as a directory: ``topics.json`` (format, language, report, per-topic settings and
vocabularies) and ``weights.npz``; no pickle.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from .adapt import _ADAPTED_BLOCKS, _Text

__all__ = ["AdaptedTopics", "TopicResult", "adapt_topics", "MIN_EACH"]

FORMAT = "openxm-adapted-topics/1"
MIN_EACH = 5
SCALES = (1.0, 3.0, 10.0)
C = 1.0


@dataclass(frozen=True, slots=True)
class TopicResult:
    """One topic: its label counts, the two candidates' cross-validated F1 with 95 % intervals,
    what was chosen, and (below the minimum) how many more comments with and without it help."""

    topic: str
    positives: int
    negatives: int
    rules_f1: float
    rules_low: float
    rules_high: float
    adapted_f1: float | None
    adapted_low: float | None
    adapted_high: float | None
    chosen: str  # "rules", "adapted" or "too_few"
    scale: float | None
    needs: int  # more comments needed on the smaller side (0 when trained)


def _f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = int(np.sum(gold & pred))
    denominator = int(gold.sum() + pred.sum())
    return 2 * tp / denominator if denominator else 1.0


def _interval(gold: np.ndarray, pred: np.ndarray, seed: int, n: int = 1000) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    values = [_f1(gold[idx], pred[idx]) for idx in rng.integers(0, len(gold), size=(n, len(gold)))]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def _design(text_x, rule: np.ndarray, scale: float):
    return sparse.hstack([sparse.csr_matrix(rule.reshape(-1, 1) * scale), text_x], format="csr")


def _fit(X, y):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, solver="liblinear")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model


def _cross_validated(texts: list[str], rule: np.ndarray, gold: np.ndarray, language: str, folds: int,
                     seed: int) -> dict[float, np.ndarray]:
    """Out-of-fold predictions of the adapted candidate per prior scale (text features refitted
    inside each fold, so no fold sees its test comments' vocabulary)."""
    from sklearn.model_selection import StratifiedKFold

    k = max(2, min(folds, int(gold.sum()), int((~gold).sum())))
    out = {s: np.zeros(len(texts), dtype=bool) for s in SCALES}
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(texts, gold):
        text = _Text.fit([texts[i] for i in train], _ADAPTED_BLOCKS[language])
        train_x, test_x = text.transform([texts[i] for i in train]), text.transform([texts[i] for i in test])
        for scale in SCALES:
            model = _fit(_design(train_x, rule[train], scale), gold[train])
            out[scale][test] = model.predict(_design(test_x, rule[test], scale)).astype(bool)
    return out


class AdaptedTopics:
    """An organisation's adapted topics for one language: ``predict(texts, rule_topics)`` gives,
    per text, the adapted topics present (only the topics this model decides)."""

    def __init__(self, language: str, results: Sequence[TopicResult], text: _Text | None, coef=None,
                 intercept=None, topics: Sequence[str] = ()):
        self.language = language
        self.results = tuple(results)
        self.text = text
        self.topics = tuple(topics)  # the topics decided here, in the order of coef's rows
        self.coef = None if coef is None else np.asarray(coef, dtype=np.float64)
        self.intercept = None if intercept is None else np.asarray(intercept, dtype=np.float64)

    @property
    def active(self) -> bool:
        return bool(self.topics)

    def predict(self, texts: Sequence[str], rule_topics: Sequence[set[str]]) -> list[set[str]]:
        if not self.topics or not texts:
            return [set() for _ in texts]
        text_x = self.text.transform([str(t) for t in texts])
        scales = {r.topic: r.scale for r in self.results}
        found: list[set[str]] = [set() for _ in texts]
        for j, topic in enumerate(self.topics):
            rule = np.array([topic in r for r in rule_topics], dtype=np.float64)
            margin = _design(text_x, rule, scales[topic]) @ self.coef[j] + self.intercept[j]
            for i in np.flatnonzero(margin > 0):
                found[i].add(topic)
        return found

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "language": self.language,
            "results": [asdict(r) for r in self.results],
            "topics": list(self.topics),
            "blocks": None,
            "vocabularies": None,
        }
        arrays = {}
        if self.text is not None:
            text_meta, arrays = self.text.saved()
            meta.update(text_meta)
            arrays.update({"coef": self.coef, "intercept": self.intercept})
        (directory / "topics.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.savez_compressed(directory / "weights.npz", **arrays)

    @classmethod
    def load(cls, directory: str | Path) -> AdaptedTopics:
        directory = Path(directory)
        meta = json.loads((directory / "topics.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: unknown format {meta.get('format')!r}")
        coef = intercept = None
        with np.load(directory / "weights.npz", allow_pickle=False) as w:
            text = _Text.from_saved(meta, w)
            if text is not None:
                coef, intercept = w["coef"], w["intercept"]
        results = [TopicResult(**r) for r in meta["results"]]
        return cls(meta["language"], results, text, coef, intercept, meta["topics"])


def adapt_topics(
    texts: Sequence[str],
    rule_topics: Sequence[set[str]],
    gold_topics: Sequence[set[str]],
    language: str,
    *,
    min_each: int = MIN_EACH,
    folds: int = 5,
    seed: int = 0,
) -> AdaptedTopics:
    """Compare the rules with an adapted model for every topic seen in the rules or the labels
    (see the module docstring); fit the adapted models that won on all the comments."""
    if language not in _ADAPTED_BLOCKS:
        raise ValueError(f"language must be one of {', '.join(sorted(_ADAPTED_BLOCKS))}")
    if not (len(texts) == len(rule_topics) == len(gold_topics)):
        raise ValueError("texts, rule_topics and gold_topics must have the same length")
    texts = [str(t) for t in texts]
    results: list[TopicResult] = []
    winners: list[tuple[str, float, np.ndarray, np.ndarray]] = []
    for topic in sorted(set().union(*rule_topics, *gold_topics)) if texts else []:
        gold = np.array([topic in g for g in gold_topics], dtype=bool)
        rule = np.array([topic in r for r in rule_topics], dtype=bool)
        rules_f1 = _f1(gold, rule)
        rules_low, rules_high = _interval(gold, rule, seed)
        positives, negatives = int(gold.sum()), int((~gold).sum())
        if min(positives, negatives) < min_each:
            needs = min_each - min(positives, negatives)
            results.append(TopicResult(topic, positives, negatives, rules_f1, rules_low, rules_high,
                                       None, None, None, "too_few", None, needs))
            continue
        predictions = _cross_validated(texts, rule.astype(np.float64), gold, language, folds, seed)
        scale = max(SCALES, key=lambda s: (_f1(gold, predictions[s]), -s))  # ties: the smaller scale
        adapted_f1 = _f1(gold, predictions[scale])
        low, high = _interval(gold, predictions[scale], seed)
        chosen = "adapted" if adapted_f1 > rules_f1 else "rules"
        results.append(TopicResult(topic, positives, negatives, rules_f1, rules_low, rules_high,
                                   adapted_f1, low, high, chosen, scale, 0))
        if chosen == "adapted":
            winners.append((topic, scale, rule.astype(np.float64), gold))
    if not winners:
        return AdaptedTopics(language, results, None)
    text = _Text.fit(texts, _ADAPTED_BLOCKS[language])
    text_x = text.transform(texts)
    coefs, intercepts = [], []
    for _topic, scale, rule, gold in winners:
        model = _fit(_design(text_x, rule, scale), gold)
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    return AdaptedTopics(language, results, text, np.vstack(coefs), np.asarray(intercepts),
                         [w[0] for w in winners])
