"""Quota counts: counted with complete responses (one upsert per transaction), never with partial
ones, un-counted on delete, reset (audited), shown on the survey page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openxm.accounts import services as accounts
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import NotFound
from openxm.accounts.models import AuditEvent
from openxm.responses import actions
from openxm.surveys import collect, quota_counts, services
from openxm.surveys.models import Answer, QuotaCount, Response

FULL = {
    "id": "full",
    "text": {"en": "We have enough answers, thank you!", "zh-Hans": "我们已收到足够的回答，谢谢！"},
}
QUOTAS = [
    {
        "id": "sat",
        "action": "end",
        "ending": "full",
        "cells": [
            {"id": "happy", "if": {"question": "csat", "op": "gte", "value": 4}, "limit": 2},
            {"id": "unhappy", "if": {"question": "csat", "op": "lte", "value": 3}, "limit": 1},
        ],
    },
    {
        "id": "stores",
        "action": "stop",
        "message": {"en": "This store is full.", "zh-Hans": "这家门店的名额已满。"},
        "cells": [{"id": "sh01", "if": {"hidden": "store", "op": "eq", "value": "SH01"}, "limit": 5}],
    },
]


@pytest.fixture
def analyst(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")


@pytest.fixture
def survey(analyst, published_csat):
    draft = published_csat.draft
    draft["endings"].append(FULL)
    draft["quotas"] = QUOTAS
    services.save_draft(analyst, published_csat.pk, draft)
    services.publish_survey(analyst, published_csat.pk)
    return services.get_survey(analyst, published_csat.pk)


def sub(key, csat, **kw):
    return collect.Submission(answers={"csat": csat}, idempotency_key=key, **kw)


def counts(org, survey):
    return quota_counts.current_counts(org, survey.pk)


def test_complete_responses_count_in_every_cell_they_fall_into(org_a, survey):
    first = collect.record_response(org_a, survey, sub("a", 5, hidden={"store": "SH01"}))
    collect.record_response(org_a, survey, sub("b", 2))
    assert counts(org_a, survey) == {"sat.happy": 1, "sat.unhappy": 1, "stores.sh01": 1}
    assert first.response.meta["quotas"]["cells"] == ["sat.happy", "stores.sh01"]
    collect.record_response(org_a, survey, sub("a", 5, hidden={"store": "SH01"}))  # a repeat
    assert counts(org_a, survey)["sat.happy"] == 1


def test_api_submissions_count_past_the_limit_without_being_screened(org_a, survey):
    for key in "abc":
        assert collect.record_response(org_a, survey, sub(key, 5)).response.status == "complete"
    assert counts(org_a, survey) == {"sat.happy": 3}  # limit 2: counted, not enforced
    assert Answer.objects.for_org(org_a).filter(question_id="csat").count() == 3


def test_partial_responses_do_not_count_until_they_complete(org_a, survey):
    collect.save_partial(org_a, survey, sub("p", 5, channel="link"), "overall")
    collect.save_partial(org_a, survey, sub("p", 4, channel="link"), "overall")
    assert counts(org_a, survey) == {}
    collect.record_response(org_a, survey, sub("p", 4, channel="link"))
    collect.record_response(org_a, survey, sub("p", 4, channel="link"))
    assert counts(org_a, survey) == {"sat.happy": 1}


def test_a_batch_counts_with_one_upsert_in_key_order(org_a, survey):
    collect.save_partial(org_a, survey, sub("p", 1, channel="link"), "overall")
    subs = [sub("p", 1), sub("x", 5), sub("y", 4, hidden={"store": "SH01"}), sub("z", 3)]
    with CaptureQueriesContext(connection) as queries:
        collect.record_batch(org_a, survey, subs)
    upserts = [q["sql"] for q in queries if "quotacount" in q["sql"].lower() and "INSERT" in q["sql"]]
    assert len(upserts) == 1 and "ON CONFLICT" in upserts[0]
    assert counts(org_a, survey) == {"sat.happy": 2, "sat.unhappy": 2, "stores.sh01": 1}
    collect.record_batch(org_a, survey, subs)  # repeats count nothing
    assert counts(org_a, survey)["sat.happy"] == 2


def test_screening_at_the_last_place_stores_nothing(org_a, survey):
    collect.record_response(org_a, survey, sub("a", 2, channel="link"), screen=True)
    collect.save_partial(org_a, survey, sub("b", 1, channel="link"), "overall")
    with pytest.raises(collect.QuotaFull) as full:
        collect.record_response(org_a, survey, sub("b", 1, channel="link"), screen=True)
    assert (full.value.decision.action, full.value.decision.cell_id) == ("end", "unhappy")
    assert full.value.decision.ending_id == "full"
    assert Response.objects.for_org(org_a).get(idempotency_key="b").status == "partial"  # rolled back
    assert Answer.objects.for_org(org_a).filter(response__idempotency_key="b").count() == 0
    assert counts(org_a, survey) == {"sat.unhappy": 1}


def test_deleting_a_response_frees_its_place_unless_counted_before_a_reset(
    org_a, make_member, survey, analyst
):
    admin = accounts.actor_for_user(make_member(org_a, "admin"), org_a, via="web")
    a = collect.record_response(org_a, survey, sub("a", 5)).response
    b = collect.record_response(org_a, survey, sub("b", 5)).response
    partial = collect.save_partial(org_a, survey, sub("p", 5, channel="link"), "overall").response
    actions.delete_response(admin, partial.pk)
    assert counts(org_a, survey)["sat.happy"] == 2
    actions.delete_response(admin, a.pk)
    assert counts(org_a, survey)["sat.happy"] == 1
    before = quota_counts.reset_quota(analyst, survey.pk, "sat")
    assert before == {"sat.happy": 1}
    c = collect.record_response(org_a, survey, sub("c", 5)).response
    assert counts(org_a, survey) == {"sat.happy": 1, "sat.unhappy": 0}
    actions.delete_response(admin, b.pk)  # counted before the reset: not in the count any more
    assert counts(org_a, survey)["sat.happy"] == 1
    actions.delete_response(admin, c.pk)
    assert counts(org_a, survey)["sat.happy"] == 0


def test_an_anonymised_response_is_still_uncounted_on_delete(org_a, make_member, survey):
    admin = accounts.actor_for_user(make_member(org_a, "admin"), org_a, via="web")
    a = collect.record_response(org_a, survey, sub("a", 5, hidden={"store": "SH01"})).response
    actions.anonymise_response(admin, a.pk)
    actions.delete_response(admin, a.pk)
    assert counts(org_a, survey) == {"sat.happy": 0, "stores.sh01": 0}


def test_reset_is_audited_and_needs_survey_design(org_a, org_b, make_member, survey, analyst):
    collect.record_response(org_a, survey, sub("a", 5, hidden={"store": "SH01"}))
    viewer = accounts.actor_for_user(make_member(org_a, "viewer"), org_a, via="web")
    with pytest.raises(PermissionDenied):
        quota_counts.reset_quota(viewer, survey.pk, "sat")
    with pytest.raises(collect.InvalidInput):
        quota_counts.reset_quota(analyst, survey.pk, "nope")
    quota_counts.reset_quota(analyst, survey.key, "sat")
    assert counts(org_a, survey) == {"sat.happy": 0, "sat.unhappy": 0, "stores.sh01": 1}
    event = AuditEvent.unscoped.get(action="survey.quota_reset")
    assert event.organization == org_a and event.data == {
        "quota": "sat",
        "counts": {"sat.happy": 1, "sat.unhappy": 0},
    }
    other = accounts.actor_for_user(make_member(org_b, "admin"), org_b, via="web")
    with pytest.raises(NotFound):
        quota_counts.reset_quota(other, survey.pk, "sat")
    assert QuotaCount.objects.for_org(org_b).count() == 0


def test_overview_lists_every_cell_with_count_and_limit(org_a, survey, analyst):
    collect.record_response(org_a, survey, sub("a", 5))
    collect.record_response(org_a, survey, sub("b", 5))
    [sat, stores] = quota_counts.quota_overview(analyst, survey.pk)
    assert [(c.cell_id, c.count, c.limit, c.full) for c in sat.cells] == [
        ("happy", 2, 2, True),
        ("unhappy", 0, 1, False),
    ]
    assert stores.action == "stop" and stores.cells[0].percent == 0


def test_survey_page_shows_counts_and_resets_a_quota(org_a, make_member, signed_in, survey):
    collect.record_response(org_a, survey, sub("a", 5))
    client = signed_in(make_member(org_a, "analyst"))
    page = client.get(f"/surveys/{survey.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-quota-cell="sat.happy"' in html
    assert f'action="/surveys/{survey.pk}/quotas/sat/reset/"' in html and "data-confirm=" in html
    reset = client.post(f"/surveys/{survey.pk}/quotas/sat/reset/")
    assert reset.status_code == 302
    assert counts(org_a, survey)["sat.happy"] == 0
    viewer = signed_in(make_member(org_a, "viewer"))
    assert "/quotas/sat/reset/" not in viewer.get(f"/surveys/{survey.pk}/").content.decode()
    assert viewer.post(f"/surveys/{survey.pk}/quotas/sat/reset/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_respondents_cannot_both_take_the_last_place(org_a, survey):
    """Two transactions on separate connections: the second waits on the first one's count row
    and then sees its count (PostgreSQL; SQLite runs one writer at a time by construction)."""
    import threading
    import time

    from django.db import connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    collect.record_response(org_a, survey, sub("a", 5, channel="link"))  # one of two places left
    first_in, outcome = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                collect.record_response(org_a, survey, sub("b", 5, channel="link"), screen=True)
                first_in.set()
                time.sleep(0.5)  # the second respondent submits meanwhile
            outcome["first"] = "stored"
        finally:
            first_in.set()
            connections.close_all()

    def second():
        first_in.wait(5)
        try:
            collect.record_response(org_a, survey, sub("c", 4, channel="link"), screen=True)
            outcome["second"] = "stored"
        except collect.QuotaFull:
            outcome["second"] = "full"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcome == {"first": "stored", "second": "full"}
    assert counts(org_a, survey) == {"sat.happy": 2}
    assert not Response.objects.for_org(org_a).filter(idempotency_key="c").exists()
