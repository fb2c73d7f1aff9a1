"""Zero-shot fixes, table-driven in both languages: suggestions, time savers, limits, domain words, refunds.

Each row is one kind of error the shipped models made on comments from outside their training
data (issue 19): a suggestion read as praise ("包装可以更环保"), "saves me time" read as a
complaint, "is limited" read as praise, 冷链 (cold chain) read as 冷 (cold), and refund requests
raising no flag. The whole pipeline is checked, so a rule that is written but not wired fails.
"""

import pytest

from openxm.text import analyze
from openxm.text.flags import FLAG_KINDS, detect_flags
from openxm.text.lexicon import load_lexicon
from openxm.text.suggestions import is_suggestion


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # time saved is praise
        ("One-tap reorder saves me time", "positive"),
        ("Saves me so much time every week", "positive"),
        ("A real time saver", "positive"),
        ("一键复购，节省时间", "positive"),
        ("下单很省时", "positive"),
        # limits and shortages are complaints
        ("Delivery slot choice is limited", "negative"),
        ("Too few delivery slots", "negative"),
        ("Not enough options at checkout", "negative"),
        ("可选的配送时间有限", "negative"),
        # a domain word that contains a sentiment word is not that word
        ("冷链做得好…", "positive"),
        ("冷链做得好，水果很新鲜", "positive"),
        ("冷藏做得很好", "positive"),
        ("做得不错", "positive"),
    ],
)
def test_listed_sentences_and_their_kind(text, label):
    assert analyze(text).sentiment == label


@pytest.mark.parametrize(
    "text",
    [
        "包装可以更环保",
        "建议增加夜间配送时段",
        "希望能多一些配送时段",
        "要是能送到楼上就更好了",
        "价格还可以再便宜一点",
        "Packaging could be more eco-friendly",
        "It would be nice if there were more evening slots",
        "I wish the app had a dark mode",
        "Please add more payment options",
        "The menu needs more vegetarian dishes",
    ],
)
def test_suggestions_are_not_praise(text):
    result = analyze(text)
    assert result.sentiment != "positive"
    assert result.score <= 0
    assert all(c.label != "positive" for c in result.clauses)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("包装可以更环保", "zh", True),
        ("希望继续保持", "zh", False),  # a wish that is praise
        ("还可以", "zh", False),  # "it's OK" is a verdict
        ("可以", "zh", False),
        ("Could be better", "en", True),
        ("Couldn't be better", "en", False),
        ("Keep up the good work, I hope you add more", "en", False),
        ("I would love to come back", "en", False),
        ("I would love to see more options", "en", True),
    ],
)
def test_is_suggestion(text, language, expected):
    assert is_suggestion(text, language) is expected


def test_praise_beside_a_suggestion_keeps_the_comment_positive():
    result = analyze("水果很新鲜，包装可以更环保")
    assert result.sentiment == "positive"
    assert [c.label for c in result.clauses] == ["positive", "neutral"]
    english = analyze("The food was great, but the packaging could be more eco-friendly")
    assert english.sentiment == "positive"
    assert english.clauses[-1].label == "neutral"


def test_negative_suggestion_stays_negative():
    assert analyze("建议别再送错了，太差了").sentiment == "negative"


def test_neutral_domain_words_hide_the_sentiment_word_inside():
    lexicon = load_lexicon("zh")
    assert lexicon.score("冷链") == (0.0, 0.0)
    assert lexicon.score("饭菜冷了") == (0.0, 1.0)  # 冷 alone is still a complaint
    assert lexicon.score("冷链很好") == (1.5, 0.0)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("我要退款", "退款"),
        ("申请退货三天了", "申请退"),
        ("商家不给退款", "不给退款"),
        ("退款不到账", "退款不到账"),
        ("把钱退还给我", "退还"),
        ("I want my money back", "my money back"),
        ("Please refund me", "refund"),
        ("They refused to refund me", "refused to refund"),
        ("I'm returning it tomorrow", "returning it"),
        ("不用退款了，已经解决", None),
        ("I don't want a refund, just a replacement", None),
        ("Great service, fast delivery", None),
    ],
)
def test_refund_flag(text, phrase):
    flags = {f.kind: f for f in detect_flags(text)}
    if phrase is None:
        assert "refund" not in flags
    else:
        assert flags["refund"].phrase == phrase
        assert text[flags["refund"].start : flags["refund"].end] == phrase
    assert set(flags) <= set(FLAG_KINDS)


def test_refund_flag_reaches_the_pipeline():
    assert "refund" in analyze("我要退款").flag_kinds
