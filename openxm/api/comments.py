"""Text analytics routes: topic figures, trends, verbatims, the taxonomy, re-analysis, classifiers, themes.

Aggregates need ``dashboards.view``; verbatims ``responses.view`` (unredacted only with
``pii.view``); changes ``text.configure``. Dates are whole days in the organization's time zone.
"""

from datetime import date, datetime
from typing import Any

from ninja import Body, Query, Router, Schema
from ninja.responses import Status

from openxm.comments import services

router = Router(tags=["text analytics"])


class ScopeIn(Schema):
    survey: str | None = None
    touchpoint: str | None = None
    period: str | None = None
    since: date | None = None
    until: date | None = None
    unit: str | None = None
    language: str | None = None


def _scope(request, scope: ScopeIn):
    return services.slice_for(request.auth, **scope.model_dump())


class TopicFigureOut(Schema):
    topic: str
    label: str
    parent: str
    kind: str
    volume: int
    responses: int
    share: float
    positive: int
    neutral: int
    negative: int
    mean_sentiment: float | None
    nps_n: int
    nps_with: float | None
    nps_without: float | None
    nps_impact: float | None
    nps_significant: bool
    csat_n: int
    csat_with: float | None
    csat_without: float | None
    csat_impact: float | None
    previous_volume: int | None
    trend: float | None
    surge: bool


class SummaryOut(Schema):
    comments: int
    responses: int
    positive: int
    neutral: int
    negative: int
    mixed: int
    mean_score: float | None
    languages: dict[str, int]
    flags: dict[str, int]
    with_topics: int
    stale: int
    taxonomy_version: int


class TrendOut(Schema):
    bucket: str
    buckets: list[date]
    totals: list[int]
    series: dict[str, list[int]]
    labels: dict[str, str]


class TopicTagOut(Schema):
    id: str
    label: str
    sentiment: str
    kind: str


class VerbatimOut(Schema):
    id: int
    response_id: int
    survey_id: int
    question_id: str
    answered_at: datetime
    touchpoint: str
    language: str
    sentiment: str
    score: float
    mixed: bool
    nps: int | None
    csat: int | None
    text: str
    redacted: bool
    topics: list[TopicTagOut]
    flags: list[dict[str, Any]]


class VerbatimPageOut(Schema):
    total: int
    offset: int
    limit: int
    items: list[VerbatimOut]


class TaxonomyTopic(Schema):
    id: str
    label: dict[str, str]
    rule: str
    description: str = ""


class TaxonomyOut(Schema):
    version: int
    name: str
    topics: list[TaxonomyTopic]


class TaxonomyIn(Schema):
    name: str
    topics: list[TaxonomyTopic]
    note: str = ""


class JobOut(Schema):
    id: int
    status: str
    survey: str | None
    taxonomy_version: int
    total: int
    done: int
    percent: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str


class ReanalysisIn(Schema):
    survey: str | None = None
    reason: str = ""


class LabelScoreOut(Schema):
    label: str
    precision: float
    recall: float
    f1: float
    support: int


class ClassifierOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    labels: list[str]
    language: str
    n_examples: int
    macro_f1: float | None
    accuracy: float | None
    folds: int | None
    scores: list[LabelScoreOut]
    skipped_labels: list[str]
    error: str
    created_at: datetime
    trained_at: datetime | None
    activated_at: datetime | None


class ExampleIn(Schema):
    text: str
    label: str


class ClassifierIn(Schema):
    name: str
    kind: str = "topic"
    examples: list[ExampleIn]


class ThemeOut(Schema):
    id: int
    language: str
    size: int
    top_terms: list[str]
    examples: list[str]
    suggested_id: str
    suggested_rule: str


class ThemesOut(Schema):
    comments: int
    themes: list[ThemeOut]


def _verbatim(row) -> VerbatimOut:
    return VerbatimOut(
        id=row.id,
        response_id=row.response_id,
        survey_id=row.survey_id,
        question_id=row.question_id,
        answered_at=row.answered_at,
        touchpoint=row.touchpoint,
        language=row.language,
        sentiment=row.sentiment,
        score=row.score,
        mixed=row.mixed,
        nps=row.nps,
        csat=row.csat,
        text=row.text,
        redacted=row.redacted,
        topics=[TopicTagOut(id=t.id, label=t.label, sentiment=t.sentiment, kind=t.kind) for t in row.topics],
        flags=list(row.flags),
    )


def _job(job) -> JobOut:
    return JobOut(
        id=job.pk,
        status=job.status,
        survey=job.survey.key if job.survey_id else None,
        taxonomy_version=job.taxonomy_version,
        total=job.total,
        done=job.done,
        percent=job.percent,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
    )


def _classifier(row) -> ClassifierOut:
    report = row.report or {}
    return ClassifierOut(
        id=row.pk,
        name=row.name,
        kind=row.kind,
        status=row.status,
        labels=list(row.labels or []),
        language=row.language,
        n_examples=row.n_examples,
        macro_f1=report.get("macro_f1"),
        accuracy=report.get("accuracy"),
        folds=report.get("folds"),
        scores=[LabelScoreOut(**s) for s in report.get("labels", [])],
        skipped_labels=list(report.get("skipped_labels", [])),
        error=row.error,
        created_at=row.created_at,
        trained_at=row.trained_at,
        activated_at=row.activated_at,
    )


@router.get(
    "/comments/topics",
    response=list[TopicFigureOut],
    summary="Topic volume, sentiment, impact on NPS/CSAT and trend in a scope",
)
def topics(request, scope: Query[ScopeIn], kind: str = "topic", lang: str = "en"):
    figures = services.figures(request.auth, _scope(request, scope), kind=kind, language=lang)
    return [TopicFigureOut(**{k: getattr(f, k) for k in TopicFigureOut.model_fields}) for f in figures]


@router.get("/comments/summary", response=SummaryOut, summary="Comments, sentiment mix, languages and flags")
def summary(request, scope: Query[ScopeIn]):
    result = services.summary(request.auth, _scope(request, scope))
    version = services.taxonomy(request.auth).version
    return SummaryOut(
        **{k: getattr(result, k) for k in SummaryOut.model_fields if k != "taxonomy_version"},
        taxonomy_version=version,
    )


@router.get("/comments/trends", response=TrendOut, summary="Comments per day, week or month for some topics")
def trends(request, scope: Query[ScopeIn], topics: str, bucket: str = "week", lang: str = "en"):
    wanted = [t.strip() for t in topics.split(",") if t.strip()]
    trend = services.trends(request.auth, _scope(request, scope), wanted, bucket=bucket, language=lang)
    return TrendOut(
        bucket=trend.bucket,
        buckets=trend.buckets,
        totals=trend.totals,
        series=trend.series,
        labels=trend.labels,
    )


@router.get(
    "/comments/verbatims",
    response=VerbatimPageOut,
    summary="Analysed comments, newest first (redacted without pii.view)",
)
def verbatims(
    request,
    scope: Query[ScopeIn],
    topic: str | None = None,
    sentiment: str | None = None,
    flag: str | None = None,
    q: str | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
    lang: str = "en",
):
    page = services.verbatims(
        request.auth,
        _scope(request, scope),
        topic=topic,
        sentiment=sentiment,
        flag=flag,
        query=q,
        limit=limit,
        offset=offset,
        language=lang,
    )
    return VerbatimPageOut(
        total=page.total, offset=page.offset, limit=page.limit, items=[_verbatim(r) for r in page.rows]
    )


@router.get(
    "/comments/responses/{response_id}",
    response=list[VerbatimOut],
    summary="The analysed comments of one response",
)
def response_comments(request, response_id: int, lang: str = "en"):
    return [_verbatim(r) for r in services.response_comments(request.auth, response_id, language=lang).rows]


@router.get(
    "/comments/taxonomy", response=TaxonomyOut, summary="The taxonomy in force (version 0: the default)"
)
def get_taxonomy(request):
    active = services.taxonomy(request.auth)
    return TaxonomyOut(version=active.version, name=active.name, topics=active.document["topics"])


@router.put(
    "/comments/taxonomy",
    response=TaxonomyOut,
    summary="Save a taxonomy as the next version (every problem is reported; nothing is saved then)",
)
def put_taxonomy(request, payload: TaxonomyIn = Body(...)):
    document = {"name": payload.name, "topics": [t.model_dump() for t in payload.topics]}
    active = services.save_taxonomy(request.auth, document, note=payload.note)
    return TaxonomyOut(version=active.version, name=active.name, topics=active.document["topics"])


@router.post(
    "/comments/reanalysis",
    response={202: JobOut},
    summary="Re-analyse stored comments (all, or one survey's) in the background",
)
def start_reanalysis(request, payload: ReanalysisIn = Body(...)):
    job = services.start_reanalysis(request.auth, survey=payload.survey, reason=payload.reason)
    return Status(202, _job(job))


@router.get("/comments/reanalysis/{job_id}", response=JobOut, summary="Progress of a re-analysis")
def get_reanalysis(request, job_id: int):
    return _job(services.get_job(request.auth, job_id))


@router.get("/comments/classifiers", response=list[ClassifierOut])
def list_classifiers(request):
    return [_classifier(c) for c in services.list_classifiers(request.auth)]


@router.post(
    "/comments/classifiers",
    response={202: ClassifierOut},
    summary="Train a topic or intent classifier from labelled examples (in the background)",
)
def create_classifier(request, payload: ClassifierIn = Body(...)):
    examples = [(e.text, e.label) for e in payload.examples]
    return Status(
        202, _classifier(services.train_from_examples(request.auth, payload.name, payload.kind, examples))
    )


@router.get(
    "/comments/classifiers/{classifier_id}",
    response=ClassifierOut,
    summary="A classifier with its cross-validated precision, recall and F1 per label",
)
def get_classifier(request, classifier_id: int):
    return _classifier(services.get_classifier(request.auth, classifier_id))


@router.post(
    "/comments/classifiers/{classifier_id}/activate",
    response=ClassifierOut,
    summary="Switch a trained classifier on: new comments get its label",
)
def activate_classifier(request, classifier_id: int):
    return _classifier(services.set_classifier_active(request.auth, classifier_id, True))


@router.post("/comments/classifiers/{classifier_id}/deactivate", response=ClassifierOut)
def deactivate_classifier(request, classifier_id: int):
    return _classifier(services.set_classifier_active(request.auth, classifier_id, False))


@router.delete("/comments/classifiers/{classifier_id}", response={204: None})
def delete_classifier(request, classifier_id: int):
    services.delete_classifier(request.auth, classifier_id)
    return Status(204, None)


@router.get(
    "/comments/themes",
    response=ThemesOut,
    summary="Suggested new topics from comments without a topic (top terms, examples, a rule)",
)
def themes(request, scope: Query[ScopeIn], k: int = 8):
    used, found = services.discover_themes(request.auth, _scope(request, scope), k=k)
    return ThemesOut(
        comments=used,
        themes=[
            ThemeOut(
                id=t.id,
                language=t.language,
                size=t.size,
                top_terms=list(t.top_terms),
                examples=["".join(s.text for s in segs) for segs in t.examples],
                suggested_id=t.suggested_id,
                suggested_rule=t.suggested_rule,
            )
            for t in found
        ],
    )
