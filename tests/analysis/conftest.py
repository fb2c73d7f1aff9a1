"""Surveys with recorded answers for the study tests, built through the real services."""

import copy
from datetime import timedelta

import pytest


@pytest.fixture
def actor_for(make_member):
    from openxm.accounts import services as accounts

    def make(org, role="analyst"):
        return accounts.actor_for_user(make_member(org, role), org, via="web")

    return make


@pytest.fixture
def published(actor_for):
    """published(org, template or document) → a published survey of ``org``."""
    from openxm.surveys import services as surveys

    def make(org, source, key=None):
        actor = actor_for(org, "analyst")
        if isinstance(source, str):
            survey = surveys.create_from_template(actor, source, key=key)
        else:
            survey = surveys.create_survey(actor, source, key=key)
        surveys.publish_survey(actor, survey.pk)
        return surveys.get_survey(actor, survey.pk)

    return make


@pytest.fixture
def record():
    """record(org, survey, answers, days_ago=1, channel="api", unit="") stores one response."""
    from django.utils import timezone

    from openxm.surveys import collect

    def make(org, survey, answers, *, days_ago=1, channel="api", unit="", hidden=None):
        when = timezone.now() - timedelta(days=days_ago)
        return collect.record_response(org, survey, collect.Submission(
            answers=answers, channel=channel, unit=unit, completed_at=when, hidden=hidden or {},
        )).response

    return make


def small_servqual_document() -> dict:
    """The servqual-22 template cut down to its tangibles and responsiveness items (8 items)."""
    from openxm.surveys.definition import load_template

    document = copy.deepcopy(load_template("servqual-22").to_dict())
    keep = ("tangibles", "responsiveness", "importance")
    document["pages"] = [p for p in document["pages"] if p["id"] in keep]
    document["key"] = "small-servqual"
    return document
