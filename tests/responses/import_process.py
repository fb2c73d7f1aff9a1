"""A real process running a CSV import, for tests/responses/test_import_resume.py.

    python tests/responses/import_process.py HOME setup ROWS
    python tests/responses/import_process.py HOME run KILL_AT   # SIGKILLs itself at that row
    python tests/responses/import_process.py HOME resume
    python tests/responses/import_process.py HOME again

The database is the one of ``DATABASE_URL`` (PostgreSQL) or a SQLite file under HOME. Each
command prints one JSON line. ``run`` stores chunks of ``CHUNK`` rows and kills its own process
with SIGKILL (no cleanup, no rollback handler, no atexit) when the commit pass reaches row
KILL_AT: rows of committed chunks are in the database, the chunk in flight is not.
"""

import json
import os
import signal
import sys
from pathlib import Path

CHUNK = 40
MAPPING = {
    "columns": {"Customer": "contact.id", "Score": "csat", "Comment": "comment", "Store": "hidden.store"}
}


def _django(home: str) -> None:
    os.environ.update(
        OPENXM_HOME=home,
        OPENXM_SECRET_KEY="import-process-" + "k" * 40,
        DJANGO_SETTINGS_MODULE="openxm.settings",
        OPENXM_LOG_LEVEL="ERROR",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    django.setup()
    from django.conf import settings

    settings.OPENXM_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(Path(home) / "media")


def _actor():
    from openxm.accounts import services as accounts

    org = accounts.get_organization("resume")
    return org, accounts.operator_actor(org)


def setup(home: str, rows: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openxm.accounts import services as accounts
    from openxm.responses import importing
    from openxm.surveys import services as surveys

    org = accounts.bootstrap_organization("resume", "Resume")
    actor = accounts.operator_actor(org)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    path = Path(home) / "responses.csv"
    comments = ["排队太久了", "Great staff", "价格有点贵，但是质量不错", "Parking is impossible"]
    with open(path, "w", encoding="utf-8") as out:
        out.write("Customer,Score,Comment,Store\n")
        for i in range(rows):
            out.write(f"C-{i % 37},{1 + i % 5},{comments[i % 4]},store-{i % 3}\n")
    job = importing.start_import(actor, str(path), path.name, survey=survey.pk)
    importing.save_mapping(actor, job.pk, MAPPING)
    return {"job": job.pk, "survey": survey.pk}


def run(job_id: int, kill_at: int) -> dict:
    from openxm.responses import import_check, import_run, importing

    import_run.COMMIT_ROWS = import_run.POOL_ROWS = CHUNK  # worker processes check and analyse
    import_check.PART = CHUNK // 4
    real_rows = import_run._checked_rows  # the commit pass reads the rows its check validated

    def rows(job, after):
        checked = real_rows(job, after)
        assert checked is not None, "the check left no file of validated rows"
        for n, item in enumerate(checked, 1):
            if n == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            yield item

    import_run._checked_rows = rows
    _org, actor = _actor()
    job = importing.request_run(actor, job_id, commit=True, progress=lambda *a: None)
    return {"status": job.status}


def _figures(org, job) -> dict:
    from django.db.models import Count

    from openxm.comments.models import CommentAnalysis
    from openxm.insights.verify import verify
    from openxm.surveys.models import Answer, Response

    responses = Response.objects.for_org(org)
    per_response = Answer.objects.for_org(org).values("response_id").annotate(n=Count("id"))
    return {
        "status": job.status,
        "error": job.error,
        "rows_imported": job.rows_imported,
        "rows_duplicate": job.rows_duplicate,
        "stored": responses.count(),
        "distinct_keys": responses.values("idempotency_key").distinct().count(),
        "answer_rows_per_response": sorted({row["n"] for row in per_response}),
        "rollup_problems": verify(org),
        "analysed": CommentAnalysis.objects.for_org(org).count(),
        "analysed_answers": CommentAnalysis.objects.for_org(org).values("answer_id").distinct().count(),
    }


def resume(job_id: int) -> dict:
    from openxm.responses import import_check, import_run, importing
    from openxm.responses.models import ImportJob

    import_run.COMMIT_ROWS = import_run.POOL_ROWS = CHUNK  # worker processes check and analyse
    import_check.PART = CHUNK // 4
    importing.STALE_SECONDS = 0  # the killed process cannot say it stopped; no need to wait here
    org, actor = _actor()
    before = ImportJob.objects.for_org(org).get(pk=job_id)
    job = importing.resume_import(actor, job_id, progress=lambda *a: None)
    return {
        "before": {"status": before.status, "rows_committed": before.rows_committed},
        **_figures(org, job),
    }


def again(home: str) -> dict:
    """The same file imported once more, as a new job."""
    from openxm.responses import importing
    from openxm.surveys.models import Survey

    org, actor = _actor()
    path = Path(home) / "responses.csv"
    survey = Survey.objects.for_org(org).get()
    job = importing.start_import(actor, str(path), path.name, survey=survey.pk)
    importing.save_mapping(actor, job.pk, MAPPING)
    job = importing.request_run(actor, job.pk, commit=True, progress=lambda *a: None)
    return _figures(org, job)


def main() -> None:
    home, command, *rest = sys.argv[1:]
    _django(home)
    state = Path(home) / "state.json"
    if command == "setup":
        result = setup(home, int(rest[0]))
        state.write_text(json.dumps(result))
    elif command == "run":
        result = run(json.loads(state.read_text())["job"], int(rest[0]))
    elif command == "resume":
        result = resume(json.loads(state.read_text())["job"])
    else:
        result = again(home)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
