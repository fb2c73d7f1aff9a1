"""Language detection, tokenising and clause splitting."""

import pytest

from openxm.text.clauses import split_clauses
from openxm.text.lang import detect_language
from openxm.text.tokenize import content_tokens, tokenize


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("外卖送得很快，味道不错", "zh"),
        ("配送 OK，App 也好用", "zh"),
        ("The delivery was late.", "en"),
        ("Great!", "en"),
        ("Le service était très lent et la nourriture froide", "other"),
        ("Das Essen war nicht gut und sehr teuer", "other"),
        ("配達がとても遅かったです", "other"),
        ("배달이 너무 늦었어요", "other"),
        ("Доставка была поздно", "other"),
        ("12345 !!!", "other"),
        ("", "other"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_jieba_uses_the_cx_user_dictionary():
    tokens = tokenize("外卖小哥送餐超时了，客服态度恶劣")
    assert "外卖小哥" in tokens
    assert "态度恶劣" in tokens
    assert "，" in tokens  # punctuation is kept by tokenize ...
    assert "，" not in content_tokens("外卖小哥送餐超时了，客服态度恶劣")  # ... and dropped here


def test_english_tokens_keep_apostrophes_and_drop_stopwords():
    assert tokenize("The courier DIDN'T call!", "en") == ["the", "courier", "didn't", "call"]
    assert content_tokens("The courier didn't call", "en") == ["courier", "call"]


@pytest.mark.parametrize(
    ("text", "clauses", "contrast"),
    [
        ("味道不错但是送得太慢了！", ["味道不错", "但是送得太慢了"], [False, True]),
        ("东西好，不过包装差", ["东西好", "不过包装差"], [False, True]),
        ("但愿下次好点", ["但愿下次好点"], [False]),
        ("价格4.5元。好吃", ["价格4.5元", "好吃"], [False, False]),
        ("Food was great, but the service was slow", ["Food was great", "but the service was slow"],
         [False, True]),
        ("It costs 1,000 dollars; however it works", ["It costs 1,000 dollars", "however it works"],
         [False, True]),
        ("Not there yet", ["Not there yet"], [False]),
        ("。。！", [], []),
    ],
)
def test_split_clauses(text, clauses, contrast):
    spans = split_clauses(text)
    assert [c.text for c in spans] == clauses
    assert [c.contrast for c in spans] == contrast
    assert all(text[c.start : c.end] == c.text for c in spans)
