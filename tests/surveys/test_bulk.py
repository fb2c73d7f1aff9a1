"""The ingestion path's multi-row INSERT writes what the ORM reads back, on either database."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from openxm.bulk import columns_of, insert_instances, insert_rows
from openxm.surveys import collect
from openxm.surveys.models import Answer, Response


@pytest.fixture
def survey(published_csat):
    return published_csat


def _response(org, survey, key, when):
    return Response(
        organization=org,
        survey=survey,
        version=survey.current_version,
        idempotency_key=key,
        channel="api",
        touchpoint="purchase",
        language="zh-Hans",
        answers={"csat": 4, "why": '排队太久\n"quoted"'},
        hidden={"store": "sh-1"},
        meta={"path": ["p1"]},
        weight=1.5,
        started_at=when - timedelta(minutes=3),
        completed_at=when,
        created_at=when,
    )


def test_instances_get_their_ids_and_every_column_reads_back(org_a, survey):
    when = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    objs = [_response(org_a, survey, f"k{i}", when + timedelta(seconds=i)) for i in range(3)]
    insert_instances(objs)
    assert all(o.pk for o in objs) and len({o.pk for o in objs}) == 3
    for obj in objs:
        stored = Response.objects.for_org(org_a).get(pk=obj.pk)
        assert stored.idempotency_key == obj.idempotency_key  # ids follow the row order
        assert stored.answers == obj.answers and stored.hidden == {"store": "sh-1"}
        assert stored.completed_at == obj.completed_at and stored.weight == 1.5
        assert stored.started_at == obj.started_at and stored.contact_id is None


def test_rows_with_json_none_and_shared_times(org_a, survey):
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    response = _response(org_a, survey, "r1", when)
    insert_instances([response])
    rows = [
        collect.AnswerRow(
            org_a.pk,
            response.pk,
            survey.pk,
            "csat",
            "",
            "csat",
            4.0,
            "",
            "",
            None,
            "purchase",
            "resolution",
            when,
        ),
        collect.AnswerRow(
            org_a.pk,
            response.pk,
            survey.pk,
            "improve",
            "",
            "multiple_choice",
            None,
            "",
            "",
            ["price", "staff"],
            "purchase",
            "",
            when,
        ),
        collect.AnswerRow(
            org_a.pk,
            response.pk,
            survey.pk,
            "why",
            "",
            "text",
            None,
            "太慢了 'x'",
            "",
            None,
            "purchase",
            "",
            when + timedelta(seconds=1),
        ),
    ]
    assert insert_rows(Answer, collect.AnswerRow._fields, rows) == []
    stored = {a.question_id: a for a in Answer.objects.for_org(org_a).filter(response=response)}
    assert stored["csat"].value_number == 4.0 and stored["csat"].cx_dimension == "resolution"
    assert stored["improve"].value_choices == ["price", "staff"] and stored["improve"].value_number is None
    assert stored["csat"].value_choices is None
    assert stored["why"].value_text == "太慢了 'x'"
    assert stored["csat"].answered_at == when and stored["why"].answered_at == when + timedelta(seconds=1)


def test_many_rows_span_several_statements(org_a, survey):
    when = datetime(2026, 3, 1, tzinfo=UTC)
    objs = [_response(org_a, survey, f"many-{i}", when) for i in range(1234)]
    insert_instances(objs)
    stored = dict(Response.objects.for_org(org_a).values_list("pk", "idempotency_key"))
    assert stored == {o.pk: o.idempotency_key for o in objs}


def test_a_unique_violation_raises_and_the_transaction_keeps_nothing(org_a, survey):
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_instances([_response(org_a, survey, "same", when), _response(org_a, survey, "same", when)])
    assert not Response.objects.for_org(org_a).exists()


def test_columns_leave_out_only_a_generated_primary_key():
    from openxm.insights.models import ResponseFact

    assert "id" not in columns_of(Response) and "organization_id" in columns_of(Response)
    assert columns_of(ResponseFact) == ("organization_id", "response_id", "segment_key", "day")


def test_aware_times_are_written_as_the_field_itself_would(org_a, survey):
    """The fast converter of aware date-times gives exactly the field's own database value."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    from openxm.bulk import _converter

    field = Response._meta.get_field("completed_at")
    convert = _converter(field)
    values = [
        datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")),  # the day before, in UTC
        datetime(2024, 3, 31, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")),  # in a DST gap
        None,
    ]
    for value in values:
        assert convert(value) == field.get_db_prep_save(value, connection), value


def test_insert_new_skips_rows_that_meet_a_unique_constraint(org_a):
    from openxm.bulk import columns_of, insert_new
    from openxm.customers.models import Contact

    stored = Contact.objects.for_org(org_a).create(organization=org_a, external_id="C-1", name="Old")
    columns = columns_of(Contact)
    fresh = [Contact(organization=org_a, external_id=eid, name="New") for eid in ("C-1", "C-2")]
    rows = [tuple(getattr(c, name) for name in columns) for c in fresh]
    ids = insert_new(Contact, columns, rows, "external_id")
    assert list(ids) == ["C-2"]
    contacts = {c.external_id: c for c in Contact.objects.for_org(org_a)}
    assert contacts["C-2"].pk == ids["C-2"] and contacts["C-1"].pk == stored.pk
    assert contacts["C-1"].name == "Old" and contacts["C-2"].attributes == {}
