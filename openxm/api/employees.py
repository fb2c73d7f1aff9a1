"""Employee experience routes: suppressed results (breakdown, trend, comments, CSV export) of
employee surveys, and the anonymity thresholds.

Every figure comes from ``openxm.employees.services``, which releases only cells of one
suppression plan per survey wave (docs/employee-experience.md). Results need
``dashboards.view`` (the export ``data.export``); thresholds are read by anyone with
``dashboards.view`` and changed by owners only.
"""

from django.http import HttpResponse
from ninja import Router, Schema

from openxm.accounts.roles import Perm
from openxm.employees import matrix as internal
from openxm.employees import services, thresholds

router = Router(tags=["employees"])


class FigureOut(Schema):
    label: str
    unit: str
    band: str
    n: int | None
    enps: float | None
    ci_low: float | None
    ci_high: float | None
    promoters: float | None
    passives: float | None
    detractors: float | None
    engagement: float | None
    suppressed: str


class BreakdownOut(Schema):
    survey: str
    wave: str
    waves: list[str]
    min_group: int
    min_comments: int
    by: str
    total: FigureOut | None
    rows: list[FigureOut]


class TrendOut(Schema):
    wave: str
    figure: FigureOut


class CommentsOut(Schema):
    min_comments: int
    suppressed: bool
    comments: list[str]


class MatrixCellOut(Schema):
    provider: str
    requester: str
    n: int | None
    top2: float | None
    ci_low: float | None
    ci_high: float | None
    mean: float | None
    suppressed: str


class MatrixOut(Schema):
    survey: str
    wave: str
    waves: list[str]
    min_group: int
    providers: list[str]
    requesters: list[str]
    cells: list[MatrixCellOut]


class ThresholdsOut(Schema):
    min_group: int
    min_comments: int
    survey: str = ""


class ThresholdsIn(Schema):
    min_group: int
    min_comments: int
    survey: str = ""


def _figure(f) -> FigureOut:
    return FigureOut(**{k: getattr(f, k) for k in FigureOut.model_fields})


@router.get(
    "/employees/surveys/{survey}/results",
    response=BreakdownOut,
    summary="A unit's eNPS and engagement with its child units or the bands of one attribute, suppressed",
)
def results(request, survey: str, wave: str = "", unit: str = "", by: str = ""):
    b = services.breakdown(request.auth, survey, wave=wave, unit=unit, by=by)
    return BreakdownOut(
        survey=b.survey, wave=b.wave, waves=b.waves, min_group=b.min_group, min_comments=b.min_comments,
        by=b.by, total=_figure(b.total) if b.total else None, rows=[_figure(f) for f in b.rows],
    )


@router.get("/employees/surveys/{survey}/trend", response=list[TrendOut], summary="A unit over every wave")
def trend(request, survey: str, unit: str = ""):
    return [TrendOut(wave=w, figure=_figure(f)) for w, f in services.trend(request.auth, survey, unit=unit)]


@router.get(
    "/employees/surveys/{survey}/comments",
    response=CommentsOut,
    summary="A unit's comments of one wave, only above the comment threshold",
)
def comments(request, survey: str, wave: str = "", unit: str = ""):
    minimum, found = services.comments(request.auth, survey, wave=wave, unit=unit)
    return CommentsOut(min_comments=minimum, suppressed=found is None, comments=found or [])


@router.get("/employees/surveys/{survey}/export", summary="Every released figure as CSV")
def export(request, survey: str):
    response = HttpResponse(services.export_csv(request.auth, survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="employee-results-{survey}.csv"'
    return response


@router.get(
    "/employees/surveys/{survey}/matrix",
    response=MatrixOut,
    summary="Internal-customer matrix: provider x requester CSAT with n and interval, suppressed per cell",
)
def matrix(request, survey: str, wave: str = ""):
    m = internal.matrix(request.auth, survey, wave=wave)
    return MatrixOut(
        survey=m.survey, wave=m.wave, waves=m.waves, min_group=m.min_group, providers=m.providers,
        requesters=m.requesters, cells=[MatrixCellOut(**vars(c)) for c in m.cells.values()],
    )


@router.get("/employees/thresholds", response=list[ThresholdsOut], summary="Anonymity thresholds")
def get_thresholds(request):
    request.auth.require(Perm.DASHBOARDS_VIEW)
    return [ThresholdsOut(**vars(t)) for t in thresholds.current(request.auth.organization)]


@router.put(
    "/employees/thresholds",
    response=ThresholdsOut,
    summary="Raise the organization's (or one survey's) thresholds; owners only, never below 3 (audited)",
)
def put_thresholds(request, payload: ThresholdsIn):
    t = thresholds.set_thresholds(request.auth, payload.min_group, payload.min_comments, payload.survey)
    return ThresholdsOut(**vars(t))
