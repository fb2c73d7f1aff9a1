"""Journey routes: journeys as documents, touchpoints (targets, blueprint lanes), operational metrics."""

from datetime import date
from typing import Any

from ninja import Body, Router, Schema
from ninja.responses import Status

from openxm.journeys import operational, services

router = Router(tags=["journeys"])


class JourneyRowOut(Schema):
    key: str
    name: str
    owner_team: str
    stage_count: int
    touchpoint_count: int


class TouchpointOut(Schema):
    key: str
    name: str
    channel: str
    owner_team: str
    description: str
    journey: str
    stage: str
    questions: list[str]
    targets: dict[str, float]
    blueprint: dict[str, list[str]]


class TouchpointIn(Schema):
    name: str | None = None
    stage: str | None = None
    channel: str | None = None
    owner_team: str | None = None
    description: str | None = None
    questions: list[str] | None = None
    targets: dict[str, float | None] | None = None
    blueprint: dict[str, list[str]] | None = None


class ImportedOut(Schema):
    key: str
    created: bool
    stages: int
    touchpoints: int


class OperationalIn(Schema):
    touchpoint: str
    metric: str
    period: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None


class OperationalBatchIn(Schema):
    rows: list[OperationalIn]


class OperationalOut(Schema):
    touchpoint: str
    metric: str
    period_start: date
    period_end: date
    value: float
    numerator: float | None
    denominator: float | None
    source: str


class StoredOut(Schema):
    stored: int


def _tp(t) -> TouchpointOut:
    return TouchpointOut(
        key=t.key,
        name=t.name,
        channel=t.channel,
        owner_team=t.owner_team,
        description=t.description,
        journey=t.journey_key,
        stage=t.stage_key,
        questions=list(t.questions),
        targets=t.targets,
        blueprint=t.blueprint,
    )


@router.get("/journeys", response=list[JourneyRowOut])
def list_journeys(request):
    return [
        JourneyRowOut(**{k: getattr(r, k) for k in JourneyRowOut.model_fields})
        for r in services.list_journeys(request.auth)
    ]


@router.get("/journeys/{key}", summary="A journey as a document (stages with their touchpoints)")
def get_journey(request, key: str) -> dict[str, Any]:
    return services.export_journey(request.auth, key)


@router.put(
    "/journeys/{key}",
    response=ImportedOut,
    summary="Create the journey or make it match the document (stages/touchpoints not listed are deleted)",
)
def put_journey(request, key: str, payload: dict[str, Any] = Body(...)):
    document = {**payload, "key": key}
    view, created = services.import_journey(request.auth, document)
    return ImportedOut(
        key=view.key, created=created, stages=len(view.stages), touchpoints=len(view.touchpoints)
    )


@router.delete("/journeys/{key}", response={204: None})
def delete_journey(request, key: str):
    services.delete_journey(request.auth, key)
    return Status(204, None)


@router.get("/touchpoints/{key}", response=TouchpointOut)
def get_touchpoint(request, key: str):
    return _tp(services.get_touchpoint(request.auth, key))


@router.patch(
    "/touchpoints/{key}", response=TouchpointOut, summary="Change a touchpoint's fields, targets or lanes"
)
def patch_touchpoint(request, key: str, payload: TouchpointIn):
    fields = payload.model_dump(exclude_unset=True)
    return _tp(services.update_touchpoint(request.auth, key, **fields))


@router.post("/operational-metrics", response=StoredOut, summary="Store O-data rows (all or nothing)")
def post_operational(request, payload: OperationalBatchIn):
    rows = [r.model_dump(exclude_none=True) for r in payload.rows]
    return StoredOut(stored=operational.record_operational(request.auth, rows, source="api"))


@router.get("/operational-metrics", response=list[OperationalOut])
def get_operational(
    request, touchpoint: str | None = None, start: date | None = None, end: date | None = None
):
    keys = [touchpoint] if touchpoint else None
    return [OperationalOut(**vars(r)) for r in operational.list_operational(request.auth, keys, start, end)]
