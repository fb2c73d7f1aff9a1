import pytest

from openxm.accounts import services as accounts
from openxm.surveys import services


@pytest.fixture
def published_csat(org_a, make_member):
    """The published transactional CSAT template of organization A."""
    actor = accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")
    s = services.create_from_template(actor, "transactional-csat")
    services.publish_survey(actor, s.pk)
    return services.get_survey(actor, s.pk)
