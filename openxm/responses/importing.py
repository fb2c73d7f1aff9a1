"""Importing responses and text feedback from CSV/XLSX files: upload, mapping, dry run, commit.

The steps, the same from the UI, the API and the CLI:

1. ``start_import`` stores the file, reads its header with the shared reader
   (``openxm.readers.read_table``: encoding and delimiter detection) and suggests a mapping;
2. ``save_mapping`` checks a column/value mapping against the survey and the file;
3. ``import_run.run_import(org_id, job_id)`` (a Celery task; inline without a broker) makes a
   pass that converts and validates every row exactly as ``collect`` will store it (the dry
   run), recording every rejected row with its line, column and problem; then, when the job
   asked to commit and nothing was rejected, a second streaming pass stores the rows with
   ``collect.record_batch`` in chunks of ``COMMIT_ROWS`` rows, each chunk its own transaction
   that also records on the job how far it got (``rows_committed``, ``committed_line``).

A rejected row stores nothing (the check runs first). An import interrupted during the commit
(a crash, a killed worker, a database error) keeps its committed chunks; ``resume_import``
continues after the last one, so the time per row stays the same however long the file is.
Rows get the idempotency key ``import:<file hash>:<line>`` unless a column gives one, so
resuming or importing the same file again stores nothing twice (those rows are counted as
duplicates). Memory stays bounded: rows stream from the file, one chunk is held at a time, only
the first 1000 rejections are kept on the job (all of them go to a CSV report next to the
upload). Progress, with rows per second and the time left: a small JSON file next to the upload
(written every half second by the running job), read by ``job_progress``.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import ApiKey, Organization, Unit, User
from openxm.accounts.roles import Perm, Role
from openxm.readers import ReadError, read_table
from openxm.surveys import collect
from openxm.surveys import services as surveys
from openxm.surveys.models import Response

from . import storage
from .feedback import ensure_feedback_survey
from .mapping import ImportMapping, cell_text, parse_mapping, suggest_targets
from .models import ImportJob

log = logging.getLogger(__name__)

STALE_SECONDS = 300  # a running job that has not moved for this long may be resumed
Progress = Callable[[str, int, int | None], None]  # (phase, done, total)


# --- Actors of jobs -------------------------------------------------------------------------


def job_fields(actor: Actor) -> dict[str, Any]:
    return {
        "organization": actor.organization,
        "created_by": actor.user,
        "api_key": actor.api_key,
        "role": str(actor.role),
        "via": actor.via,
        "actor_label": actor.label,
    }


def job_actor(job) -> Actor:
    """The actor who asked for a job, with their role as it is now (a member removed or a key
    revoked since cannot have the job run); used by workers."""
    from openxm.accounts import services as accounts

    org = job.organization
    if job.created_by_id:
        user = User.objects.filter(pk=job.created_by_id).first()
        if user is None or accounts.membership_in(user, org) is None:
            raise InvalidInput("job", _("the member who started this job is no longer in the organization"))
        return accounts.actor_for_user(user, org, via=job.via)
    key = ApiKey.objects.for_org(org).filter(pk=job.api_key_id).first() if job.api_key_id else None
    if key is not None:
        if not key.is_active:
            raise InvalidInput("job", _("the API key that started this job was revoked"))
        return Actor(organization=org, role=Role(key.role), via=job.via, api_key=key, unit_id=key.unit_id)
    return Actor(organization=org, role=Role(job.role), via=job.via)


# --- Upload and mapping ---------------------------------------------------------------------


def _survey_for(actor: Actor, survey_ref, mode: str):
    if mode == ImportJob.Mode.FEEDBACK:
        return ensure_feedback_survey(actor)
    if mode != ImportJob.Mode.RESPONSES:
        raise InvalidInput("mode", _("must be responses or feedback"))
    if survey_ref in (None, ""):
        raise InvalidInput("survey", _("choose the survey the responses answer"))
    return surveys.get_survey(actor, survey_ref)


def _estimate_rows(path, fmt: str) -> int | None:
    if fmt != "csv":
        return None
    lines = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def start_import(
    actor: Actor,
    source,
    file_name: str,
    *,
    survey=None,
    mode: str = "responses",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> ImportJob:
    """Store an uploaded file (a path or a binary stream), read its header and suggest a mapping."""
    actor.require(Perm.RESPONSES_WRITE)
    target_survey = _survey_for(actor, survey, mode)
    if target_survey.current_version_id is None:
        raise InvalidInput("survey", _("the survey is not published"))
    path, relative = storage.new_path("imports", actor.organization.pk, file_name or "upload.csv")
    size, digest = storage.store_copy(source, path)
    try:
        table = read_table(path, encoding=encoding or None, delimiter=delimiter or None, sheet=sheet or None)
    except ReadError as exc:
        storage.remove_dir_of(relative)
        raise InvalidInput("file", exc.message_in(_, file=storage.safe_name(file_name))) from None
    sample: list[list[str]] = []
    notes: list[str] = []
    try:
        for _line, row in table.rows_with_lines():
            sample.append([cell_text(row[c]) for c in table.columns])
            if len(sample) == 5:
                break
    except ReadError as exc:  # the check reports it with the other rows
        notes.append(exc.message_in(_, file=storage.safe_name(file_name)))
    definition = collect.version_definition(target_survey.current_version)
    suggested = suggest_targets(list(table.columns), definition)
    mapping = {"mode": mode, "columns": dict(suggested), "defaults": {"channel": "import"}}
    if mode == ImportJob.Mode.FEEDBACK:
        mapping["defaults"]["source"] = ""
    return ImportJob.objects.for_org(actor.organization).create(
        **job_fields(actor),
        survey=target_survey,
        mode=mode,
        file_name=storage.safe_name(file_name),
        file_path=relative,
        file_size=size,
        file_sha256=digest,
        format=table.format,
        encoding=table.encoding or "",
        delimiter=table.delimiter or "",
        sheet=table.sheet or "",
        columns=list(table.columns),
        sample=sample,
        mapping=mapping,
        notes=[str(i) for i in table.issues] + notes,
        rows_estimate=_estimate_rows(path, table.format),
    )


def organization(org_id: int) -> Organization:
    """The organization a worker runs a job of."""
    return Organization.objects.get(pk=org_id)


def unit_codes(org: Organization) -> set[str]:
    return set(Unit.objects.for_org(org).values_list("code", flat=True))


def stored_keys(org: Organization, survey, keys: list[str]) -> set[str]:
    """Which of these idempotency keys the survey has stored already (rows imported before)."""
    return set(
        Response.objects.for_org(org)
        .filter(survey=survey, idempotency_key__in=keys)
        .values_list("idempotency_key", flat=True)
    )


def get_job(actor: Actor, job_id: int) -> ImportJob:
    actor.require(Perm.RESPONSES_WRITE)
    job = ImportJob.objects.for_org(actor.organization).select_related("survey").filter(pk=job_id).first()
    if job is None:
        raise NotFound("import", job_id)
    return job


def list_jobs(actor: Actor, limit: int = 100) -> list[ImportJob]:
    actor.require(Perm.RESPONSES_WRITE)
    return list(ImportJob.objects.for_org(actor.organization).select_related("survey")[:limit])


def _open_table(job: ImportJob):
    return read_table(
        storage.absolute(job.file_path),
        encoding=job.encoding or None if job.format == "csv" else None,
        delimiter=job.delimiter or None if job.format == "csv" else None,
        sheet=job.sheet or None if job.format == "xlsx" else None,
    )


def job_definition(job: ImportJob):
    return collect.version_definition(job.survey.current_version)


def _parsed_mapping(job: ImportJob, raw: dict, table=None) -> ImportMapping:
    table = table or _open_table(job)

    def resolve(ref: str) -> str:
        try:
            return table.resolve(ref)
        except ReadError as exc:
            raise ValueError(exc.problem_in(_)) from None

    return parse_mapping(raw, job_definition(job), resolve, time_zone=job.organization.time_zone)


EDITABLE = (
    ImportJob.Status.UPLOADED,
    ImportJob.Status.CHECKED,
    ImportJob.Status.REJECTED,
    ImportJob.Status.FAILED,
)


def save_mapping(actor: Actor, job_id: int, raw: dict) -> ImportJob:
    """Check and keep a mapping; a job that already imported its rows cannot change."""
    job = get_job(actor, job_id)
    if job.status not in EDITABLE:
        raise InvalidInput("mapping", _("this import has already run; start a new one"))
    if raw.get("mode") and raw["mode"] != job.mode:
        raise InvalidInput("mapping.mode", _("this import was started as %(mode)s") % {"mode": job.mode})
    parsed = _parsed_mapping(job, {**raw, "mode": job.mode})
    job.mapping = parsed.to_dict()
    job.status = ImportJob.Status.UPLOADED
    job.rows_committed = job.committed_line = 0  # a new mapping walks every row again (keys skip stored ones)
    job.save(update_fields=["mapping", "status", "rows_committed", "committed_line"])
    return job


def request_run(actor: Actor, job_id: int, *, commit: bool, progress: Progress | None = None) -> ImportJob:
    """Queue the dry run (``commit=False``) or the dry run followed by the commit.

    With ``progress`` (the CLI) the job runs here and now, reporting (phase, done, total).
    """
    job = get_job(actor, job_id)
    _parsed_mapping(job, job.mapping)  # a mapping problem is reported now, not by the worker
    claimed = (
        ImportJob.objects.for_org(actor.organization)
        .filter(pk=job.pk, status__in=EDITABLE)  # one run at a time, even for two clicks at once
        .update(
            status=ImportJob.Status.CHECKING,
            commit=commit,
            error="",
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            finished_at=None,
        )
    )
    if not claimed:
        raise InvalidInput("import", _("this import is running or has already run"))
    return _run_or_dispatch(actor, job, progress)


def _run_or_dispatch(actor: Actor, job: ImportJob, progress: Progress | None) -> ImportJob:
    from openxm.jobs import dispatch

    from .import_run import run_import
    from .tasks import import_task

    if progress is not None:
        return run_import(actor.organization.pk, job.pk, progress)
    dispatch(import_task, actor.organization.pk, job.pk)
    job.refresh_from_db()
    return job


def is_stale(job: ImportJob) -> bool:
    """A job that says it is running but has not moved for ``STALE_SECONDS`` (its process died)."""
    if job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
        return False
    moved = job.heartbeat_at or job.started_at
    return moved is None or timezone.now() - moved > timezone.timedelta(seconds=STALE_SECONDS)


def resume_import(actor: Actor, job_id: int, *, progress: Progress | None = None) -> ImportJob:
    """Continue an import whose process died: a check starts again from the first row, a commit
    continues after its last committed chunk (rows already stored are never stored twice)."""
    job = get_job(actor, job_id)
    if not is_stale(job):
        raise InvalidInput("import", _("this import is not interrupted: it is running or has finished"))
    claimed = (
        ImportJob.objects.for_org(actor.organization)
        .filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at)  # one resumer wins
        .update(heartbeat_at=timezone.now(), error="", finished_at=None)
    )
    if not claimed:
        raise InvalidInput("import", _("this import is running or has already run"))
    return _run_or_dispatch(actor, job, progress)


# --- Progress and reports -------------------------------------------------------------------


@dataclass(frozen=True)
class JobProgress:
    phase: str
    done: int
    total: int | None
    finished: bool
    rows_per_second: float | None = None  # of the running phase, once it has run a second

    @property
    def percent(self) -> int | None:
        if self.finished:
            return 100
        if not self.total:
            return None
        return min(99, int(100 * self.done / self.total))

    @property
    def seconds_left(self) -> int | None:
        """The running phase's time left at its rate so far (None before a rate is known)."""
        if self.finished or not self.total or not self.rows_per_second:
            return None
        return max(0, round((self.total - self.done) / self.rows_per_second))

    @property
    def time_left(self) -> str | None:
        """``seconds_left`` as h:mm:ss or m:ss."""
        if self.seconds_left is None:
            return None
        hours, rest = divmod(self.seconds_left, 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def job_progress(job: ImportJob) -> JobProgress:
    if job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
        data = storage.read_json(storage.sidecar(job.file_path, "progress.json")) or {}
        current = data.get("phase") == job.status  # not a file left by the previous phase
        rate = data.get("rate") if current else None
        if job.status == ImportJob.Status.IMPORTING:
            done = max(int(data.get("done") or 0) if current else 0, job.rows_committed)
            return JobProgress("importing", done, job.rows_read or None, False, rate)
        return JobProgress("checking", job.rows_read, job.rows_estimate, False, rate)
    return JobProgress(job.status, job.rows_read, job.rows_read, True)


def rejection_report_path(actor: Actor, job_id: int):
    job = get_job(actor, job_id)
    path = storage.sidecar(job.file_path, "rejections.csv")
    if not path.exists():
        raise NotFound("import report", job_id)
    return job, path


def iter_rejections(actor: Actor, job_id: int) -> Iterator[tuple[int, str, str]]:
    """Every rejected row of the latest check: (line, column, problem), from the CSV report."""
    _job, path = rejection_report_path(actor, job_id)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for line, column, problem in reader:
            yield int(line), column.removeprefix("'"), problem.removeprefix("'")
