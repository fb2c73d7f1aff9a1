"""The score series beside a touchpoint's NPS: the top-2-box share of CSAT answers per touchpoint,
and the NPS of the responses whose comments name a watched topic, each watched for a drop."""

import random
from datetime import UTC, datetime, timedelta

from openxm.alerts.early_warning import WEEKS, scan, watched_weeks
from openxm.alerts.episodes import evidence, notices
from openxm.alerts.models import Episode
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.alerts.test_early_warning import TODAY, _load


def _csat(org, admin, weekly):
    """``weekly`` = [(n, share answering 4 or 5)] per week, oldest first, at the "purchase"
    touchpoint of the transactional CSAT survey."""
    survey = surveys.create_from_template(admin, "transactional-csat", key="csat")
    surveys.publish_survey(admin, survey.pk)
    survey = surveys.get_survey(admin, survey.pk)
    rng = random.Random(5)
    start, _end = watched_weeks(TODAY)
    subs = []
    for w, (n, top) in enumerate(weekly):
        for i in range(n):
            value = rng.choice((4, 5)) if rng.random() < top else rng.choice((1, 2, 3))
            at = datetime.combine(start + timedelta(days=7 * w + i % 7), datetime.min.time(), UTC)
            subs.append(
                collect.Submission(
                    answers={"csat": value},
                    idempotency_key=f"c{w}-{i}",
                    completed_at=at + timedelta(hours=12),
                )
            )
    collect.record_batch(org, survey, subs)


def test_a_touchpoints_top_2_box_drop_is_an_episode(org_a, admin, signed_in):
    _csat(org_a, admin, [(50, 0.70)] * (WEEKS - 3) + [(50, 0.30)] * 3)
    found = scan(org_a, TODAY)
    top = found[("touchpoint", "purchase")]["top2box"]
    assert top["drop"] and top["baseline"]["top2box"] > 60 and top["series"][-1]["top2box"] < 45
    episode = Episode.objects.for_org(org_a).get(metric="top2box")
    assert (episode.dimension, episode.subject, episode.kind, episode.closed_at) == (
        "touchpoint",
        "purchase",
        "drop",
        None,
    )
    [notice] = [n for n in notices(admin) if n.subject == "purchase"]
    assert notice.detail.startswith("Top-2-box ") and "% this week against " in notice.detail
    assert evidence(admin, episode).rows[-1]["score"] == top["series"][-1]["top2box"]
    page = signed_in(admin.user).get(f"/alerts/early-warning/{episode.pk}/").content.decode()
    assert "Baseline: top-2-box" in page and "top-2-box %" in page


def test_a_stable_top_2_box_opens_nothing(org_a, admin):
    _csat(org_a, admin, [(50, 0.70)] * WEEKS)
    found = scan(org_a, TODAY)
    assert not found[("touchpoint", "purchase")]["top2box"]["drop"]
    assert not Episode.objects.for_org(org_a).exists()


def test_a_topics_nps_drop_is_an_episode(org_a, admin, nps_survey, django_capture_on_commit_callbacks):
    """Everyone names the delivery, as many every week; in the last three weeks the customers
    naming it are angrier: the topic's NPS drops, its mentions do not surge."""

    def comment(week, score):
        return "送货太慢了"

    with django_capture_on_commit_callbacks(execute=True):  # the comments are analysed on commit
        _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 3) + [(40, 0.15, 0.60)] * 3, comment=comment)
    found = scan(org_a, TODAY)
    delivery = {s: e for (d, s), e in found.items() if d == "topic" and s.startswith("delivery")}
    assert delivery, "the comments were analysed into a delivery topic"
    subject, mentions = max(delivery.items(), key=lambda item: item[1]["baseline"]["n"])
    assert not mentions["surge"] and not mentions["silence"]
    assert mentions["score"]["drop"] and mentions["score"]["series"][-1]["nps"] < 0
    episode = Episode.objects.for_org(org_a).get(dimension="topic", subject=subject, kind="drop")
    assert episode.evidence["series"][-1]["ewma"] < -episode.evidence["series"][-1]["limit"]
    assert not Episode.objects.for_org(org_a).filter(dimension="topic").exclude(kind="drop").exists()


def test_a_baseline_without_spread_is_not_watched():
    """A topic only promoters named: one detractor later would be a "collapse" of infinite z."""
    from openxm.alerts.early_warning import assess

    start, _end = watched_weeks(TODAY)
    weeks = [start + timedelta(days=7 * i) for i in range(WEEKS)]
    cells = dict.fromkeys(weeks[:-1], (20, 0, 0)) | {weeks[-1]: (19, 0, 1)}
    assert assess(weeks, cells, 10) is None
    cells = dict.fromkeys(weeks, (14, 2, 4))
    assert assess(weeks, cells, 10)["drop"] is False
