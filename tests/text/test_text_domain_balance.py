"""English cross-domain recipe: per-domain class balancing, domain intercepts, the neutral gate."""

import numpy as np
import pytest

from openxm.text.sentiment import SentimentModel, load_sentiment_model
from openxm.text.training import SentimentRecipe, balance_weights, train_sentiment


@pytest.mark.parametrize(
    ("labels", "domains", "mode", "expected"),
    [
        # classes only: 3 positive, 1 negative -> 4 / (2 · 3) and 4 / (2 · 1)
        ([1, 1, 1, 0], None, "domain_class", [2 / 3, 2 / 3, 2 / 3, 2]),
        ([1, 1, 1, 0], ["a", "a", "b", "b"], "class", [2 / 3, 2 / 3, 2 / 3, 2]),
        # three cells (a,1) ×2, (b,1) ×1, (b,0) ×1: each weighs 4/3 in total
        ([1, 1, 1, 0], ["a", "a", "b", "b"], "domain_class", [2 / 3, 2 / 3, 4 / 3, 4 / 3]),
        ([0, 1, 2, 2], ["a", "a", "a", "a"], "domain_class", [4 / 3, 4 / 3, 2 / 3, 2 / 3]),
    ],
)
def test_balance_weights(labels, domains, mode, expected):
    weights = balance_weights(np.array(labels), domains, mode)
    assert weights == pytest.approx(expected)
    assert weights.mean() == pytest.approx(1.0)


def test_balance_rejects_unknown_mode():
    with pytest.raises(ValueError, match="unknown balance"):
        balance_weights(np.array([0, 1]), None, "nope")


# A toy of the real confound: the "echo" domain is mostly praise, the "food" domain mostly
# complaints. Balancing classes over all rows teaches that "echo" is positive and "food" negative;
# balancing every (domain, class) cell leaves the domain words (nearly) without weight.
TOY = [
    ("the echo is great", "positive", "alexa"),
    ("love the echo", "positive", "alexa"),
    ("the echo is awesome", "positive", "alexa"),
    ("echo works great", "positive", "alexa"),
    ("the echo is terrible", "negative", "alexa"),
    ("the food is great", "positive", "yelp"),
    ("the food is terrible", "negative", "yelp"),
    ("awful food", "negative", "yelp"),
    ("the food is awful", "negative", "yelp"),
    ("food was terrible", "negative", "yelp"),
]


def _toy_model(**recipe):
    texts, labels, domains = zip(*TOY, strict=True)
    base = SentimentRecipe(min_df=1, prune=0.0, C=10.0, **recipe)
    return train_sentiment(list(texts), list(labels), "en", recipe=base, domains=list(domains))


def test_domain_balance_shrinks_domain_word_sentiment():
    confounded = _toy_model()  # the shipped recipe: classes balanced over all rows
    balanced = _toy_model(balance="domain_class", domain_intercepts=3.0)  # DOMAIN_BALANCED
    assert abs(balanced._wd["echo"]) < 0.25 * abs(confounded._wd["echo"])

    def gap(model):  # how much more positive the praised domain's word reads, with no opinion
        return model.analyze("the echo").score - model.analyze("the food").score

    assert abs(gap(balanced)) < 0.5 * abs(gap(confounded))
    for model in (confounded, balanced):
        assert model.analyze("the food is great").label == "positive"
        assert model.analyze("the echo is terrible").label == "negative"


@pytest.mark.parametrize("intercepts", [0.0, 3.0, 10.0])
def test_domain_intercepts_are_not_exported(intercepts):
    model = _toy_model(domain_intercepts=intercepts)
    assert len(model.lexicon_weights) == 2
    assert len(model.bias) == 1  # two classes
    assert model.analyze("the echo is great").label == "positive"
    assert model.analyze("the food is terrible").label == "negative"


def test_self_training_with_domains_and_intercepts():
    texts, labels, domains = zip(*TOY, strict=True)
    recipe = SentimentRecipe(min_df=1, prune=0.0, C=10.0, domain_intercepts=3.0)
    model = train_sentiment(list(texts), list(labels), "en", unlabelled=["the pizza is great", "awful pizza"],
                            recipe=recipe, domains=list(domains))
    assert "pizza" in model.index


def test_domains_must_match_texts():
    with pytest.raises(ValueError, match="domains"):
        train_sentiment(["good", "bad"], ["positive", "negative"], "en", domains=["a"])


@pytest.mark.parametrize(
    ("text", "gated"),
    [
        ("We went there on a Sunday.", "neutral"),  # no opinion word: the gate decides
        ("Its located in greenwich village.", "neutral"),
        ("The food was delicious.", "positive"),  # lexicon hits: the gate never applies
        ("The waiter was rude and the soup was cold.", "negative"),
        ("Not bad at all.", "positive"),
    ],
)
def test_neutral_gate(text, gated):
    model = load_sentiment_model("en")
    assert model.neutral_gate == 0.0  # shipped off
    gate = model.with_neutral_gate(1.01)  # every lexicon-free comment is neutral
    assert gate.analyze(text).label == gated
    assert gate.analyze(text).score == model.analyze(text).score  # the score is untouched
    assert model.neutral_gate == 0.0


def test_neutral_gate_roundtrip():
    model = load_sentiment_model("en").with_neutral_gate(0.3)
    again = SentimentModel.from_dict(model.to_dict())
    assert again.neutral_gate == 0.3
    text = "We went there on a Sunday."
    assert again.analyze(text).label == model.analyze(text).label
