"""Fixtures for the reliability proofs: a published survey with a public link and an app token."""

import pytest

from openxm.accounts import services as accounts
from openxm.distribution import services as distribution
from openxm.surveys import services as surveys


@pytest.fixture
def analyst(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")


@pytest.fixture
def csat(analyst):
    survey = surveys.create_from_template(analyst, "transactional-csat")
    surveys.publish_survey(analyst, survey.pk)
    return surveys.get_survey(analyst, survey.pk)


@pytest.fixture
def public_link(analyst, csat):
    """The respondent page's path for a link distribution."""
    dist = distribution.create_distribution(analyst, csat.pk, "link", name="link")
    return distribution.public_link(dist).replace("http://localhost:8000", "")


@pytest.fixture
def app_token(analyst, csat):
    """The token of an app distribution, for the public collection API."""
    dist = distribution.create_distribution(analyst, csat.pk, "app", name="app")
    return distribution.public_link(dist).rstrip("/").rsplit("/", 1)[1]
