"""An organization with a journey, a survey measuring it and a few dozen responses."""

import pytest

from openxm.insights import rollups

from .factories import random_responses, setup_org


@pytest.fixture
def small_org(org_a, make_member):
    actor, survey = setup_org(org_a, make_member)
    rollups.set_segment_attributes(org_a, ["tier"])
    responses = random_responses(org_a, survey, 40, seed=5)
    return org_a, actor, survey, responses
