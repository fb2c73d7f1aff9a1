"""The template library: every template loads, is bilingual, and behaves as its method requires."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from openxm.surveys.definition import (
    ResponseContext,
    check_quotas,
    dump_definition,
    list_templates,
    load_definition,
    load_template,
    render_text,
    validate_answers,
    validate_definition,
    walk,
)
from openxm.surveys.definition.model import iter_texts

KEYS = [
    "enps-pulse",
    "internal-customer",
    "internal-service-matrix",
    "kano-feature-study",
    "relationship-nps",
    "servqual-22",
    "support-ces",
    "transactional-csat",
]


def test_library_lists_every_template() -> None:
    templates = list_templates()
    assert [t.key for t in templates] == KEYS
    assert {t.key: t.audience for t in templates}["enps-pulse"] == "employee"
    assert {t.key: t.audience for t in templates}["internal-customer"] == "internal"


@pytest.mark.parametrize("key", KEYS)
def test_template_is_valid_bilingual_and_round_trips(key: str) -> None:
    definition = load_template(key)
    assert definition.key == key
    assert definition.languages == ("en", "zh-Hans")
    assert validate_definition(definition.to_dict()) == []
    for path, text in iter_texts(definition.data):
        assert isinstance(text, dict) and set(text) == {"en", "zh-Hans"}, path
    for fmt in ("json", "yaml"):
        assert load_definition(dump_definition(definition, fmt), fmt) == definition


@pytest.mark.parametrize("key", ["nope", "../servqual-22", "servqual-22.yaml"])
def test_unknown_template_key(key: str) -> None:
    with pytest.raises(KeyError, match="unknown survey template"):
        load_template(key)


def test_servqual_has_the_22_items_over_five_dimensions_and_importance() -> None:
    definition = load_template("servqual-22")
    items = [q for q in definition.questions.values() if q.type == "servqual"]
    assert len(items) == 22
    assert Counter(q.spec["dimension"] for q in items) == {
        "tangibles": 4,
        "reliability": 5,
        "responsiveness": 4,
        "assurance": 4,
        "empathy": 5,
    }
    assert (
        definition.question("t1").spec["expectation"]["en"]
        == "Excellent companies will have modern-looking equipment."
    )
    assert definition.question("e5").spec["perception"]["en"] == (
        "The employees of {{hidden.company|this company}} understand your specific needs."
    )
    assert [q.type for q in definition.questions.values()].count("servqual_importance") == 1


def test_servqual_full_response_gives_expectation_perception_and_points_rows() -> None:
    definition = load_template("servqual-22")
    items = [q.id for q in definition.questions.values() if q.type == "servqual"]
    answers: dict[str, Any] = {qid: {"expectation": 7, "perception": 5} for qid in items}
    answers["importance"] = {
        "tangibles": 10,
        "reliability": 30,
        "responsiveness": 20,
        "assurance": 20,
        "empathy": 20,
    }
    result = validate_answers(definition, answers, ResponseContext(hidden={"company": "ACME Bank"}))
    assert result.ok, result.errors
    assert len([r for r in result.rows if r.question_type == "servqual"]) == 44
    assert sum(r.value_number for r in result.rows if r.question_type == "servqual_importance") == 100
    missing = validate_answers(definition, {k: v for k, v in answers.items() if k != "r3"}, ResponseContext())
    assert [(e.path, e.code) for e in missing.errors] == [("r3", "answer.required")]
    text = render_text(
        definition,
        definition.question("a2").spec["perception"],
        {},
        ResponseContext(hidden={"company": "ACME Bank"}),
        "en",
    )
    assert text == "You feel safe in your transactions with ACME Bank."


def test_kano_features_have_both_questions_importance_and_a_segment_quota() -> None:
    definition = load_template("kano-feature-study")
    features = [q for q in definition.questions.values() if q.type == "kano"]
    assert len(features) >= 5
    assert all(q.spec["importance"]["max"] == 5 for q in features)
    decision = check_quotas(
        definition, {}, ResponseContext(hidden={"segment": "new"}), {"segment_balance.new_customers": 150}
    )
    assert (decision.action, decision.ending_id) == ("end", "quota_full")


@pytest.mark.parametrize(
    ("score", "shown", "pages", "ending"),
    [
        (10, "reason_promoter", ("score", "reason"), "thanks_promoter"),
        (8, "reason_passive", ("score", "reason"), "thanks"),
        (3, "reason_detractor", ("score", "reason", "follow_up"), "thanks"),
    ],
)
def test_relationship_nps_follow_up_depends_on_the_score_band(
    score: int, shown: str, pages: tuple[str, ...], ending: str
) -> None:
    definition = load_template("relationship-nps")
    route = walk(definition, {"nps": score}, ResponseContext())
    reasons = [q for q in route.shown_questions if q.startswith("reason_")]
    assert (reasons, route.pages, route.ending_id) == ([shown], pages, ending)
    text = render_text(
        definition, definition.question(shown).spec["text"], route.answers, ResponseContext(), "zh-Hans"
    )
    assert f"{score} 分" in text


@pytest.mark.parametrize(
    ("resolved", "pages", "ending"),
    [
        ("yes_fully", ("effort", "agent"), "thanks"),
        ("not_resolved", ("effort", "agent", "unresolved"), "reopened"),
    ],
)
def test_support_ces_routes_unresolved_cases(resolved: str, pages: tuple[str, ...], ending: str) -> None:
    route = walk(load_template("support-ces"), {"ces": 6, "resolved": resolved}, ResponseContext())
    assert (route.pages, route.ending_id) == (pages, ending)


def test_internal_customer_covers_every_cx_dimension() -> None:
    definition = load_template("internal-customer")
    tagged = {q.spec.get("cx_dimension") for q in definition.questions.values()} - {None}
    assert tagged == {
        "usefulness",
        "reliability",
        "responsiveness",
        "empathy",
        "resolution",
        "personalization",
    }
