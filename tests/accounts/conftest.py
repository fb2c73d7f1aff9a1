"""The world of the scope tests: organization A with region ``east`` and its stores ``s-in``
("Store Inside") and ``s-out`` ("Store Outside"), a published survey with one response in each
store (comments INSIDE-MARK / OUTSIDE-MARK, contacts "Inez Inside" / "Otto Outside" with a
personal attribute ``first_name``), a journey and a dashboard with every kind of figure, and
for each store a case opened from its response (with a note, resolved with a root cause) and an
action plan on its unit and that root cause (with a task), marked like the store's comment;
organization B with its own response, case and plan (FOREIGN-MARK)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.cases import actions as case_actions
from openxm.cases import config as case_config
from openxm.cases import services as cases
from openxm.customers import directory as contacts
from openxm.insights import dashboards
from openxm.journeys import services as journeys
from openxm.plans import services as plans
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.insights.factories import DEFINITION, JOURNEY

FOREIGN = "FOREIGN-MARK"
OUTSIDE = ("OUTSIDE-MARK", "Otto Outside", "Store Outside", "otto@example.com")
# What the cases and plans of a store are marked with (each also holds its store's comment mark).
MARKS = {"s-in": "INSIDE-MARK", "s-out": "OUTSIDE-MARK", "": FOREIGN}
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
    with django_capture_on_commit_callbacks(execute=True):
        loops = {
            r.pk: _loop(org, r, unit)
            for org, r, unit in ((org_a, inside, "s-in"), (org_a, outside, "s-out"), (org_b, foreign, ""))
        }
    return {
        "inside": inside,
        "outside": outside,
        "foreign": foreign,
        "survey": survey,
        "org": org_a,
        "cases": {pk: loop[0] for pk, loop in loops.items()},
        "plans": {pk: loop[1] for pk, loop in loops.items()},
        "tasks": {pk: loop[2] for pk, loop in loops.items()},
    }


def _loop(org, response, unit: str):
    """The store's case (from its response, a note, resolved as a late delivery) and its plan on
    that root cause with a task, each marked with the store's mark."""
    op = accounts.operator_actor(org)
    mark = MARKS[unit]
    case_config.save_root_cause(op, "late-delivery", "Late delivery")
    case = cases.open_case(op, response_id=response.pk, title=f"Case {mark}")
    case_actions.add_note(op, case.pk, f"Note {mark}")
    case_actions.transition(op, case.pk, "resolved", f"Why {mark}", root_cause="late-delivery")
    fields = {"title": f"Plan {mark}", "unit": unit, "root_cause": "late-delivery"}
    plan = plans.create_plan(op, {**fields, "metric": "root_cause_share"})
    task = plans.add_task(op, plan.pk, f"Task {mark}")
    return case, plan, task
