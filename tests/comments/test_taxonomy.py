"""Organization taxonomies: checks that name the topic and the position, versions, preview, import/export."""

import pytest

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import AuditEvent
from openxm.comments import services
from openxm.comments.taxonomies import InvalidTaxonomy, check_document, normalise, parse_upload, to_yaml


def _doc(*topics, name="Test"):
    return {"name": name, "topics": [{"id": i, "label": {"en": i, "zh": ""}, "rule": r} for i, r in topics]}


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ([("delivery", "deliver* AND (late")], "Topic 1 (delivery), rule: missing ')' at end of rule"),
        (
            [("a", "x"), ("b", "x OR OR y")],
            "Topic 2 (b), rule: expected a term or '(' but found '|' at position 5",
        ),
        ([("a", "NOT late")], "Topic 1 (a), rule: a rule needs at least one term outside NOT"),
        ([("a", "x"), ("a", "y")], "Topic 2 (a), id: the id is used by an earlier topic"),
        ([("Bad Id", "x")], "Topic 1 (Bad Id), id: use lowercase letters"),
        ([("a.b", "x")], "Topic 1 (a.b), id: its parent a is not in the taxonomy"),
        ([("a", "")], "Topic 1 (a), rule: needs a rule"),
        ([("a", "late OR")], "Topic 1 (a), rule: rule ends where a term was expected (position 7, the end"),
    ],
)
def test_problems_name_the_topic_and_the_position(topics, message):
    issues = check_document(normalise(_doc(*topics)))
    assert any(str(i).startswith(message) for i in issues), [str(i) for i in issues]


def test_children_are_put_after_their_parent():
    doc = normalise(_doc(("delivery.speed", "fast"), ("price", "cheap"), ("delivery", "deliver*")))
    assert [t["id"] for t in doc["topics"]] == ["price", "delivery", "delivery.speed"]
    assert check_document(doc) == []


def test_saving_makes_versions_and_nothing_is_saved_on_error(admin, analyst, org_a):
    assert services.taxonomy(admin).version == 0
    with pytest.raises(InvalidTaxonomy) as caught:
        services.save_taxonomy(admin, _doc(("a", "x AND"), ("b", "(y")))
    assert len(caught.value.issues) == 2 and caught.value.field == "topics[0].rule"
    assert services.taxonomy(admin).version == 0
    first = services.save_taxonomy(analyst, _doc(("a", "x")), note="first")
    second = services.add_topic(analyst, {"id": "a.b", "label": {"en": "B", "zh": "乙"}, "rule": "y OR 乙"})
    assert (first.version, second.version) == (1, 2)
    assert [t["id"] for t in second.document["topics"]] == ["a", "a.b"]
    assert services.reset_taxonomy(admin).version == 3
    assert services.taxonomy(admin).document["topics"][0]["id"] == "delivery"
    actions = list(
        AuditEvent.objects.for_org(org_a).filter(action="taxonomy.saved").values_list("data", flat=True)
    )
    assert len(actions) == 3 and sum(bool(a.get("reset")) for a in actions) == 1


def test_viewers_and_agents_cannot_change_the_taxonomy(actor_for):
    from openxm.accounts.actors import PermissionDenied

    for role in ("viewer", "agent"):
        with pytest.raises(PermissionDenied):
            services.save_taxonomy(actor_for(role), _doc(("a", "x")))


def test_yaml_round_trip_of_the_default():
    doc = services.taxonomy.__globals__["default_document"]()
    again = normalise(parse_upload(to_yaml(doc)))
    assert again == doc


def test_preview_marks_matching_clauses_and_redacts(survey, record, analyst, actor_for):
    record(survey, "会员积分很实用，打13812345678可以兑换", nps=9)
    record(survey, "配送很快", nps=9)
    preview = services.preview_rule(analyst, "积分 OR points")
    assert (preview.checked, preview.matched) == (2, 1)
    segments, sentiment = preview.examples[0]
    assert [s.text for s in segments if s.mark] == ["会员积分很实用"]
    assert "[PHONE]" in "".join(s.text for s in segments)
    owner = actor_for("owner")
    assert "13812345678" in "".join(s.text for s in services.preview_rule(owner, "积分").examples[0][0])
    with pytest.raises(InvalidInput, match="found '&' at position 7"):
        services.preview_rule(analyst, "积分 AND AND x")


def test_editor_shows_errors_next_to_the_topic(admin, make_member, org_a, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    page = client.get("/comments/taxonomy/")
    assert page.status_code == 200 and 'name="t-0-id" value="delivery"' in page.content.decode()
    data = {
        "name": "Mine",
        "t-count": "3",
        "t-0-id": "delivery",
        "t-0-en": "Delivery",
        "t-0-rule": "deliver*",
        "t-1-id": "delivery.speed",
        "t-1-en": "Speed",
        "t-1-rule": "(late OR slow",
        "t-2-id": "",
        "t-2-rule": "",
    }
    response = client.post("/comments/taxonomy/", data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Topic 2 (delivery.speed), rule: missing &#x27;)&#x27; at end of rule" in html
    data["t-1-rule"] = "late OR slow"
    assert client.post("/comments/taxonomy/", data).status_code == 302
    assert [t["id"] for t in services.taxonomy(admin).document["topics"]] == ["delivery", "delivery.speed"]


def test_preview_partial_through_htmx(survey, record, make_member, org_a, signed_in):
    record(survey, "Prices are too high", nps=3)
    client = signed_in(make_member(org_a, "analyst"))
    html = client.post(
        "/comments/taxonomy/",
        {"preview": "4", "t-4-id": "price", "t-4-rule": "price*"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Matches 1 of the 1 most recent comments" in html and "<mark>Prices are too high</mark>" in html
