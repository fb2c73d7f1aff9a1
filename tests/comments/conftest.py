"""Fixtures: an organization with members in every role, a published bilingual feedback survey
(NPS, CSAT, a comment and a choice with "other") and a helper that records responses and runs
the on-commit analysis the way a real request does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys

DEFINITION = {
    "schema_version": 1,
    "key": "delivery-feedback",
    "title": {"en": "Delivery feedback", "zh-Hans": "配送反馈"},
    "languages": ["en", "zh-Hans"],
    "default_language": "en",
    "audience": "customer",
    "touchpoint": "delivery",
    "pages": [
        {
            "id": "p1",
            "questions": [
                {
                    "id": "nps",
                    "type": "nps",
                    "text": {"en": "Recommend us?", "zh-Hans": "推荐我们吗？"},
                    "scale": {"min": 0, "max": 10},
                },
                {
                    "id": "csat",
                    "type": "csat",
                    "text": {"en": "Satisfied?", "zh-Hans": "满意吗？"},
                    "scale": {"min": 1, "max": 5},
                },
                {
                    "id": "comment",
                    "type": "text",
                    "style": "long",
                    "text": {"en": "Why?", "zh-Hans": "为什么？"},
                },
                {
                    "id": "improve",
                    "type": "single_choice",
                    "text": {"en": "Improve?", "zh-Hans": "改进？"},
                    "options": [
                        {"id": "price", "text": {"en": "Price", "zh-Hans": "价格"}},
                        {"id": "speed", "text": {"en": "Speed", "zh-Hans": "速度"}},
                    ],
                    "other": {"text": {"en": "Something else", "zh-Hans": "其他"}},
                },
            ],
        }
    ],
}


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    settings.OPENXM_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def actor_for(org_a, make_member):
    def make(role: str, org=None):
        org = org or org_a
        return accounts.actor_for_user(make_member(org, role), org, via="web")

    return make


@pytest.fixture
def admin(actor_for):
    return actor_for("admin")


@pytest.fixture
def analyst(actor_for):
    return actor_for("analyst")


@pytest.fixture
def make_survey():
    def make(actor, key="delivery-feedback"):
        survey = surveys.create_survey(actor, {**DEFINITION, "key": key}, key=key)
        surveys.publish_survey(actor, survey.pk)
        return surveys.get_survey(actor, survey.pk)

    return make


@pytest.fixture
def survey(admin, make_survey):
    return make_survey(admin)


@pytest.fixture
def record(django_capture_on_commit_callbacks):
    """record(survey, comment, nps=…, csat=…, other=…, days_ago=…) → Response, analysed on commit."""
    counter = {"n": 0}

    def make(survey, comment="", nps=None, csat=None, other=None, days_ago=1.0, touchpoint="", unit=""):
        counter["n"] += 1
        answers = {}
        if nps is not None:
            answers["nps"] = nps
        if csat is not None:
            answers["csat"] = csat
        if comment:
            answers["comment"] = comment
        if other:
            answers["improve"] = {"choice": "other", "other": other}
        when = timezone.now() - timedelta(days=days_ago)
        sub = collect.Submission(
            answers=answers,
            idempotency_key=f"k{counter['n']}",
            channel="api",
            touchpoint=touchpoint,
            started_at=when,
            completed_at=when,
            unit=unit,
        )
        with django_capture_on_commit_callbacks(execute=True):
            return collect.record_response(survey.organization, survey, sub).response

    return make
