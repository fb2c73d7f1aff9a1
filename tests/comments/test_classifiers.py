"""Custom classifiers: upload labelled comments, choose columns, train with a CV report, switch on."""

import io

import pytest

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import AuditEvent
from openxm.comments import services
from openxm.comments.models import Classifier, CommentAnalysis, CommentTopic

EXAMPLES = {
    "refund": [
        "I want my money back",
        "please refund my order",
        "refund the double charge",
        "give me a refund",
        "where is my refund",
        "money back please",
        "refund not received yet",
        "I need a refund now",
    ],
    "cancel": [
        "cancel my subscription",
        "I want to cancel",
        "please cancel the order",
        "stop my membership",
        "cancel the plan today",
        "how do I cancel",
        "cancel everything",
        "end my subscription",
    ],
    "praise": [
        "great service thank you",
        "love the fresh fruit",
        "staff were lovely",
        "excellent quality",
        "thanks for the quick help",
        "wonderful experience",
        "very happy with this",
        "fantastic app",
    ],
}


def _csv() -> bytes:
    lines = ["comment,intent,store"]
    for label, texts in EXAMPLES.items():
        lines += [f"{t},{label},sh" for t in texts]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def test_training_from_csv_reports_per_label_scores_and_labels_new_comments(analyst, org_a, survey, record):
    row = services.upload_classifier(analyst, "Intents", "intent", io.BytesIO(_csv()), "labelled.csv")
    assert row.status == "uploaded" and row.columns == ["comment", "intent", "store"]
    assert (row.text_column, row.label_column) == ("comment", "intent")  # guessed from the headers
    row = services.train_classifier(analyst, row.pk, "comment", "intent")
    assert row.status == "trained" and row.labels == ["cancel", "praise", "refund"] and row.n_examples == 24
    report = row.report
    assert report["folds"] == 5 and report["n"] == 24
    scores = {s["label"]: s for s in report["labels"]}
    assert set(scores) == {"cancel", "praise", "refund"}
    for s in scores.values():
        assert 0 <= s["precision"] <= 1 and 0 <= s["recall"] <= 1 and s["support"] == 8
        assert s["f1"] > 0.5
    assert 0 < report["macro_f1"] <= 1
    assert (tmp := row.model_path) and tmp.endswith(f"{row.pk}/model")

    record(survey, "please refund my order", nps=3)  # not active yet: no label
    assert not CommentTopic.objects.for_org(org_a).filter(kind="intent").exists()
    services.set_classifier_active(analyst, row.pk, True)
    response = record(survey, "I want my money back for this", nps=2)
    analysis = CommentAnalysis.objects.for_org(org_a).get(response=response)
    assert analysis.labels == {str(row.pk): "refund"}
    assert CommentTopic.objects.for_org(org_a).get(analysis=analysis, kind="intent").topic == "refund"
    actions = set(AuditEvent.objects.for_org(org_a).values_list("action", flat=True))
    assert {"classifier.training_started", "classifier.activated"} <= actions

    services.delete_classifier(analyst, row.pk)
    assert not Classifier.objects.for_org(org_a).exists()
    assert not CommentTopic.objects.for_org(org_a).filter(kind="intent").exists()


def test_bad_files_and_columns_are_reported(analyst):
    with pytest.raises(InvalidInput, match="two columns"):
        services.upload_classifier(analyst, "One", "topic", io.BytesIO(b"text\nhello\n"), "one.csv")
    row = services.upload_classifier(analyst, "Few", "topic", io.BytesIO(b"t,l\na,x\nb,y\nc,y\n"), "few.csv")
    with pytest.raises(InvalidInput, match="at least two labels with two or more examples"):
        services.train_classifier(analyst, row.pk, "t", "l")
    with pytest.raises(InvalidInput, match="no column"):
        services.train_classifier(analyst, row.pk, "text", "l")
    with pytest.raises(InvalidInput, match="exists already"):
        services.upload_classifier(analyst, "Few", "topic", io.BytesIO(_csv()), "again.csv")
    with pytest.raises(InvalidInput, match="only a trained classifier"):
        services.set_classifier_active(analyst, row.pk, True)


def test_upload_train_and_activate_through_the_pages(make_member, org_a, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    upload = io.BytesIO(_csv())
    upload.name = "labelled.csv"
    response = client.post("/comments/classifiers/", {"name": "Intents", "kind": "intent", "file": upload})
    row = Classifier.objects.for_org(org_a).get()
    assert response.status_code == 302 and response.url == f"/comments/classifiers/{row.pk}/"
    page = client.get(response.url).content.decode()
    assert "Which columns hold the comment and its label?" in page and "refund the double charge" in page
    response = client.post(response.url, {"text_column": "comment", "label_column": "intent"})
    page = client.get(response.url).content.decode()
    assert "Cross-validated scores" in page and "Precision" in page and "refund" in page
    client.post(f"/comments/classifiers/{row.pk}/activate/")
    row.refresh_from_db()
    assert row.status == "active"
    assert "Switch off" in client.get(f"/comments/classifiers/{row.pk}/").content.decode()
