"""Background work of text analytics, and how it is started.

* New responses: ``responses_recorded`` is sent inside the storing transaction; :func:`queue_responses`
  hands their ids to ``openxm.jobs.on_commit_batch``, which collects the ids of the whole
  transaction and, once it commits, gives them to :func:`analyse_responses_task` in chunks of
  ``BATCH`` (an import of 10,000 rows makes a few tasks, not 10,000). Without a broker (the
  embedded default) the task runs inline right after the commit, or in the worker processes of a
  long job that opened a pool (``openxm.jobs.worker_pool``: an import's chunks are analysed while
  the next one is stored); a failure is logged and never undoes the stored response. A
  transaction that rolls back queues nothing.
* Re-analysis, classifier training and sentiment and topic adaptation: started by
  :func:`openxm.jobs.dispatch` (on the workers with a broker, else in a thread of the web
  process; inline with ``OPENXM_JOBS_INLINE``).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from openxm.jobs import on_commit_batch

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


@shared_task(name="openxm.comments.adapt_sentiment")
def adapt_sentiment_task(org_id: int, adaptation_id: int) -> str:
    from .adaptation import run_adaptation

    org = _organization(org_id)
    if org is None:
        return "gone"
    return run_adaptation(org, adaptation_id).status


@shared_task(name="openxm.comments.adapt_topics")
def adapt_topics_task(org_id: int, adaptation_id: int) -> str:
    from .topic_adaptation import run_topic_adaptation

    org = _organization(org_id)
    if org is None:
        return "gone"
    return run_topic_adaptation(org, adaptation_id).status


def runs(ids: list[int]) -> list[tuple[int, int]]:
    """Consecutive ids as ``(first, last)`` runs: the responses of one transaction get
    consecutive ids, so an import of a million rows holds a handful of runs, not a million ids."""
    out: list[list[int]] = []
    for response_id in ids:
        if out and out[-1][1] + 1 == response_id:
            out[-1][1] = response_id
        else:
            out.append([response_id, response_id])
    return [(first, last) for first, last in out]


def start_batch(items: list[tuple[int, int, int]]) -> None:
    """Analyse ``(organization id, first, last)`` runs of response ids, ``BATCH`` ids per task
    (the flush of :func:`queue_responses`' batch, run after the commit)."""
    chunks: dict[int, list[int]] = {}
    for org_id, first, last in items:
        chunk = chunks.setdefault(org_id, [])
        for response_id in range(first, last + 1):
            chunk.append(response_id)
            if len(chunk) == BATCH:
                _start_analysis(org_id, chunk)
                chunks[org_id] = chunk = []
    for org_id, chunk in chunks.items():
        if chunk:
            _start_analysis(org_id, chunk)


def _start_analysis(org_id: int, ids: list[int]) -> None:
    from openxm.jobs import submit

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # A long job (an import) has a pool of processes for it; else inline, in this process.
            if not submit("openxm.comments.tasks.analyse_responses_task", org_id, ids, weight=len(ids)):
                analyse_responses_task(org_id, ids)
        else:
            analyse_responses_task.delay(org_id, ids)
    except Exception:  # analysis is derived data: re-analysis repairs it; the response is stored
        log.exception("text analytics of %s responses of organization %s failed", len(ids), org_id)


def queue_responses(org_id: int, response_ids: list[int]) -> None:
    """Analyse the responses' comments after the current transaction commits (see above)."""
    on_commit_batch(start_batch, [(org_id, first, last) for first, last in runs(response_ids)])
