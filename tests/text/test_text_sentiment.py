"""Sentiment: the lexicon rules, the shipped models, clause-level results and persistence."""

import math

import numpy as np
import pytest

from openxm.text.lexicon import load_lexicon
from openxm.text.sentiment import SentimentModel, load_sentiment_model
from openxm.text.training import SentimentRecipe, train_sentiment


@pytest.mark.parametrize(
    ("language", "text", "sign"),
    [
        ("zh", "很满意", 1),
        ("zh", "不太满意", -1),
        ("zh", "没有想象中好", -1),
        ("zh", "不差", 1),
        ("zh", "没毛病", 1),
        ("zh", "不是不好", 1),
        ("zh", "好慢", -1),  # 好 as an intensifier, not as "good"
        ("en", "not bad", 1),
        ("en", "I did not like it", -1),
        ("en", "it doesn't work", -1),
        ("en", "very good", 1),
    ],
)
def test_lexicon_negation(language, text, sign):
    pos, neg = load_lexicon(language).score(text)
    assert (pos - neg) * sign > 0


def test_intensifier_scales():
    lex = load_lexicon("zh")
    assert lex.score("非常满意")[0] > lex.score("满意")[0]
    assert lex.score("有点失望")[1] < lex.score("失望")[1]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("味道很好，送餐也快，下次还点", "positive"),
        ("太难吃了，再也不会点了", "negative"),
        ("不太满意，等了一个多小时", "negative"),
        ("质量很好，物流很快，好评", "positive"),
        ("没有想象中好，有点失望", "negative"),
    ],
)
def test_chinese_model(text, label):
    model = load_sentiment_model("zh")
    result = model.analyze(text)
    assert result.label == label
    assert (result.score > 0) == (label == "positive")
    assert -1.0 <= result.score <= 1.0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Great phone, works perfectly and the battery lasts all day.", "positive"),
        ("Terrible service, the food was cold and the waiter was rude.", "negative"),
        ("Not bad at all, I would recommend it.", "positive"),
        ("It stopped working after two days. Waste of money.", "negative"),
    ],
)
def test_english_model(text, label):
    result = load_sentiment_model("en").analyze(text)
    assert result.label == label
    assert (result.score > 0) == (label == "positive")


def test_mixed_comment_has_clauses_of_both_signs():
    result = load_sentiment_model("zh").analyze("味道非常好，但是送餐太慢了，等了两个小时")
    labels = [c.label for c in result.clauses]
    assert labels[0] == "positive"
    assert "negative" in labels[1:]
    assert result.mixed
    en = load_sentiment_model("en").analyze("The food was delicious but the service was terribly slow")
    assert [c.label for c in en.clauses] == ["positive", "negative"]
    assert en.mixed


def test_clause_without_signal_is_neutral_zero():
    result = load_sentiment_model("zh").analyze("😀😀")
    assert (result.label, result.score, result.mixed) == ("neutral", 0.0, False)


def test_train_save_load_roundtrip(tmp_path):
    texts = ["好吃 好评", "非常好吃", "不错 满意", "难吃 差评", "太难吃了", "很差 失望"] * 3
    labels = ["positive"] * 3 + ["negative"] * 3
    model = train_sentiment(texts, labels * 3, "zh", recipe=SentimentRecipe(min_df=1, prune=0.0))
    assert model.classes == ("negative", "positive")
    path = tmp_path / "m.json.gz"
    model.save(path)
    loaded = SentimentModel.load(path)
    for text in ["好吃", "难吃", "满意"]:
        assert loaded.analyze(text).score == pytest.approx(model.analyze(text).score, abs=1e-3)
    assert loaded.analyze("好吃").label == "positive"


def test_self_training_uses_unlabelled_text():
    texts = ["好吃", "美味", "难吃", "恶心"] * 2
    labels = ["positive", "positive", "negative", "negative"] * 2
    target = ["好吃 香辣", "美味 香辣", "难吃 酸臭", "恶心 酸臭"] * 2
    recipe = SentimentRecipe(min_df=1, prune=0.0, C=10.0)
    plain = train_sentiment(texts, labels, "zh", recipe=recipe)
    adapted = train_sentiment(texts, labels, "zh", unlabelled=target, recipe=recipe)
    assert "香辣" not in plain.index
    assert adapted._w1[adapted.index["香辣"]] > 0 > adapted._w1[adapted.index["酸臭"]]


def test_training_rejects_one_class():
    with pytest.raises(ValueError, match="at least two"):
        train_sentiment(["好"], ["positive"], "zh")


def test_runtime_margin_equals_training_decision_function():
    """The exported model must reproduce scikit-learn's margins exactly (features, norm, lexicon scale)."""
    from openxm.text import training

    texts = ["好吃，好评！", "太难吃了，差评", "送餐很快但是凉了", "一般般吧", "非常满意，还来", "不太满意"]
    texts = texts * 2
    labels = ["positive", "negative", "negative", "negative", "positive", "negative"] * 2
    recipe = SentimentRecipe(min_df=1, prune=0.0, lexicon_scale=3.0, C=1.0)
    grams, lexf = training.featurise(texts, "zh")
    vocab = training._vocabulary(grams, 1)
    X = training._matrix(grams, lexf, vocab, recipe.lexicon_scale)
    fitted = training._fit(X, np.array([label == "positive" for label in labels], dtype=int), recipe)
    model = training._export(fitted, vocab, ("negative", "positive"), "zh", recipe, {})
    expected = fitted.decision_function(X)
    for text, margin in zip(texts, expected, strict=True):
        assert model.margin(text)[0] == pytest.approx(margin, abs=1e-9)
        assert model.analyze(text).score == pytest.approx(math.tanh(margin / 2), abs=1e-4)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # the span 不差 is replaced; n-grams crossing into it (量不, 量不差) stay
        ("zh", "质量不差", {"质", "量", "质量", "量不", "质量不", "量不差", "¬差"}),
        ("zh", "没有想象中好吃", {"¬好吃"}),
        ("en", "food not bad", {"food", "food not", "#<fo", "#foo", "#ood", "#od>", "¬bad"}),
    ],
)
def test_negated_lexicon_spans_replace_their_ngrams(language, text, expected):
    from openxm.text.features import en_features, zh_features

    featurise = zh_features if language == "zh" else en_features
    _, _, masks = load_lexicon(language).scan(text)
    assert set(featurise(text, masks)) == expected
    assert "¬" not in "".join(featurise(text))  # without masks: plain n-grams only


def test_adapt_priors_moves_the_bias_to_the_target_mix():
    from openxm.text.training import adapt_priors

    texts = ["好吃 好评", "非常好吃", "不错 满意", "难吃 差评", "太难吃了", "很差 失望"] * 3
    labels = (["positive"] * 3 + ["negative"] * 3) * 3
    model = train_sentiment(texts, labels, "zh", recipe=SentimentRecipe(min_df=1, prune=0.0))
    target = ["好吃", "非常好吃 满意", "不错", "好评", "满意", "难吃"]  # mostly positive, no labels
    adapted = adapt_priors(model, target)
    mix = adapted.metadata["adapted_priors"]
    assert mix["positive"] > 0.6 > mix["negative"]
    assert adapted.bias[0] > model.bias[0]  # the positive log-odds moved up
    assert adapted.weights is model.weights and adapted.index == model.index
    assert adapt_priors(model, []) is model


def test_adapt_priors_three_classes_keeps_every_class_possible():
    from openxm.text.training import adapt_priors

    texts = ["great phone", "love it", "terrible battery", "awful screen", "it is a phone", "arrived monday"]
    texts = texts * 3
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 3
    model = train_sentiment(texts, labels, "en", recipe=SentimentRecipe(min_df=1, prune=0.0))
    adapted = adapt_priors(model, ["great", "love it", "great phone", "love the screen"] * 5, floor=0.05)
    mix = adapted.metadata["adapted_priors"]
    assert set(mix) == {"negative", "neutral", "positive"}
    assert min(mix.values()) > 0.04  # floored at 0.05, then renormalised
    assert sum(mix.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(mix, key=mix.get) == "positive"
