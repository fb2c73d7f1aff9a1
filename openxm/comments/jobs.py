"""Re-analysis of stored comments: a job row, a chunked worker and its progress.

The worker walks the comment answers in id order, ``CHUNK`` at a time; each chunk is analysed
and its rows replaced in one transaction, then the job's ``done`` count is saved, so a page
polling the job sees it move and a crash loses at most one chunk (running the job again
finishes it). At the end, analyses in scope that were not rewritten by this run (their answer
was blanked or is no longer a comment) are deleted. Responses recorded while the job runs are
analysed by the usual path with the same taxonomy. One job per organization runs at a time; a
job without progress for ``STALE_AFTER`` is taken as dead and may be replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from .engine import analyse_answers, comment_answers, context_for
from .models import CommentAnalysis, ReanalysisJob

log = logging.getLogger(__name__)

CHUNK = 250
STALE_AFTER = timedelta(minutes=10)


def scope_answers(organization, survey_id: int | None):
    answers = comment_answers(organization)
    return answers.filter(survey_id=survey_id) if survey_id else answers


def running_job(organization) -> ReanalysisJob | None:
    """The organization's queued or running job, unless it stalled (then it is marked failed)."""
    job = (
        ReanalysisJob.objects.for_org(organization)
        .filter(status__in=[ReanalysisJob.Status.QUEUED, ReanalysisJob.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )
    if job is not None and job.updated_at < timezone.now() - STALE_AFTER:
        job.status = ReanalysisJob.Status.FAILED
        job.error = "stopped without progress (the worker was restarted?)"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return None
    return job


def run_reanalysis(org_id: int, job_id: int, progress: Callable[[ReanalysisJob], None] | None = None):
    """Run a queued job to its end (see the module docstring); returns the job."""
    from openxm.accounts.models import Organization

    org = Organization.objects.get(pk=org_id)
    job = ReanalysisJob.objects.for_org(org).get(pk=job_id)
    if job.status not in (ReanalysisJob.Status.QUEUED, ReanalysisJob.Status.RUNNING):
        return job
    started = timezone.now()
    job.status = ReanalysisJob.Status.RUNNING
    job.started_at = started
    job.updated_at = started
    job.done = 0
    answers = scope_answers(org, job.survey_id)
    job.total = answers.count()
    job.save(update_fields=["status", "started_at", "updated_at", "done", "total"])
    try:
        context = context_for(org)
        job.taxonomy_version = context.taxonomy_version
        last = 0
        while True:
            chunk = list(answers.filter(pk__gt=last).order_by("pk")[:CHUNK])
            if not chunk:
                break
            analyse_answers(org, chunk, context)
            last = chunk[-1].pk
            job.done += len(chunk)
            job.updated_at = timezone.now()
            job.save(update_fields=["done", "updated_at", "taxonomy_version"])
            if progress is not None:
                progress(job)
        stale = CommentAnalysis.objects.for_org(org).filter(analysed_at__lt=started)
        if job.survey_id:
            stale = stale.filter(survey_id=job.survey_id)
        stale.delete()
    except Exception as exc:
        log.exception("re-analysis %s of organization %s failed", job.pk, org.pk)
        job.status = ReanalysisJob.Status.FAILED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status = ReanalysisJob.Status.DONE
    job.done = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.updated_at = job.finished_at
    job.save(update_fields=["status", "done", "finished_at", "updated_at"])
    return job
