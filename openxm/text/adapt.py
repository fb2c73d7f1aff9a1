"""Sentiment adapted to one organisation's comments: the shipped model as a prior plus in-domain features.

``adapt_sentiment(texts, labels, language)`` learns from an organisation's labelled comments
(``positive``/``negative``/``neutral``) and keeps whichever of these candidates scores best in
stratified k-fold cross-validation on those labels (the same folds for all):

* ``shipped`` — the shipped model unchanged (its labels; when the organisation uses only
  positive and negative, its neutral band is read by the score's sign);
* ``recalibrated`` — logistic regression on the shipped model's outputs only (its margins and
  its final score, after the negation and suggestion rules): it moves the thresholds and the
  class mix to the organisation's (what its "neutral" means);
* ``plain`` — in-domain TF-IDF (word 1–2 + char_wb 2–5, scikit-learn defaults) + logistic
  regression (C = 10, balanced): what a team would train from its labels alone;
* ``adapted`` — logistic regression (balanced) on in-domain TF-IDF features (English: the plain
  baseline's; Chinese: character 1–3-grams, as the shipped recipe) plus the shipped model's
  outputs multiplied by a prior scale; scale ∈ {1, 3, 10} and C ∈ {1, 10} are
  chosen by the same cross-validation. A large scale makes the shipped verdict cheap to use
  under L2 regularisation, so with few labels the model leans on it and the n-grams learn the
  domain's corrections.

The shipped model wins ties (then ``recalibrated``, then ``plain``), so an adapted model is used
only when cross-validation on the organisation's labels shows it better. Every candidate's
cross-validated macro-F1 comes with a 95 % bootstrap interval (1,000 resamples of the
out-of-fold predictions); the saved model records them with the number of labels. Excluded:
self-training on unlabelled comments, topic classifiers (see :mod:`openxm.text.classifier`).

Saved as a directory: ``adapted.json`` (format, language, classes, chosen candidate, settings,
report, vocabularies) and ``weights.npz`` (idf vectors, coefficients); no pickle. The shipped
model of the language is the prior at run time, so the directory stays small.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from .classifier import _PLAIN_BLOCKS, _ordered, _tfidf, _vectorizer
from .sentiment import SentimentModel, load_sentiment_model

__all__ = ["AdaptedSentiment", "AdaptReport", "CandidateResult", "adapt_sentiment", "LABELS"]

FORMAT = "openxm-adapted-sentiment/1"
LABELS = ("negative", "neutral", "positive")
SCALES = (1.0, 3.0, 10.0)
CS = (1.0, 10.0)
_ORDER = ("shipped", "recalibrated", "plain", "adapted")  # ties go to the earlier one


@dataclass(frozen=True, slots=True)
class CandidateResult:
    """One candidate's cross-validated macro-F1, its 95 % bootstrap interval, and its settings."""

    name: str
    macro_f1: float
    low: float
    high: float
    settings: dict


@dataclass(frozen=True, slots=True)
class AdaptReport:
    """What cross-validation said: every candidate, the chosen one, the folds and the labels used."""

    chosen: str
    candidates: tuple[CandidateResult, ...]
    folds: int
    n_labels: int
    label_counts: dict

    def candidate(self, name: str) -> CandidateResult:
        return next(c for c in self.candidates if c.name == name)

    @property
    def estimate(self) -> CandidateResult:
        """The chosen candidate's cross-validated figures: the expected macro-F1 on new comments."""
        return self.candidate(self.chosen)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AdaptReport:
        candidates = tuple(CandidateResult(**c) for c in data["candidates"])
        return cls(data["chosen"], candidates, data["folds"], data["n_labels"], data["label_counts"])


def shipped_outputs(base: SentimentModel, texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """The shipped model on each text: its margin(s), centred for three classes, and its final
    score (after the negation and suggestion rules) as prior features; and its label."""
    rows, labels = [], []
    for text in texts:
        margins = base.margin(text)
        if len(margins) > 1:
            mean = sum(margins) / len(margins)
            margins = [m - mean for m in margins]
        result = base.analyze(text)
        rows.append([*margins, result.score])
        labels.append(result.label)
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), -1), labels


def _shipped_labels(labels: Sequence[str], scores: np.ndarray, classes: tuple[str, ...]) -> list[str]:
    """The shipped model's labels, a neutral one read by its score's sign when the organisation
    has no neutral label."""
    if "neutral" in classes:
        return list(labels)
    return [("positive" if s > 0 else "negative") if label == "neutral" else label
            for label, s in zip(labels, scores, strict=True)]


# In-domain features of the ``adapted`` candidate. Chinese: character 1–3-grams (sublinear tf),
# as the shipped recipe; scikit-learn's word tokens are whole Chinese clauses and char_wb 2–5 has
# no single characters (+1 point at 200 labels on shopping, 3 seeds, against the plain blocks).
_ADAPTED_BLOCKS = {
    "zh": ({"analyzer": "char", "ngram_range": (1, 3), "weight": 1.0, "sublinear": True},),
    "en": _PLAIN_BLOCKS,
}


class _Text:
    """In-domain TF-IDF blocks (by default the plain baseline's), fitted on one set of texts."""

    def __init__(self, blocks, vocabularies, idfs):
        self.blocks, self.vocabularies, self.idfs = blocks, vocabularies, idfs
        self._vecs = [_vectorizer(b, v) for b, v in zip(blocks, vocabularies, strict=True)]

    @classmethod
    def fit(cls, texts: list[str], blocks=_PLAIN_BLOCKS) -> _Text:
        blocks = [dict(b) for b in blocks]
        vocabularies, idfs = [], []
        n = len(texts)
        for spec in blocks:
            vec = _vectorizer(spec)
            counts = vec.fit_transform(texts)
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            vocabularies.append(dict(vec.vocabulary_))
            idfs.append(np.log((1.0 + n) / (1.0 + df)) + 1.0)
        return cls(blocks, vocabularies, idfs)

    def saved(self) -> tuple[dict, dict]:
        """What saving needs, without pickle: the JSON entries (``blocks``, ``vocabularies`` in
        column order) and the arrays (``idf_<i>``)."""
        meta = {
            "blocks": [dict(b, ngram_range=list(b["ngram_range"])) for b in self.blocks],
            "vocabularies": [_ordered(v) for v in self.vocabularies],
        }
        return meta, {f"idf_{i}": idf for i, idf in enumerate(self.idfs)}

    @classmethod
    def from_saved(cls, meta: dict, arrays) -> _Text | None:
        """The inverse of :meth:`saved` (None when ``meta`` holds no blocks)."""
        if meta.get("blocks") is None:
            return None
        idfs = [arrays[f"idf_{i}"] for i in range(len(meta["blocks"]))]
        vocabularies = [{t: i for i, t in enumerate(v)} for v in meta["vocabularies"]]
        return cls(meta["blocks"], vocabularies, idfs)

    def transform(self, texts: list[str]):
        parts = zip(self._vecs, self.idfs, self.blocks, strict=True)
        return sparse.hstack(
            [_tfidf(v.transform(texts), idf, b.get("sublinear", True)) for v, idf, b in parts], format="csr"
        )


def _design(kind: str, text_x, prior: np.ndarray, scale: float):
    if kind == "recalibrated":
        return prior
    if kind == "plain":
        return text_x
    return sparse.hstack([sparse.csr_matrix(prior * scale), text_x], format="csr")


def _lr(kind: str, C: float, n_classes: int):
    """Balanced logistic regression. Two-class ``adapted`` fits use liblinear, 5× faster than lbfgs
    on these wide sparse matrices; ``plain`` keeps the baseline's lbfgs, as do three classes."""
    from sklearn.linear_model import LogisticRegression

    solver = "liblinear" if kind == "adapted" and n_classes == 2 else "lbfgs"
    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000, solver=solver)


def _configs() -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = [("shipped", {}), ("recalibrated", {"C": 1.0}), ("plain", {"C": 10.0})]
    out += [("adapted", {"C": c, "scale": s}) for s in SCALES for c in CS]
    return out


def _macro_f1(gold: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over classes 0..k−1 of integer-coded labels; code k is a prediction outside them
    (the shipped model saying "positive" to an organisation without that label). sklearn's
    figure, without its checks: the bootstrap calls it thousands of times."""
    confusion = np.bincount(gold * (k + 1) + pred, minlength=(k + 1) * (k + 1)).reshape(k + 1, k + 1)
    tp = np.diag(confusion)[:k].astype(np.float64)
    denominator = confusion.sum(axis=0)[:k] + confusion.sum(axis=1)[:k]
    f1 = np.divide(2 * tp, denominator, out=np.zeros(k), where=denominator > 0)
    return float(f1.mean())


def _interval(gold: np.ndarray, pred: np.ndarray, k: int, seed: int, n: int = 1000) -> tuple[float, float]:
    """95 % percentile bootstrap interval of macro-F1 over resampled (gold, predicted) pairs."""
    rng = np.random.default_rng(seed)
    size = len(gold)
    values = [_macro_f1(gold[idx], pred[idx], k) for idx in rng.integers(0, size, size=(n, size))]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


class AdaptedSentiment:
    """An organisation's sentiment model: ``predict(texts)`` → [(label, score)]; ``save``/``load``."""

    def __init__(self, language: str, classes, chosen: str, settings: dict, report: AdaptReport,
                 text: _Text | None = None, coef=None, intercept=None, base: SentimentModel | None = None):
        self.language = language
        self.classes = tuple(classes)
        self.chosen = chosen
        self.settings = settings
        self.report = report
        self.text = text
        self.coef = None if coef is None else np.asarray(coef, dtype=np.float64)
        self.intercept = None if intercept is None else np.asarray(intercept, dtype=np.float64)
        self.base = base or load_sentiment_model(language)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """Label and score in [−1, 1] (P(positive) − P(negative)) per text."""
        texts = [str(t) for t in texts]
        if not texts:
            return []
        prior, shipped = shipped_outputs(self.base, texts)
        if self.chosen == "shipped":
            labels = _shipped_labels(shipped, prior[:, -1], self.classes)
            return list(zip(labels, (round(float(s), 4) for s in prior[:, -1]), strict=True))
        text_x = self.text.transform(texts) if self.text is not None else None
        X = _design(self.chosen, text_x, prior, self.settings.get("scale", 1.0))
        margins = np.asarray(X @ self.coef.T) + self.intercept
        if margins.shape[1] == 1:  # two classes: one column, positive means classes[1]
            p1 = 1.0 / (1.0 + np.exp(-margins[:, 0]))
            probs = np.column_stack([1.0 - p1, p1])
        else:
            e = np.exp(margins - margins.max(axis=1, keepdims=True))
            probs = e / e.sum(axis=1, keepdims=True)
        index = {c: i for i, c in enumerate(self.classes)}
        out = []
        for row in probs:
            label = self.classes[int(row.argmax())]
            score = row[index["positive"]] if "positive" in index else 0.0
            score -= row[index["negative"]] if "negative" in index else 0.0
            out.append((label, round(float(score), 4)))
        return out

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "language": self.language,
            "classes": list(self.classes),
            "chosen": self.chosen,
            "settings": self.settings,
            "report": self.report.to_dict(),
            "base": {"language": self.base.language, "trained_on_n": self.base.metadata.get("n")},
            "blocks": None,
            "vocabularies": None,
        }
        arrays = {}
        if self.text is not None:
            text_meta, arrays = self.text.saved()
            meta.update(text_meta)
        (directory / "adapted.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if self.coef is not None:
            arrays.update({"coef": self.coef, "intercept": self.intercept})
        np.savez_compressed(directory / "weights.npz", **arrays)

    @classmethod
    def load(cls, directory: str | Path) -> AdaptedSentiment:
        directory = Path(directory)
        path = directory / "adapted.json"
        if not path.is_file():
            raise FileNotFoundError(
                f"{directory}: no adapted.json (not a model saved by 'openxm text adapt')"
            )
        meta = json.loads(path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: unknown format {meta.get('format')!r}")
        coef = intercept = None
        with np.load(directory / "weights.npz", allow_pickle=False) as w:
            if "coef" in w:
                coef, intercept = w["coef"], w["intercept"]
            text = _Text.from_saved(meta, w)
        report = AdaptReport.from_dict(meta["report"])
        return cls(
            meta["language"], meta["classes"], meta["chosen"], meta["settings"], report, text, coef, intercept
        )


def _check(texts: Sequence[str], labels: Sequence[str], language: str) -> tuple[list[str], list[str]]:
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    texts = [str(t) for t in texts]
    labels = [str(label).strip().lower() for label in labels]
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    bad = sorted({label for label in labels if label not in LABELS})
    if bad:
        raise ValueError(f"labels must be positive, negative or neutral, not {', '.join(map(repr, bad[:5]))}")
    counts = Counter(labels)
    if len(counts) < 2 or min(counts.values()) < 2:
        got = dict(sorted(counts.items()))
        raise ValueError(f"adaptation needs at least two labels with two comments each (got {got})")
    return texts, labels


def adapt_sentiment(
    texts: Sequence[str],
    labels: Sequence[str],
    language: str,
    base: SentimentModel | None = None,
    folds: int = 5,
    seed: int = 0,
) -> AdaptedSentiment:
    """Cross-validate the candidates on the labels and fit the best on all of them (module docstring).

    ``base`` is the prior (default: the shipped model of ``language``); benchmarks pass a model
    trained without the domain they test on.
    """
    from threadpoolctl import threadpool_limits

    # Many small fits: a multi-threaded BLAS spends more time waking its threads than computing
    # (8× slower on a loaded 2-core machine, measured), so one thread.
    with threadpool_limits(limits=1):
        return _adapt(texts, labels, language, base, folds, seed)


def _adapt(texts, labels, language, base, folds, seed) -> AdaptedSentiment:
    from sklearn.model_selection import StratifiedKFold

    texts, labels = _check(texts, labels, language)
    base = base or load_sentiment_model(language)
    classes = tuple(label for label in LABELS if label in set(labels))
    y = np.asarray(labels)
    counts = Counter(labels)
    k = max(2, min(folds, min(counts.values())))
    prior, shipped = shipped_outputs(base, texts)
    shipped = _shipped_labels(shipped, prior[:, -1], classes)
    configs = _configs()
    predicted = {i: np.empty(len(texts), dtype=object) for i in range(len(configs))}
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on tiny folds
        for train_idx, test_idx in splitter.split(texts, y):
            train_texts, test_texts = [texts[i] for i in train_idx], [texts[i] for i in test_idx]
            features = {}
            for kind, blocks in (("plain", _PLAIN_BLOCKS), ("adapted", _ADAPTED_BLOCKS[language])):
                vec = _Text.fit(train_texts, blocks)
                features[kind] = (vec.transform(train_texts), vec.transform(test_texts))
            for i, (kind, cfg) in enumerate(configs):
                if kind == "shipped":
                    predicted[i][test_idx] = [shipped[j] for j in test_idx]
                    continue
                scale = cfg.get("scale", 1.0)
                x_train, x_test = features.get(kind, (None, None))
                design = _design(kind, x_train, prior[train_idx], scale)
                model = _lr(kind, cfg["C"], len(classes)).fit(design, y[train_idx])
                predicted[i][test_idx] = model.predict(_design(kind, x_test, prior[test_idx], scale))
    code = {c: i for i, c in enumerate(classes)}
    gold = np.array([code[label] for label in labels])
    coded = {i: np.array([code.get(label, len(classes)) for label in predicted[i]]) for i in predicted}
    scores = [_macro_f1(gold, coded[i], len(classes)) for i in range(len(configs))]
    # the best configuration of each kind, then the best kind (earlier kinds win ties)
    best: dict[str, int] = {}
    for i, (kind, _cfg) in enumerate(configs):
        if kind not in best or scores[i] > scores[best[kind]]:
            best[kind] = i
    results = []
    for kind in _ORDER:
        i = best[kind]
        low, high = _interval(gold, coded[i], len(classes), seed)
        results.append(
            CandidateResult(kind, round(scores[i], 4), round(low, 4), round(high, 4), configs[i][1])
        )
    chosen = max(results, key=lambda r: (r.macro_f1, -_ORDER.index(r.name)))
    report = AdaptReport(chosen.name, tuple(results), k, len(labels), dict(sorted(counts.items())))
    settings = dict(chosen.settings)
    if chosen.name == "shipped":
        return AdaptedSentiment(language, classes, "shipped", settings, report, base=base)
    blocks = _PLAIN_BLOCKS if chosen.name == "plain" else _ADAPTED_BLOCKS[language]
    text = None if chosen.name == "recalibrated" else _Text.fit(texts, blocks)
    text_x = text.transform(texts) if text is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = _design(chosen.name, text_x, prior, settings.get("scale", 1.0))
        model = _lr(chosen.name, settings["C"], len(classes)).fit(design, y)
    fitted = tuple(str(c) for c in model.classes_)
    return AdaptedSentiment(
        language, fitted, chosen.name, settings, report, text, model.coef_, model.intercept_, base
    )
