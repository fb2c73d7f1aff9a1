"""Fixtures: the alerts suite's receiver, members, NPS survey and units, plus a responder."""

import pytest

from openxm.surveys import collect
from tests.alerts.conftest import (  # noqa: F401  (fixtures shared with the alerts suite)
    _alerts_settings,
    actor_for,
    admin,
    nps_survey,
    receiver,
    units,
)


@pytest.fixture
def respond(org_a, nps_survey, django_capture_on_commit_callbacks):  # noqa: F811
    """Store an NPS response (optionally with a unit, a comment and a customer) and run what
    waits for its commit (alert rules, so the ``case`` action)."""

    def make(score, key, unit="", comment="", customer=""):
        answers = {"nps": score}
        if comment:
            answers["reason_detractor" if score <= 6 else "reason_promoter"] = comment
        contact = collect.ContactRef(customer, {"email": f"{customer}@example.com"}) if customer else None
        sub = collect.Submission(answers=answers, idempotency_key=key, unit=unit, contact=contact)
        with django_capture_on_commit_callbacks(execute=True):
            return collect.record_response(org_a, nps_survey, sub).response

    return make
