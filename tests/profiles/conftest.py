"""A shop: organization A with region ``east`` and stores ``s-in`` / ``s-out``, a published
survey, and actors: the owner, an analyst (no pii.view), an agent, and an admin limited to s-in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.insights.factories import DEFINITION


@pytest.fixture
def shop(org_a, make_member, settings):
    settings.OPENXM_JOBS_INLINE = True
    op = accounts.operator_actor(org_a)
    accounts.create_unit(op, "east", "East", "region")
    accounts.create_unit(op, "s-in", "Store Inside", "store", "east")
    accounts.create_unit(op, "s-out", "Store Outside", "store", "east")
    owner = accounts.actor_for_user(make_member(org_a, "owner"), org_a, via="web")
    survey = surveys.create_survey(owner, DEFINITION)
    surveys.publish_survey(owner, survey.pk)
    accounts.bootstrap_user("store@example.com", "correct-horse-battery-staple")
    membership = accounts.set_member(op, "store@example.com", "admin", unit="s-in")
    return {
        "org": org_a,
        "owner": owner,
        "analyst": accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web"),
        "agent": accounts.actor_for_user(make_member(org_a, "agent"), org_a, via="web"),
        "store": accounts.actor_for_user(membership.user, org_a, via="web"),
        "survey": surveys.get_survey(owner, survey.pk),
    }


def answer(shop, contact_external_id, nps, comment="", days_ago=2, key=None):
    """Record a response of a contact (the contact exists already or is created)."""
    return collect.record_response(
        shop["org"],
        shop["survey"],
        collect.Submission(
            answers={"nps": nps, "csat": 5 if nps > 8 else 1, "comment": comment or f"comment {nps}"},
            idempotency_key=key or f"r-{contact_external_id}-{nps}-{days_ago}",
            channel="email",
            contact=collect.ContactRef(contact_external_id),
            completed_at=timezone.now() - timedelta(days=days_ago),
        ),
    ).response
