"""Background work of text analytics, and how it is started.

* New responses: ``responses_recorded`` is sent inside the storing transaction; :func:`queue_response`
  collects the response ids of that transaction and, once it commits, hands them to
  :func:`analyse_responses_task` in one call (an import of 10,000 rows makes a few tasks, not
  10,000). Without a broker (the embedded default) the task runs inline right after the commit;
  a failure is logged and never undoes the stored response.
* Re-analysis and classifier training: started by :func:`openxm.jobs.dispatch` (on the workers
  with a broker, else in a thread of the web process; inline with ``OPENXM_JOBS_INLINE``).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

BATCH = 500


def _organization(org_id: int):
    from openxm.accounts.models import Organization

    return Organization.objects.filter(pk=org_id).first()


@shared_task(name="openxm.comments.analyse_responses")
def analyse_responses_task(org_id: int, response_ids: list[int]) -> int:
    from .engine import analyse_responses

    org = _organization(org_id)
    if org is None:
        return 0
    return analyse_responses(org, list(response_ids))


@shared_task(name="openxm.comments.reanalyse")
def reanalyse_task(org_id: int, job_id: int) -> str:
    from .jobs import run_reanalysis

    return run_reanalysis(org_id, job_id).status


@shared_task(name="openxm.comments.train_classifier")
def train_classifier_task(org_id: int, classifier_id: int) -> str:
    from .classifiers import run_training

    return run_training(org_id, classifier_id).status


class _Batch:
    """Response ids recorded in one transaction, analysed together once it commits.

    Kept as runs of consecutive ids (``[first, last]``): the responses of one transaction get
    consecutive ids, so an import of a million rows holds a handful of runs, not a million ids.
    """

    def __init__(self) -> None:
        self.runs: dict[int, list[list[int]]] = {}
        self.flushed = False

    def add(self, org_id: int, response_id: int) -> None:
        runs = self.runs.setdefault(org_id, [])
        if runs and runs[-1][1] + 1 == response_id:
            runs[-1][1] = response_id
        else:
            runs.append([response_id, response_id])

    def chunks(self):
        """(organization id, up to ``BATCH`` response ids) in the order they were added."""
        for org_id, runs in self.runs.items():
            chunk: list[int] = []
            for first, last in runs:
                for response_id in range(first, last + 1):
                    chunk.append(response_id)
                    if len(chunk) == BATCH:
                        yield org_id, chunk
                        chunk = []
            if chunk:
                yield org_id, chunk

    def __call__(self) -> None:
        self.flushed = True
        for org_id, ids in self.chunks():
            _start_analysis(org_id, ids)


def _start_analysis(org_id: int, ids: list[int]) -> None:
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            analyse_responses_task(org_id, ids)  # inline, in this process
        else:
            analyse_responses_task.delay(org_id, ids)
    except Exception:  # analysis is derived data: re-analysis repairs it; the response is stored
        log.exception("text analytics of %s responses of organization %s failed", len(ids), org_id)


def queue_response(org_id: int, response_id: int) -> None:
    """Analyse the response's comments after the current transaction commits (see above)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _start_analysis(org_id, [response_id])
        return
    batch = getattr(conn, "_openxm_comments_batch", None)
    registered = batch is not None and any(entry[1] is batch for entry in conn.run_on_commit)
    if batch is None or batch.flushed or not registered:
        batch = _Batch()
        conn._openxm_comments_batch = batch
        transaction.on_commit(batch, robust=True)
    batch.add(org_id, response_id)
