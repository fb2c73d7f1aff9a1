"""Fixtures: members, units, an NPS survey and a loader of NPS answers on chosen days."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys

GO_LIVE = date(2026, 9, 1)
TODAY = date(2026, 11, 1)  # more than the 42-day window after go-live


@pytest.fixture
def actor_for(org_a, make_member):
    def make(role: str, org=None, email=None, unit=None):
        org = org or org_a
        user = make_member(org, role, email)
        if unit:
            owner = accounts.operator_actor(org)
            membership = accounts.membership_in(user, org)
            accounts.change_role(owner, membership.pk, role, unit=unit)
        return accounts.actor_for_user(user, org, via="web")

    return make


@pytest.fixture
def admin(actor_for):
    return actor_for("admin", email="admin@example.com")


@pytest.fixture
def analyst(actor_for):
    return actor_for("analyst", email="analyst@example.com")


@pytest.fixture
def units(org_a, admin):
    accounts.create_unit(admin, "cn", "China", "region")
    accounts.create_unit(admin, "sh", "Shanghai", "region", parent="cn")
    accounts.create_unit(admin, "bj", "Beijing", "region", parent="cn")
    return org_a


@pytest.fixture
def nps_survey(admin):
    s = surveys.create_from_template(admin, "relationship-nps", key="nps")
    surveys.publish_survey(admin, s.pk)
    return surveys.get_survey(admin, s.pk)


@pytest.fixture
def load(org_a, nps_survey):
    """load(touchpoint, unit, first_day, days, scores): the scores spread over the days, one
    answer each (cycled over the days), recorded through the real collect path."""
    counter = {"n": 0}

    def run(touchpoint: str, unit: str, first: date, days: int, scores: list[int]) -> None:
        subs = []
        for i, score in enumerate(scores):
            counter["n"] += 1
            day = first + timedelta(days=i % days)
            at = datetime.combine(day, time(12), UTC)
            subs.append(
                collect.Submission(
                    answers={"nps": score},
                    idempotency_key=f"p{counter['n']}",
                    touchpoint=touchpoint,
                    unit=unit,
                    completed_at=at,
                )
            )
        collect.record_batch(org_a, nps_survey, subs)

    return run


def mix(promoters: int, passives: int, detractors: int, seed: int = 1) -> list[int]:
    """That many 10s, 8s and 3s in a shuffled order, so every stretch of days sees the same mix."""
    pool = [10] * promoters + [8] * passives + [3] * detractors
    random.Random(seed).shuffle(pool)
    return pool
