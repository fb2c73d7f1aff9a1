"""Themes and sentiment of employee comments, for the employees app only.

Every general reader of comment analyses (``queries``, ``verbatims``, ``discovery``, the text
analytics pages and API) filters through the door's ``slice_q``, which leaves out employee
(confidential) surveys. The employees app reads a group's comments through the door's one
reader of confidential answers and asks :func:`themes` only for a group its comment plan shows
(at or above the comment threshold, complementary suppression applied), with exactly that
group's answer ids. Included: how many of them are analysed, their sentiment split and mean,
and the taxonomy's topics with their count and mean aspect sentiment. Excluded: flags and
intents (written for customers: churn, refund), classifier labels, and anything per comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count

from .models import CommentAnalysis, CommentTopic
from .taxonomies import active_taxonomy, topic_labels


@dataclass(frozen=True)
class Theme:
    topic: str
    label: str
    count: int
    mean_sentiment: float | None


@dataclass(frozen=True)
class Themes:
    analysed: int  # comments of the group with a stored analysis (analysis runs after storing)
    positive: int
    neutral: int
    negative: int
    mean_sentiment: float | None
    topics: tuple[Theme, ...]


def themes(organization, answer_ids: list[int], language: str | None) -> Themes:
    """The sentiment and topics of these comments' stored analyses, most frequent topic first
    (ties by label); topic labels in ``language``."""
    rows = CommentAnalysis.objects.for_org(organization).filter(answer_id__in=answer_ids)
    split = dict(rows.values_list("sentiment").annotate(n=Count("pk")).values_list("sentiment", "n"))
    mean = rows.aggregate(mean=Avg("score"))["mean"]
    labels = topic_labels(active_taxonomy(organization).document, language)
    topics = (
        CommentTopic.objects.for_org(organization)
        .filter(analysis__answer_id__in=answer_ids, kind=CommentTopic.Kind.TOPIC)
        .values("topic")
        .annotate(n=Count("pk"), mean=Avg("score"))
    )
    found = [Theme(t["topic"], labels.get(t["topic"], t["topic"]), t["n"], _round(t["mean"])) for t in topics]
    found.sort(key=lambda t: (-t.count, t.label))
    return Themes(
        analysed=sum(split.values()),
        positive=split.get(CommentAnalysis.Sentiment.POSITIVE, 0),
        neutral=split.get(CommentAnalysis.Sentiment.NEUTRAL, 0),
        negative=split.get(CommentAnalysis.Sentiment.NEGATIVE, 0),
        mean_sentiment=_round(mean),
        topics=tuple(found),
    )


def _round(value):
    return None if value is None else round(value, 2)
