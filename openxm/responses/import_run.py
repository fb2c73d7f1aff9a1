"""Running an import job: the check (dry run) and the chunked commit; see ``importing``.

``run_import`` is the task body (``tasks.import_task``; inline from the CLI). The check
(``import_check``) converts and validates every row and records the rejected ones; the commit
stores the rows ``COMMIT_ROWS`` at a time with ``collect.record_batch``, each chunk one
transaction that also records on the job how far it got, so a run after a failure or
``importing.resume_import`` continues after the last committed chunk.

Each row is validated once: the check writes every row it accepts, with the outcome of its
validation, to a sidecar file (``checked.pickle``), and the commit reads them back and hands them
to ``record_batch`` as ``checked`` instead of converting and validating the file a second time.
The file is used only when the check finished and the survey's current version is still the one
it validated against; otherwise (a resumed job whose check ran before this file existed, a
survey published again) the commit converts and validates the rows itself. It is removed when
the commit ends.

A large file is run with a pool of worker processes (``jobs.worker_pool``, without a broker):
during the check they validate parts of the file beside this process; during the commit they
analyse each committed chunk's comments while the next chunk is stored. Both phases run inside
``jobs.bulk_gc`` (the garbage collector collects between chunks), and the commit with
``bulk.bulk_cache`` (a larger SQLite page cache for the job's connection).
"""

from __future__ import annotations

import logging
import pickle
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm import dbstats
from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.bulk import bulk_cache
from openxm.jobs import bulk_gc, collect_garbage, worker_pool
from openxm.readers import ReadError
from openxm.surveys import collect
from openxm.surveys import definition as sd

from . import storage
from .import_check import SPILL, Stats, auto_key, check, unpack
from .importing import Progress, _open_table, _parsed_mapping, job_actor, job_definition, organization
from .mapping import ImportMapping, convert_row
from .models import ImportJob

log = logging.getLogger(__name__)

COMMIT_ROWS = 10_000  # rows stored per transaction; the job records each committed chunk
POOL_ROWS = 20_000  # rows left to run from which worker processes are worth starting (≈ 2 s each)
PROGRESS_EVERY = 0.5  # seconds between progress writes


class _Reporter:
    """Throttled progress: the progress file (phase, rows done, total, rows/s), the job row's
    counts during the check, and the caller's callback (the CLI's bar). The first report of a
    phase always goes out, so its start is known."""

    def __init__(self, job: ImportJob, callback: Progress | None):
        self.job = job
        self.callback = callback
        self.last = 0.0
        self.phase = ""
        self.started = 0.0
        self.first_done = 0
        self.progress_file = storage.sidecar(job.file_path, "progress.json")

    def __call__(self, phase: str, done: int, total: int | None, stats: Stats | None = None, force=False):
        now = time.monotonic()
        if phase != self.phase:
            self.phase, self.started, self.first_done, force = phase, now, done, True
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        if self.callback:
            self.callback(phase, done, total)
        elapsed = now - self.started
        rate = (done - self.first_done) / elapsed if elapsed > 1 else None
        if phase == "checking" and stats is not None:
            ImportJob.objects.for_org(self.job.organization).filter(pk=self.job.pk).update(
                rows_read=stats.read,
                rows_accepted=stats.accepted,
                rows_rejected=stats.rejected,
                rows_duplicate=stats.duplicate,
                heartbeat_at=timezone.now(),
            )
        storage.write_json(self.progress_file, {"phase": phase, "done": done, "total": total, "rate": rate})


def _rows(job: ImportJob, table, mapping: ImportMapping, definition, after: int = 0):
    """(line, row, Converted) for every data row after line ``after`` (rows before it are read,
    not converted)."""
    meta_base = {"source": "import", "import_job": job.pk, "file": job.file_name}
    for line, row in table.rows_with_lines():
        if line <= after:
            continue
        converted = convert_row(
            mapping, definition, row, key=auto_key(job, line), meta={**meta_base, "line": line}
        )
        yield line, row, converted


def _checked_rows(job: ImportJob, after: int):
    """(line, Submission, ValidatedAnswers | None) of the check's file after line ``after``,
    or None when there is no usable file (see the module docstring)."""
    path = storage.sidecar(job.file_path, SPILL)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator
    except FileNotFoundError:
        return None
    # Our own file, written by the check of this job in its private storage directory.
    header = pickle.load(handle)  # noqa: S301
    if header.get("version") != job.survey.current_version_id:
        handle.close()
        return None

    def rows():
        with handle:
            while True:
                try:
                    items = pickle.load(handle)  # noqa: S301
                except EOFError:
                    return
                for item in items:
                    if item[0] > after:
                        yield unpack(item)

    return rows()


def _converted_rows(job: ImportJob, table, mapping: ImportMapping, definition, after: int):
    """(line, Submission, None) of the file after line ``after``, converted again (validated by
    ``record_batch``)."""
    for line, _row, converted in _rows(job, table, mapping, definition, after=after):
        if converted.submission is None or converted.problems:  # the file changed since the check
            raise InvalidInput("file", _("the file changed after it was checked; nothing more was imported"))
        yield line, converted.submission, None


def _commit(
    actor: Actor,
    job: ImportJob,
    table,
    mapping: ImportMapping,
    definition,
    stats: Stats,
    report: _Reporter,
    pool,
) -> int:
    """Store the rows after ``job.committed_line`` in chunks of ``COMMIT_ROWS``, each chunk one
    transaction that also moves the job's committed counts; returns the responses created.
    ``pool``: the job's worker pool (None: none), drained at the end."""
    org, survey = job.organization, job.survey
    scoped = ImportJob.objects.for_org(org).filter(pk=job.pk)
    created, done, resume_after = job.rows_imported, job.rows_committed, job.committed_line
    batch: list[collect.Submission] = []
    checked: list[sd.ValidatedAnswers | None] = []
    last_line = resume_after
    first_chunk = True

    def store() -> None:
        nonlocal created, first_chunk
        with transaction.atomic():
            try:
                stored = collect.record_batch(org, survey, batch, checked=checked)
            except collect.BatchRejected as exc:
                index, errors = next(iter(exc.item_errors.items()))
                path, messages = next(iter(errors.items()))
                raise InvalidInput(
                    "file",
                    _("line %(line)s: %(path)s: %(message)s; rows from line %(first)s on were not imported")
                    % {
                        "line": batch[index].meta.get("line"),
                        "path": path,
                        "message": messages[0],
                        "first": batch[0].meta.get("line"),
                    },
                ) from None
            created += sum(1 for r in stored if r.created)
            scoped.update(
                rows_committed=done,
                committed_line=last_line,
                rows_imported=created,
                heartbeat_at=timezone.now(),
            )
        if first_chunk:  # the tables have grown by a chunk: the next ones are planned on it
            dbstats.refresh()
            first_chunk = False
        batch.clear()
        checked.clear()
        collect_garbage()

    rows = _checked_rows(job, resume_after)
    if rows is None:  # no usable check file: convert and validate the rows here
        rows = _converted_rows(job, table, mapping, definition, resume_after)
    with bulk_cache():
        for line, sub, result in rows:
            batch.append(sub)
            checked.append(result)
            done += 1
            last_line = line
            if len(batch) >= COMMIT_ROWS:
                store()
            report("importing", done, stats.read)
        if batch:
            store()
        with transaction.atomic():
            scoped.update(status=ImportJob.Status.IMPORTED, rows_imported=created, finished_at=timezone.now())
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
        dbstats.refresh()
        storage.sidecar(job.file_path, SPILL).unlink(missing_ok=True)
        if pool is not None:
            pool.drain(lambda analysed, total: report("analysing", analysed, total))
    return created


def run_import(org_id: int, job_id: int, progress: Progress | None = None) -> ImportJob:
    """The task body: check every row, then (if asked and nothing was rejected) commit them.

    A job found in the middle of its commit (``resume_import`` after its process died) goes
    straight on with the commit: its check passed before the first chunk was stored."""
    org = organization(org_id)
    job = ImportJob.objects.for_org(org).select_related("survey", "survey__current_version").get(pk=job_id)
    scoped = ImportJob.objects.for_org(org).filter(pk=job.pk)
    report = _Reporter(job, progress)
    # Worker processes for a large file (without a broker; with one, Celery workers analyse the
    # comments); a small one is not worth starting them.
    remaining = (job.rows_read or job.rows_estimate or 0) - job.rows_committed
    processes = settings.OPENXM_IMPORT_WORKERS if remaining > POOL_ROWS else 0
    with bulk_gc(), worker_pool(processes) as pool:
        try:
            actor = job_actor(job)
            actor.require(Perm.RESPONSES_WRITE)
            survey = job.survey
            if survey.status == survey.Status.CLOSED:
                raise InvalidInput("survey", _("the survey is closed"))
            table = _open_table(job)
            definition = job_definition(job)
            mapping = _parsed_mapping(job, job.mapping, table)
            if job.status == ImportJob.Status.IMPORTING:
                stats = Stats(job.rows_read, job.rows_accepted, job.rows_rejected, job.rows_duplicate)
            else:
                scoped.update(status=ImportJob.Status.CHECKING, started_at=timezone.now())
                stats, rejections = check(job, table, mapping, definition, report, pool)
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
                if not (job.commit and not stats.rejected):
                    job.refresh_from_db()
                    return job
                scoped.update(status=ImportJob.Status.IMPORTING, heartbeat_at=timezone.now())
            _commit(actor, job, table, mapping, definition, stats, report, pool)
        except Exception as exc:  # the job records every failure; committed chunks stay (see resume_import)
            if not isinstance(exc, InvalidInput | ReadError):
                log.exception("import %s failed", job_id)
            message = f"{exc.field}: {exc.message}" if isinstance(exc, InvalidInput) else str(exc)
            scoped.update(status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now())
    job.refresh_from_db()
    return job
