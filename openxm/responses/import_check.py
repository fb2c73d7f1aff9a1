"""The check of an import (its dry run): every row converted with the mapping and validated as
the commit will store it; the rejected rows reported, the accepted ones written for the commit.

The file is read in parts of ``PART`` rows. ``check_part`` converts and validates a part: in
this process, or, for a large file, in the job's worker processes (``jobs.worker_pool``), so
that with two cores this process and a worker each check every other part while this process
also reads the file. What needs the whole file or the database's state is decided here, as the
finished parts are merged in file order: a key repeated within the file, a key the survey has
stored already (rows imported before: counted as duplicates, skipped by the commit), the counts,
the rejections report, and the file of validated rows the commit reads (``checked.pickle``,
plain tuples pickled a part at a time, so memory stays flat; see ``import_run``).

Each row is validated exactly as ``collect.record_batch`` stores it (an employee survey's row
de-identified first: its hidden fields must not reach the stored answers).
"""

from __future__ import annotations

import csv
import pickle
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, fields, replace

from django.utils import translation
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.jobs import collect_garbage
from openxm.readers import ReadError
from openxm.surveys import collect
from openxm.surveys import definition as sd
from openxm.utils.csvsafe import neutralise

from . import storage
from .importing import stored_keys, unit_codes
from .mapping import ImportMapping, cell_text, convert_row
from .models import ImportJob

PART = 2_000  # rows converted and validated at a time (one worker call; one stored-keys query)
KEEP_REJECTIONS = 1000
SPILL = "checked.pickle"
GARBAGE_ROWS = 50_000  # rows merged between two collections of the check's cyclic garbage
# Parts in flight beyond the workers' own: enough to keep them busy, few enough to keep memory flat.
AHEAD = 4


@dataclass
class Stats:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0


class Rejections:
    """The rejected rows: all of them in ``rejections.csv`` beside the upload, the first
    ``KEEP_REJECTIONS`` problems on the job row."""

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


def auto_key(job: ImportJob, line: int) -> str:
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


# --- Checked rows as plain tuples -------------------------------------------------------------

_SUB = tuple(f.name for f in fields(collect.Submission))
_CONTACT = _SUB.index("contact")
_KEY = _SUB.index("idempotency_key")
_ANSWER_ROW = tuple(f.name for f in fields(sd.AnswerRow))


def pack(sub: collect.Submission, result: sd.ValidatedAnswers | None) -> tuple[list, tuple | None]:
    """A checked row as plain values (pickled many times faster than the dataclasses)."""
    values = [getattr(sub, name) for name in _SUB]
    contact = sub.contact
    values[_CONTACT] = (contact.external_id, contact.fields, contact.attributes) if contact else None
    if result is None:
        return values, None
    route = result.route
    rows = tuple(tuple(getattr(row, name) for name in _ANSWER_ROW) for row in result.rows)
    return values, (
        result.values, rows, (route.pages, route.shown, route.answers, route.finished, route.ending_id),
        result.dropped, result.language,
    )


def unpack(item: tuple) -> tuple[int, collect.Submission, sd.ValidatedAnswers | None]:
    """(line, Submission, ValidatedAnswers | None) of a ``(line, values, checked)`` item."""
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


class Spill:
    """The check's accepted rows and their validation, for the commit. Written to a temporary
    name and renamed when the check ends with no rejection."""

    def __init__(self, job: ImportJob):
        self.path = storage.sidecar(job.file_path, SPILL)
        self.partial = self.path.with_suffix(".part")
        self.path.unlink(missing_ok=True)
        self.handle = open(self.partial, "wb")  # noqa: SIM115 - closed in finish()
        version = job.survey.current_version_id
        pickle.dump({"version": version}, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.items: list[tuple] = []
        self.ok = True

    def add(self, line: int, values: list, checked: tuple | None) -> None:
        if self.ok:
            self.items.append((line, values, checked))

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


# --- Checking a part --------------------------------------------------------------------------


@dataclass
class _Context:
    job: ImportJob
    mapping: ImportMapping
    definition: object
    units: set[str]


def _check_rows(ctx: _Context, part: list[tuple[int, dict]]) -> list[tuple]:
    """Per row of the part: (line, values, checked, problems, later). ``values``/``checked``:
    the packed submission and validation (None: the row could not be converted, or did not
    validate); ``problems``: the conversion's; ``later``: the unit's and the validation's, which
    count only when the row's key is not a repeat or stored already (decided in the merge)."""
    job = ctx.job
    org, survey = job.organization, job.survey
    meta_base = {"source": "import", "import_job": job.pk, "file": job.file_name}
    unit_column = next((r.column for r in ctx.mapping.rules if r.target.text == "unit"), "unit")
    out = []
    for line, row in part:
        converted = convert_row(
            ctx.mapping, ctx.definition, row, key=auto_key(job, line), meta={**meta_base, "line": line}
        )
        sub, problems = converted.submission, list(converted.problems)
        if sub is None:
            out.append((line, None, None, problems, []))
            continue
        later: list[tuple[str, str]] = []
        if sub.unit and sub.unit not in ctx.units:
            later.append((unit_column, _("no unit with code %(code)s") % {"code": sub.unit}))
        result = None
        try:
            version, _definition, result = collect.prepare(org, survey, collect.deidentify(survey, sub))
            sub = replace(sub, version=version.number)  # what the commit must store it on
        except (collect.InvalidAnswers, InvalidInput) as exc:
            later.extend(_collect_problems(ctx.mapping, row, exc))
        values, checked = pack(sub, result)
        out.append((line, values, checked, problems, later))
    return out


def check_part(ctx: _Context, language: str, part: list[tuple[int, dict]]) -> list[tuple]:
    """``_check_rows`` in a worker process (``jobs.worker_pool``). The context comes with the
    call (the job with its organization, survey and version; the mapping; the unit codes; not
    the loaded definition, which ``collect.version_definition`` keeps per process), so the
    worker reads nothing from the database: the rows the job sees may not be committed yet."""
    definition = collect.version_definition(ctx.job.survey.current_version)
    with translation.override(language):
        return _check_rows(replace(ctx, definition=definition), part)


# --- The check --------------------------------------------------------------------------------


def _parts(table):
    """The data rows as parts of ``PART`` (line, row) pairs; a ``ReadError`` comes after the
    part of the rows read before it."""
    part: list[tuple[int, dict]] = []
    try:
        for line, row in table.rows_with_lines():
            part.append((line, row))
            if len(part) >= PART:
                yield part
                part = []
    except ReadError:
        if part:
            yield part
        raise
    if part:
        yield part


def check(
    job: ImportJob, table, mapping: ImportMapping, definition, report, pool=None
) -> tuple[Stats, Rejections]:
    """Check every row of ``table``; ``pool`` (a ``jobs.WorkerPool`` or None) checks parts in
    its processes. Returns the counts and the rejections (closed)."""
    org, survey = job.organization, job.survey
    stats = Stats()
    rejections = Rejections(job)
    spill = Spill(job)
    ctx = _Context(job, mapping, definition, unit_codes(org))
    shipped = replace(ctx, definition=None)  # what a worker gets (see check_part)
    keyed = any(r.target.text == "idempotency_key" for r in mapping.rules)
    seen: dict[int, int] = {}  # hash of a given key → first line (only when a column gives keys)
    language = translation.get_language()
    queue: deque[Future | list] = deque()

    def merge(results: list[tuple]) -> None:
        items = []
        for line, values, checked, problems, later in results:
            stats.read += 1
            if values is not None and keyed:
                first = seen.setdefault(hash(values[_KEY]), line)
                if first != line:
                    problems.append(("idempotency_key", _("repeats the key of line %(n)s") % {"n": first}))
                    values = None
            items.append((line, values, checked, problems, later))
        keys = [values[_KEY] for _line, values, *_rest in items if values is not None]
        existing = stored_keys(org, survey, keys)
        for line, values, checked, problems, later in items:
            if values is not None and values[_KEY] in existing:
                stats.duplicate += 1
                spill.add(line, values, None)  # the commit finds it stored and skips it
                continue
            if values is not None:
                problems.extend(later)
            if problems:
                stats.rejected += 1
                rejections.add(line, problems)
                spill.ok = False
            else:
                stats.accepted += 1
                spill.add(line, values, checked)
        spill.flush()
        report("checking", stats.read, job.rows_estimate, stats)
        if stats.read % GARBAGE_ROWS < len(results):
            collect_garbage()  # within jobs.bulk_gc the collector runs only when asked

    def settle(block: bool) -> None:
        """Merge the finished parts at the head of the queue (all of them when ``block``)."""
        while queue:
            head = queue[0]
            if isinstance(head, Future):
                if not (block or head.done()):
                    return
                head = head.result()
            queue.popleft()
            merge(head)

    def add(part: list[tuple[int, dict]]) -> None:
        busy = sum(1 for item in queue if isinstance(item, Future) and not item.done())
        if pool is not None and busy < pool.processes:
            queue.append(pool.call(f"{__name__}.check_part", shipped, language, part))
        else:
            queue.append(_check_rows(ctx, part))
        settle(block=False)
        while len(queue) > AHEAD + (pool.processes if pool is not None else 0):
            head = queue.popleft()
            merge(head.result() if isinstance(head, Future) else head)

    try:
        try:
            for part in _parts(table):
                add(part)
        except ReadError as exc:
            settle(block=True)
            stats.rejected += 1
            problem = _("the file cannot be read further: %(problem)s") % {"problem": exc.problem_in(_)}
            rejections.add(exc.line or 0, [("file", problem)])
        settle(block=True)
    finally:
        rejections.close()
        spill.finish(ok=not stats.rejected)
    report("checking", stats.read, stats.read, stats, force=True)
    return stats, rejections
