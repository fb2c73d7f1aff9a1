"""Text analytics is queued once per storing transaction (``openxm.jobs.on_commit_batch``): ids
travel as runs, one committed transaction of N responses starts one batch, a rolled-back one
(or a rolled-back savepoint) starts nothing."""

import pytest
from django.db import transaction

from openxm.comments import tasks
from openxm.surveys import collect
from openxm.surveys.models import Response


def test_consecutive_ids_are_kept_as_runs():
    assert tasks.runs([10, 11, 12, 13, 20, 21, 5]) == [(10, 13), (20, 21), (5, 5)]
    assert tasks.runs(list(range(1, 1_200))) == [(1, 1_199)]  # a large import holds one run


def test_a_batch_is_started_in_chunks_per_organization(monkeypatch):
    started = []
    monkeypatch.setattr(tasks, "BATCH", 3)
    monkeypatch.setattr(tasks, "_start_analysis", lambda org_id, ids: started.append((org_id, list(ids))))
    tasks.start_batch([(1, 10, 13), (2, 7, 7), (1, 20, 21)])
    assert started == [(1, [10, 11, 12]), (1, [13, 20, 21]), (2, [7])]


@pytest.fixture
def started(monkeypatch):
    calls: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(tasks, "_start_analysis", lambda org_id, ids: calls.append((org_id, list(ids))))
    return calls


def _sub(i: int) -> collect.Submission:
    return collect.Submission(
        answers={"nps": i % 11, "comment": f"slow delivery {i}"}, idempotency_key=f"t{i}"
    )


@pytest.mark.django_db(transaction=True)
def test_one_committed_transaction_of_many_responses_queues_one_batch(org_a, admin, make_survey, started):
    survey = make_survey(admin)
    with transaction.atomic():
        ids = [collect.record_response(org_a, survey, _sub(i)).response.pk for i in range(5)]
        collect.record_batch(org_a, survey, [_sub(i) for i in range(5, 8)])
        assert started == []  # nothing before the commit
    stored = sorted(Response.objects.for_org(org_a).values_list("pk", flat=True))
    assert len(stored) == 8 and ids == stored[:5]
    assert started == [(org_a.pk, stored)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(org_a, admin, make_survey, started):
    survey = make_survey(admin)
    with pytest.raises(RuntimeError), transaction.atomic():
        collect.record_response(org_a, survey, _sub(1))
        raise RuntimeError("rolled back")
    assert not Response.objects.for_org(org_a).exists()
    with transaction.atomic():  # the next transaction starts a batch of its own
        kept = collect.record_response(org_a, survey, _sub(2)).response
        try:
            with transaction.atomic():  # a savepoint that rolls back takes its ids with it
                collect.record_response(org_a, survey, _sub(3))
                raise RuntimeError("savepoint rolled back")
        except RuntimeError:
            pass
    assert started == [(org_a.pk, [kept.pk])]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_batch_starts_at_once(org_a, admin, make_survey, started):
    survey = make_survey(admin)
    first = collect.record_response(org_a, survey, _sub(1)).response
    second = collect.record_response(org_a, survey, _sub(2)).response
    assert started == [(org_a.pk, [first.pk]), (org_a.pk, [second.pk])]
