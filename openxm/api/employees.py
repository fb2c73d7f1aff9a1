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


class EmployeeFigureOut(Schema):
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


class EmployeeBreakdownOut(Schema):
    survey: str
    wave: str
    waves: list[str]
    min_group: int
    min_comments: int
    by: str
    total: EmployeeFigureOut | None
    rows: list[EmployeeFigureOut]


class EmployeeTrendOut(Schema):
    wave: str
    figure: EmployeeFigureOut


class EmployeeThemeOut(Schema):
    topic: str
    label: str
    count: int
    mean_sentiment: float | None


class EmployeeThemesOut(Schema):
    analysed: int
    positive: int
    neutral: int
    negative: int
    mean_sentiment: float | None
    topics: list[EmployeeThemeOut]


class EmployeeCommentsOut(Schema):
    min_comments: int
    suppressed: bool
    comments: list[str]
    themes: EmployeeThemesOut | None  # null when suppressed


class InternalMatrixCellOut(Schema):
    provider: str
    requester: str
    n: int | None
    top2: float | None
    ci_low: float | None
    ci_high: float | None
    mean: float | None
    suppressed: str


class InternalMatrixOut(Schema):
    survey: str
    wave: str
    waves: list[str]
    min_group: int
    providers: list[str]
    requesters: list[str]
    cells: list[InternalMatrixCellOut]


class EmployeeThresholdsOut(Schema):
    min_group: int
    min_comments: int
    survey: str = ""


class EmployeeThresholdsIn(Schema):
    min_group: int
    min_comments: int
    survey: str = ""


def _figure(f) -> EmployeeFigureOut:
    return EmployeeFigureOut(**{k: getattr(f, k) for k in EmployeeFigureOut.model_fields})


@router.get(
    "/employees/surveys/{survey}/results",
    response=EmployeeBreakdownOut,
    summary="A unit's eNPS and engagement with its child units or the bands of one attribute, suppressed",
)
def results(request, survey: str, wave: str = "", unit: str = "", by: str = ""):
    b = services.breakdown(request.auth, survey, wave=wave, unit=unit, by=by)
    return EmployeeBreakdownOut(
        survey=b.survey, wave=b.wave, waves=b.waves, min_group=b.min_group, min_comments=b.min_comments,
        by=b.by, total=_figure(b.total) if b.total else None, rows=[_figure(f) for f in b.rows],
    )


@router.get(
    "/employees/surveys/{survey}/trend", response=list[EmployeeTrendOut], summary="A unit over every wave"
)
def trend(request, survey: str, unit: str = ""):
    found = services.trend(request.auth, survey, unit=unit)
    return [EmployeeTrendOut(wave=w, figure=_figure(f)) for w, f in found]


@router.get(
    "/employees/surveys/{survey}/comments",
    response=EmployeeCommentsOut,
    summary="A unit's comments of one wave, their sentiment and topics, only above the comment threshold",
)
def comments(request, survey: str, wave: str = "", unit: str = ""):
    minimum, found = services.comments(request.auth, survey, wave=wave, unit=unit)
    out = None
    themes = None if found is None else services.comment_themes(request.auth, survey, wave=wave, unit=unit)
    if themes is not None:
        out = EmployeeThemesOut(
            **{k: v for k, v in vars(themes).items() if k != "topics"},
            topics=[EmployeeThemeOut(**vars(t)) for t in themes.topics],
        )
    return EmployeeCommentsOut(
        min_comments=minimum, suppressed=found is None, comments=found or [], themes=out
    )


@router.get("/employees/surveys/{survey}/export", summary="Every released figure as CSV")
def export(request, survey: str):
    response = HttpResponse(services.export_csv(request.auth, survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="employee-results-{survey}.csv"'
    return response


@router.get(
    "/employees/surveys/{survey}/matrix",
    response=InternalMatrixOut,
    summary="Internal-customer matrix: provider x requester CSAT with n and interval, suppressed per cell",
)
def matrix(request, survey: str, wave: str = ""):
    m = internal.matrix(request.auth, survey, wave=wave)
    return InternalMatrixOut(
        survey=m.survey, wave=m.wave, waves=m.waves, min_group=m.min_group, providers=m.providers,
        requesters=m.requesters, cells=[InternalMatrixCellOut(**vars(c)) for c in m.cells.values()],
    )


@router.get("/employees/thresholds", response=list[EmployeeThresholdsOut], summary="Anonymity thresholds")
def get_thresholds(request):
    request.auth.require(Perm.DASHBOARDS_VIEW)
    return [EmployeeThresholdsOut(**vars(t)) for t in thresholds.current(request.auth.organization)]


@router.put(
    "/employees/thresholds",
    response=EmployeeThresholdsOut,
    summary="Raise the organization's (or one survey's) thresholds; owners only, never below 3 (audited)",
)
def put_thresholds(request, payload: EmployeeThresholdsIn):
    t = thresholds.set_thresholds(request.auth, payload.min_group, payload.min_comments, payload.survey)
    return EmployeeThresholdsOut(**vars(t))
