"""The whole pipeline: analyze() and analyze_batch() on realistic comments."""

import dataclasses
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openxm.text.pipeline import CommentAnalysis, analyze, analyze_batch
from openxm.text.topics import Taxonomy, TopicDefinition


def test_chinese_comment_end_to_end():
    text = "菜的味道很好，但是外卖小哥送餐太慢了，等了一个多小时！再也不点了，电话13812345678"
    result = analyze(text)
    assert result.language == "zh"
    assert result.sentiment == "negative" and result.score < 0
    assert result.mixed
    assert "13812345678" not in result.redacted_text and "[PHONE]" in result.redacted_text
    assert result.pii_kinds == ("phone",)
    assert result.flag_kinds == ("churn",)
    topics = {t.id: t for t in result.topics}
    assert topics["food.taste"].sentiment == "positive"
    assert topics["delivery.speed"].sentiment == "negative"
    assert topics["delivery"].score == topics["delivery.speed"].score or "delivery.courier" in topics
    for topic in result.topics:
        for start, end in topic.spans:
            assert text[start:end] in [c.text for c in result.clauses]


def test_english_comment_end_to_end():
    text = "The app keeps crashing at checkout. I'll cancel my subscription. Email me at jo@example.com"
    result = analyze(text)
    assert result.language == "en"
    assert result.sentiment == "negative"
    assert "digital.bugs" in result.topic_ids and "digital" in result.topic_ids
    assert {f.kind: f.phrase for f in result.flags} == {"churn": "I'll cancel"}
    assert result.redacted_text.endswith("Email me at [EMAIL]")


def test_other_language_is_not_scored_but_still_redacted():
    result = analyze("Le service était très lent, appelez le +33 1 23 45 67 89")
    assert result.language == "other"
    assert (result.sentiment, result.score) == ("neutral", 0.0)
    assert result.pii_kinds == ("phone",)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_blank(text):
    result = analyze(text)
    assert (result.language, result.sentiment, result.clauses, result.topics) == ("other", "neutral", (), ())


def test_forced_language_and_bad_language():
    assert analyze("OK", language="zh").language == "zh"
    with pytest.raises(ValueError, match="language must be"):
        analyze("OK", language="fr")


def test_result_is_frozen():
    result = analyze("很好")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 1.0  # type: ignore[misc]


def test_batch_matches_single_and_takes_a_custom_taxonomy():
    texts = ["停车太难了", "Parking was easy and the staff were friendly"]
    parking = TopicDefinition("parking", (("en", "Parking"), ("zh", "停车")), "park* OR 停车", None)
    taxonomy = Taxonomy("mine", [parking])
    batch = analyze_batch(texts, taxonomy=taxonomy)
    assert [r.topic_ids for r in batch] == [("parking",), ("parking",)]
    assert batch[0].topics[0].label == "停车" and batch[1].topics[0].label == "Parking"
    assert batch[0] == analyze(texts[0], taxonomy=taxonomy)
    assert all(isinstance(r, CommentAnalysis) for r in batch)


def test_text_package_stays_pure():
    """Importing and running the text package pulls in neither Django nor Celery nor other apps."""
    code = (
        "import sys, openxm.text.pipeline, openxm.text.classifier, openxm.text.themes, openxm.text.training;"
        "openxm.text.pipeline.analyze('很好');"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'celery', 'ninja')"
        " or (m.startswith('openxm.') and not m.startswith(('openxm.text', 'openxm.readers')))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


ALPHABET = list("好差不没很慢快但是，。!? abcnotgood@.+0123456789１３８XxＸ-\n")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=60))
def test_analyze_holds_its_invariants_on_any_text(text):
    result = analyze(text)
    assert -1.0 <= result.score <= 1.0
    if result.sentiment == "positive":
        assert result.score > 0
    if result.sentiment == "negative":
        assert result.score < 0
    for clause in result.clauses:
        assert text[clause.start : clause.end] == clause.text
        assert -1.0 <= clause.score <= 1.0
    for span in result.pii:
        assert 0 <= span.start < span.end <= len(text)
    for flag in result.flags:
        assert text[flag.start : flag.end] == flag.phrase
    if not result.pii:
        assert result.redacted_text == text
