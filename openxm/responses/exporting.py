"""Exports: one function builds the rows and the codebook; every format writes those.

Included: the codebook of a survey export (``export_codebook``), the rows of the filtered
responses in codebook order (``iter_rows``: 2,000 responses at a time, keyset-paginated, so
memory stays flat), a synchronous export to a file (``export_to_file``, the CLI), a DataFrame
(``export_dataframe``, Python), and background export jobs with progress and a download
(``request_export`` → ``run_export`` → ``export_download``). Every export needs
``data.export`` and is audited as ``data.exported``. Without ``pii.view`` the contact's name,
e-mail and phone are blank and text answers have e-mail addresses, phone, ID and card numbers
replaced.
Each comment is followed by its text analytics (sentiment, score, topics, flags), read from
the comments app through the reader it registers here (``register_comment_reader``): that app
sits to the right of this one in the house, so it plugs in rather than being imported.
Excluded: file formats (``writers.py``) and column rules (``codebook.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.surveys import collect, door
from openxm.surveys.models import SurveyVersion

from . import storage, writers
from .browse import redact_text, scoped_responses
from .codebook import ANALYSIS_ROLES, PII_COLUMNS, Codebook, build_codebook
from .filters import ResponseFilter, parse_filters
from .importing import job_actor, job_fields
from .models import ExportJob, ResponseTag

log = logging.getLogger(__name__)
CHUNK = 2000


@dataclass(frozen=True)
class CommentFindings:
    """The text analytics of one comment, as an export shows them."""

    sentiment: str
    score: float
    topics: tuple[str, ...]
    flags: tuple[str, ...]

    def value(self, role: str) -> Any:
        if role == "score":
            return self.score
        if role in ("topics", "flags"):
            return "; ".join(getattr(self, role))
        return self.sentiment


# (scope, response ids) -> {(response id, question id): findings} for the analysed comments
# inside the scope. Registered by the comments app in its AppConfig.ready.
CommentReader = Callable[[Scope, list[int]], Mapping[tuple[int, str], CommentFindings]]
_comment_readers: list[CommentReader] = []


def register_comment_reader(reader: CommentReader) -> None:
    if reader not in _comment_readers:
        _comment_readers.append(reader)


def _comment_findings(scope: Scope, ids: list[int]) -> dict[tuple[int, str], CommentFindings]:
    found: dict[tuple[int, str], CommentFindings] = {}
    for reader in _comment_readers:
        found.update(reader(scope, ids))
    return found


@dataclass(frozen=True)
class ExportSpec:
    survey: Any
    codebook: Codebook
    queryset: Any
    include_pii: bool
    filters: ResponseFilter
    scope: Scope


def export_codebook(actor: Actor, flt: ResponseFilter) -> tuple[Any, Codebook]:
    """(survey, codebook) for an export of ``flt`` (which must name a survey)."""
    actor.require(Perm.RESPONSES_VIEW)
    if not flt.survey:
        raise InvalidInput("survey", _("choose the survey to export"))
    _qs, survey = scoped_responses(actor, flt)
    versions = SurveyVersion.objects.for_org(actor.organization).filter(survey=survey).order_by("-number")
    if flt.version is not None:
        versions = versions.filter(number=flt.version)
    definitions = [collect.version_definition(v) for v in versions]
    if not definitions:
        raise InvalidInput("survey", _("the survey has no published version"))
    return survey, build_codebook(survey.key, survey.title, definitions)


def prepare_export(actor: Actor, flt: ResponseFilter) -> ExportSpec:
    actor.require(Perm.DATA_EXPORT)
    survey, codebook = export_codebook(actor, flt)
    qs, _survey = scoped_responses(actor, flt)
    return ExportSpec(survey, codebook, qs, actor.scope.pii, flt, actor.scope)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def iter_rows(org: Organization, spec: ExportSpec, chunk_size: int = CHUNK) -> Iterator[list[list[Any]]]:
    """Row chunks in codebook order (see writers.py for the value types)."""
    codebook = spec.codebook
    names = codebook.names
    index = {name: i for i, name in enumerate(names)}
    by_question = codebook.by_question()
    analysis = [v for v in codebook.variables if v.role in ANALYSIS_ROLES]
    width = len(names)
    pii = spec.include_pii
    last = 0
    while True:
        responses = list(
            spec.queryset.filter(pk__gt=last)
            .order_by("pk")
            .select_related("survey", "version", "contact", "unit")[:chunk_size]
        )
        if not responses:
            return
        last = responses[-1].pk
        ids = [r.pk for r in responses]
        answers: dict[int, list[tuple]] = {}
        for row in (
            door.answers(spec.scope)
            .filter(response_id__in=ids)
            .order_by("pk")
            .values_list(
                "response_id",
                "question_id",
                "sub_key",
                "value_number",
                "value_text",
                "value_choice",
                "value_choices",
            )
        ):
            answers.setdefault(row[0], []).append(row[1:])
        tags: dict[int, list[str]] = {}
        for response_id, tag in (
            ResponseTag.objects.for_org(org)
            .filter(response_id__in=ids)
            .order_by("tag")
            .values_list("response_id", "tag")
        ):
            tags.setdefault(response_id, []).append(tag)
        findings = _comment_findings(spec.scope, ids) if analysis else {}
        out = []
        for r in responses:
            values: list[Any] = [None] * width
            contact = r.contact
            envelope = {
                "response_id": float(r.pk),
                "survey": r.survey.key,
                "version": float(r.version.number),
                "status": r.status,
                "channel": r.channel,
                "touchpoint": r.touchpoint,
                "language": r.language,
                "unit": r.unit.code if r.unit_id else "",
                "contact_id": contact.external_id if contact else "",
                "contact_name": contact.name if contact else "",
                "contact_email": contact.email if contact else "",
                "contact_phone": contact.phone if contact else "",
                "started_at": _utc(r.started_at),
                "completed_at": _utc(r.completed_at),
                "weight": float(r.weight),
                "tags": "; ".join(tags.get(r.pk, [])),
            }
            for variable in codebook.variables:
                if variable.role == "envelope":
                    value = envelope[variable.part]
                    if variable.part in PII_COLUMNS and not pii:
                        value = ""
                    values[index[variable.name]] = value
            for qid, sub, number, text, choice, choices in answers.get(r.pk, []):
                for variable in by_question.get(qid, ()):
                    value = _value(variable, sub, number, text, choice, choices)
                    if value is _SKIP:
                        continue
                    if isinstance(value, str) and not pii:
                        value = redact_text(value)
                    values[index[variable.name]] = value
            for variable in analysis:
                found = findings.get((r.pk, variable.question))
                if found is not None:
                    values[index[variable.name]] = found.value(variable.role)
            out.append(values)
        yield out


_SKIP = object()


def _value(variable, sub: str, number, text: str, choice: str, choices) -> Any:
    role = variable.role
    if role in ("hidden", "text"):
        return text
    if role == "number":
        return number
    if role == "code":
        return float(variable.codes[choice]) if choice in variable.codes else None
    if role == "other":
        return text or ""
    if role == "selected":
        return 1.0 if variable.part in (choices or []) else 0.0
    if role == "part":
        return number if sub == variable.part else _SKIP
    if role == "kano":
        if sub != variable.part:
            return _SKIP
        return float(variable.codes[choice]) if choice in variable.codes else None
    return _SKIP


def _record(actor: Actor, spec: ExportSpec, fmt: str, rows: int | None, job: ExportJob | None = None) -> None:
    audit.record(
        actor,
        "data.exported",
        target_type="survey",
        target_id=spec.survey.pk,
        data={
            "what": "responses",
            "survey": spec.survey.key,
            "format": fmt,
            "filters": spec.filters.to_params(),
            "rows": rows,
            "pii": spec.include_pii,
            **({"job": job.pk} if job else {}),
        },
    )


def _check_format(fmt: str, rows: int) -> None:
    if fmt not in writers.FORMATS:
        raise InvalidInput(
            "format", _("must be one of %(formats)s") % {"formats": ", ".join(writers.FORMATS)}
        )
    if fmt == "xlsx" and rows > writers.XLSX_MAX_ROWS:
        raise InvalidInput("format", _("XLSX holds at most 1,048,575 rows; export CSV or Parquet instead"))


def export_to_file(actor: Actor, flt: ResponseFilter, fmt: str, path: Path, progress=None) -> int:
    """Write the export to ``path`` now; returns the number of responses."""
    spec = prepare_export(actor, flt)
    total = spec.queryset.count()
    _check_format(fmt, total)
    _record(actor, spec, fmt, total)
    chunks = iter_rows(actor.organization, spec)
    if progress is not None:
        chunks = writers.counting(chunks, lambda done: progress(done, total))
    writers.WRITERS[fmt](_file_codebook(actor.organization, spec, fmt), chunks, Path(path))
    return total


def _file_codebook(org: Organization, spec: ExportSpec, fmt: str):
    """CSV and XLSX times are written in the organisation's zone with their offset, as the pages
    show them; the typed formats (SPSS, Parquet) keep UTC, which their labels name."""
    if fmt in writers.ZONED_FORMATS and org.time_zone:
        return spec.codebook.in_time_zone(org.time_zone)
    return spec.codebook


def export_dataframe(actor: Actor, flt: ResponseFilter | None = None, **params):
    """The filtered responses of one survey as a pandas DataFrame (``attrs["codebook"]``).

    ``export_dataframe(actor, survey="transactional-csat", **{"from": "2024-01-01"})``.
    """
    flt = flt or parse_filters(params)
    spec = prepare_export(actor, flt)
    total = spec.queryset.count()
    _record(actor, spec, "dataframe", total)
    return writers.frame(spec.codebook, iter_rows(actor.organization, spec))


# --- Background jobs --------------------------------------------------------------------------


def request_export(actor: Actor, flt: ResponseFilter, fmt: str) -> ExportJob:
    """Queue an export of the filtered responses; audited now, written by a worker."""
    from openxm.jobs import dispatch

    from .tasks import export_task

    spec = prepare_export(actor, flt)
    total = spec.queryset.count()
    _check_format(fmt, total)
    job = ExportJob.objects.for_org(actor.organization).create(
        **job_fields(actor),
        survey=spec.survey,
        format=fmt,
        filters=flt.to_params(),
        include_pii=spec.include_pii,
        rows_total=total,
    )
    _record(actor, spec, fmt, total, job)
    dispatch(export_task, actor.organization.pk, job.pk)
    job.refresh_from_db()
    return job


def run_export(org_id: int, job_id: int) -> ExportJob:
    org = Organization.objects.get(pk=org_id)
    scoped = ExportJob.objects.for_org(org).filter(pk=job_id)
    job = scoped.select_related("survey").get()
    _settle(scoped, status=ExportJob.Status.RUNNING, started_at=timezone.now())
    try:
        actor = job_actor(job)
        flt = parse_filters(job.filters)
        spec = prepare_export(actor, flt)
        spec = ExportSpec(
            spec.survey, spec.codebook, spec.queryset, job.include_pii and spec.include_pii, flt, spec.scope
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        name = f"{job.survey.key}-{stamp}.{job.format}"
        path, relative = storage.new_path("exports", org.pk, name)
        _settle(scoped, file_name=name, file_path=relative)
        chunks = writers.counting(iter_rows(org, spec), lambda done: _progress(scoped, done))
        writers.WRITERS[job.format](_file_codebook(org, spec, job.format), chunks, path)
        size = path.stat().st_size
        _settle(scoped, status=ExportJob.Status.DONE, file_size=size, finished_at=timezone.now())
    except Exception as exc:  # recorded on the job for the person waiting for it
        if not isinstance(exc, InvalidInput):
            log.exception("export %s failed", job_id)
        message = f"{exc.field}: {exc.message}" if isinstance(exc, InvalidInput) else str(exc)
        _settle(scoped, status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now())
    return scoped.get()


def _progress(scoped, done: int) -> None:
    """Rows written so far, for the page that polls the job: best effort. (SQLite can refuse a
    write for a moment while a reader holds the table — the polling page, in a shared-cache test
    database at once — and a missed count is made good by the next one.)"""
    try:
        scoped.update(rows_written=done)
    except OperationalError:
        log.info("export progress not recorded (database busy)")


def _settle(scoped, attempts: int = 6, **fields) -> None:
    """A change of the job's state (started, its file, finished), retried while the database is
    briefly locked (see ``_progress``): losing one would leave the person waiting on an export
    that never starts or is already written."""
    for attempt in range(attempts):
        try:
            scoped.update(**fields)
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25 * (attempt + 1))


def _visible_exports(actor: Actor):
    """Every export of the organization; an actor limited to a unit sees only their own (an
    export's rows follow the scope of whoever asked for it)."""
    actor.require(Perm.DATA_EXPORT)
    jobs = ExportJob.objects.for_org(actor.organization).select_related("survey")
    if actor.scope.limited:
        jobs = jobs.filter(created_by=actor.user) if actor.user else jobs.filter(api_key=actor.api_key)
    return jobs


def get_export(actor: Actor, job_id: int) -> ExportJob:
    job = _visible_exports(actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound("export", job_id)
    return job


def list_exports(actor: Actor, limit: int = 50) -> list[ExportJob]:
    return list(_visible_exports(actor)[:limit])


def export_download(actor: Actor, job_id: int) -> tuple[ExportJob, Path]:
    """The file of a finished export; one written with contact details needs ``pii.view``."""
    job = get_export(actor, job_id)
    if job.include_pii:
        actor.require(Perm.PII_VIEW)
    if job.status != ExportJob.Status.DONE:
        raise InvalidInput("export", _("the export is not ready"))
    path = storage.absolute(job.file_path)
    if not path.exists():
        raise NotFound("export file", job_id)
    return job, path
