"""Custom classifiers (train, cross-validate, save/load) and theme discovery."""

import json

import numpy as np
import pytest

from openxm.text.classifier import TextClassifier, train_classifier
from openxm.text.themes import CATEGORISED, UNASSIGNED, discover_themes
from openxm.text.topics import Taxonomy, TopicDefinition

EN = [
    ("where is my new card", "card_arrival"),
    ("my card still has not arrived", "card_arrival"),
    ("card delivery is taking too long", "card_arrival"),
    ("when will the card arrive", "card_arrival"),
    ("I want my money back", "refund"),
    ("please refund the payment", "refund"),
    ("how do I get a refund", "refund"),
    ("refund my order", "refund"),
    ("how can I top up my account", "top_up"),
    ("top up with a credit card", "top_up"),
    ("my top up failed", "top_up"),
    ("add money by top up", "top_up"),
]
ZH = [
    ("送餐太慢了", "delivery"),
    ("配送时间太长", "delivery"),
    ("骑手送错地址", "delivery"),
    ("外卖送得很慢", "delivery"),
    ("菜太咸了", "taste"),
    ("味道一般", "taste"),
    ("口味不错", "taste"),
    ("太辣了吃不下", "taste"),
]


def test_english_classifier_cross_validates_and_predicts():
    model, report = train_classifier([t for t, _ in EN], [label for _, label in EN], folds=4)
    assert model.language == "en"
    assert report.folds == 4 and report.n == 12
    assert [s.label for s in report.labels] == ["card_arrival", "refund", "top_up"]
    assert all(s.support == 4 for s in report.labels)
    assert report.macro_f1 == pytest.approx(sum(s.f1 for s in report.labels) / 3, abs=1e-3)
    assert report.macro_f1 >= 0.75
    assert [p.label for p in model.predict(["refund please", "has my card arrived"])] == [
        "refund",
        "card_arrival",
    ]


def test_chinese_classifier_uses_character_ngrams():
    model, report = train_classifier([t for t, _ in ZH], [label for _, label in ZH], folds=2)
    assert model.language == "zh"
    assert report.folds == 2
    assert [p.label for p in model.predict(["送得太慢", "太咸"])] == ["delivery", "taste"]


def test_save_load_is_plain_json_and_npz(tmp_path):
    model, _ = train_classifier([t for t, _ in EN], [label for _, label in EN], cross_validate=False)
    model.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "classifier.json").read_text(encoding="utf-8"))
    assert meta["format"] == "openxm-classifier/1" and meta["labels"] == ["card_arrival", "refund", "top_up"]
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as weights:
        assert weights["coef"].shape[0] == 3
    loaded = TextClassifier.load(tmp_path / "m")
    probe = ["top up failed again", "refund", "card not here"]
    np.testing.assert_allclose(loaded.decision_function(probe), model.decision_function(probe))


def test_binary_classifier_and_rare_labels():
    texts = ["good"] * 3 + ["bad"] * 3 + ["odd one"]
    labels = ["pos"] * 3 + ["neg"] * 3 + ["rare"]
    model, report = train_classifier(texts, labels, folds=3)
    assert report.skipped_labels == ("rare",)
    assert {s.label for s in report.labels} == {"neg", "pos"}
    two, _ = train_classifier(["good", "great", "bad", "awful"], ["p", "p", "n", "n"], cross_validate=False)
    assert [p.label for p in two.predict(["good", "awful"])] == ["p", "n"]


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [(["a", "b"], ["x", "x"], "at least two different labels"), (["a"], ["x", "y"], "differ in length")],
)
def test_classifier_input_errors(texts, labels, message):
    with pytest.raises(ValueError, match=message):
        train_classifier(texts, labels)


def test_load_rejects_other_directories(tmp_path):
    with pytest.raises(FileNotFoundError, match="no classifier.json"):
        TextClassifier.load(tmp_path)


COMMENTS = (
    ["parking lot was full and parking took ages"] * 2
    + ["no parking spaces near the store, parking is a nightmare"] * 2
    + ["wifi password did not work, wifi kept dropping"] * 2
    + ["the wifi signal was weak, no wifi in the lounge"] * 2
)


def test_themes_are_deterministic_and_separate_subjects():
    first = discover_themes(COMMENTS, k=2, seed=3)
    again = discover_themes(COMMENTS, k=2, seed=3)
    assert first == again
    assert len(first.themes) == 2
    by_term = {theme.top_terms[0]: theme for theme in first.themes}
    assert set(by_term) == {"parking", "wifi"}
    assert by_term["parking"].size == 4 and by_term["wifi"].size == 4
    assert all("parking" in ex for ex in by_term["parking"].examples)
    parking_id = by_term["parking"].id
    assert [a == parking_id for a in first.assignments] == [True] * 4 + [False] * 4


def test_themes_skip_comments_the_taxonomy_already_covers():
    taxonomy = Taxonomy("t", [TopicDefinition("wifi", (("en", "Wi-Fi"),), "wifi", None)])
    result = discover_themes([*COMMENTS, ""], k=3, taxonomy=taxonomy)
    assert result.assignments[4:8] == (CATEGORISED,) * 4
    assert result.assignments[8] == UNASSIGNED
    assert all("wifi" not in term for theme in result.themes for term in theme.top_terms)


def test_chinese_themes_use_jieba_words():
    texts = ["停车场太小，停车很难", "停车位不够，停车要排队"] * 2 + [
        "空调太冷，空调温度太低",
        "空调噪音大，空调坏了",
    ] * 2
    result = discover_themes(texts, k=2, seed=0)
    tops = {theme.top_terms[0] for theme in result.themes}
    assert tops == {"停车", "空调"}


def test_too_little_data_gives_no_themes():
    assert discover_themes(["only one"], k=3).themes == ()
