"""Planner statistics (openxm.dbstats): with them, SQLite reads a few responses' answers through
the response index instead of walking the organization's answers, and the import stores them."""

from django.db import connection

from openxm import dbstats
from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys
from openxm.surveys.models import Answer


def _sqlite_plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(row[-1] for row in cursor.fetchall())


def test_answers_of_a_few_responses_are_read_through_the_response_index_once_analysed(org_a):
    actor = accounts.operator_actor(org_a)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    survey.refresh_from_db()
    subs = [collect.Submission(answers={"csat": 1 + i % 5}, idempotency_key=f"k{i}") for i in range(60)]
    stored = [r.response.pk for r in collect.record_batch(org_a, survey, subs)]
    lookup = Answer.objects.for_org(org_a).filter(response_id__in=stored[:3], qtype__in=["csat", "nps"])
    dbstats.refresh()
    if connection.vendor == "sqlite":
        # Without statistics the organization's indexes win on shape alone (what this fixes).
        assert "(organization_id=? AND response_id=?)" in _sqlite_plan(lookup) or (
            "(response_id=?)" in _sqlite_plan(lookup)
        ), _sqlite_plan(lookup)
    assert sorted(lookup.values_list("response_id", flat=True)) == sorted(stored[:3])


def test_the_periodic_job_refreshes_sqlite_statistics_and_leaves_postgresql_to_autovacuum(db):
    from openxm.web.tasks import refresh_statistics

    outcome = refresh_statistics()
    if connection.vendor == "sqlite":
        assert outcome == "refreshed"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
    else:
        assert outcome == "skipped"
