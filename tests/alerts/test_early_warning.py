"""Early-warning episodes from stored responses: a touchpoint whose NPS falls opens a drop
episode with its evidence, a week back in control closes it, silence opens its own."""

import random
from datetime import UTC, date, datetime, timedelta

from openxm.alerts.early_warning import MONITORED, WEEKS, _weeks, scan
from openxm.alerts.models import Episode
from openxm.surveys import collect

TODAY = date(2026, 10, 7)  # a Wednesday (in the past, so the recovery weeks are too)


def _load(org, survey, weekly, seed=3):
    """``weekly`` = [(n, share of promoters, share of detractors)] per week, oldest first."""
    rng = random.Random(seed)
    start, _end = _weeks(TODAY)
    subs = []
    for w, (n, p, d) in enumerate(weekly):
        for i in range(n):
            r = rng.random()
            score = 10 if r < p else 0 if r < p + d else 7
            at = datetime.combine(
                start + timedelta(days=7 * w + i % 7), datetime.min.time(), UTC
            ) + timedelta(hours=12)
            subs.append(
                collect.Submission(answers={"nps": score}, idempotency_key=f"w{w}-{i}", completed_at=at)
            )
    collect.record_batch(org, survey, subs)


def test_a_drop_opens_an_episode_and_recovery_closes_it(org_a, nps_survey):
    stable = [(40, 0.45, 0.20)] * (WEEKS - 3)
    _load(org_a, nps_survey, stable + [(40, 0.15, 0.60)] * 3)
    evidence = scan(org_a, TODAY)["relationship"]
    assert evidence["drop"] and not evidence["silence"]
    assert len(evidence["series"]) == MONITORED
    assert evidence["series"][-1]["nps"] < 0 < evidence["baseline"]["nps"]
    [episode] = Episode.objects.for_org(org_a)
    assert (episode.kind, episode.touchpoint, episode.closed_at) == ("drop", "relationship", None)
    assert episode.opened_at == TODAY

    scan(org_a, TODAY + timedelta(days=1))  # the same weeks again: updated, not a second episode
    assert Episode.objects.for_org(org_a).count() == 1

    # Four more weeks back at the old level: the EWMA returns inside its limits.
    later = TODAY + timedelta(weeks=5)
    start, _ = _weeks(TODAY)
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
    assert not scan(org_a, later)["relationship"]["drop"]
    episode.refresh_from_db()
    assert episode.closed_at == later


def test_a_stable_series_opens_nothing_and_silence_is_its_own_episode(org_a, nps_survey):
    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 1) + [(0, 0, 0)])
    evidence = scan(org_a, TODAY)["relationship"]
    assert not evidence["drop"] and evidence["silence"]
    assert evidence["silence_probability"] < 1e-10
    assert list(Episode.objects.for_org(org_a).values_list("kind", flat=True)) == ["silence"]


def test_page_shows_episodes_to_whole_organization_members(org_a, admin, nps_survey, signed_in, units):
    from openxm.accounts import services as accounts

    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 3) + [(40, 0.15, 0.60)] * 3)
    scan(org_a, TODAY)
    page = signed_in(admin.user).get("/alerts/early-warning/").content.decode()
    assert 'data-touchpoint="relationship"' in page and "Score drop" in page
    accounts.add_member(admin, "store@example.com", "analyst", unit="sh-jingan")
    limited = signed_in(accounts.bootstrap_user("store@example.com", None))
    assert 'data-touchpoint="relationship"' not in limited.get("/alerts/early-warning/").content.decode()
