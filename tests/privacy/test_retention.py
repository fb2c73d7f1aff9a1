"""Retention policies: the dry run lists what would go and changes nothing; the run removes it
through the apps' actions (rollups stay equal to the raw answers); the scheduler runs it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts.errors import InvalidInput
from openxm.cli import main
from openxm.comments.models import CommentAnalysis
from openxm.customers.models import Contact, ContactEvent
from openxm.insights.verify import verify
from openxm.periodic import configured_jobs
from openxm.privacy import retention
from openxm.privacy.tasks import apply_retention
from openxm.surveys import collect
from openxm.surveys.models import Answer, Response

OLD_TEXT = "Old complaint about the courier Mr Wang"


@pytest.fixture
def old_and_new(org_a, survey, django_capture_on_commit_callbacks):
    now = timezone.now()
    ref = collect.ContactRef("crm-old", {"name": "Old Customer", "email": "old@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        old = collect.record_response(
            org_a,
            survey,
            collect.Submission(
                answers={"nps": 3, "comment": OLD_TEXT},
                idempotency_key="old",
                contact=ref,
                completed_at=now - timedelta(days=31 * 30),
            ),
        ).response
        new = collect.record_response(
            org_a,
            survey,
            collect.Submission(
                answers={"nps": 10, "comment": "Great"}, idempotency_key="new", completed_at=now
            ),
        ).response
    contact = Contact.objects.for_org(org_a).get(external_id="crm-old")
    for days in (400, 10):
        ContactEvent.objects.for_org(org_a).create(
            organization=org_a, contact=contact, type="order", occurred_at=now - timedelta(days=days)
        )
    return old, new


def test_dry_run_lists_and_run_removes_old_comments(owner, org_a, old_and_new):
    old, new = old_and_new
    retention.set_policy(owner, "comments", 24)
    retention.set_policy(owner, "contact_events", 12)
    planned = {p.policy.data_type: p.ids for p in retention.plan(owner)}
    assert planned["comments"] == [old.pk] and len(planned["contact_events"]) == 1
    assert Answer.objects.for_org(org_a).filter(value_text=OLD_TEXT).exists()  # the dry run wrote nothing

    retention.apply(owner)
    kept = Response.objects.for_org(org_a).get(pk=old.pk)
    assert kept.answers == {"nps": 3} and kept.contact_id is None
    assert not Answer.objects.for_org(org_a).filter(value_text=OLD_TEXT).exists()
    assert not CommentAnalysis.objects.for_org(org_a).filter(response_id=old.pk).exists()
    assert Response.objects.for_org(org_a).get(pk=new.pk).answers["comment"] == "Great"
    assert ContactEvent.objects.for_org(org_a).count() == 1
    assert verify(org_a) == []
    assert [p.count for p in retention.plan(owner)] == [0, 0]  # nothing left to do


def test_policies_are_checked(owner):
    with pytest.raises(InvalidInput) as error:
        retention.set_policy(owner, "everything", 12)
    assert error.value.field == "data_type"
    with pytest.raises(InvalidInput) as error:
        retention.set_policy(owner, "comments", 0)
    assert error.value.field == "months"
    with pytest.raises(InvalidInput) as error:
        retention.set_policy(owner, "contact_events", 12, survey_key="privacy-feedback")
    assert error.value.field == "survey"


def test_cli_dry_run_and_the_scheduled_job(org_a, old_and_new, capsys):
    old, _new = old_and_new
    assert (
        main(["privacy", "retention-policy", "--org", org_a.slug, "--type", "responses", "--months", "24"])
        == 0
    )
    assert main(["privacy", "retention", "--org", org_a.slug, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "responses\t*\t" in out and f"\t1\t{old.pk}" in out and "nothing was changed" in out
    assert Response.objects.for_org(org_a).get(pk=old.pk).contact_id is not None
    assert "openxm.privacy.apply_retention" in {job.task for job in configured_jobs()}
    assert apply_retention.apply().get() == 1
    assert Response.objects.for_org(org_a).get(pk=old.pk).contact_id is None


def test_months_before_keeps_the_day_or_takes_the_months_last():
    from datetime import datetime

    assert retention.months_before(datetime(2026, 3, 31), 1) == datetime(2026, 2, 28)
    assert retention.months_before(datetime(2026, 1, 15), 24) == datetime(2024, 1, 15)
