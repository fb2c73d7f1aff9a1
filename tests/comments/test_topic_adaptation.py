"""An organisation's topics from its topic corrections: a topic the rules miss in this domain is
learnt and used by re-analysis; a run where no topic beats its rules is refused; the page shows
the per-topic figures."""

import pytest

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import AuditEvent
from openxm.comments import adaptation, corrections, engine, topic_adaptation
from openxm.comments.models import CommentAnalysis, CommentTopic, SentimentAdaptation

WHO = ["The scooter guy", "Your scooter man", "The scooter person", "That scooter rider"]
DID = ["came late", "was rude at the door", "left it at the wrong gate", "called me five times"]


def _topics(org, response):
    analysis = CommentAnalysis.objects.for_org(org).get(response=response)
    rows = CommentTopic.objects.for_org(org).filter(analysis=analysis, kind="topic")
    return set(rows.values_list("topic", flat=True))


def _box(i):
    return f"the blue box smelled weird, order {i}"


@pytest.fixture
def reviewed(survey, record, org_a, analyst):
    """24 reviewed comments: 12 about the "scooter" staff the rules do not know (the analyst adds
    the delivery topic), 12 about a box, where the analyst removes the rules' wrong cleanliness."""
    for i in range(12):
        response = record(survey, f"{WHO[i % 4]} {DID[i // 4 % 4]} (order {i})", nps=3)
        comment = CommentAnalysis.objects.for_org(org_a).get(response=response)
        corrections.correct_comment(analyst, comment.pk, add_topics=["delivery"])
        response = record(survey, _box(i), nps=6)
        comment = CommentAnalysis.objects.for_org(org_a).get(response=response)
        corrections.correct_comment(analyst, comment.pk, remove_topics=["cleanliness"])


def test_a_topic_the_rules_miss_is_learnt_and_used_by_reanalysis(reviewed, survey, record, org_a, analyst):
    texts, rules, gold = topic_adaptation.reviewed_examples(org_a, "en")
    assert len(texts) == 24 and sum("delivery" in g for g in gold) == 12
    assert sum("delivery" in r for r in rules) < 12  # the rules miss some of them
    row = topic_adaptation.start_topic_adaptation(analyst, "en", inline=True)
    assert row.status == SentimentAdaptation.Status.ACTIVE, row.error
    results = {t["topic"]: t for t in row.report["topics"]}
    assert results["delivery"]["chosen"] == "adapted"
    assert results["delivery"]["adapted_f1"] > results["delivery"]["rules_f1"] + 0.2
    assert results["packaging"]["chosen"] == "rules"  # the rules were right: ties keep them
    assert results["cleanliness"]["chosen"] == "too_few"  # never present after review
    audited = AuditEvent.objects.for_org(org_a).filter(action="topics.adaptation_started")
    assert audited.filter(target_id=str(row.pk)).exists()
    # A new comment in the same words gets the learnt topic; corrections still win over it.
    fresh = record(survey, "The scooter guy was rude again", nps=2)
    assert "delivery" in _topics(org_a, fresh)
    box = record(survey, "the blue box smelled weird again", nps=4)  # like the reviewed ones without it
    assert "delivery" not in _topics(org_a, box) and "packaging" in _topics(org_a, box)
    comment = CommentAnalysis.objects.for_org(org_a).get(response=fresh)
    corrections.correct_comment(analyst, comment.pk, remove_topics=["delivery"])
    engine.analyse_responses(org_a, [fresh.pk])  # re-analysis: the correction still wins
    assert "delivery" not in _topics(org_a, fresh)
    assert adaptation.active_models(org_a) == {}  # a topics run leaves the sentiment model alone


def test_no_topic_better_than_its_rules_is_refused(survey, record, org_a, analyst):
    for i in range(20):
        response = record(survey, _box(i), nps=6)
        comment = CommentAnalysis.objects.for_org(org_a).get(response=response)
        corrections.correct_comment(analyst, comment.pk, remove_topics=["cleanliness"])
    row = topic_adaptation.start_topic_adaptation(analyst, "en", inline=True)
    assert row.status == SentimentAdaptation.Status.REFUSED
    assert topic_adaptation.active_topic_models(org_a) == {}


def test_too_few_reviewed_comments_and_a_bad_language(org_a, analyst):
    with pytest.raises(InvalidInput) as caught:
        topic_adaptation.start_topic_adaptation(analyst, "en", inline=True)
    assert caught.value.field == "language" and "at least 20" in caught.value.message
    with pytest.raises(InvalidInput):
        topic_adaptation.start_topic_adaptation(analyst, "fr", inline=True)


def test_the_page_shows_each_topic_with_its_figures(reviewed, org_a, analyst, make_member, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    started = client.post("/comments/adaptation/", {"language": "en", "target": "topics"})
    assert started.status_code == 302
    html = client.get("/comments/adaptation/").content.decode()
    assert 'id="topic-results-en"' in html
    assert 'data-topic="delivery" data-chosen="adapted"' in html
    assert 'data-topic="cleanliness" data-chosen="too_few"' in html


def test_stored_comments_are_reanalysed_with_the_model_in_the_background(
    reviewed, org_a, analyst, make_member, signed_in
):
    topic_adaptation.start_topic_adaptation(analyst, "en", inline=True)
    client = signed_in(make_member(org_a, "analyst"))
    html = client.get("/comments/adaptation/").content.decode()
    assert 'name="reason" value="adapted topics"' in html
    form = {"reason": "adapted topics", "back": "/comments/adaptation/"}
    started = client.post("/comments/reanalyse/", form)
    assert started.status_code == 302 and started.url.startswith("/comments/jobs/")
    assert client.get(started.url + "progress/").status_code == 200
