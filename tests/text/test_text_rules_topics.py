"""The topic rule language, taxonomy loading and aspect sentiment."""

import pytest

from openxm.text.rules import RuleSyntaxError, evaluate, parse_rule
from openxm.text.topics import Taxonomy, TaxonomyError, TopicDefinition, default_taxonomy, load_taxonomy


def holds(rule: str, clause: str) -> bool:
    taxonomy = Taxonomy("t", [TopicDefinition("x", (("en", "x"),), rule, None)])
    return taxonomy.match_clause(clause) == ["x"]


@pytest.mark.parametrize(
    ("rule", "clause", "expected"),
    [
        ("配送", "配送很快", True),
        ("配送 AND 慢", "配送太慢了", True),
        ("配送 AND 慢", "配送很快", False),
        ("配送 OR deliver*", "It was delivered late", True),
        ("deliver*", "undelivered parcel", False),  # prefixes match from the start of a word
        ("late", "chocolate cake", False),  # whole words only
        ('"customer service"', "Customer  Service was slow", True),
        ('"customer service"', "service for the customer", False),
        ('"customer serv*"', "the customer servants", True),
        ("refund AND NOT (received OR got)", "I want a refund", True),
        ("refund AND NOT (received OR got)", "I got my refund", False),
        ("a OR b AND c", "a only", True),  # AND binds tighter: a OR (b AND c)
        ("(a OR b) AND c", "a only", False),
        ("退款 & !已退", "申请退款", True),
        ("退款 & !已退", "已退款", False),
        ('"送餐 慢"', "送餐慢", True),
        ("APP", "app 闪退", True),
        ("wi-fi", "The Wi-Fi kept dropping", True),
        ('"log in"', "could not log-in at all", True),
        ("after-sales", "after sales support", True),
    ],
)
def test_rule_semantics(rule, clause, expected):
    assert holds(rule, clause) is expected


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "empty rule"),
        ("a AND", "rule ends"),
        ("(a OR b", "missing ')'"),
        ("a b", "unexpected 'term'"),
        ("NOT a", "outside NOT"),
        ("a OR )", "expected a term"),
        ('a OR ""', "empty term"),
        ("de*liver", "only allowed at the end"),
        ("-*", "needs a word before it"),
        ("--", "no letters or digits"),
    ],
)
def test_rule_errors(rule, message):
    with pytest.raises(RuleSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rule(rule)


def test_evaluate_on_tree():
    tree = parse_rule("x AND NOT y")
    (x,) = [n[1] for n in tree[1] if n[0] == "term"]
    assert evaluate(tree, {x}) is True


def test_default_taxonomy_is_hierarchical_and_bilingual():
    tx = default_taxonomy()
    ids = {t.id for t in tx.topics}
    for needed in ("delivery", "waiting_time", "staff.attitude", "product.quality", "price", "cleanliness",
                   "digital.usability", "billing", "refund_return", "packaging", "food.taste",
                   "customer_service"):
        assert needed in ids
    assert tx.by_id["delivery.speed"].parent == "delivery"
    assert tx.by_id["food.taste"].label("zh") == "口味"
    assert tx.match_clause("送餐太慢了") == tx.match_clause("送餐太慢了")
    assert "delivery.speed" in tx.match_clause("送餐太慢了")
    assert "delivery.speed" in tx.match_clause("the delivery was two hours late")


def test_taxonomy_file_errors(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("topics:\n  - id: a.b\n    rule: x\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="before its parent 'a'"):
        load_taxonomy(bad)
    bad.write_text("topics:\n  - id: a\n    rule: x AND\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="topic 'a': bad rule"):
        load_taxonomy(bad)
    bad.write_text("topics:\n  - id: a\n    rule: x\n    colour: red\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="unknown keys"):
        load_taxonomy(bad)
    bad.write_text("topics:\n  - id: a\n    rule: x\n  - id: a\n    rule: y\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="duplicate"):
        load_taxonomy(bad)


def test_user_taxonomy_json(tmp_path):
    path = tmp_path / "mine.json"
    topic = '{"id": "parking", "label": "Parking", "rule": "park* OR 停车"}'
    path.write_text('{"name": "mine", "topics": [' + topic + "]}", encoding="utf-8")
    tx = load_taxonomy(path)
    assert tx.name == "mine"
    assert tx.match_clause("停车很难") == ["parking"]
    assert tx.match_clause("parking was hard") == ["parking"]
