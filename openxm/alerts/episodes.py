"""What an early-warning episode shows beside its series: the chart of the EWMA with its control
limits, the negative comments of the weeks that drove it and the topics whose share moved most
against the baseline weeks — each read through the comment services with the reader's scope.

Included: :func:`evidence` for the episode page, :func:`notices` for the insights pages (the
dashboard, the journey map and the touchpoint page; registered in ``AlertsConfig.ready``).
Excluded: detecting and keeping episodes (``early_warning.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.comments import services as comments
from openxm.insights import charts
from openxm.insights.notices import Notice
from openxm.journeys import services as journeys
from openxm.surveys.door import Slice

from .early_warning import episodes
from .models import Episode

TOPICS_SHOWN = 5
COMMENTS_SHOWN = 10


@dataclass(frozen=True)
class TopicMove:
    topic: str
    label: str
    before: float
    now: float

    @property
    def change(self) -> float:
        return round(self.now - self.before, 1)


@dataclass
class Evidence:
    chart: charts.Chart
    driving_weeks: tuple[date, date]
    comments: list
    topics: list[TopicMove]
    # The weekly rows with the episode's score (NPS or top-2-box %) under "score".
    rows: list[dict]
    baseline_score: float | None


def driving_weeks(episode: Episode) -> tuple[date, date]:
    """First and last day of the weeks that drove the episode: for a drop the trailing run of
    weeks below the lower limit, otherwise the latest week."""
    series = episode.evidence.get("series") or []
    if not series:
        return episode.opened_at, episode.opened_at
    last = date.fromisoformat(series[-1]["week"])
    first = last
    if episode.kind == Episode.Kind.DROP:
        for row in reversed(series):
            if row["ewma"] is None or row["ewma"] >= -row["limit"]:
                break
            first = date.fromisoformat(row["week"])
    return first, last + timedelta(days=6)


def _slice(episode: Episode, first: date, last: date) -> Slice:
    org = episode.organization
    if episode.dimension == Episode.Dimension.UNIT:
        return Slice.days(org, first, last, unit=episode.subject)
    if episode.dimension == Episode.Dimension.TOPIC:
        return Slice.days(org, first, last)
    if episode.dimension == Episode.Dimension.STAGE:
        journey, _sep, stage = episode.subject.partition("/")
        keys = journeys.touchpoint_keys(org, journey, stage)
        return Slice.days(org, first, last, touchpoints=tuple(keys) or ("",))
    return Slice.days(org, first, last, touchpoints=(episode.subject,))


def _chart(episode: Episode) -> charts.Chart:
    series = episode.evidence.get("series") or []
    if episode.dimension == Episode.Dimension.TOPIC and episode.kind != Episode.Kind.DROP:
        expected = episode.evidence.get("baseline", {}).get("expected_per_week", 0.0)
        spread = 3 * expected**0.5
        return charts.line_with_band(
            f"episode-{episode.pk}",
            _("Mentions per week, with the expected range (±3√expected)"),
            [row["week"] for row in series],
            [
                {
                    "name": _("Mentions"),
                    "values": [row["n"] for row in series],
                    "low": [max(0.0, expected - spread)] * len(series),
                    "high": [expected + spread] * len(series),
                }
            ],
            filename=f"episode-{episode.pk}",
        )
    limits = [row["limit"] for row in series]
    if episode.metric == "top2box":
        title = _("EWMA of the standardised top-2-box %, with its control limits")
    else:
        title = _("EWMA of the standardised NPS, with its control limits")
    return charts.line_with_band(
        f"episode-{episode.pk}",
        title,
        [row["week"] for row in series],
        [
            {
                "name": _("EWMA"),
                "values": [row["ewma"] for row in series],
                "low": [None if x is None else -x for x in limits],
                "high": limits,
            }
        ],
        y_name="z",
        filename=f"episode-{episode.pk}",
    )


def evidence(actor: Actor, episode: Episode) -> Evidence:
    """The chart, the driving weeks' negative comments (members who may read responses) and the
    topics whose share of comments moved most against the baseline weeks."""
    first, last = driving_weeks(episode)
    now = _slice(episode, first, last)
    weeks = episode.evidence.get("baseline", {}).get("weeks", 18)
    series = episode.evidence.get("series") or []
    watched_start = date.fromisoformat(series[0]["week"]) if series else first
    before = _slice(episode, watched_start - timedelta(weeks=weeks), watched_start - timedelta(days=1))
    language = translation.get_language()  # topic labels in the reader's language
    found_now = {f.topic: f for f in comments.figures(actor, now, language=language)}
    found_before = {f.topic: f for f in comments.figures(actor, before, language=language)}
    moves = [
        TopicMove(
            topic,
            (found_now.get(topic) or found_before.get(topic)).label,
            round(getattr(found_before.get(topic), "share", 0.0), 1),
            round(getattr(found_now.get(topic), "share", 0.0), 1),
        )
        for topic in {*found_now, *found_before}
    ]
    moves.sort(key=lambda m: (-abs(m.change), m.topic))
    driving = []
    if actor.can(Perm.RESPONSES_VIEW):
        topic = episode.subject if episode.dimension == Episode.Dimension.TOPIC else None
        driving = comments.verbatims(
            actor, now, topic=topic, sentiment="negative", limit=COMMENTS_SHOWN, language=language
        ).rows
    metric = episode.metric
    rows = [{**row, "score": row.get(metric)} for row in series]
    base_score = episode.evidence.get("baseline", {}).get(metric)
    return Evidence(_chart(episode), (first, last), driving, moves[:TOPICS_SHOWN], rows, base_score)


def notices(actor: Actor, touchpoints=None) -> list[Notice]:
    """The open episodes a page shows: all the actor may see, or those of ``touchpoints`` (and
    the stages holding them)."""
    if not actor.can(Perm.DASHBOARDS_VIEW):
        return []
    found = []
    for e in episodes(actor, limit=20, open_only=True, touchpoints=touchpoints):
        latest = (e.evidence.get("series") or [{}])[-1]
        if e.kind == Episode.Kind.DROP:
            if e.metric == "top2box":
                text = _("Top-2-box %(nps)s%% this week against %(base)s%% before (n = %(n)s)")
            else:
                text = _("NPS %(nps)s this week against %(base)s before (n = %(n)s)")
            detail = text % {
                "nps": latest.get(e.metric),
                "base": e.evidence.get("baseline", {}).get(e.metric),
                "n": latest.get("n"),
            }
        else:
            # a topic's series counts mentions of it, the others count responses
            if e.dimension == Episode.Dimension.TOPIC:
                text = _("%(n)s mentions this week where %(expected)s were expected")
            else:
                text = _("%(n)s responses this week where %(expected)s were expected")
            detail = text % {
                "n": latest.get("n"),
                "expected": e.evidence.get("baseline", {}).get("expected_per_week"),
            }
        found.append(
            Notice(
                subject=e.subject,
                dimension=e.dimension,
                title=f"{e.label or e.subject} · {e.get_kind_display()}",
                detail=detail,
                since=e.opened_at,
                url=reverse("alerts:episode", args=[e.pk]),
            )
        )
    return found
