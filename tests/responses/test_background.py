"""Jobs in the embedded default run in a thread; the page polls their progress."""

import threading

import pytest

from openxm.jobs import THREAD_PREFIX
from openxm.responses import importing
from openxm.responses.models import ImportJob

CSV = "csat,comment\n5,great\n4,good\n"
MAPPING = {"columns": {"csat": "csat", "comment": "comment"}}


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_import_runs_in_a_thread(settings, admin, survey, write):
    settings.OPENXM_JOBS_INLINE = False  # as `openxm serve` without a broker
    job = importing.start_import(admin, write("t.csv", CSV), "t.csv", survey=survey.pk)
    importing.save_mapping(admin, job.pk, MAPPING)
    job = importing.request_run(admin, job.pk, commit=True)
    workers = [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]
    assert job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTED) and workers
    for worker in workers:
        worker.join(timeout=60)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED and job.rows_imported == 2


def test_the_progress_partial_polls_until_the_job_stops(client, org_a, make_member, admin, survey, write):
    job = importing.start_import(admin, write("t.csv", CSV), "t.csv", survey=survey.pk)
    client.force_login(make_member(org_a, "admin"))
    scoped = ImportJob.objects.for_org(org_a).filter(pk=job.pk)
    scoped.update(status=ImportJob.Status.CHECKING, rows_read=500, rows_estimate=2000)
    page = client.get(f"/responses/imports/{job.pk}/progress/")
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="25"' in html and "HX-Refresh" not in page
    scoped.update(status=ImportJob.Status.IMPORTED)
    done = client.get(f"/responses/imports/{job.pk}/progress/")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_a_job_pool_runs_submitted_work_in_other_processes_and_reports_it():
    import os

    from openxm.jobs import submit, worker_pool

    assert submit("os.getpid") is False  # no pool open: the caller does the work itself
    with worker_pool(0) as none:
        assert none is None and submit("os.getpid") is False
    seen = []
    with worker_pool(1) as pool:
        assert submit("os.getpid", weight=500) and submit("os.getpid", weight=20)
        futures = list(pool.pending)
        pool.drain(lambda done, total: seen.append((done, total)))
    assert seen[-1] == (520, 520) and not pool.pending
    assert {f.result() for f in futures} - {os.getpid()} == {f.result() for f in futures}  # elsewhere
    assert submit("os.getpid") is False  # closed with the block
