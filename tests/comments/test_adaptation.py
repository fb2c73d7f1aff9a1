"""An organisation's sentiment model from its corrections: switched on only when it beats the
shipped model, used by re-analysis, shown with its estimate, interval and learning curve."""

import pytest

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import AuditEvent
from openxm.comments import adaptation, corrections, services
from openxm.comments.models import CommentAnalysis, SentimentAdaptation

ITEMS = ["ice cream", "sorbet", "gelato", "milkshake", "sundae", "cone"]
GOOD = ["the {} was cold and frozen", "{} came frozen solid", "my {} stayed cold"]
BAD = ["the {} was warm", "{} arrived melted", "my {} was warm and runny"]


def _texts(n):
    out = []
    for i in range(n):
        template = (GOOD if i % 2 == 0 else BAD)[(i // 2) % 3]
        label = "positive" if i % 2 == 0 else "negative"
        out.append((template.format(ITEMS[i % len(ITEMS)]) + f" (order {i})", label))
    return out


@pytest.fixture
def shop(survey, record, org_a):
    """An ice-cream shop where cold is praise: 40 comments, each corrected by an analyst."""
    rows = []
    for text, label in _texts(40):
        response = record(survey, text, nps=9 if label == "positive" else 2)
        rows.append((CommentAnalysis.objects.for_org(org_a).get(response=response), label))
    return rows


def test_adaptation_from_corrections_is_switched_on_and_used_by_the_engine(
    shop, analyst, admin, org_a, survey, record
):
    wrong = sum(a.sentiment != label for a, label in shop)
    assert wrong >= 10  # the shipped model reads "cold" and "frozen" as complaints
    for a, label in shop:
        corrections.correct_comment(analyst, a.pk, sentiment=label)
    run = adaptation.start_adaptation(analyst, "en", inline=True)
    assert run.status == SentimentAdaptation.Status.ACTIVE and run.n_labels == 40
    chosen = run.report["chosen"]
    scores = {c["name"]: c for c in run.report["candidates"]}
    assert chosen != "shipped" and scores[chosen]["macro_f1"] > scores["shipped"]["macro_f1"]
    assert [p["n"] for p in run.curve] == [20, 30, 40]
    assert AuditEvent.objects.for_org(org_a).filter(action="sentiment.adaptation_started").count() == 1

    # new comments of the shop, never corrected, get the adapted sentiment from the engine
    fresh = [("the sorbet was cold and frozen today", "positive"), ("my gelato was warm", "negative")]
    for text, label in fresh:
        response = record(survey, text, nps=5)
        assert CommentAnalysis.objects.for_org(org_a).get(response=response).sentiment == label
    services.start_reanalysis(admin, inline=True)
    for a, label in shop:
        assert CommentAnalysis.objects.for_org(org_a).get(answer_id=a.answer_id).sentiment == label


def test_adaptation_is_refused_when_it_does_not_beat_the_shipped_model(shop, analyst, org_a):
    for a, _label in shop:  # the analyst confirms what the model said: nothing to learn
        corrections.correct_comment(analyst, a.pk, sentiment=a.sentiment)
    labels = {a.sentiment for a, _ in shop}
    if len(labels) < 2:
        pytest.skip("the shipped model gave one sentiment to every comment")
    run = adaptation.start_adaptation(analyst, "en", inline=True)
    assert run.status == SentimentAdaptation.Status.REFUSED and run.report["chosen"] == "shipped"
    assert adaptation.active_models(org_a) == {}


def test_too_few_corrections_and_permissions(shop, analyst, actor_for):
    with pytest.raises(InvalidInput, match="at least 20"):
        adaptation.start_adaptation(analyst, "en")
    with pytest.raises(InvalidInput) as exc:
        adaptation.start_adaptation(analyst, "fr")
    assert exc.value.field == "language"
    with pytest.raises(PermissionDenied):
        adaptation.start_adaptation(actor_for("agent"), "en")


def test_the_page_shows_estimate_interval_corrections_and_curve(
    shop, analyst, make_member, org_a, signed_in
):
    for a, label in shop:
        corrections.correct_comment(analyst, a.pk, sentiment=label)
    client = signed_in(make_member(org_a, "analyst"))
    page = client.get("/comments/adaptation/").content.decode()
    assert 'data-figure="corrections">40<' in page and 'data-figure="in-use">shipped<' in page
    reply = client.post("/comments/adaptation/", {"language": "en"})
    assert reply.status_code == 302
    page = client.get("/comments/adaptation/").content.decode()
    assert 'data-figure="in-use">adapted<' in page and 'data-figure="estimate">' in page
    assert 'id="curve-en"' in page and 'data-status="active"' in page
