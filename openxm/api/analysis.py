"""Analysis routes: studies (KANO, SERVQUAL, IPA, key drivers) and scores by group.

Reading needs ``dashboards.view``; creating and deleting studies ``surveys.design``. Results are
the same plain data the study pages show (``openxm.analysis.present``), small samples suppressed.
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from openxm.analysis import groups, present, services
from openxm.analysis.data import Filters

router = Router(tags=["analysis"])


class StudyOut(Schema):
    id: int
    title: str
    kind: str
    survey_id: int
    survey_title: str
    created_by: str
    created_at: datetime


class StudyDetailOut(StudyOut):
    config: dict[str, Any]


class StudyIn(Schema):
    survey: str = Field(..., description="survey id or key")
    kind: str = Field(..., description="kano, servqual, ipa or drivers")
    title: str
    config: dict[str, Any] = Field({}, description="questions and options; see docs/analysis.md")


class CandidateOut(Schema):
    ref: str
    question_id: str
    sub_key: str
    type: str
    label: str
    dimension: str


class FilterQuery(Schema):
    date_from: date | None = Field(None, alias="from", description="first day (organization's time zone)")
    date_to: date | None = Field(None, alias="to", description="last day, inclusive")
    channel: str = ""
    unit: str = Field("", description="unit code; includes the units below it")

    def filters(self) -> Filters:
        return Filters(self.date_from, self.date_to, self.channel, self.unit)


class StudyResultOut(Schema):
    study: dict[str, Any]
    config: dict[str, Any]
    filters: dict[str, Any]
    min_n: int
    respondents: int
    problem: str | None
    result: dict[str, Any] | None


class ScoreOut(Schema):
    metric: str
    n: int
    suppressed: bool
    score: float | None
    ci_low: float | None
    ci_high: float | None
    se: float | None
    mean: float | None
    mean_ci_low: float | None
    mean_ci_high: float | None
    shares: dict[str, float]
    counts: dict[str, int]
    confidence: float


class GroupOut(Schema):
    key: str
    label: str
    score: ScoreOut


class ComparisonOut(Schema):
    test: str
    groups: list[str]
    n: list[int]
    statistic: float
    p_value: float
    adjusted_p: float | None
    df: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    effect_size: float | None
    effect_name: str | None
    note: str | None


class MetricsOut(Schema):
    survey_id: int
    question: str
    metric: str
    by: str | None
    filters: dict[str, Any]
    min_n: int
    confidence: float
    correction: str
    overall: ScoreOut
    groups: list[GroupOut]
    omnibus: ComparisonOut | None
    pairwise: list[ComparisonOut]
    notes: list[str]


class MetricsQuery(FilterQuery):
    question: str = Field(..., description="question id, or matrix.row")
    metric: str | None = Field(None, description="nps, enps, csat or ces (default: the question's type)")
    by: str | None = Field(None, description="channel, touchpoint, unit, language or contact.<attribute>")
    correction: str = Field("holm", description="holm or bh (Benjamini–Hochberg)")
    confidence: float = 0.95


def _study_out(row, config=None) -> dict:
    out = {
        "id": row.id, "title": row.title, "kind": row.kind, "survey_id": row.survey_id,
        "survey_title": row.survey_title, "created_by": row.created_by, "created_at": row.created_at,
    }
    if config is not None:
        out["config"] = config
    return out


def _score(result) -> ScoreOut:
    plain = result.to_dict()
    plain["counts"] = {str(k): v for k, v in plain["counts"].items()}
    return ScoreOut(**{k: plain[k] for k in ScoreOut.model_fields})


def _comparison(c) -> ComparisonOut:
    plain = c.to_dict()
    return ComparisonOut(**{k: plain[k] for k in ComparisonOut.model_fields})


@router.get("/analysis/studies", response=list[StudyOut])
def list_studies(request, survey: int | None = None):
    return [_study_out(r) for r in services.list_studies(request.auth, survey)]


@router.post("/analysis/studies", response={201: StudyDetailOut})
def create_study(request, payload: StudyIn):
    study = services.create_study(
        request.auth, survey=payload.survey, kind=payload.kind, title=payload.title, config=payload.config
    )
    return Status(201, _study_out(services.study_row(study), study.config))


@router.get("/analysis/studies/{study_id}", response=StudyDetailOut)
def get_study(request, study_id: int):
    study = services.get_study(request.auth, study_id)
    return _study_out(services.study_row(study), study.config)


@router.delete("/analysis/studies/{study_id}", response={204: None})
def delete_study(request, study_id: int):
    services.delete_study(request.auth, study_id)
    return Status(204, None)


@router.get("/analysis/studies/{study_id}/result", response=StudyResultOut,
            summary="Compute a study on the answers that pass the filters")
def study_result(request, study_id: int, filters: Query[FilterQuery]):
    return present.present(services.run_study(request.auth, study_id, filters.filters()))


@router.get("/analysis/surveys/{ref}/questions", response=list[CandidateOut],
            summary="Questions of a survey a study of this kind can use")
def study_questions(request, ref: str, kind: str):
    return [
        CandidateOut(ref=c.ref, question_id=c.question_id, sub_key=c.sub_key, type=c.qtype, label=c.label,
                     dimension=c.dimension)
        for c in services.study_candidates(request.auth, ref, kind)
    ]


@router.get("/analysis/surveys/{ref}/metrics", response=MetricsOut,
            summary="NPS, CSAT or CES of a question overall and by group, with the group differences")
def metrics(request, ref: str, query: Query[MetricsQuery]):
    result = groups.metric_by_group(
        request.auth, ref, query.question, metric=query.metric, by=query.by, filters=query.filters(),
        correction=query.correction, confidence=query.confidence,
    )
    return MetricsOut(
        survey_id=result.survey_id,
        question=result.question,
        metric=result.metric,
        by=result.by,
        filters=result.filters.as_dict(),
        min_n=result.min_n,
        confidence=result.confidence,
        correction=result.correction,
        overall=_score(result.overall),
        groups=[GroupOut(key=g.key, label=g.label, score=_score(g.result)) for g in result.groups],
        omnibus=_comparison(result.omnibus) if result.omnibus else None,
        pairwise=[_comparison(c) for c in result.pairwise],
        notes=list(result.notes),
    )
