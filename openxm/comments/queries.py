"""Figures from the stored analyses: topic volume, sentiment, impact on NPS/CSAT, trends, surges.

Every figure is an SQL aggregate over ``CommentAnalysis``/``CommentTopic`` inside an access
:class:`~openxm.accounts.scope.Scope` (``actor.scope``) and a :class:`~openxm.surveys.door.Slice`
(survey, touchpoint, period, unit with its sub-units, comment language), applied by the door's
:func:`~openxm.surveys.door.slice_q`. Definitions:

* volume — comments (analysed answers) with the topic; ``responses`` counts distinct responses.
* share — volume as a % of the comments analysed in the scope.
* mean_sentiment — mean aspect score of the topic (−1…1; the score of the clauses it matched).
* NPS impact — among responses with an analysed comment and an NPS answer:
  ``NPS(responses without the topic) − NPS(responses with it)``, in points. Positive means the
  topic goes with lower NPS (it costs that many points); negative, with higher. Shown only when
  both groups have at least ``min_n`` responses; ``nps_significant`` is a two-sided z test of the
  difference at 5 %. CSAT impact is the same on the CSAT mean (1–5).
* trend — change of share (points) against the previous period of the same length, when the
  scope has a start; ``surge`` says the share at least doubled, with at least ``min_n`` comments
  and a two-proportion z test p < 0.01.

Responses without any comment are not in these figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from openxm.accounts.scope import Scope
from openxm.analytics.compare import nps_difference, two_proportions
from openxm.analytics.metrics import score_from_counts
from openxm.surveys import door
from openxm.surveys.door import Slice

from .models import CommentAnalysis, CommentTopic
from .taxonomies import active_taxonomy, topic_labels

MIN_N = 5
BUCKETS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


# Where CommentAnalysis keeps its copies of the response's columns (see door.slice_q).
COLUMNS = {
    "survey": "survey_id",
    "touchpoint": "touchpoint",
    "unit": "unit_id",
    "time": "answered_at",
    "language": "language",
}
TOPIC_COLUMNS = {name: f"analysis__{column}" for name, column in COLUMNS.items()}


def _moment(value, org_tz: ZoneInfo, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=org_tz)
    if isinstance(value, date):
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time.min, tzinfo=org_tz)
    raise TypeError(f"since/until must be a date or datetime, not {type(value).__name__}")


def make_slice(
    organization, *, survey=None, touchpoint=None, since=None, until=None, unit=None, language=None
) -> Slice:
    """A Slice from friendly values: a Survey or id, dates (whole days in the organization's time
    zone; ``until`` inclusive) or datetimes (``until`` exclusive), a Unit or unit code, the
    comment's language (zh, en, other)."""
    tz = door.organization_zone(organization)
    survey_id = getattr(survey, "pk", survey)
    return Slice(
        survey_id=int(survey_id) if survey_id not in (None, "") else None,
        touchpoints=(touchpoint,) if touchpoint else None,
        since=_moment(since, tz),
        until=_moment(until, tz, end=True),
        unit=getattr(unit, "code", unit) or "",
        language=language or "",
    )


def analyses(scope: Scope, piece: Slice = door.EVERYTHING) -> QuerySet:
    """The comment analyses inside the access scope and the slice."""
    return CommentAnalysis.objects.for_org(scope.organization).filter(door.slice_q(scope, piece, COLUMNS))


def _topic_rows(scope: Scope, piece: Slice, kind: str) -> QuerySet:
    return CommentTopic.objects.for_org(scope.organization).filter(
        door.slice_q(scope, piece, TOPIC_COLUMNS), kind=kind
    )


@dataclass(frozen=True)
class TopicFigure:
    """One topic's figures in a scope (see the module docstring for the definitions)."""

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

    @property
    def depth(self) -> int:
        return self.topic.count(".")

    @property
    def negative_share(self) -> float:
        return 100 * self.negative / self.volume if self.volume else 0.0

    @property
    def positive_share(self) -> float:
        return 100 * self.positive / self.volume if self.volume else 0.0

    @property
    def neutral_share(self) -> float:
        return 100 * self.neutral / self.volume if self.volume else 0.0


def _counts(rows, key: str) -> dict:
    out: dict = {}
    for row in rows:
        out.setdefault(row[key], {})[row["point"]] = row["n"]
    return out


def _nps(counts: dict, min_n: int):
    return score_from_counts("nps", counts or {0: 0}, min_n=min_n)


def _mean(counts: dict) -> tuple[float | None, int]:
    n = sum(counts.values())
    return (sum(k * v for k, v in counts.items()) / n if n else None), n


def _minus(a: dict, b: dict) -> dict:
    return {k: a.get(k, 0) - b.get(k, 0) for k in a if a.get(k, 0) - b.get(k, 0) > 0}


def _per_point(qs: QuerySet, field_name: str, key: str | None) -> QuerySet:
    values = [key, f"{field_name}"] if key else [field_name]
    return (
        qs.filter(**{f"{field_name}__isnull": False})
        .values(*values)
        .annotate(n=Count("analysis__response_id" if key else "response_id", distinct=True))
    )


def topic_summary(
    scope: Scope,
    piece: Slice = door.EVERYTHING,
    *,
    kind: str = "topic",
    language: str | None = None,
    min_n: int = MIN_N,
) -> list[TopicFigure]:
    """Topic figures inside the scope and the slice, largest volume first (see the module
    docstring). ``kind`` is ``"topic"``, ``"intent"`` or ``"flag"``; ``language`` picks the
    label language (``"zh…"`` → Chinese, else English). No permission check: callers check
    theirs (``dashboards.view``)."""
    organization = scope.organization
    base = analyses(scope, piece)
    total = base.count()
    if not total:
        return []
    topics = _topic_rows(scope, piece, kind)
    rows = topics.values("topic", "parent").annotate(
        volume=Count("id"),
        responses=Count("analysis__response_id", distinct=True),
        positive=Count("id", filter=Q(sentiment="positive")),
        negative=Count("id", filter=Q(sentiment="negative")),
        mean=Avg("score"),
    )
    nps_all = {r["nps"]: r["n"] for r in _per_point(base, "nps", None)}
    csat_all = {r["csat"]: r["n"] for r in _per_point(base, "csat", None)}
    nps_by = _counts(
        [
            {"topic": r["topic"], "point": r["analysis__nps"], "n": r["n"]}
            for r in _per_point(topics, "analysis__nps", "topic")
        ],
        "topic",
    )
    csat_by = _counts(
        [
            {"topic": r["topic"], "point": r["analysis__csat"], "n": r["n"]}
            for r in _per_point(topics, "analysis__csat", "topic")
        ],
        "topic",
    )
    previous = piece.previous()
    prev_total, prev_volume = 0, {}
    if previous is not None:
        prev_total = analyses(scope, previous).count()
        prev_volume = dict(_topic_rows(scope, previous, kind).values_list("topic").annotate(n=Count("id")))
    labels = topic_labels(active_taxonomy(organization).document, language)
    out = []
    for r in rows:
        topic = r["topic"]
        with_nps = nps_by.get(topic, {})
        without_nps = _minus(nps_all, with_nps)
        a, b = _nps(with_nps, min_n), _nps(without_nps, min_n)
        impact, significant = None, False
        if not a.suppressed and not b.suppressed and a.score is not None and b.score is not None:
            impact = round(b.score - a.score, 1)
            if a.se or b.se:
                significant = nps_difference(b, a).p_value < 0.05
        with_csat = csat_by.get(topic, {})
        csat_with, csat_n = _mean(with_csat)
        csat_without, csat_rest = _mean(_minus(csat_all, with_csat))
        csat_impact = None
        if csat_n >= min_n and csat_rest >= min_n:
            csat_impact = round(csat_without - csat_with, 2)
        share = 100 * r["volume"] / total
        trend, surge, before = None, False, None
        if previous is not None:
            before = prev_volume.get(topic, 0)
            prev_share = 100 * before / prev_total if prev_total else 0.0
            trend = round(share - prev_share, 1) if prev_total else None
            if prev_total and r["volume"] >= min_n and share >= 2 * prev_share:
                test = two_proportions(r["volume"], total, before, prev_total)
                surge = test.p_value < 0.01
        out.append(
            TopicFigure(
                topic=topic,
                label=labels.get(topic, topic),
                parent=r["parent"],
                kind=kind,
                volume=r["volume"],
                responses=r["responses"],
                share=round(share, 1),
                positive=r["positive"],
                neutral=r["volume"] - r["positive"] - r["negative"],
                negative=r["negative"],
                mean_sentiment=round(r["mean"], 3) if r["mean"] is not None else None,
                nps_n=a.n,
                nps_with=None if a.suppressed else _round(a.score),
                nps_without=None if b.suppressed else _round(b.score),
                nps_impact=impact,
                nps_significant=significant,
                csat_n=csat_n,
                csat_with=round(csat_with, 2) if csat_with is not None and csat_n >= min_n else None,
                csat_without=round(csat_without, 2)
                if csat_without is not None and csat_rest >= min_n
                else None,
                csat_impact=csat_impact,
                previous_volume=before,
                trend=trend,
                surge=surge,
            )
        )
    out.sort(key=lambda f: (-f.volume, f.topic))
    return out


def _round(value):
    return None if value is None else round(value, 1)


def as_tree(figures: list[TopicFigure]) -> list[TopicFigure]:
    """Figures ordered for a table: top-level topics by volume, each followed by its sub-topics."""
    by_parent: dict[str, list[TopicFigure]] = {}
    present = {f.topic for f in figures}
    for f in figures:
        by_parent.setdefault(f.parent if f.parent in present else "", []).append(f)
    out: list[TopicFigure] = []

    def walk(parent: str) -> None:
        for f in by_parent.get(parent, []):
            out.append(f)
            walk(f.topic)

    walk("")
    return out


@dataclass(frozen=True)
class Overview:
    """Totals of a scope: comments, responses, sentiment mix, languages, flags, freshness."""

    comments: int
    responses: int
    positive: int
    neutral: int
    negative: int
    mixed: int
    mean_score: float | None
    languages: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)
    with_topics: int = 0
    stale: int = 0

    def pct(self, n: int) -> float:
        return round(100 * n / self.comments, 1) if self.comments else 0.0

    @property
    def positive_pct(self) -> float:
        return self.pct(self.positive)

    @property
    def negative_pct(self) -> float:
        return self.pct(self.negative)

    @property
    def neutral_pct(self) -> float:
        return self.pct(self.neutral)

    @property
    def mixed_pct(self) -> float:
        return self.pct(self.mixed)

    @property
    def categorised_pct(self) -> float:
        return self.pct(self.with_topics)


def overview(scope: Scope, piece: Slice = door.EVERYTHING) -> Overview:
    organization = scope.organization
    base = analyses(scope, piece)
    agg = base.aggregate(
        comments=Count("id"),
        responses=Count("response_id", distinct=True),
        positive=Count("id", filter=Q(sentiment="positive")),
        negative=Count("id", filter=Q(sentiment="negative")),
        mixed=Count("id", filter=Q(mixed=True)),
        mean=Avg("score"),
    )
    version = active_taxonomy(organization).version
    languages = dict(base.values_list("language").annotate(n=Count("id")).order_by("-n"))
    flags = dict(
        _topic_rows(scope, piece, CommentTopic.Kind.FLAG).values_list("topic").annotate(n=Count("id"))
    )
    with_topics = base.filter(topics__kind=CommentTopic.Kind.TOPIC).values("id").distinct().count()
    return Overview(
        comments=agg["comments"],
        responses=agg["responses"],
        positive=agg["positive"],
        neutral=agg["comments"] - agg["positive"] - agg["negative"],
        negative=agg["negative"],
        mixed=agg["mixed"],
        mean_score=round(agg["mean"], 3) if agg["mean"] is not None else None,
        languages=languages,
        flags=flags,
        with_topics=with_topics,
        stale=base.exclude(taxonomy_version=version).count(),
    )


@dataclass(frozen=True)
class Trend:
    """Comments per period (``buckets`` are period starts) in total and for each topic."""

    bucket: str
    buckets: list[date]
    totals: list[int]
    series: dict[str, list[int]]
    labels: dict[str, str]


def topic_trends(
    scope: Scope,
    piece: Slice,
    topics: list[str],
    *,
    bucket: str = "week",
    kind: str = "topic",
    language: str | None = None,
) -> Trend:
    """Volume per ``bucket`` (day, week, month; in the organization's time zone) of ``topics``."""
    trunc = BUCKETS.get(bucket)
    if trunc is None:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}")
    organization = scope.organization
    tz = door.organization_zone(organization)
    totals = dict(
        analyses(scope, piece)
        .annotate(period=trunc("answered_at", tzinfo=tz))
        .values_list("period")
        .annotate(n=Count("id"))
    )
    per_topic: dict[str, dict] = {t: {} for t in topics}
    rows = (
        _topic_rows(scope, piece, kind)
        .filter(topic__in=topics)
        .annotate(period=trunc("analysis__answered_at", tzinfo=tz))
        .values_list("topic", "period")
        .annotate(n=Count("id"))
    )
    for topic, period, n in rows:
        per_topic[topic][_day(period)] = n
    keys = sorted({_day(p) for p in totals})
    totals_by_day = {_day(p): n for p, n in totals.items()}
    labels = topic_labels(active_taxonomy(organization).document, language)
    return Trend(
        bucket=bucket,
        buckets=keys,
        totals=[totals_by_day.get(k, 0) for k in keys],
        series={t: [per_topic[t].get(k, 0) for k in keys] for t in topics},
        labels={t: labels.get(t, t) for t in topics},
    )


def topic_nps_weeks(
    scope: Scope, piece: Slice, topics: list[str]
) -> dict[str, dict[date, tuple[int, int, int]]]:
    """Per topic and week (Mondays, in the organization's time zone): (promoters, passives,
    detractors) among the responses whose comments name the topic — each response once, whatever
    number of its comments name it; responses without an NPS answer are left out."""
    tz = door.organization_zone(scope.organization)
    rows = (
        _topic_rows(scope, piece, "topic")
        .filter(topic__in=topics, analysis__nps__isnull=False)
        .annotate(period=TruncWeek("analysis__answered_at", tzinfo=tz))
        .values_list("topic", "period", "analysis__nps")
        .annotate(n=Count("analysis__response_id", distinct=True))
    )
    found: dict[str, dict[date, list[int]]] = {}
    for topic, period, score, n in rows:
        cell = found.setdefault(topic, {}).setdefault(_day(period), [0, 0, 0])
        cell[0 if score >= 9 else 1 if score >= 7 else 2] += n
    return {t: {w: (c[0], c[1], c[2]) for w, c in weeks.items()} for t, weeks in found.items()}


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def export_findings(scope, response_ids) -> dict:
    """``{(response id, question id): CommentFindings}`` for the analysed comments of these
    responses inside ``scope`` (read through the door's slice): the columns an export writes
    next to each comment. Registered with the exports in ``CommentsConfig.ready``."""
    from openxm.responses.exporting import CommentFindings

    rows = analyses(scope).filter(response_id__in=list(response_ids))
    named: dict[int, tuple[list[str], list[str]]] = {}
    for analysis_id, kind, topic in (
        CommentTopic.objects.for_org(scope.organization)
        .filter(analysis__in=rows.values("pk"), kind__in=(CommentTopic.Kind.TOPIC, CommentTopic.Kind.FLAG))
        .order_by("topic")
        .values_list("analysis_id", "kind", "topic")
    ):
        named.setdefault(analysis_id, ([], []))[kind == CommentTopic.Kind.FLAG].append(topic)
    found = {}
    for pk, rid, qid, sentiment, score in rows.values_list(
        "pk", "response_id", "question_id", "sentiment", "score"
    ):
        topics, flags = named.get(pk, ([], []))
        found[(rid, qid)] = CommentFindings(sentiment, round(score, 3), tuple(topics), tuple(flags))
    return found
