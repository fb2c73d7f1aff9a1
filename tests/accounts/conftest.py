"""The world of the scope tests: organization A with region ``east`` and its stores ``s-in``
("Store Inside") and ``s-out`` ("Store Outside"), a published survey with one response in each
store (comments INSIDE-MARK / OUTSIDE-MARK, contacts "Inez Inside" / "Otto Outside" with a
personal attribute ``first_name``), a journey and a dashboard with every kind of figure;
organization B with its own response (FOREIGN-MARK)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.customers import directory as contacts
from openxm.insights import dashboards
from openxm.journeys import services as journeys
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.insights.factories import DEFINITION, JOURNEY

FOREIGN = "FOREIGN-MARK"
OUTSIDE = ("OUTSIDE-MARK", "Otto Outside", "Store Outside", "otto@example.com")
PERSONAL = ("Inez Inside", "inez@example.com", "InezFirst", "Otto Outside", "otto@example.com", "OttoFirst")

DASHBOARD = {
    "key": "sweep",
    "name": "Sweep",
    "filters": {"period": "30d", "grain": "w"},
    "widgets": [
        {"type": "metric_card", "metric": "nps", "width": "third"},
        {"type": "breakdown_bar", "metric": "nps", "by": "unit", "width": "half"},
        {"type": "breakdown_bar", "metric": "nps", "by": "region", "width": "half"},
        {"type": "breakdown_bar", "metric": "csat", "by": "channel", "width": "half"},
        {"type": "trend_line", "metric": "nps", "grain": "w", "width": "full"},
        {"type": "distribution", "metric": "nps", "width": "third"},
        {"type": "heatmap", "metric": "nps", "grain": "w", "width": "full"},
        {"type": "verbatim_list", "limit": 10, "width": "full"},
        {"type": "journey_map", "journey": "buy-online", "width": "full"},
        {"type": "response_rate", "by": "touchpoint", "width": "half"},
    ],
}


def _record(org, survey, unit, comment, nps, contact, name, first):
    return collect.record_response(
        org,
        survey,
        collect.Submission(
            answers={"nps": nps, "csat": 5 if nps > 8 else 1, "comment": comment},
            idempotency_key=f"sweep-{contact}",
            channel="email",
            unit=unit,
            contact=collect.ContactRef(
                contact, {"name": name, "email": f"{first.lower()[:4]}@example.com"}, {"first_name": first}
            ),
            completed_at=timezone.now() - timedelta(days=2),
        ),
    ).response


def _populate(org, make_member, responses):
    org.min_sample_size = 1  # one response per store: figures must show, not be suppressed
    org.save(update_fields=["min_sample_size"])
    actor = accounts.actor_for_user(make_member(org, "owner"), org, via="web")
    survey = surveys.create_survey(actor, DEFINITION)
    surveys.publish_survey(actor, survey.pk)
    journeys.import_journey(actor, JOURNEY)
    dashboards.save_dashboard(actor, DASHBOARD)
    op = accounts.operator_actor(org)
    accounts.create_unit(op, "east", "East", "region")
    return actor, surveys.get_survey(actor, survey.pk)


@pytest.fixture
def world(org_a, org_b, make_member, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.OPENXM_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    _owner, survey = _populate(org_a, make_member, None)
    op = accounts.operator_actor(org_a)
    accounts.create_unit(op, "s-in", "Store Inside", "store", "east")
    accounts.create_unit(op, "s-out", "Store Outside", "store", "east")
    _owner_b, survey_b = _populate(org_b, make_member, None)
    with django_capture_on_commit_callbacks(execute=True):
        inside = _record(
            org_a, survey, "s-in", "INSIDE-MARK 送货很快 great", 10, "c-in", "Inez Inside", "InezFirst"
        )
        outside = _record(
            org_a, survey, "s-out", "OUTSIDE-MARK 太慢了 awful", 0, "c-out", "Otto Outside", "OttoFirst"
        )
        foreign = _record(org_b, survey_b, "", f"{FOREIGN} hello", 7, "c-b", "Bob Foreign", "BobFirst")
    # The contacts belong to their stores, so the directory's unit scope is swept too.
    for response, unit in ((inside, "s-in"), (outside, "s-out")):
        contacts.update_contact(op, response.contact_id, {"unit": unit})
    return {"inside": inside, "outside": outside, "foreign": foreign, "survey": survey, "org": org_a}
