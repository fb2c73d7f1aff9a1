"""Recording responses: validation per version, typed rows, idempotency, all-or-nothing batches."""

import pytest

from openxm.accounts import services as accounts
from openxm.surveys import collect, services
from openxm.surveys.models import Answer, Response
from openxm.surveys.signals import response_recorded


@pytest.fixture
def survey(org_a, make_member):
    actor = accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")
    s = services.create_from_template(actor, "transactional-csat")
    services.publish_survey(actor, s.pk)
    return services.get_survey(actor, s.pk)


def sub(key="k1", **answers):
    return collect.Submission(
        answers=answers or {"csat": 4}, idempotency_key=key, channel="api", hidden={"store": "sh-jingan"}
    )


def test_response_and_typed_rows_are_stored_together(org_a, survey):
    seen = []

    def receiver(sender, response, answers, **kwargs):
        seen.append((response.pk, len(answers)))

    response_recorded.connect(receiver, dispatch_uid="test-collect")
    try:
        recorded = collect.record_response(org_a, survey, sub(csat=4, parts={"checkout": 2, "staff": 5}))
    finally:
        response_recorded.disconnect(dispatch_uid="test-collect")
    assert recorded.created
    rows = Answer.objects.for_org(org_a).filter(response=recorded.response)
    numbers = sorted((r.question_id, r.sub_key, r.value_number) for r in rows if r.value_number is not None)
    assert numbers == [("csat", "", 4.0), ("parts", "checkout", 2.0), ("parts", "staff", 5.0)]
    assert all(r.touchpoint == "purchase" and r.answered_at == recorded.response.completed_at for r in rows)
    assert recorded.response.version.number == 1 and recorded.response.touchpoint == "purchase"
    assert recorded.response.unit is None  # "sh-jingan" is not a unit of org A
    assert seen == [(recorded.response.pk, rows.count())]


def test_same_key_stores_one_response(org_a, survey):
    first = collect.record_response(org_a, survey, sub("dup"))
    second = collect.record_response(org_a, survey, sub("dup", csat=1))
    assert not second.created and second.response.pk == first.response.pk
    assert Response.objects.for_org(org_a).count() == 1


def test_bad_answer_is_rejected_per_field_and_nothing_is_stored(org_a, survey):
    with pytest.raises(collect.InvalidAnswers) as err:
        collect.record_response(org_a, survey, sub(csat=9))
    assert "csat" in err.value.errors
    assert Response.objects.for_org(org_a).count() == 0 and Answer.objects.for_org(org_a).count() == 0


def test_closed_survey_refuses_responses(org_a, survey, make_member):
    actor = accounts.actor_for_user(make_member(org_a, "admin"), org_a, via="web")
    services.set_status(actor, survey.pk, "closed")
    survey.refresh_from_db()
    with pytest.raises(collect.InvalidInput, match="closed"):
        collect.record_response(org_a, survey, sub())


def test_batch_is_all_or_nothing_with_item_errors(org_a, survey):
    with pytest.raises(collect.BatchRejected) as err:
        collect.record_batch(org_a, survey, [sub("a"), sub("b", csat=0), sub("c")])
    assert list(err.value.item_errors) == [1] and "csat" in err.value.item_errors[1]
    assert Response.objects.for_org(org_a).count() == 0
    stored = collect.record_batch(org_a, survey, [sub("a"), sub("b"), sub("c")])
    assert [r.created for r in stored] == [True, True, True]
    again = collect.record_batch(org_a, survey, [sub("a"), sub("d")])
    assert [r.created for r in again] == [False, True]
    assert Response.objects.for_org(org_a).count() == 4


def test_api_ingestion_201_then_200_for_repeat(org_a, survey, make_key, api):
    caller = api(make_key(org_a, "analyst"))
    body = {
        "answers": {"csat": 5},
        "idempotency_key": "order-1001",
        "channel": "app",
        "contact": {"id": "C-1", "email": "li@example.com", "attributes": {"tier": "gold"}},
    }
    first = caller.post(f"/surveys/{survey.pk}/responses", body)
    assert first.status_code == 201 and first.json()["responses"][0]["created"] is True
    repeat = caller.post(f"/surveys/{survey.pk}/responses", body)
    assert (
        repeat.status_code == 200
        and repeat.json()["responses"][0]["id"] == first.json()["responses"][0]["id"]
    )
    batch = caller.post(
        f"/surveys/{survey.key}/responses",
        {
            "responses": [
                {"answers": {"csat": 3}, "idempotency_key": "b1"},
                {"answers": {"csat": 7}, "idempotency_key": "b2"},
            ]
        },
    )
    assert batch.status_code == 422 and "csat" in batch.json()["errors"]["1"]
    assert Response.objects.for_org(org_a).count() == 1


def test_viewer_key_cannot_submit(org_a, survey, make_key, api):
    response = api(make_key(org_a, "viewer")).post(
        f"/surveys/{survey.pk}/responses", {"answers": {"csat": 5}}
    )
    assert response.status_code == 403
