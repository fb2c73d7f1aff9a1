"""Adapted sentiment: it improves on a planted domain shift, is refused when it does not, and round-trips.

The planted domain is an ice-cream shop where "cold" and "frozen" are praise and "warm" and
"melted" are complaints: the shipped English model reads the first as complaints. Adaptation
must learn that from a few dozen labels and beat the shipped model on fresh comments. When the
labels are the shipped model's own verdicts, nothing can beat it and it must stay.
"""

import random

import numpy as np
import pytest

from openxm.text.adapt import AdaptedSentiment, _macro_f1, adapt_sentiment
from openxm.text.sentiment import load_sentiment_model

ITEMS = ["ice cream", "sorbet", "gelato", "milkshake", "frozen yogurt", "sundae", "cone", "float"]
GOOD = [
    "the {} was cold and frozen solid",
    "{} came frozen, cold as it should be",
    "my {} stayed cold the whole way",
]
BAD = ["the {} was warm", "{} arrived melted", "my {} was warm and runny"]


def planted(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        good = i % 2 == 0
        template = rng.choice(GOOD if good else BAD)
        texts.append(template.format(rng.choice(ITEMS)))
        labels.append("positive" if good else "negative")
    return texts, labels


def accuracy(verdicts, gold) -> float:
    return sum(v[0] == g for v, g in zip(verdicts, gold, strict=True)) / len(gold)


def test_adaptation_learns_a_planted_domain_shift(tmp_path):
    texts, labels = planted(60, seed=1)
    model = adapt_sentiment(texts, labels, "en")
    report = model.report
    assert report.n_labels == 60 and report.label_counts == {"negative": 30, "positive": 30}
    assert [c.name for c in report.candidates] == ["shipped", "recalibrated", "plain", "adapted"]
    for c in report.candidates:
        assert 0 <= c.low <= c.macro_f1 <= c.high <= 1
    assert report.chosen in ("adapted", "plain")
    assert report.estimate.macro_f1 > report.candidate("shipped").macro_f1 + 0.2
    fresh, gold = planted(40, seed=2)
    shipped = load_sentiment_model("en")
    shipped_verdicts = [(shipped.analyze(t).label, 0) for t in fresh]
    assert accuracy(model.predict(fresh), gold) > accuracy(shipped_verdicts, gold) + 0.2
    model.save(tmp_path / "m")
    loaded = AdaptedSentiment.load(tmp_path / "m")
    assert loaded.predict(fresh) == model.predict(fresh)
    assert loaded.report == report


def test_adaptation_is_refused_when_it_does_not_beat_the_shipped_model():
    shipped = load_sentiment_model("zh")
    pool = ["味道很好，送餐很快", "太难吃了", "包装精美，好评", "送错了，很生气", "性价比高", "等了两个小时",
            "服务态度很好", "饭菜都凉了", "分量足，推荐", "再也不点了", "非常满意", "质量太差"]
    texts = [t for t in pool for _ in range(3)]
    labels = ["positive" if shipped.analyze(t).score > 0 else "negative" for t in texts]
    model = adapt_sentiment(texts, labels, "zh")
    assert model.report.candidate("shipped").macro_f1 == 1.0
    assert model.chosen == "shipped" and model.coef is None  # ties go to the shipped model
    assert [label for label, _ in model.predict(pool)] == labels[::3]


def test_three_class_labels_and_neutral():
    texts, labels = planted(40, seed=3)
    texts += ["We went there on a Sunday", "The shop opens at nine", "It is on Main Street",
              "They sell ice cream", "I ordered at noon", "The cone is a waffle cone"] * 2
    labels += ["neutral"] * 12
    model = adapt_sentiment(texts, labels, "en", folds=3)
    assert model.report.folds == 3
    assert set(model.report.label_counts) == {"negative", "neutral", "positive"}
    for label, score in model.predict(["The shop opens at ten", "the sundae was warm"]):
        assert label in ("negative", "neutral", "positive") and -1 <= score <= 1


@pytest.mark.parametrize(
    ("texts", "labels", "language", "message"),
    [
        (["a", "b", "c", "d"], ["positive", "negative", "good", "bad"], "en", "negative or neutral"),
        (["a", "b", "c"], ["positive", "positive", "negative"], "en", "two comments each"),
        (["a", "b"], ["positive", "negative"], "fr", "'zh' or 'en'"),
    ],
)
def test_bad_input_is_refused(texts, labels, language, message):
    with pytest.raises(ValueError, match=message):
        adapt_sentiment(texts, labels, language)


def test_macro_f1_matches_scikit_learn():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    gold, pred = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    pred[:5] = 0
    assert _macro_f1(gold, pred, 3) == pytest.approx(f1_score(gold, pred, average="macro"))
