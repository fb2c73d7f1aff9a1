"""Recording responses: validation per version, typed rows, idempotency, all-or-nothing batches."""

import pytest

from openxm.accounts import services as accounts
from openxm.surveys import collect, services
from openxm.surveys.models import Answer, Response
from openxm.surveys.signals import responses_recorded


@pytest.fixture
def survey(published_csat):
    return published_csat


def sub(key="k1", **answers):
    return collect.Submission(
        answers=answers or {"csat": 4}, idempotency_key=key, channel="api", hidden={"store": "sh-jingan"}
    )


def test_response_and_typed_rows_are_stored_together(org_a, survey):
    seen = []

    def receiver(sender, recorded, **kwargs):
        seen.extend((response.pk, len(answers)) for response, answers in recorded)

    responses_recorded.connect(receiver, dispatch_uid="test-collect")
    try:
        recorded = collect.record_response(org_a, survey, sub(csat=4, parts={"checkout": 2, "staff": 5}))
    finally:
        responses_recorded.disconnect(dispatch_uid="test-collect")
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


def test_batch_upserts_its_contacts_once_each_in_order(org_a, survey):
    from openxm.customers.models import Contact
    from openxm.customers.services import upsert_contact

    upsert_contact(org_a, "known", {"name": "Old name"}, {"tier": "silver", "city": "Hangzhou"})

    def with_contact(key, external_id, fields=None, attributes=None):
        return collect.Submission(
            answers={"csat": 5}, idempotency_key=key, channel="api",
            contact=collect.ContactRef(external_id, fields or {}, attributes or {}),
        )

    recorded = collect.record_batch(org_a, survey, [
        with_contact("b1", "new", {"name": "Wang Fang", "language": "zh-Hans"}, {"tier": "gold"}),
        with_contact("b2", " known ", {"name": "New name"}, {"tier": "gold", "city": None}),
        with_contact("b3", "new", {}, {"tier": "platinum", "store": "sh-1"}),
    ])
    contacts = {c.external_id: c for c in Contact.objects.for_org(org_a)}
    assert set(contacts) == {"known", "new"}
    assert contacts["new"].name == "Wang Fang" and contacts["new"].language == "zh-Hans"
    assert contacts["new"].attributes == {"tier": "platinum", "store": "sh-1"}  # the later ref wins
    assert contacts["known"].name == "New name" and contacts["known"].attributes == {"tier": "gold"}
    assert [r.response.contact_id for r in recorded] == [
        contacts["new"].pk, contacts["known"].pk, contacts["new"].pk
    ]


def test_batch_with_a_bad_contact_names_the_item_and_stores_nothing(org_a, survey):
    from openxm.customers.models import Contact

    good = collect.Submission(answers={"csat": 5}, idempotency_key="g", contact=collect.ContactRef("c1"))
    bad = collect.Submission(
        answers={"csat": 5}, idempotency_key="b", contact=collect.ContactRef("c2", {"email": "not-an-email"})
    )
    with pytest.raises(collect.BatchRejected) as err:
        collect.record_batch(org_a, survey, [good, bad])
    assert err.value.item_errors == {1: {"contact.email": ["is not a valid e-mail address"]}}
    assert not Response.objects.for_org(org_a).exists() and not Contact.objects.for_org(org_a).exists()
