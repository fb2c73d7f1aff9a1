"""Survey routes: definitions and versions (design), and response ingestion (collection)."""

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Body, Field, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel

from openxm.surveys import collect, services

from .errors import ErrorOut

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    key: str
    title: str
    status: str
    audience: str
    touchpoint: str
    version: int | None
    updated_at: datetime


class IssueOut(Schema):
    path: str
    code: str
    message: str


class ValidationOut(Schema):
    valid: bool
    issues: list[IssueOut]


class DefinitionErrorOut(ErrorOut):
    """A 422 for a definition: the one error shape plus every issue found."""

    valid: bool = False
    issues: list[IssueOut] = []


def _invalid(issues) -> DefinitionErrorOut:
    listed = _issues(issues)
    first = listed[0] if listed else None
    return DefinitionErrorOut(
        detail=first.message if first else "invalid definition",
        field=first.path if first else "definition",
        issues=listed,
    )


class DefinitionIn(Schema):
    definition: dict[str, Any] | None = None
    template: str | None = Field(None, description="create from a template of the library instead")
    key: str | None = None


class VersionOut(Schema):
    number: int
    published_at: datetime


def _out(row) -> SurveyOut:
    return SurveyOut(**vars(row))


def _issues(issues) -> list[IssueOut]:
    lang = services.ui_language()
    return [IssueOut(path=i.path, code=i.code, message=i.render(lang).split(": ", 1)[-1]) for i in issues]


@router.get("/surveys", response=list[SurveyOut])
def list_surveys(request):
    return [_out(r) for r in services.list_surveys(request.auth)]


@router.get("/survey-templates", response=list[dict])
def list_templates(request):
    return services.list_templates()


@router.post("/surveys/validate", response=ValidationOut, summary="Check a definition without storing it")
def validate(request, payload: dict[str, Any] = Body(...)):
    issues = services.validate_document(payload)
    return ValidationOut(valid=not issues, issues=_issues(issues))


@router.post("/surveys", response={201: SurveyOut, 422: DefinitionErrorOut})
def create_survey(request, payload: DefinitionIn):
    try:
        if payload.template:
            survey = services.create_from_template(request.auth, payload.template, payload.key)
        else:
            survey = services.create_survey(request.auth, payload.definition or {}, key=payload.key)
    except services.InvalidDefinition as exc:
        return Status(422, _invalid(exc.issues))
    return Status(201, _out(services._row(survey)))


@router.get("/surveys/{ref}", response=SurveyOut)
def get_survey(request, ref: str):
    return _out(services._row(services.get_survey(request.auth, ref)))


@router.get("/surveys/{ref}/definition", summary="The current version's definition (or ?version=N, ?draft=1)")
def get_definition(request, ref: str, version: int | None = None, draft: bool = False, format: str = "json"):
    text = services.export_survey(request.auth, ref, format, number=version, draft=draft)
    ctype = "application/json" if format == "json" else "application/yaml"
    return HttpResponse(text, content_type=f"{ctype}; charset=utf-8")


@router.put("/surveys/{ref}/draft", response={200: SurveyOut, 422: DefinitionErrorOut})
def save_draft(request, ref: str, payload: dict[str, Any] = Body(...)):
    survey = services.save_draft(request.auth, ref, payload)
    return _out(services._row(survey))


@router.post("/surveys/{ref}/publish", response={200: VersionOut, 422: DefinitionErrorOut})
def publish(request, ref: str):
    try:
        version = services.publish_survey(request.auth, ref)
    except services.InvalidDefinition as exc:
        return Status(422, _invalid(exc.issues))
    return VersionOut(number=version.number, published_at=version.published_at)


@router.post("/surveys/{ref}/close", response=SurveyOut)
def close(request, ref: str):
    return _out(services._row(services.set_status(request.auth, ref, "closed")))


@router.post("/surveys/{ref}/reopen", response=SurveyOut)
def reopen(request, ref: str):
    return _out(services._row(services.set_status(request.auth, ref, "active")))


@router.get("/surveys/{ref}/versions", response=list[VersionOut])
def versions(request, ref: str):
    return [
        VersionOut(number=v.number, published_at=v.published_at)
        for v in services.list_versions(request.auth, ref)
    ]


# --- Collection ---------------------------------------------------------------------------


# The request bodies of the collection API are plain pydantic models, not ninja ``Schema``s: a
# Schema wraps every object it validates in a getter meant for reading ORM rows, which made
# parsing a batch of 100 responses about 9 times slower (benchmarks/README.md, issue 20).


class ContactIn(BaseModel):
    id: str = Field(..., description="the contact's id in your systems")
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    kind: str | None = None
    attributes: dict[str, Any] = {}


class ResponseIn(BaseModel):
    answers: dict[str, Any]
    idempotency_key: str = Field("", description="client-chosen; a repeat returns the stored response")
    channel: str = "api"
    touchpoint: str = ""
    language: str | None = None
    contact: ContactIn | None = None
    hidden: dict[str, Any] = {}
    unit: str = ""
    started_at: datetime | None = None
    completed_at: datetime | None = None
    weight: float = 1.0
    version: int | None = None


class BatchIn(BaseModel):
    responses: list[ResponseIn]


class RecordedOut(Schema):
    id: int
    idempotency_key: str
    created: bool


class ResponsesOut(Schema):
    responses: list[RecordedOut]


def _submission(item: ResponseIn) -> collect.Submission:
    contact = None
    if item.contact is not None:
        fields = {k: getattr(item.contact, k) for k in ("name", "email", "phone", "language", "kind")}
        contact = collect.ContactRef(item.contact.id, fields, item.contact.attributes)
    return collect.Submission(
        answers=item.answers,
        idempotency_key=item.idempotency_key,
        channel=item.channel,
        touchpoint=item.touchpoint,
        language=item.language,
        contact=contact,
        hidden=item.hidden,
        unit=item.unit,
        started_at=item.started_at,
        completed_at=item.completed_at,
        weight=item.weight,
        version=item.version,
    )


@router.post(
    "/surveys/{ref}/responses",
    response={200: ResponsesOut, 201: ResponsesOut, 422: ErrorOut},
    summary="Submit one response or a batch (all or nothing); 200 when every item was a repeat",
)
def submit_responses(request, ref: str, payload: ResponseIn | BatchIn):
    actor = request.auth
    survey = collect.survey_for_submissions(actor, ref)
    items = payload.responses if isinstance(payload, BatchIn) else [payload]
    try:
        if isinstance(payload, BatchIn):
            recorded = collect.record_batch(actor.organization, survey, [_submission(i) for i in items])
        else:
            recorded = [collect.record_response(actor.organization, survey, _submission(payload))]
    except collect.BatchRejected as exc:
        return Status(
            422, ErrorOut(detail=exc.message, errors={str(i): e for i, e in exc.item_errors.items()})
        )
    except collect.InvalidAnswers as exc:
        return Status(422, ErrorOut(detail=exc.message, errors={"0": exc.errors}))
    out = ResponsesOut(
        responses=[
            RecordedOut(id=r.response.id, idempotency_key=r.response.idempotency_key, created=r.created)
            for r in recorded
        ]
    )
    return Status(201 if any(r.created for r in recorded) else 200, out)
