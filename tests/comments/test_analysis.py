"""A recorded response's comments are analysed on commit: language, sentiment, topics, flags, PII.

Analysis is derived data: re-running it replaces the rows, and a failure never loses the response.
"""

from openxm.comments import engine, tasks
from openxm.comments.models import CommentAnalysis, CommentTopic
from openxm.surveys import collect
from openxm.surveys.models import Response


def _topics(org, analysis, kind="topic"):
    return {t.topic: t for t in CommentTopic.objects.for_org(org).filter(analysis=analysis, kind=kind)}


def test_recorded_text_answer_is_analysed_with_topics_and_sentiment(survey, record, org_a):
    response = record(survey, "送餐太慢了，等了一个多小时，外卖小哥态度也很差", nps=2, csat=1)
    analysis = CommentAnalysis.objects.for_org(org_a).get(response=response)
    assert analysis.language == "zh"
    assert analysis.sentiment == "negative" and analysis.score < 0
    assert (analysis.nps, analysis.csat, analysis.touchpoint, analysis.source) == (2, 1, "delivery", "text")
    assert analysis.taxonomy_version == 0 and analysis.model_version.startswith("text-")
    topics = _topics(org_a, analysis)
    assert {"delivery", "delivery.speed", "waiting_time"} <= set(topics)
    assert topics["delivery.speed"].parent == "delivery"
    assert topics["delivery.speed"].sentiment == "negative"
    start, end = topics["delivery.speed"].spans[0]
    assert "慢" in analysis.redacted_text[start:end]


def test_english_comment_other_text_flags_and_pii(survey, record, org_a):
    response = record(
        survey,
        "Great food but the driver was rude. Call me on +44 7700 900123, I will cancel my subscription",
        nps=4,
        other="The app keeps crashing at checkout",
    )
    rows = {a.source: a for a in CommentAnalysis.objects.for_org(org_a).filter(response=response)}
    assert set(rows) == {"text", "other"}
    text = rows["text"]
    assert text.language == "en" and text.mixed
    assert (
        text.pii_kinds == ["phone"] and "[PHONE]" in text.redacted_text and "7700" not in text.redacted_text
    )
    assert text.flags[0]["kind"] == "churn" and "cancel" in text.flags[0]["phrase"]
    assert "churn" in _topics(org_a, text, kind="flag")
    assert "digital.bugs" in _topics(org_a, rows["other"])


def test_response_without_comment_gets_no_analysis(survey, record, org_a):
    response = record(survey, "", nps=9)
    assert not CommentAnalysis.objects.for_org(org_a).filter(response=response).exists()


def test_analysis_is_idempotent(survey, record, org_a):
    response = record(survey, "Delivery was quick and the courier friendly", nps=10)
    first = CommentAnalysis.objects.for_org(org_a).get(response=response)
    assert engine.analyse_responses(org_a, [response.pk]) == 1
    assert engine.analyse_responses(org_a, [response.pk]) == 1
    rows = CommentAnalysis.objects.for_org(org_a).filter(response=response)
    assert rows.count() == 1 and rows.get().pk != first.pk
    assert (
        CommentTopic.objects.for_org(org_a).filter(analysis__response=response, topic="delivery").count() == 1
    )


def test_a_failing_analysis_never_loses_the_response(survey, record, org_a, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(engine, "analyze", broken)
    response = record(survey, "配送很快", nps=9)
    assert Response.objects.for_org(org_a).filter(pk=response.pk).exists()
    assert not CommentAnalysis.objects.for_org(org_a).filter(response=response).exists()
    assert "text analytics of 1 responses" in caplog.text


def test_a_batch_of_responses_is_analysed_in_one_task(
    survey, org_a, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    original = tasks.analyse_responses_task
    monkeypatch.setattr(tasks, "analyse_responses_task", lambda *a: calls.append(a) or original(*a))
    subs = [
        collect.Submission(
            answers={"nps": i, "comment": f"The price is too high {i}"}, idempotency_key=f"b{i}"
        )
        for i in range(6)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        collect.record_batch(org_a, survey, subs)
    assert len(calls) == 1 and len(calls[0][1]) == 6
    assert CommentAnalysis.objects.for_org(org_a).count() == 6
