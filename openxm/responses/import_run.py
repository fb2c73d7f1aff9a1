"""Running an import job: the check (dry run) and the chunked commit; see ``importing``.

``run_import`` is the task body (``tasks.import_task``; inline from the CLI). The check streams
every row through the mapping and ``collect.prepare`` and records the rejected ones; the commit
streams them again and stores ``COMMIT_ROWS`` at a time with ``collect.record_batch``, each
chunk one transaction that also records on the job how far it got, so a run after a failure or
``importing.resume_import`` continues after the last committed chunk.

Each row is validated once: the check writes every row it accepts, with the outcome of its
validation, to a sidecar file (``checked.pickle``, plain tuples pickled 500 rows at a time, so
memory stays flat), and the commit reads them back and hands them to ``record_batch`` as
``checked`` instead of converting and validating the file a second time. The file is used only
when the check finished and the survey's current version is still the one it validated against;
otherwise (a resumed job whose check ran before this file existed, a survey published again) the
commit converts and validates the rows itself. It is removed when the commit ends.
"""

from __future__ import annotations

import csv
import logging
import pickle
import time
from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.jobs import worker_pool
from openxm.readers import ReadError
from openxm.surveys import collect
from openxm.surveys import definition as sd
from openxm.utils.csvsafe import neutralise

from . import storage
from .importing import (
    Progress,
    _open_table,
    _parsed_mapping,
    job_actor,
    job_definition,
    organization,
    stored_keys,
    unit_codes,
)
from .mapping import ImportMapping, cell_text, convert_row
from .models import ImportJob

log = logging.getLogger(__name__)

CHUNK = 500  # rows checked against stored keys at a time
COMMIT_ROWS = 10_000  # rows stored per transaction; the job records each committed chunk
KEEP_REJECTIONS = 1000
PROGRESS_EVERY = 0.5  # seconds between progress writes


@dataclass
class _Stats:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0


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

    def __call__(self, phase: str, done: int, total: int | None, stats: _Stats | None = None, force=False):
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


def _rows(job: ImportJob, table, mapping: ImportMapping, definition, after: int = 0):
    """(line, row, Converted) for every data row after line ``after`` (rows before it are read,
    not converted)."""
    meta_base = {"source": "import", "import_job": job.pk, "file": job.file_name}
    for line, row in table.rows_with_lines():
        if line <= after:
            continue
        converted = convert_row(
            mapping, definition, row, key=_auto_key(job, line), meta={**meta_base, "line": line}
        )
        yield line, row, converted


SPILL = "checked.pickle"
_SUB = tuple(f.name for f in fields(collect.Submission))
_CONTACT = _SUB.index("contact")
_ANSWER_ROW = tuple(f.name for f in fields(sd.AnswerRow))


def _pack(line: int, sub: collect.Submission, result: sd.ValidatedAnswers | None) -> tuple:
    """A checked row as plain tuples (pickled many times faster than the dataclasses)."""
    values = [getattr(sub, name) for name in _SUB]
    contact = sub.contact
    values[_CONTACT] = (contact.external_id, contact.fields, contact.attributes) if contact else None
    if result is None:
        return line, values, None
    route = result.route
    rows = tuple(tuple(getattr(row, name) for name in _ANSWER_ROW) for row in result.rows)
    return line, values, (
        result.values, rows, (route.pages, route.shown, route.answers, route.finished, route.ending_id),
        result.dropped, result.language,
    )


def _unpack(item: tuple) -> tuple[int, collect.Submission, sd.ValidatedAnswers | None]:
    line, values, checked = item
    contact = values[_CONTACT]
    values[_CONTACT] = collect.ContactRef(*contact) if contact else None
    sub = collect.Submission(*values)
    if checked is None:
        return line, sub, None
    answers, rows, route, dropped, language = checked
    result = sd.ValidatedAnswers(
        answers, tuple(sd.AnswerRow(*row) for row in rows), (), sd.Route(*route), dropped, language
    )
    return line, sub, result


class _Spill:
    """The check's accepted rows and their validation, for the commit (see the module docstring).
    Written to a temporary name and renamed when the check ends with no rejection."""

    def __init__(self, job: ImportJob):
        self.path = storage.sidecar(job.file_path, SPILL)
        self.partial = self.path.with_suffix(".part")
        self.path.unlink(missing_ok=True)
        self.handle = open(self.partial, "wb")  # noqa: SIM115 - closed in finish()
        version = job.survey.current_version_id
        pickle.dump({"version": version}, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.items: list[tuple] = []
        self.ok = True

    def add(self, line: int, sub: collect.Submission, result: sd.ValidatedAnswers | None) -> None:
        if self.ok:
            self.items.append(_pack(line, sub, result))

    def flush(self) -> None:
        if self.ok and self.items:
            pickle.dump(self.items, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.items = []

    def finish(self, ok: bool) -> None:
        self.handle.close()
        if ok and self.ok:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)


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
                        yield _unpack(item)

    return rows()


def _check(
    job: ImportJob, table, mapping: ImportMapping, definition, report: _Reporter
) -> tuple[_Stats, _Rejections]:
    org, survey = job.organization, job.survey
    stats = _Stats()
    rejections = _Rejections(job)
    units = unit_codes(org)
    keyed = any(r.target.text == "idempotency_key" for r in mapping.rules)
    seen: dict[int, int] = {}  # hash of a given key → first line (only when a column gives keys)
    pending: list[tuple[int, dict, collect.Submission | None, list]] = []
    spill = _Spill(job)

    def flush() -> None:
        keys = [sub.idempotency_key for _l, _r, sub, _p in pending if sub is not None]
        existing = stored_keys(org, survey, keys)
        for line, row, sub, problems in pending:
            if sub is not None and sub.idempotency_key in existing:
                stats.duplicate += 1
                spill.add(line, sub, None)  # the commit finds it stored and skips it
                continue
            result = None
            if sub is not None:
                if sub.unit and sub.unit not in units:
                    column = next(r.column for r in mapping.rules if r.target.text == "unit")
                    problems.append((column, _("no unit with code %(code)s") % {"code": sub.unit}))
                try:
                    # Validated as record_batch stores it (an employee survey's row de-identified
                    # first: its hidden fields must not reach the stored answers).
                    stored_as = collect.deidentify(survey, sub)
                    version, _definition, result = collect.prepare(org, survey, stored_as)
                    sub = replace(sub, version=version.number)  # what the commit must store it on
                except (collect.InvalidAnswers, InvalidInput) as exc:
                    problems.extend(_collect_problems(mapping, row, exc))
            if problems:
                stats.rejected += 1
                rejections.add(line, problems)
                spill.ok = False
            else:
                stats.accepted += 1
                spill.add(line, sub, result)
        pending.clear()
        spill.flush()

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
        spill.finish(ok=not stats.rejected)
    report("checking", stats.read, stats.read, stats, force=True)
    return stats, rejections


def _converted_rows(job: ImportJob, table, mapping: ImportMapping, definition, after: int):
    """(line, Submission, None) of the file after line ``after``, converted again (validated by
    ``record_batch``)."""
    for line, _row, converted in _rows(job, table, mapping, definition, after=after):
        if converted.submission is None or converted.problems:  # the file changed since the check
            raise InvalidInput("file", _("the file changed after it was checked; nothing more was imported"))
        yield line, converted.submission, None


def _commit(
    actor: Actor, job: ImportJob, table, mapping: ImportMapping, definition, stats: _Stats, report: _Reporter
) -> int:
    """Store the rows after ``job.committed_line`` in chunks of ``COMMIT_ROWS``, each chunk one
    transaction that also moves the job's committed counts; returns the responses created."""
    org, survey = job.organization, job.survey
    scoped = ImportJob.objects.for_org(org).filter(pk=job.pk)
    created, done, resume_after = job.rows_imported, job.rows_committed, job.committed_line
    batch: list[collect.Submission] = []
    checked: list[sd.ValidatedAnswers | None] = []
    last_line = resume_after

    def store() -> None:
        nonlocal created
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
        batch.clear()
        checked.clear()

    rows = _checked_rows(job, resume_after)
    if rows is None:  # no usable check file: convert and validate the rows here
        rows = _converted_rows(job, table, mapping, definition, resume_after)
    # Comments of each committed chunk are analysed in worker processes while the next chunk is
    # stored (without a broker; with one, Celery workers do it). Small files are not worth it.
    processes = settings.OPENXM_IMPORT_WORKERS if stats.read - done > COMMIT_ROWS else 0
    with worker_pool(processes) as pool:
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
            stats = _Stats(job.rows_read, job.rows_accepted, job.rows_rejected, job.rows_duplicate)
        else:
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
            if not (job.commit and not stats.rejected):
                job.refresh_from_db()
                return job
            scoped.update(status=ImportJob.Status.IMPORTING, heartbeat_at=timezone.now())
        _commit(actor, job, table, mapping, definition, stats, report)
    except Exception as exc:  # the job records every failure; committed chunks stay (see resume_import)
        if not isinstance(exc, InvalidInput | ReadError):
            log.exception("import %s failed", job_id)
        message = f"{exc.field}: {exc.message}" if isinstance(exc, InvalidInput) else str(exc)
        scoped.update(status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now())
    job.refresh_from_db()
    return job
