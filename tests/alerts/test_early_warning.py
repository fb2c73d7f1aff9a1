"""Early-warning episodes from stored responses: a touchpoint whose NPS falls opens a drop
episode with its evidence, a week back in control closes it, silence and surges open their own;
journey stages and units (rolled up) are series too; open episodes show on the dashboard, the
journey map and the touchpoint page, and the episode page shows the evidence."""

import random
from datetime import UTC, date, datetime, timedelta

from openxm.alerts.early_warning import MONITORED, WEEKS, scan, watched_weeks
from openxm.alerts.episodes import notices
from openxm.alerts.models import Episode
from openxm.alerts.notifying import digest_text
from openxm.surveys import collect

TODAY = date(2026, 10, 7)  # a Wednesday (in the past, so the recovery weeks are too)


def _load(org, survey, weekly, seed=3, unit="", comment=None):
    """``weekly`` = [(n, share of promoters, share of detractors)] per week, oldest first;
    ``comment(week, score)`` gives a detractor's comment (or None)."""
    rng = random.Random(seed)
    start, _end = watched_weeks(TODAY)
    subs = []
    for w, (n, p, d) in enumerate(weekly):
        for i in range(n):
            r = rng.random()
            score = 10 if r < p else 0 if r < p + d else 7
            at = datetime.combine(
                start + timedelta(days=7 * w + i % 7), datetime.min.time(), UTC
            ) + timedelta(hours=12)
            answers = {"nps": score}
            text = comment(w, score) if comment else None
            if text:  # the follow-up question the respondent's score shows
                answers[
                    "reason_promoter"
                    if score >= 9
                    else "reason_passive"
                    if score >= 7
                    else "reason_detractor"
                ] = text
            subs.append(
                collect.Submission(answers=answers, idempotency_key=f"w{w}-{i}", completed_at=at, unit=unit)
            )
    collect.record_batch(org, survey, subs)


def test_a_drop_opens_an_episode_and_recovery_closes_it(org_a, nps_survey):
    stable = [(40, 0.45, 0.20)] * (WEEKS - 3)
    _load(org_a, nps_survey, stable + [(40, 0.15, 0.60)] * 3)
    evidence = scan(org_a, TODAY)[("touchpoint", "relationship")]
    assert evidence["drop"] and not evidence["silence"]
    assert len(evidence["series"]) == MONITORED
    assert evidence["series"][-1]["nps"] < 0 < evidence["baseline"]["nps"]
    [episode] = Episode.objects.for_org(org_a)
    assert (episode.kind, episode.subject, episode.closed_at) == ("drop", "relationship", None)
    assert episode.opened_at == TODAY

    scan(org_a, TODAY + timedelta(days=1))  # the same weeks again: updated, not a second episode
    assert Episode.objects.for_org(org_a).count() == 1

    # Four more weeks back at the old level: the EWMA returns inside its limits.
    later = TODAY + timedelta(weeks=5)
    start, _ = watched_weeks(TODAY)
    subs = []
    rng = random.Random(9)
    for w in range(WEEKS, WEEKS + 5):
        for i in range(60):
            r = rng.random()
            score = 10 if r < 0.45 else 0 if r < 0.65 else 7
            at = datetime.combine(
                start + timedelta(days=7 * w + i % 7), datetime.min.time(), UTC
            ) + timedelta(hours=12)
            subs.append(
                collect.Submission(answers={"nps": score}, idempotency_key=f"r{w}-{i}", completed_at=at)
            )
    collect.record_batch(org_a, nps_survey, subs)
    assert not scan(org_a, later)[("touchpoint", "relationship")]["drop"]
    episode.refresh_from_db()
    assert episode.closed_at == later


def test_a_stable_series_opens_nothing_and_silence_is_its_own_episode(org_a, nps_survey):
    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 1) + [(0, 0, 0)])
    evidence = scan(org_a, TODAY)[("touchpoint", "relationship")]
    assert not evidence["drop"] and evidence["silence"]
    assert evidence["silence_probability"] < 1e-10
    assert list(Episode.objects.for_org(org_a).values_list("kind", flat=True)) == ["silence"]


def test_page_shows_episodes_to_whole_organization_members(org_a, admin, nps_survey, signed_in, units):
    from openxm.accounts import services as accounts

    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 3) + [(40, 0.15, 0.60)] * 3)
    scan(org_a, TODAY)
    page = signed_in(admin.user).get("/alerts/early-warning/").content.decode()
    assert 'data-subject="touchpoint:relationship"' in page and "Score drop" in page
    accounts.add_member(admin, "store@example.com", "analyst", unit="sh-jingan")
    limited = signed_in(accounts.bootstrap_user("store@example.com", None))
    assert (
        'data-subject="touchpoint:relationship"' not in limited.get("/alerts/early-warning/").content.decode()
    )


def _journey(admin):
    from openxm.journeys import services as journeys

    journeys.create_journey(admin, "cx", "Customer journey", stages=[("after", "After the sale")])
    journeys.add_touchpoint(admin, "cx", "after", "relationship", name="Relationship survey")


def test_stages_and_units_rolled_up_are_series_and_a_surge_is_an_episode(org_a, admin, nps_survey, units):
    from openxm.accounts import services as accounts
    from openxm.alerts.early_warning import episodes

    _journey(admin)
    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 1) + [(140, 0.15, 0.60)], unit="sh-jingan")
    found = scan(org_a, TODAY)
    # The store's responses count for the store, its city and its region; not for Beijing.
    assert set(found) == {
        ("touchpoint", "relationship"),
        ("stage", "cx/after"),
        ("unit", "sh-jingan"),
        ("unit", "sh"),
        ("unit", "cn"),
    }
    for evidence in found.values():
        assert evidence["drop"] and evidence["surge"] and not evidence["silence"]
        assert evidence["surge_probability"] < 1e-10
    rows = set(Episode.objects.for_org(org_a).values_list("dimension", "subject", "kind"))
    assert ("stage", "cx/after", "surge") in rows and ("unit", "cn", "drop") in rows
    assert len(rows) == 10
    label = Episode.objects.for_org(org_a).get(dimension="stage", kind="drop").label
    assert label == "Customer journey · After the sale"

    # A member limited to Shanghai sees the episodes of Shanghai and Jing'an only.
    accounts.add_member(admin, "sh@example.com", "analyst", unit="sh")
    sh = accounts.actor_for_user(accounts.bootstrap_user("sh@example.com", None), org_a, "web")
    assert {(e.subject, e.kind) for e in episodes(sh)} == {
        (u, k) for u in ("sh", "sh-jingan") for k in ("drop", "surge")
    }


def test_open_episodes_show_on_dashboard_journey_map_and_touchpoint_page(org_a, admin, nps_survey, signed_in):
    from openxm.insights import dashboards

    _journey(admin)
    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 3) + [(40, 0.15, 0.60)] * 3)
    scan(org_a, TODAY)
    [episode] = Episode.objects.for_org(org_a).filter(dimension="touchpoint")
    dashboards.save_dashboard(
        admin,
        {"key": "exec", "name": "Executive", "role": "executive", "widgets": [{"type": "metric_card"}]},
    )
    client = signed_in(admin.user)
    link = f'href="/alerts/early-warning/{episode.pk}/"'
    pages = ("/insights/dashboards/exec/", "/insights/journeys/cx/", "/insights/touchpoints/relationship/")
    for url in pages:
        page = client.get(url).content.decode()
        assert 'id="early-warning"' in page and link in page, url
        assert 'data-subject="touchpoint:relationship"' in page and "Score drop" in page
    journey_map = client.get("/insights/journeys/cx/").content.decode()
    assert 'class="badge warn"' in journey_map  # the touchpoint's card and its stage are marked

    # Closed episodes leave the pages.
    Episode.objects.for_org(org_a).update(closed_at=TODAY)
    assert 'id="early-warning"' not in client.get("/insights/touchpoints/relationship/").content.decode()


def test_episode_page_shows_series_limits_comments_and_moving_topics(
    org_a, admin, nps_survey, signed_in, django_capture_on_commit_callbacks
):
    def comment(week, score):
        if score != 0:
            return None
        return "送货太慢了，快递员态度很差" if week >= WEEKS - 3 else "价格有点贵"

    with django_capture_on_commit_callbacks(execute=True):  # the comments are analysed on commit
        _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 3) + [(40, 0.15, 0.60)] * 3, comment=comment)
    scan(org_a, TODAY)
    # the touchpoint's drop, and the price topic that detractors stopped naming falls silent
    kinds = set(Episode.objects.for_org(org_a).values_list("dimension", "kind"))
    assert kinds == {("touchpoint", "drop"), ("topic", "silence")}
    episode = Episode.objects.for_org(org_a).get(dimension="touchpoint")
    page = signed_in(admin.user).get(f"/alerts/early-warning/{episode.pk}/").content.decode()
    assert 'data-chart="episode-' in page and 'id="episode-series"' in page
    series = page.split('id="episode-series"')[1].split("</table>")[0]
    assert series.count("<tr><td>20") == MONITORED  # one row per watched week, with its limit
    assert series.count("±") == MONITORED
    assert "送货太慢了" in page.split('id="episode-comments"')[1]
    topics = page.split('id="episode-topics"')[1].split("</table>")[0]
    first_row = topics.split("<tbody>")[1].split("</tr>")[0]
    assert "-" not in first_row.split("<td>")[-1]  # the topic that moved most rose


def test_a_topic_whose_mentions_surge_is_an_episode(
    org_a, admin, nps_survey, signed_in, django_capture_on_commit_callbacks
):
    def comment(week, score):
        if score != 0:
            return None
        if week == WEEKS - 1:
            return "送货太慢了，快递员态度很差"
        return "送货有点慢" if random.Random(week * 100 + score).random() < 0.5 else "价格有点贵"

    with django_capture_on_commit_callbacks(execute=True):  # the comments are analysed on commit
        _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 1) + [(40, 0.15, 0.60)], comment=comment)
    found = scan(org_a, TODAY)
    topics = {subject: e for (dimension, subject), e in found.items() if dimension == "topic"}
    assert topics, "the comments were analysed into topics"
    surging = {t for t, e in topics.items() if e["surge"]}
    assert any(t.startswith("delivery") for t in surging)
    assert not any(t.startswith("price") for t in surging)
    episode = Episode.objects.for_org(org_a).filter(dimension="topic", kind="surge").first()
    assert episode.evidence["series"][-1]["n"] > 3 * episode.evidence["baseline"]["expected_per_week"]
    page = signed_in(admin.user).get(f"/alerts/early-warning/{episode.pk}/").content.decode()
    assert "送货太慢了" in page.split('id="episode-comments"')[1]


def test_a_topic_that_stops_being_named_is_a_silence_episode(
    org_a, admin, nps_survey, django_capture_on_commit_callbacks
):
    """Every detractor named the price for 25 weeks, none in the last one (their comments are
    empty): the price topic falls silent (P(X = 0) under a Poisson with mean ≈ 8 is ≈ 3e-4);
    a scan of the same weeks again keeps the one episode."""

    def comment(week, score):
        return "价格太贵了" if score == 0 and week < WEEKS - 1 else None

    with django_capture_on_commit_callbacks(execute=True):
        _load(org_a, nps_survey, [(40, 0.45, 0.20)] * WEEKS, comment=comment)
    found = scan(org_a, TODAY)
    price = {s: e for (d, s), e in found.items() if d == "topic" and s.startswith("price")}
    assert price, "the comments were analysed into a price topic"
    evidence = next(iter(price.values()))
    assert evidence["silence"] and not evidence["surge"] and evidence["series"][-1]["n"] == 0
    assert evidence["silence_probability"] < 0.001 < evidence["baseline"]["expected_per_week"]
    scan(org_a, TODAY + timedelta(days=1))
    episodes = Episode.objects.for_org(org_a).filter(dimension="topic")
    assert [(e.kind, e.closed_at) for e in episodes] == [("silence", None)]
    assert not Episode.objects.for_org(org_a).filter(dimension="touchpoint").exists()  # NPS steady
    # the dashboard notice and the digest count the topic's mentions, not responses
    [notice] = notices(admin)
    assert notice.detail.startswith("0 mentions this week where ")
    now = datetime(2026, 10, 8, tzinfo=UTC)
    _subject, body = digest_text(admin, now - timedelta(days=1), now)
    assert "0 mentions where " in body and " responses where " not in body
