import csv
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openxm.analytics.kano import CATEGORIES, TABLES, analyze_feature, classify, kano_from_counts
from openxm.analytics.kano_answers import ANSWERS, AnswerReader

VECTORS = (
    Path(__file__).resolve().parents[2].parent
    / "shared/datasets/surveys/kano_vectors_stp25kano/expected_kano_metrics_from_counts.csv"
)

# The published stp25kano example (README, GPL-3): counts in, every figure out.
# variable, M, O, A, I, R, Q, max, M>O>A>I, total %, category %, CS+, CS−, chi², stars, Fong |a−b|, crit, sig
STP25KANO_ROWS = [
    ("Service app", 95, 123, 45, 33, 0, 0, "O", "O", 89, 9, 0.568, -0.736, 72.49, "***", 28, 19.4, True),
    ("Excellent service", 101, 54, 54, 81, 3, 3, "M", "M", 71, 7, 0.372, -0.534, 21.64, "***", 20, 18.5, True),  # noqa: E501
    ("Hotline", 15, 24, 121, 124, 6, 6, "I", "A", 54, 1, 0.511, -0.137, 150.06, "***", 3, 19.8, False),
    ("Loan machine", 65, 87, 93, 51, 0, 0, "A", "O", 83, 2, 0.608, -0.514, 15.41, "**", 6, 18.5, False),
    ("Ready-to-use return", 9, 18, 83, 177, 6, 3, "I", "I", 37, 32, 0.352, -0.094, 251.30, "***", 94, 19.9, True),  # noqa: E501
]  # fmt: skip


def _stars(p):
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _check_row(result, expected):
    (_, m, o, a, i, r, q, top, moai, total, cat, plus, minus, chi, stars, diff, crit, sig) = expected
    assert dict(result.counts) == {"A": a, "O": o, "M": m, "I": i, "R": r, "Q": q}
    assert result.n == 296
    assert result.category == top
    assert result.category_moai == moai
    assert round(100 * result.total_strength) == total
    assert round(100 * result.category_strength) == cat
    assert round(result.better, 3) == plus
    assert round(result.worse, 3) == minus
    assert round(result.chi_squared, 2) == pytest.approx(chi)
    assert _stars(result.chi_squared_p) == stars
    assert result.fong_difference == diff
    assert round(result.fong_critical, 1) == pytest.approx(crit)
    assert result.fong_significant is sig


@pytest.mark.parametrize("row", STP25KANO_ROWS, ids=[row[0] for row in STP25KANO_ROWS])
def test_published_stp25kano_vectors_hard_coded(row):
    counts = dict(zip("MOAIRQ", row[1:7], strict=True))
    _check_row(kano_from_counts(row[0], counts), row)


def test_published_stp25kano_vectors_from_the_shared_file():
    if not VECTORS.exists():
        pytest.skip(f"shared KANO vectors not found at {VECTORS}; the hard-coded copy above still runs")
    with VECTORS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5
    for row in rows:
        result = kano_from_counts(row["variable"], {c: row[c] for c in "MOAIRQ"})
        assert result.n == int(row["Total"])
        assert result.category == row["max_category"]
        assert result.category_moai == row["MOAI_rule_category"]
        assert round(100 * result.total_strength) == int(row["total_strength_pct"])
        assert round(100 * result.category_strength) == int(row["category_strength_pct"])
        assert round(result.better, 3) == float(row["CS_plus"])
        assert round(result.worse, 3) == float(row["CS_minus"])
        chi, stars = re.fullmatch(r"([\d.]+)(\**)", row["chi_squared"]).groups()
        assert f"{result.chi_squared:.2f}" == chi
        assert _stars(result.chi_squared_p) == stars
        diff, crit, verdict = re.fullmatch(r"(\d+) < ([\d.]+) (sig\.|ns)", row["fong_test"]).groups()
        assert result.fong_difference == int(diff)
        assert f"{result.fong_critical:.1f}" == crit
        assert result.fong_significant is (verdict == "sig.")


# functional, dysfunctional, Berger, Pouliot
PAIRS = [
    ("like", "like", "Q", "Q"),
    ("like", "must-be", "A", "A"),
    ("like", "neutral", "A", "A"),
    ("like", "live-with", "A", "A"),
    ("like", "dislike", "O", "O"),
    ("must-be", "like", "R", "R"),
    ("must-be", "must-be", "I", "Q"),
    ("must-be", "dislike", "M", "M"),
    ("neutral", "neutral", "I", "I"),
    ("neutral", "dislike", "M", "M"),
    ("live-with", "live-with", "I", "Q"),
    ("live-with", "dislike", "M", "M"),
    ("live-with", "neutral", "I", "I"),
    ("dislike", "like", "R", "R"),
    ("dislike", "live-with", "R", "R"),
    ("dislike", "dislike", "Q", "Q"),
]


@pytest.mark.parametrize(("functional", "dysfunctional", "berger", "pouliot"), PAIRS)
def test_evaluation_tables(functional, dysfunctional, berger, pouliot):
    assert classify(functional, dysfunctional) == berger
    assert classify(functional, dysfunctional, table="pouliot") == pouliot


def test_pouliot_differs_from_berger_only_on_the_two_identical_pairs():
    diff = {pair for pair in TABLES["berger"] if TABLES["berger"][pair] != TABLES["pouliot"][pair]}
    assert diff == {("must-be", "must-be"), ("live-with", "live-with")}
    assert len(TABLES["berger"]) == 25


@pytest.mark.parametrize(
    ("label", "answer"),
    [
        ("I like it", "like"),
        ("I like it that way.", "like"),
        ("I expect it", "must-be"),
        ("It must be that way", "must-be"),
        ("I am neutral", "neutral"),
        ("I can live with it", "live-with"),
        ("I can tolerate it", "live-with"),
        ("I dislike it", "dislike"),
        ("I DISLIKE IT THAT WAY", "dislike"),
        ("我喜欢", "like"),
        ("理应如此", "must-be"),
        ("应该的", "must-be"),
        ("无所谓", "neutral"),
        ("能忍受", "live-with"),
        ("我不喜欢", "dislike"),
        ("我不喜歡。", "dislike"),
        ("마음에 든다.", "like"),
        ("당연하다.", "must-be"),
        ("아무런 느낌이 없다.", "neutral"),
        ("하는 수 없다.", "live-with"),
        ("마음에 안 든다.", "dislike"),
        (1, "like"),
        ("2", "must-be"),
        (3.0, "neutral"),
        ("４", "live-with"),
        ("5. I dislike it", "dislike"),
        ("(1) 我喜欢", "like"),
    ],
)
def test_answer_labels(label, answer):
    assert AnswerReader().read(label) == answer


def test_like_is_never_matched_inside_dislike_and_unknown_labels_are_named():
    reader = AnswerReader()
    assert reader.read("dislike") == "dislike"
    with pytest.raises(ValueError, match="'I love it'"):
        reader.read("I love it")
    with pytest.raises(ValueError, match="6"):
        reader.read(6)
    assert reader.read("") is None and reader.read(None) is None


def test_user_mapping_extends_and_overrides():
    reader = AnswerReader({"I love it": "like", "Bof": 3, "I am neutral": "dislike", "Super": "我喜欢"})
    assert reader.read("i love it!") == "like"
    assert reader.read("bof") == "neutral"
    assert reader.read("I am neutral") == "dislike"
    assert reader.read("Super") == "like"
    with pytest.raises(ValueError, match="'Meh'"):
        AnswerReader({"Meh": "maybe"})


def test_analyze_feature_from_raw_answers_with_importance():
    functional = ["I like it", "I like it", "I expect it", "I like it", "", "我喜欢", "1"]
    dysfunctional = [
        "I dislike it",
        "I am neutral",
        "I dislike it",
        "I dislike it",
        "I dislike it",
        "能忍受",
        "5",
    ]
    importance = [5, 4, "", 3, 2, "NA", 5]
    result = analyze_feature("Fast checkout", functional, dysfunctional, importance=importance)
    assert dict(result.counts) == {"A": 2, "O": 3, "M": 1, "I": 0, "R": 0, "Q": 0}
    assert result.n == 6 and result.missing == 1
    assert result.category == "O"
    # O 3/6, A 2/6: 16.7 points apart, beyond the 5-point tolerance
    assert result.category_moai == "O"
    assert result.better == pytest.approx(5 / 6)
    assert result.worse == pytest.approx(-4 / 6)
    assert result.importance_mean == pytest.approx(19 / 5) and result.importance_n == 5
    assert result.chi_squared is None and result.fong_significant is None  # M+O+A+I < 12
    with pytest.raises(ValueError, match="row 2"):
        analyze_feature("x", ["like", "??"], ["dislike", "dislike"])


def test_tie_in_most_frequent_goes_to_m_o_a_i_order_and_tolerance_is_inclusive():
    assert kano_from_counts("t", {"A": 5, "M": 5}).category == "M"
    # A 50 %, O 45 % of 100: exactly 5 points apart → still "within", O preferred over A
    assert kano_from_counts("t", {"A": 50, "O": 45, "I": 5}).category_moai == "O"
    assert kano_from_counts("t", {"A": 50, "O": 44, "I": 6}).category_moai == "A"
    assert kano_from_counts("t", {"A": 50, "O": 44, "I": 6}, tolerance=0.1).category_moai == "O"
    # R dominates and no M/O/A/I is near: the rule falls back to the most frequent
    assert kano_from_counts("t", {"R": 30, "I": 3}).category_moai == "R"


def test_empty_feature_has_no_figures():
    result = kano_from_counts("none", {})
    assert result.n == 0 and result.category is None and result.better is None and result.worse is None


@pytest.mark.parametrize(("counts", "fragment"), [({"X": 1}, "'X'"), ({"A": -1}, "-1"), ({"A": 1.5}, "1.5")])
def test_bad_counts_are_named(counts, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        kano_from_counts("bad", counts)


counts_strategy = st.fixed_dictionaries({c: st.integers(min_value=0, max_value=500) for c in CATEGORIES})


@given(counts_strategy)
def test_better_worse_bounds_and_counts_sum_to_n(counts):
    result = kano_from_counts("p", counts)
    assert sum(result.counts.values()) == result.n
    if result.better is not None:
        assert 0 <= result.better <= 1
        assert -1 <= result.worse <= 0
        assert result.better - result.worse <= 2
    if result.n:
        assert 0 <= result.total_strength <= 1 and 0 <= result.category_strength <= 1
        assert result.counts[result.category] == max(result.counts.values())
    if result.fong_critical is not None:
        assert not math.isnan(result.fong_critical)


@given(
    st.lists(st.tuples(st.sampled_from(ANSWERS), st.sampled_from(ANSWERS)), max_size=80),
    st.sampled_from(sorted(TABLES)),
)
def test_raw_pairs_counts_sum_to_n(pairs, table):
    functional = [f for f, _ in pairs]
    dysfunctional = [d for _, d in pairs]
    result = analyze_feature("p", functional, dysfunctional, table=table)
    assert result.n == len(pairs) == sum(result.counts.values())
    if result.better is not None:
        assert 0 <= result.better <= 1 and -1 <= result.worse <= 0
