"""Custom topic/intent classifiers trained from labelled comments.

Candidates (``CANDIDATES``), chosen per training set by cross-validation:

* ``openxm``: TF-IDF (sublinear tf, smoothed idf, L2-normalised per block) over two blocks — for
  English/Latin text word 1–3-grams (with ``?``, ``!`` and ``'`` as tokens) and character
  2–5-grams inside word boundaries weighted 1.5, for Chinese character 1–3-grams and character
  2–4-grams inside space-separated runs weighted 1.5 (no jieba) — fed to a multi-class linear
  SVM (``LinearSVC``, Crammer–Singer formulation, ``C`` default 0.5);
* ``openxm_lr``: the same features, logistic regression (C = 10, balanced class weights);
* ``plain``: the plain baseline exactly — scikit-learn's default TF-IDF over word 1–2-grams and
  over char_wb 2–5-grams (each block L2-normalised), logistic regression with C = 10 and
  balanced class weights.

``train_classifier`` cross-validates every candidate on the same stratified folds (folds =
min(5, size of the rarest label); labels with a single example are trained on but not
cross-validated: the report says so), reports each candidate's macro-F1, and fits the best on
all the data; the plain baseline wins ties, so a shipped classifier never scores below the plain
baseline measured on the same folds. The report's per-label precision, recall and F1 are the
chosen candidate's. Without cross-validation (too few examples, or ``cross_validate=False``)
the plain baseline is fitted, unless a candidate is named. Saved models are a directory with
``classifier.json`` (labels, settings, vocabularies) and ``weights.npz`` (idf vectors,
coefficients): no pickle, so a model saved under one scikit-learn version loads under another.
Excluded: multi-label classification and probability calibration (``predict`` returns the top
label and its margin).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from .lang import detect_language

__all__ = [
    "TextClassifier", "LabelScore", "CVReport", "CandidateScore", "train_classifier", "Prediction",
    "CANDIDATES",
]

FORMAT = "openxm-classifier/1"

_WORDS_AND_MARKS = r"(?u)\b\w+\b|[?!']"  # "?" tells a question from a statement
# Blocks of the plain baseline: scikit-learn's TfidfVectorizer defaults (raw tf, default tokens).
_PLAIN_BLOCKS = (
    {"analyzer": "word", "ngram_range": (1, 2), "weight": 1.0, "sublinear": False},
    {"analyzer": "char_wb", "ngram_range": (2, 5), "weight": 1.0, "sublinear": False},
)
_BLOCKS = {
    "en": (
        {"analyzer": "word", "ngram_range": (1, 3), "token_pattern": _WORDS_AND_MARKS, "weight": 1.0},
        {"analyzer": "char_wb", "ngram_range": (2, 5), "weight": 1.5},
    ),
    "zh": (
        {"analyzer": "char", "ngram_range": (1, 3), "weight": 1.0},
        {"analyzer": "char_wb", "ngram_range": (2, 4), "weight": 1.5},
    ),
}


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Cross-validated precision, recall and F1 of one label, with its number of examples."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """One candidate's cross-validated macro-F1 and accuracy on the same folds as the others."""

    name: str
    macro_f1: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class CVReport:
    """The chosen candidate's per-label scores, macro-F1 and accuracy, and every candidate's score."""

    folds: int
    labels: tuple[LabelScore, ...]
    macro_f1: float
    accuracy: float
    n: int
    skipped_labels: tuple[str, ...]  # too rare to cross-validate (one example)
    chosen: str = "plain"
    candidates: tuple[CandidateScore, ...] = ()


@dataclass(frozen=True, slots=True)
class Prediction:
    """The predicted label of one text and its margin (higher is surer)."""

    label: str
    margin: float


def _vectorizer(spec: dict, vocabulary=None):
    from sklearn.feature_extraction.text import CountVectorizer

    extra = {"token_pattern": spec["token_pattern"]} if spec.get("token_pattern") else {}
    return CountVectorizer(
        **extra,
        analyzer=spec["analyzer"],
        ngram_range=tuple(spec["ngram_range"]),
        lowercase=True,
        vocabulary=vocabulary,
        min_df=1 if vocabulary is not None else spec.get("min_df", 1),
        dtype=np.float64,
    )


def _tfidf(counts, idf: np.ndarray, sublinear: bool = True):
    X = counts.tocsr(copy=True)
    if sublinear:
        X.data = 1.0 + np.log(X.data)
    X = X @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ X


class TextClassifier:
    """A trained classifier: ``predict(texts)`` and ``save(directory)``/``load(directory)``."""

    def __init__(self, language, labels, blocks, vocabularies, idfs, coef, intercept, settings=None):
        self.language = language
        self.labels = tuple(labels)
        self.blocks = blocks
        self.vocabularies = vocabularies
        self.idfs = idfs
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.settings = settings or {}
        self._vecs = [_vectorizer(spec, vocab) for spec, vocab in zip(blocks, vocabularies, strict=True)]

    def _features(self, texts: Sequence[str]):
        parts = [
            _tfidf(vec.transform(texts), idf, spec.get("sublinear", True)) * spec.get("weight", 1.0)
            for vec, idf, spec in zip(self._vecs, self.idfs, self.blocks, strict=True)
        ]
        return sparse.hstack(parts, format="csr")

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        scores = self._features(list(texts)) @ self.coef.T + self.intercept
        return np.asarray(scores)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not len(texts):
            return []
        scores = self.decision_function(texts)
        if len(self.labels) == 2:  # binary SVM: one column, positive means labels[1]
            col = scores[:, 0]
            return [Prediction(self.labels[int(m > 0)], float(abs(m))) for m in col]
        best = scores.argmax(axis=1)
        return [Prediction(self.labels[k], float(scores[i, k])) for i, k in enumerate(best)]

    def save(self, directory: str | Path) -> None:
        """Write ``classifier.json`` and ``weights.npz`` into ``directory`` (created if needed)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "language": self.language,
            "labels": list(self.labels),
            "blocks": [dict(b, ngram_range=list(b["ngram_range"])) for b in self.blocks],
            "vocabularies": [_ordered(v) for v in self.vocabularies],
            "settings": self.settings,
        }
        (directory / "classifier.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        arrays = {f"idf_{i}": idf for i, idf in enumerate(self.idfs)}
        np.savez_compressed(directory / "weights.npz", coef=self.coef, intercept=self.intercept, **arrays)

    @classmethod
    def load(cls, directory: str | Path) -> TextClassifier:
        directory = Path(directory)
        meta_path = directory / "classifier.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{directory}: no classifier.json (not a saved openxm classifier)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{meta_path}: unknown format {meta.get('format')!r}")
        with np.load(directory / "weights.npz", allow_pickle=False) as w:
            idfs = [w[f"idf_{i}"] for i in range(len(meta["blocks"]))]
            coef, intercept = w["coef"], w["intercept"]
        vocabularies = [{term: i for i, term in enumerate(v)} for v in meta["vocabularies"]]
        return cls(meta["language"], meta["labels"], meta["blocks"], vocabularies, idfs, coef, intercept,
                   meta.get("settings"))


def _ordered(vocabulary: dict[str, int]) -> list[str]:
    out = [""] * len(vocabulary)
    for term, i in vocabulary.items():
        out[int(i)] = term
    return out


# name -> (blocks per language or None for the plain blocks, model, C, balanced class weights)
CANDIDATES: dict[str, tuple[str, str, float | None, bool]] = {
    "plain": ("plain", "lr", 10.0, True),
    "openxm": ("openxm", "svm", None, False),  # C from train_classifier's ``C``
    "openxm_lr": ("openxm", "lr", 10.0, True),
}


def _fit(
    texts: list[str], labels: list[str], language: str, candidate: str, C: float, min_df: int
) -> TextClassifier:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    features, kind, candidate_c, balanced = CANDIDATES[candidate]
    if features == "plain":
        blocks = [dict(b) for b in _PLAIN_BLOCKS]
    else:
        blocks = [dict(b, min_df=min_df) for b in _BLOCKS["zh" if language == "zh" else "en"]]
    C = candidate_c if candidate_c is not None else C
    vocabularies, idfs, parts = [], [], []
    n = len(texts)
    for spec in blocks:
        vec = _vectorizer(spec)
        counts = vec.fit_transform(texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        vocabularies.append(dict(vec.vocabulary_))
        idfs.append(idf)
        parts.append(_tfidf(counts, idf, spec.get("sublinear", True)) * spec["weight"])
    X = sparse.hstack(parts, format="csr")
    label_set = sorted(set(labels))
    y = np.array([label_set.index(label) for label in labels])
    if kind == "svm":
        fitted = LinearSVC(C=C, multi_class="crammer_singer", max_iter=5000, random_state=0).fit(X, y)
        model_name = "LinearSVC Crammer-Singer"
    else:
        weights = "balanced" if balanced else None
        fitted = LogisticRegression(C=C, class_weight=weights, max_iter=3000).fit(X, y)
        model_name = "LogisticRegression" + (" balanced" if balanced else "")
    settings = {"candidate": candidate, "C": C, "min_df": min_df, "model": model_name, "n_train": n}
    return TextClassifier(
        language, label_set, blocks, vocabularies, idfs, fitted.coef_, fitted.intercept_, settings
    )


def train_classifier(
    texts: Sequence[str],
    labels: Sequence[str],
    language: str = "auto",
    C: float = 0.5,
    min_df: int = 1,
    folds: int = 5,
    seed: int = 0,
    cross_validate: bool = True,
    candidates: Sequence[str] | None = None,
) -> tuple[TextClassifier, CVReport | None]:
    """Cross-validate the candidates, fit the best on all examples; see the module docstring.

    ``candidates`` (default: all of ``CANDIDATES``, the plain baseline always included) narrows
    the choice; with ``cross_validate=False`` the first one is fitted.
    """
    texts = [str(t) for t in texts]
    labels = [str(label) for label in labels]
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValueError("a classifier needs at least two different labels")
    names = list(dict.fromkeys(["plain", *(candidates or CANDIDATES)]))
    unknown = [name for name in names if name not in CANDIDATES]
    if unknown:
        raise ValueError(f"unknown candidate(s) {', '.join(unknown)} (known: {', '.join(CANDIDATES)})")
    if language == "auto":
        sample = texts[:200]
        language = "zh" if sum(detect_language(t) == "zh" for t in sample) * 2 > len(sample) else "en"
    report = None
    if cross_validate:
        report = _cross_validate(texts, labels, language, names, C, min_df, folds, seed, counts)
    if report is not None:
        chosen = report.chosen
    else:
        chosen = candidates[0] if candidates and not cross_validate else "plain"
    return _fit(texts, labels, language, chosen, C, min_df), report


def _cross_validate(texts, labels, language, names, C, min_df, folds, seed, counts) -> CVReport | None:
    """Every candidate on the same folds; the report of the best (the plain baseline wins ties)."""
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold

    skipped = tuple(sorted(label for label, n in counts.items() if n < 2))
    keep = [i for i, label in enumerate(labels) if counts[label] >= 2]
    kept_labels = [labels[i] for i in keep]
    if len(set(kept_labels)) < 2:
        return None
    k = max(2, min(folds, min(Counter(kept_labels).values())))
    predicted: dict[str, list[str | None]] = {name: [None] * len(keep) for name in names}
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(keep, kept_labels):
        fold_texts = [texts[keep[i]] for i in train_idx]
        fold_labels = [kept_labels[i] for i in train_idx]
        test_texts = [texts[keep[i]] for i in test_idx]
        for name in names:
            fold = _fit(fold_texts, fold_labels, language, name, C, min_df)
            for i, p in zip(test_idx, fold.predict(test_texts), strict=True):
                predicted[name][i] = p.label
    label_names = sorted(set(kept_labels))
    reports = {}
    for name in names:
        p, r, f, s = precision_recall_fscore_support(
            kept_labels, predicted[name], labels=label_names, zero_division=0
        )
        scores = tuple(
            LabelScore(x, round(float(p[i]), 4), round(float(r[i]), 4), round(float(f[i]), 4), int(s[i]))
            for i, x in enumerate(label_names)
        )
        accuracy = sum(a == b for a, b in zip(kept_labels, predicted[name], strict=True)) / len(kept_labels)
        reports[name] = (scores, round(sum(x.f1 for x in scores) / len(scores), 4), round(accuracy, 4))
    chosen = max(names, key=lambda name: (reports[name][1], name == "plain"))
    scores, macro, accuracy = reports[chosen]
    candidates = tuple(CandidateScore(name, reports[name][1], reports[name][2]) for name in names)
    return CVReport(k, scores, macro, accuracy, len(kept_labels), skipped, chosen, candidates)
