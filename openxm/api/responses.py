"""Response routes: browse, open, delete, anonymise, tag; imports with a mapping; exports.

Filters are query parameters (``survey``, ``version``, ``from``, ``to``, ``touchpoint``,
``channel``, ``language``, ``tag``, ``q``, ``contact.<attribute>``, repeated ``answer=
question:op:value``), the same as the response browser's URL; see docs/import-export.md.
"""

from datetime import datetime
from typing import Any

from django.http import FileResponse
from ninja import Body, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from openxm.responses import actions, browse, exporting, importing
from openxm.responses.filters import parse_filters
from openxm.responses.writers import CONTENT_TYPES

from .contract import query_parameters

router = Router(tags=["responses"])

_FILTER_DOC = (
    "Filters: survey, version, from, to (YYYY-MM-DD), touchpoint, channel, language, unit (with its "
    "sub-units; 404 outside the caller's unit scope), tag, q, "
    "contact.<attribute>=value, answer=question[.part]:op:value (repeatable; op: eq ne lt lte gt gte "
    "contains answered)."
)

# The filters above as OpenAPI query parameters (contact.<attribute> cannot be listed by name).
_FILTER_PARAMETERS = {
    "parameters": query_parameters(
        [
            ("survey", "survey key or id"),
            ("version", "survey version number"),
            ("from", "first day, YYYY-MM-DD"),
            ("to", "last day, YYYY-MM-DD"),
            ("touchpoint", "touchpoint key"),
            ("channel", "channel"),
            ("language", "response language"),
            ("unit", "unit code, with its sub-units (404 outside the caller's unit scope)"),
            ("tag", "tag"),
            ("q", "text search"),
            ("ids", "response ids separated by commas"),
            ("answer*", "question[.part]:op:value; op: eq ne lt lte gt gte contains answered"),
        ]
    )
}


class ResponseRowOut(Schema):
    id: int
    survey: str
    version: int
    completed_at: datetime | None
    channel: str
    touchpoint: str
    language: str
    contact: str
    summary: str
    comment: str
    tags: list[str]


class ResponsePageOut(Schema):
    total: int
    page: int
    pages: int
    responses: list[ResponseRowOut]


class AnswerOut(Schema):
    question: str
    label: str
    value: str
    parts: list[list[str]]


class ResponseOut(Schema):
    id: int
    survey: str
    version: int
    status: str
    channel: str
    touchpoint: str
    language: str
    started_at: datetime | None
    completed_at: datetime | None
    contact: dict[str, Any] | None
    answers: dict[str, Any]
    answers_shown: list[AnswerOut]
    hidden: dict[str, Any]
    path: list[str]
    device: dict[str, Any]
    invitation: Any = None
    source: dict[str, Any]
    tags: list[str]
    anonymised: bool


class TagIn(Schema):
    add: list[str] = []
    remove: list[str] = []
    ids: list[int] = []
    filters: dict[str, Any] = {}


class CountOut(Schema):
    count: int


class ExportIn(Schema):
    survey: str
    format: str = "csv"
    filters: dict[str, Any] = {}


class ExportOut(Schema):
    id: int
    survey: str
    format: str
    status: str
    rows_total: int
    rows_written: int
    file_name: str
    file_size: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None


class ImportOut(Schema):
    id: int
    survey: str
    mode: str
    status: str
    file_name: str
    format: str
    encoding: str
    delimiter: str
    sheet: str
    columns: list[str]
    sample: list[list[str]]
    mapping: dict[str, Any]
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_duplicate: int
    rows_imported: int
    progress_done: int
    progress_total: int | None
    rejections: list[dict[str, Any]]
    notes: list[str]
    error: str


def _export_out(job) -> ExportOut:
    done = job.status == job.Status.DONE
    return ExportOut(
        id=job.pk,
        survey=job.survey.key,
        format=job.format,
        status=job.status,
        rows_total=job.rows_total,
        rows_written=job.rows_written,
        file_name=job.file_name,
        file_size=job.file_size,
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
        download_url=f"/api/v1/responses/exports/{job.pk}/download" if done else None,
    )


def _import_out(job) -> ImportOut:
    progress = importing.job_progress(job)
    return ImportOut(
        id=job.pk,
        survey=job.survey.key,
        mode=job.mode,
        status=job.status,
        file_name=job.file_name,
        format=job.format,
        encoding=job.encoding,
        delimiter=job.delimiter,
        sheet=job.sheet,
        columns=job.columns,
        sample=job.sample,
        mapping=job.mapping,
        rows_read=job.rows_read,
        rows_accepted=job.rows_accepted,
        rows_rejected=job.rows_rejected,
        rows_duplicate=job.rows_duplicate,
        rows_imported=job.rows_imported,
        progress_done=progress.done,
        progress_total=progress.total,
        rejections=job.rejections,
        notes=job.notes,
        error=job.error,
    )


# --- Browse -----------------------------------------------------------------------------------


@router.get(
    "/responses",
    response=ResponsePageOut,
    summary="Responses, newest first (a bulk read: needs data.export)",
    description=_FILTER_DOC,
    openapi_extra=_FILTER_PARAMETERS,
)
def list_responses(request, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=500)):
    result = browse.list_responses(
        request.auth, parse_filters(request.GET), page, min(max(per_page, 1), 500), bulk=True
    )
    return ResponsePageOut(
        total=result.total,
        page=result.page,
        pages=result.pages,
        responses=[
            ResponseRowOut(
                id=r.id,
                survey=r.survey_key,
                version=r.version,
                completed_at=r.completed_at,
                channel=r.channel,
                touchpoint=r.touchpoint,
                language=r.language,
                contact=r.contact,
                summary=r.summary,
                comment=r.comment,
                tags=list(r.tags),
            )
            for r in result.rows
        ],
    )


@router.get(
    "/responses/codebook",
    summary="The columns of an export with their labels",
    description=_FILTER_DOC,
    openapi_extra=_FILTER_PARAMETERS,
)
def codebook(request):
    _survey, book = exporting.export_codebook(request.auth, parse_filters(request.GET))
    return book.to_dict()


@router.post(
    "/responses/tags", response=CountOut, summary="Add or remove tags on selected or filtered responses"
)
def tag(request, payload: TagIn):
    params = dict(payload.filters)
    if payload.ids:
        params["ids"] = ",".join(str(i) for i in payload.ids)
    count = browse.tag_responses(request.auth, parse_filters(params), payload.add, payload.remove)
    return CountOut(count=count)


@router.get(
    "/responses/{int:response_id}", response=ResponseOut, summary="One response with its full context"
)
def get_response(request, response_id: int):
    d = browse.response_detail(request.auth, response_id)
    r = d.response
    return ResponseOut(
        id=r.pk,
        survey=r.survey.key,
        version=d.version,
        status=r.status,
        channel=r.channel,
        touchpoint=r.touchpoint,
        language=r.language,
        started_at=r.started_at,
        completed_at=r.completed_at,
        contact=d.contact,
        answers=d.values,
        answers_shown=[
            AnswerOut(question=a.question, label=a.label, value=a.value, parts=[list(p) for p in a.parts])
            for a in d.answers
        ],
        hidden=d.hidden,
        path=d.path,
        device=d.device,
        invitation=d.invitation,
        source=d.source,
        tags=d.tags,
        anonymised=d.anonymised,
    )


@router.delete("/responses/{int:response_id}", response={204: None}, summary="Delete a response (audited)")
def delete_response(request, response_id: int):
    actions.delete_response(request.auth, response_id)
    return Status(204, None)


@router.post(
    "/responses/{int:response_id}/anonymise",
    response=CountOut,
    summary="Remove what identifies the respondent (audited)",
)
def anonymise_response(request, response_id: int):
    actions.anonymise_response(request.auth, response_id)
    return CountOut(count=1)


# --- Exports ----------------------------------------------------------------------------------


@router.post(
    "/responses/exports",
    response={202: ExportOut},
    summary="Start an export (csv, xlsx, sav, parquet) in the background",
)
def start_export(request, payload: ExportIn):
    job = exporting.request_export(
        request.auth, parse_filters({**payload.filters, "survey": payload.survey}), payload.format
    )
    return Status(202, _export_out(job))


@router.get("/responses/exports", response=list[ExportOut])
def list_exports(request):
    return [_export_out(j) for j in exporting.list_exports(request.auth)]


@router.get("/responses/exports/{int:job_id}", response=ExportOut, summary="An export's progress")
def get_export(request, job_id: int):
    return _export_out(exporting.get_export(request.auth, job_id))


@router.get("/responses/exports/{int:job_id}/download", summary="The exported file")
def download_export(request, job_id: int):
    job, path = exporting.export_download(request.auth, job_id)
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES[job.format],
    )


# --- Imports ----------------------------------------------------------------------------------


@router.post(
    "/responses/imports",
    response={201: ImportOut},
    summary="Upload a CSV/XLSX file; answers with its columns and a suggested mapping",
)
def start_import(
    request,
    file: UploadedFile = File(...),
    survey: str = Form(""),
    mode: str = Form("responses"),
    encoding: str = Form(""),
    delimiter: str = Form(""),
    sheet: str = Form(""),
):
    job = importing.start_import(
        request.auth,
        file,
        file.name or "upload",
        survey=survey or None,
        mode=mode,
        encoding=encoding or None,
        delimiter=delimiter or None,
        sheet=sheet or None,
    )
    return Status(201, _import_out(job))


@router.get("/responses/imports", response=list[ImportOut], summary="The import log")
def list_imports(request):
    return [_import_out(j) for j in importing.list_jobs(request.auth)]


@router.get(
    "/responses/imports/{int:job_id}", response=ImportOut, summary="An import with its progress and report"
)
def get_import(request, job_id: int):
    return _import_out(importing.get_job(request.auth, job_id))


@router.put(
    "/responses/imports/{int:job_id}/mapping", response=ImportOut, summary="Set the column and value mapping"
)
def set_mapping(request, job_id: int, mapping: dict[str, Any] = Body(...)):
    return _import_out(importing.save_mapping(request.auth, job_id, mapping))


@router.post(
    "/responses/imports/{int:job_id}/check",
    response={202: ImportOut},
    summary="Dry run: check every row and report the ones that would be rejected",
)
def check_import(request, job_id: int):
    return Status(202, _import_out(importing.request_run(request.auth, job_id, commit=False)))


@router.post(
    "/responses/imports/{int:job_id}/commit",
    response={202: ImportOut},
    summary="Check every row, then store them all in one transaction (or none)",
)
def commit_import(request, job_id: int):
    return Status(202, _import_out(importing.request_run(request.auth, job_id, commit=True)))
