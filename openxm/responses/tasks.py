"""Background work of imports and exports; :func:`openxm.jobs.dispatch` starts it."""

from celery import shared_task


@shared_task(name="openxm.responses.import")
def import_task(org_id: int, job_id: int) -> str:
    from .import_run import run_import

    return run_import(org_id, job_id).status


@shared_task(name="openxm.responses.export")
def export_task(org_id: int, job_id: int) -> str:
    from .exporting import run_export

    return run_export(org_id, job_id).status
