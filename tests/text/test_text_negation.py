"""Negation on short comments: the shipped models plus the negation rule, Chinese and English.

The whole pipeline (``analyze``) is checked, table-driven: the label of short negated comments,
where n-gram weights alone go wrong ("不差", "not bad"), and the cases the rule must leave to the
model ("不能更慢了" reads the other way, "没吃过那么难吃的" is a comparison).
"""

import pytest

from openxm.text import analyze
from openxm.text.lexicon import load_lexicon
from openxm.text.sentiment import _apply_rule, load_sentiment_model


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # negated negatives read as (mild) praise
        ("不差", "positive"),
        ("还不差", "positive"),
        ("质量不差", "positive"),
        ("一点也不差", "positive"),
        ("不难吃", "positive"),
        ("不慢", "positive"),
        ("送餐不慢", "positive"),
        ("不贵", "positive"),
        ("没问题", "positive"),
        ("没什么问题", "positive"),
        ("没毛病", "positive"),
        ("没有失望", "positive"),
        ("不失望", "positive"),
        ("没让我失望", "positive"),
        # negated positives are complaints
        ("不太满意", "negative"),
        ("不满意", "negative"),
        ("不是很满意", "negative"),
        ("不好", "negative"),
        ("不太好", "negative"),
        ("不是很好", "negative"),
        ("一点也不好", "negative"),
        ("不够好", "negative"),
        ("不新鲜", "negative"),
        ("不推荐", "negative"),
        ("没有想象中好", "negative"),
        ("不怎么样", "negative"),
        # not negation at all, or the model's call
        ("不错", "positive"),
        ("还不错", "positive"),
        ("挺不错的", "positive"),
        ("没吃过那么难吃的", "negative"),
        ("不差，挺好的", "positive"),
        ("味道不错，不贵", "positive"),
    ],
)
def test_chinese_short_negation(text, label):
    result = analyze(text, language="zh")
    assert result.sentiment == label, (text, result.score)
    assert (result.score > 0) == (label == "positive")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("not bad", "positive"),
        ("Not bad at all", "positive"),
        ("Not bad at all!", "positive"),
        ("The food was not bad", "positive"),
        ("It is not that bad", "positive"),
        ("not terrible", "positive"),
        ("I was not disappointed", "positive"),
        ("never disappointed", "positive"),
        ("no problems", "positive"),
        ("nothing wrong with it", "positive"),
        ("not bad, not bad at all", "positive"),
        ("Not bad at all, I would recommend it.", "positive"),
        ("not good", "negative"),
        ("not happy", "negative"),
        ("not happy at all", "negative"),
        ("not great", "negative"),
        ("not very good", "negative"),
        ("I am not satisfied", "negative"),
        ("not worth it", "negative"),
        ("not the best", "negative"),
        ("I would not recommend this.", "negative"),
        ("Don't waste your money.", "negative"),  # a negated action: the rule stays out
        ("I will not return.", "negative"),
    ],
)
def test_english_short_negation(text, label):
    result = analyze(text, language="en")
    assert result.sentiment == label, (text, result.score)
    assert (result.score > 0) == (label == "positive")


@pytest.mark.parametrize(
    ("language", "text", "applies"),
    [
        ("zh", "不差", True),
        ("zh", "不太满意", True),
        ("zh", "一点也不差", True),  # particles around the span do not count
        ("zh", "不贵", True),  # an entry carrying its own negation
        ("zh", "好吃", False),  # nothing negated
        ("zh", "不能更慢了", False),  # 更 between negator and word: "could not be slower"
        ("zh", "没吃过那么难吃的", False),  # 吃过: an experience, not a negation of 难吃
        ("zh", "培根嚼不烂", False),  # too much of the clause outside the negated span
        ("zh", "米饭好像不是新鲜", False),  # 好 is not negated: not every entry is
        ("zh", "没勺子没法喝粥", False),  # 没法 carries its own negation and is negated again
        ("en", "not bad", True),
        ("en", "I am not satisfied", True),
        ("en", "not that bad", True),
        ("en", "good", False),
        ("en", "I would not say the food was bad", False),  # negator too far from the word
        ("en", "don't waste your money", False),  # negation of an action, not of a quality
        ("en", "we will not return", False),
    ],
)
def test_negation_rule_scope(language, text, applies):
    value = load_lexicon(language).negation_rule(text)
    assert (value is not None) == applies, value


def test_rule_keeps_an_agreeing_model_and_overrules_a_disagreeing_one():
    assert _apply_rule("negative", -0.97, -0.8) == ("negative", -0.97)  # same sign: the model's score
    label, score = _apply_rule("negative", -0.49, 0.5)
    assert label == "positive" and score == pytest.approx(0.4621, abs=1e-4)
    label, score = _apply_rule("neutral", 0.05, -0.25)
    assert label == "negative" and score == -0.25  # never weaker than ±0.25: not neutral
    assert _apply_rule("neutral", 0.0, 0.0) == ("neutral", 0.0)


def test_clause_scores_follow_the_rule_inside_longer_comments():
    result = load_sentiment_model("zh").analyze("菜不难吃，但是送得太慢了，等了一个多小时")
    assert result.clauses[0].label == "positive"
    assert result.label == "negative"
    assert result.mixed
