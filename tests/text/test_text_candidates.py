"""Custom classifiers choose among candidates by cross-validation and never ship below the plain baseline.

Planted data decide which candidate must win: a signal carried by one Chinese character placed
among random characters is visible to the character 1–3-grams of ``openxm`` but only diluted
in the char_wb 2–5-grams of the plain baseline; a signal any candidate separates perfectly ties,
and a tie goes to the plain baseline.
"""

import random

import pytest

from openxm.text.classifier import CANDIDATES, TextClassifier, train_classifier

FILLER = (
    "的了是在我有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后"
    "小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
)


def _planted_single_character(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = ("a", "b", "c")[i % 3]
        chars = [rng.choice(FILLER) for _ in range(12)]
        chars.insert(rng.randrange(len(chars)), {"a": "甲", "b": "乙", "c": "丙"}[label])
        texts.append("".join(chars))
        labels.append(label)
    return texts, labels


def test_plain_baseline_is_always_a_candidate_and_every_score_is_reported():
    texts, labels = _planted_single_character(90, seed=1)
    _, report = train_classifier(texts, labels, candidates=["openxm"], folds=3)
    assert [c.name for c in report.candidates] == ["plain", "openxm"]
    assert all(0 <= c.macro_f1 <= 1 for c in report.candidates)


def test_selection_picks_the_better_candidate_and_never_ships_below_plain():
    texts, labels = _planted_single_character(150, seed=2)
    model, report = train_classifier(texts, labels, folds=3)
    scores = {c.name: c.macro_f1 for c in report.candidates}
    assert set(scores) == set(CANDIDATES)
    assert report.chosen == max(scores, key=scores.get)
    assert report.macro_f1 == scores[report.chosen] >= scores["plain"]
    assert scores["openxm"] > scores["plain"] + 0.1  # the planted signal is one character
    assert report.chosen != "plain"
    assert model.settings["candidate"] == report.chosen
    fresh, gold = _planted_single_character(60, seed=3)
    plain, _ = train_classifier(texts, labels, cross_validate=False)

    def hits(m):
        return sum(p.label == g for p, g in zip(m.predict(fresh), gold, strict=True))

    assert hits(model) > hits(plain)  # on fresh data too


def test_a_tie_goes_to_the_plain_baseline(tmp_path):
    texts = [f"order {i} arrived late again" for i in range(10)]
    texts += [f"refund {i} please now" for i in range(10)]
    labels = ["late"] * 10 + ["refund"] * 10
    model, report = train_classifier(texts, labels, folds=5)
    assert {c.macro_f1 for c in report.candidates} == {1.0}
    assert report.chosen == "plain" and model.settings["candidate"] == "plain"
    assert model.settings["model"] == "LogisticRegression balanced" and model.settings["C"] == 10.0
    model.save(tmp_path / "m")  # the plain blocks (raw tf) survive a save and load
    loaded = TextClassifier.load(tmp_path / "m")
    assert [p.label for p in loaded.predict(["refund 99 please now"])] == ["refund"]
    assert loaded.blocks[0]["sublinear"] is False


def test_plain_candidate_matches_scikit_learn_exactly():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    texts, labels = _planted_single_character(60, seed=4)
    texts = [t[:6] + " " + t[6:] for t in texts]  # give the word block something to split
    ours, _ = train_classifier(texts, labels, cross_validate=False)
    reference = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))
        ),
        LogisticRegression(C=10, class_weight="balanced", max_iter=3000),
    ).fit(texts, labels)
    probe, _ = _planted_single_character(20, seed=5)
    assert [p.label for p in ours.predict(probe)] == list(reference.predict(probe))
    assert ours.decision_function(probe) == pytest.approx(reference.decision_function(probe), abs=1e-4)


def test_unknown_candidate_is_refused():
    with pytest.raises(ValueError, match="unknown candidate"):
        train_classifier(["a", "b"], ["x", "y"], candidates=["nope"])
