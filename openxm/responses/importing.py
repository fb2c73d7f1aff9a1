"""Importing responses and text feedback from CSV/XLSX files: upload, mapping, dry run, commit.

The steps, the same from the UI, the API and the CLI:

1. ``start_import`` stores the file, reads its header with the shared reader
   (``openxm.readers.read_table``: encoding and delimiter detection) and suggests a mapping;
2. ``save_mapping`` checks a column/value mapping against the survey and the file;
3. ``run_import(org_id, job_id)`` (a Celery task; inline without a broker) makes a streaming
   pass that converts and validates every row exactly as ``collect`` will store it (the dry
   run), recording every rejected row with its line, column and problem; then, when the job
   asked to commit and nothing was rejected, a second streaming pass stores all rows with
   ``collect.record_batch`` in chunks inside one transaction: all rows or none.

Memory stays bounded: rows stream from the file, chunks are 500 rows, only the first 1000
rejections are kept on the job (all of them go to a CSV report next to the upload). Rows get
the idempotency key ``import:<file hash>:<line>`` unless a column gives one, so importing the
same file again stores nothing twice (those rows are counted as duplicates).
Progress: the job row during the check; during the commit (inside the transaction, invisible to
other connections) a small JSON file next to the upload, read by ``job_progress``.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import ApiKey, Organization, Unit, User
from openxm.accounts.roles import Perm, Role
from openxm.readers import ReadError, read_table
from openxm.surveys import collect
from openxm.surveys import services as surveys
from openxm.surveys.models import Response
from openxm.utils.csvsafe import neutralise

from . import storage
from .feedback import ensure_feedback_survey
from .mapping import ImportMapping, cell_text, convert_row, parse_mapping, suggest_targets
from .models import ImportJob

log = logging.getLogger(__name__)

CHUNK = 500
KEEP_REJECTIONS = 1000
PROGRESS_EVERY = 0.5  # seconds between progress writes
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
    job.save(update_fields=["mapping", "status"])
    return job


def request_run(actor: Actor, job_id: int, *, commit: bool, progress: Progress | None = None) -> ImportJob:
    """Queue the dry run (``commit=False``) or the dry run followed by the commit.

    With ``progress`` (the CLI) the job runs here and now, reporting (phase, done, total).
    """
    from openxm.jobs import dispatch

    from .tasks import import_task

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
            finished_at=None,
        )
    )
    if not claimed:
        raise InvalidInput("import", _("this import is running or has already run"))
    if progress is not None:
        return run_import(actor.organization.pk, job.pk, progress)
    dispatch(import_task, actor.organization.pk, job.pk)
    job.refresh_from_db()
    return job


# --- Running --------------------------------------------------------------------------------


@dataclass
class _Stats:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0


class _Reporter:
    """Throttled progress: the job row (check phase) or the progress file (commit phase)."""

    def __init__(self, job: ImportJob, callback: Progress | None):
        self.job = job
        self.callback = callback
        self.last = 0.0
        self.progress_file = storage.sidecar(job.file_path, "progress.json")

    def __call__(self, phase: str, done: int, total: int | None, stats: _Stats | None = None, force=False):
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        if self.callback:
            self.callback(phase, done, total)
        if phase == "checking" and stats is not None:
            ImportJob.objects.for_org(self.job.organization).filter(pk=self.job.pk).update(
                rows_read=stats.read,
                rows_accepted=stats.accepted,
                rows_rejected=stats.rejected,
                rows_duplicate=stats.duplicate,
            )
        else:
            storage.write_json(self.progress_file, {"phase": phase, "done": done, "total": total})


class _Rejections:
    def __init__(self, job: ImportJob):
        self.kept: list[dict] = []
        self.count = 0
        self.path = storage.sidecar(job.file_path, "rejections.csv")
        self.handle = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed in close()
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(["line", "column", "problem"])

    def add(self, line: int, problems: list[tuple[str, str]]) -> None:
        self.count += 1
        for column, message in problems:
            self.writer.writerow([line, neutralise(column), neutralise(message)])
            if len(self.kept) < KEEP_REJECTIONS:
                self.kept.append({"line": line, "column": column, "problem": message})

    def close(self) -> None:
        self.handle.close()


def _auto_key(job: ImportJob, line: int) -> str:
    return f"import:{job.file_sha256[:16]}:{line}"


def _collect_problems(mapping: ImportMapping, row: dict, exc: Exception) -> list[tuple[str, str]]:
    if isinstance(exc, collect.InvalidAnswers):
        items = [(path, msg) for path, messages in exc.errors.items() for msg in messages]
    elif isinstance(exc, InvalidInput):
        items = [(exc.field, exc.message)]
    else:
        raise exc
    out = []
    for path, message in items:
        column = mapping.column_of(path)
        if path == "completed_at":
            column = next((r.column for r in mapping.rules if r.target.text == "date"), None)
        if column is None:
            out.append((path, message))
            continue
        value = cell_text(row.get(column))
        shown = f" ('{value[:60]}')" if value else ""
        out.append((column, f"{path}{shown}: {message}"))
    return out


def _rows(job: ImportJob, table, mapping: ImportMapping, definition):
    """(line, row, Converted) for every data row."""
    meta_base = {"source": "import", "import_job": job.pk, "file": job.file_name}
    for line, row in table.rows_with_lines():
        converted = convert_row(
            mapping, definition, row, key=_auto_key(job, line), meta={**meta_base, "line": line}
        )
        yield line, row, converted


def _check(
    job: ImportJob, table, mapping: ImportMapping, definition, report: _Reporter
) -> tuple[_Stats, _Rejections]:
    org, survey = job.organization, job.survey
    stats = _Stats()
    rejections = _Rejections(job)
    units = set(Unit.objects.for_org(org).values_list("code", flat=True))
    keyed = any(r.target.text == "idempotency_key" for r in mapping.rules)
    seen: dict[int, int] = {}  # hash of a given key → first line (only when a column gives keys)
    pending: list[tuple[int, dict, collect.Submission | None, list]] = []

    def flush() -> None:
        keys = [sub.idempotency_key for _l, _r, sub, _p in pending if sub is not None]
        existing = set(
            Response.objects.for_org(org)
            .filter(survey=survey, idempotency_key__in=keys)
            .values_list("idempotency_key", flat=True)
        )
        for line, row, sub, problems in pending:
            if sub is not None and sub.idempotency_key in existing:
                stats.duplicate += 1
                continue
            if sub is not None:
                if sub.unit and sub.unit not in units:
                    column = next(r.column for r in mapping.rules if r.target.text == "unit")
                    problems.append((column, _("no unit with code %(code)s") % {"code": sub.unit}))
                try:
                    collect.prepare(org, survey, sub)
                except (collect.InvalidAnswers, InvalidInput) as exc:
                    problems.extend(_collect_problems(mapping, row, exc))
            if problems:
                stats.rejected += 1
                rejections.add(line, problems)
            else:
                stats.accepted += 1
        pending.clear()

    try:
        for line, row, converted in _rows(job, table, mapping, definition):
            stats.read += 1
            sub = converted.submission
            problems = list(converted.problems)
            if sub is not None and keyed:
                first = seen.setdefault(hash(sub.idempotency_key), line)
                if first != line:
                    problems.append(("idempotency_key", _("repeats the key of line %(n)s") % {"n": first}))
                    sub = None
            pending.append((line, row, sub, problems))
            if len(pending) >= CHUNK:
                flush()
            report("checking", stats.read, job.rows_estimate, stats)
        flush()
    except ReadError as exc:
        flush()
        stats.rejected += 1
        rejections.add(
            exc.line or 0,
            [("file", _("the file cannot be read further: %(problem)s") % {"problem": exc.problem_in(_)})],
        )
    finally:
        rejections.close()
    report("checking", stats.read, stats.read, stats, force=True)
    return stats, rejections


def _commit(
    actor: Actor, job: ImportJob, table, mapping: ImportMapping, definition, stats: _Stats, report: _Reporter
) -> int:
    """Store every row in one transaction; returns the number of responses created."""
    org, survey = job.organization, job.survey
    created = done = 0
    batch: list[collect.Submission] = []

    def flush() -> None:
        nonlocal created
        try:
            stored = collect.record_batch(org, survey, batch)
        except collect.BatchRejected as exc:
            index, errors = next(iter(exc.item_errors.items()))
            path, messages = next(iter(errors.items()))
            line = batch[index].meta.get("line")
            raise InvalidInput(
                "file",
                _("line %(line)s: %(path)s: %(message)s; nothing was imported")
                % {"line": line, "path": path, "message": messages[0]},
            ) from None
        created += sum(1 for r in stored if r.created)
        batch.clear()

    with transaction.atomic():
        for _line, _row, converted in _rows(job, table, mapping, definition):
            if converted.submission is None or converted.problems:  # the file changed since the check
                raise InvalidInput("file", _("the file changed after it was checked; nothing was imported"))
            batch.append(converted.submission)
            done += 1
            if len(batch) >= CHUNK:
                flush()
            report("importing", done, stats.read)
        if batch:
            flush()
        ImportJob.objects.for_org(org).filter(pk=job.pk).update(
            status=ImportJob.Status.IMPORTED, rows_imported=created, finished_at=timezone.now()
        )
        audit.record(
            actor,
            "responses.imported",
            target_type="import",
            target_id=job.pk,
            data={
                "survey": survey.key,
                "file": job.file_name,
                "sha256": job.file_sha256,
                "rows": stats.read,
                "imported": created,
                "duplicates": stats.duplicate,
            },
        )
    report("importing", done, stats.read, force=True)
    return created


def run_import(org_id: int, job_id: int, progress: Progress | None = None) -> ImportJob:
    """The task body: check every row, then (if asked and nothing was rejected) commit them all."""
    org = Organization.objects.get(pk=org_id)
    job = ImportJob.objects.for_org(org).select_related("survey", "survey__current_version").get(pk=job_id)
    scoped = ImportJob.objects.for_org(org).filter(pk=job.pk)
    report = _Reporter(job, progress)
    try:
        actor = job_actor(job)
        actor.require(Perm.RESPONSES_WRITE)
        survey = job.survey
        if survey.status == survey.Status.CLOSED:
            raise InvalidInput("survey", _("the survey is closed"))
        table = _open_table(job)
        definition = job_definition(job)
        mapping = _parsed_mapping(job, job.mapping, table)
        scoped.update(status=ImportJob.Status.CHECKING, started_at=timezone.now())
        stats, rejections = _check(job, table, mapping, definition, report)
        status = ImportJob.Status.REJECTED if stats.rejected else ImportJob.Status.CHECKED
        scoped.update(
            status=status,
            rows_read=stats.read,
            rows_accepted=stats.accepted,
            rows_rejected=stats.rejected,
            rows_duplicate=stats.duplicate,
            rejections=rejections.kept,
            notes=[str(i) for i in table.issues][:100]
            + ([f"… {table.issue_count - 100} more"] if table.issue_count > 100 else []),
            finished_at=timezone.now(),
        )
        if job.commit and not stats.rejected:
            scoped.update(status=ImportJob.Status.IMPORTING)
            _commit(actor, job, table, mapping, definition, stats, report)
    except Exception as exc:  # the job records every failure; nothing was stored (one transaction)
        if not isinstance(exc, InvalidInput | ReadError):
            log.exception("import %s failed", job_id)
        message = f"{exc.field}: {exc.message}" if isinstance(exc, InvalidInput) else str(exc)
        scoped.update(status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now())
    job.refresh_from_db()
    return job


# --- Progress and reports -------------------------------------------------------------------


@dataclass(frozen=True)
class JobProgress:
    phase: str
    done: int
    total: int | None
    finished: bool

    @property
    def percent(self) -> int | None:
        if self.finished:
            return 100
        if not self.total:
            return None
        return min(99, int(100 * self.done / self.total))


def job_progress(job: ImportJob) -> JobProgress:
    running = job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)
    if job.status == ImportJob.Status.IMPORTING:
        data = storage.read_json(storage.sidecar(job.file_path, "progress.json")) or {}
        return JobProgress("importing", int(data.get("done") or 0), job.rows_read or None, False)
    if job.status == ImportJob.Status.CHECKING:
        return JobProgress("checking", job.rows_read, job.rows_estimate, False)
    return JobProgress(job.status, job.rows_read, job.rows_read, not running)


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
