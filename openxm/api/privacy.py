"""Data-subject request routes: find what is held about a person, export it, erase it, and the
request log with its archives. All need ``privacy.manage`` for the whole organization (erasure
also ``data.delete``); they call ``openxm.privacy.services`` and nothing else."""

from datetime import datetime

from django.http import FileResponse
from ninja import Router, Schema
from ninja.responses import Status

from openxm.privacy import services

router = Router(tags=["privacy"])


class SubjectIn(Schema):
    email: str = ""
    phone: str = ""
    wechat: str = ""
    contact: str = ""


class EraseIn(SubjectIn):
    mode: str = "erase"


class FoundOut(Schema):
    total: int
    counts: dict[str, int]


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    subject: dict[str, str]
    received_at: datetime
    due_at: datetime
    completed_at: datetime | None
    counts: dict[str, int]
    archive_url: str | None


def _out(r) -> RequestOut:
    return RequestOut(
        id=r.pk,
        kind=r.kind,
        status=r.status,
        subject=r.subject,
        received_at=r.received_at,
        due_at=r.due_at,
        completed_at=r.completed_at,
        counts=r.counts,
        archive_url=f"/api/v1/privacy/requests/{r.pk}/archive" if r.archive_path else None,
    )


@router.post("/privacy/find", response=FoundOut, summary="What is held about a person (rows per model)")
def find(request, payload: SubjectIn):
    preview = services.find_subject(request.auth, **payload.dict())
    return FoundOut(total=preview.total, counts=preview.counts)


@router.post("/privacy/export", response={201: RequestOut}, summary="Export everything about a person")
def export(request, payload: SubjectIn):
    return Status(201, _out(services.export_request(request.auth, **payload.dict())))


@router.post(
    "/privacy/erase", response={201: RequestOut}, summary="Erase or anonymise everything about a person"
)
def erase(request, payload: EraseIn):
    data = payload.dict()
    mode = data.pop("mode")
    return Status(201, _out(services.erase_request(request.auth, mode=mode, **data)))


@router.get("/privacy/requests", response=list[RequestOut], summary="The data-subject request log")
def requests(request):
    return [_out(r) for r in services.list_requests(request.auth)]


@router.get("/privacy/requests/{int:request_id}/archive", summary="A request's export archive (zip)")
def archive(request, request_id: int):
    path = services.archive_file(request.auth, request_id)
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )
