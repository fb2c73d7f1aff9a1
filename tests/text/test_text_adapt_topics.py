"""Adapted topics: learnt from reviewed comments where the rules miss a domain's words, refused
where the rules are already right, reported as too few below the minimum, saved without pickle."""

import random

import pytest

from openxm.text.adapt_topics import MIN_EACH, AdaptedTopics, adapt_topics

FILLER = ["the app", "my order", "today", "again", "this week", "the store", "last time", "as usual"]


def _corpus(seed: int = 0, n: int = 120):
    """Comments about delivery. The rules know "courier" only; in this domain people say "rider"
    (half the delivery comments), which the rules miss. "price" is found exactly by its rule."""
    rng = random.Random(seed)
    texts, rules, gold = [], [], []
    for i in range(n):
        words = [rng.choice(FILLER), rng.choice(FILLER)]
        has_delivery = i % 3 == 0
        has_price = i % 4 == 0
        rule, truth = set(), set()
        if has_delivery:
            word = "courier" if i % 2 else "rider"
            words.append(f"the {word} was late")
            truth.add("delivery")
            if word == "courier":
                rule.add("delivery")
        if has_price:
            words.append("price too high")
            truth.add("price")
            rule.add("price")
        rng.shuffle(words)
        texts.append(" ".join(words))
        rules.append(rule)
        gold.append(truth)
    return texts, rules, gold


def test_a_topic_the_rules_miss_is_learnt_and_one_they_get_right_is_kept():
    texts, rules, gold = _corpus()
    model = adapt_topics(texts, rules, gold, "en")
    by_topic = {r.topic: r for r in model.results}
    delivery, price = by_topic["delivery"], by_topic["price"]
    assert delivery.chosen == "adapted" and delivery.adapted_f1 > delivery.rules_f1 + 0.2
    assert delivery.adapted_low <= delivery.adapted_f1 <= delivery.adapted_high
    assert price.chosen == "rules" and price.rules_f1 == 1.0  # ties keep the rules
    assert model.topics == ("delivery",)
    found = model.predict(["the rider was late again", "my order today"], [set(), set()])
    assert found == [{"delivery"}, set()]


def test_too_few_reviewed_comments_say_how_many_more(tmp_path):
    texts, rules, gold = _corpus(n=12)
    model = adapt_topics(texts, rules, gold, "en")
    delivery = next(r for r in model.results if r.topic == "delivery")
    assert delivery.chosen == "too_few" and delivery.positives == 4
    assert delivery.needs == MIN_EACH - 4 and not model.active
    model.save(tmp_path)
    assert AdaptedTopics.load(tmp_path).results == model.results


def test_save_and_load_round_trip_predicts_the_same(tmp_path):
    texts, rules, gold = _corpus(seed=3)
    model = adapt_topics(texts, rules, gold, "en")
    model.save(tmp_path / "m")
    assert not list((tmp_path / "m").glob("*.pkl"))
    loaded = AdaptedTopics.load(tmp_path / "m")
    assert loaded.predict(texts, rules) == model.predict(texts, rules)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same length"):
        adapt_topics(["a"], [set()], [], "en")
    with pytest.raises(ValueError, match="language"):
        adapt_topics(["a"], [set()], [set()], "fr")
