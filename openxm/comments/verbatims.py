"""Verbatim comments with their analysis, shown whole to ``pii.view`` and redacted to everyone else.

A verbatim's text is a list of :class:`Segment` pieces so a page can highlight the clauses
that matched the chosen topic without building HTML in Python. Members without ``pii.view``
get PII spans replaced by placeholders (``[PHONE]``) and can only search the redacted text, so a
search cannot probe for a hidden phone number. When the answer text no longer matches what was
analysed (anonymised since), the stored redacted text is shown without highlights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from openxm.accounts.scope import Scope
from openxm.surveys import door
from openxm.text.pii import PLACEHOLDERS

from .models import CommentTopic
from .queries import analyses


@dataclass(frozen=True)
class Segment:
    text: str
    mark: bool = False  # a clause of the chosen topic
    pii: bool = False  # a placeholder for redacted PII


@dataclass(frozen=True)
class TopicTag:
    id: str
    label: str
    sentiment: str
    kind: str


@dataclass(frozen=True)
class VerbatimRow:
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
    segments: tuple[Segment, ...]
    topics: tuple[TopicTag, ...]
    flags: tuple[dict, ...]
    redacted: bool

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass(frozen=True)
class VerbatimPage:
    rows: list[VerbatimRow]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.rows)


def segments(text: str, marks: list[list[int]], pii: list[list], redact: bool) -> tuple[Segment, ...]:
    """``text`` cut at the highlight and PII boundaries (offsets into ``text``)."""
    cuts = {0, len(text)}
    for start, end in marks:
        cuts.update((start, end))
    hidden = [(int(s), int(e), kind) for kind, s, e in pii] if redact else []
    for start, end, _kind in hidden:
        cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out: list[Segment] = []
    for a, b in zip(points, points[1:], strict=False):
        if a == b:
            continue
        covering = next((h for h in hidden if h[0] <= a < h[1]), None)
        if covering is not None:
            if a == covering[0]:
                out.append(Segment(PLACEHOLDERS.get(covering[2], "[PII]"), pii=True))
            continue
        mark = any(s <= a < e for s, e in marks)
        if out and out[-1].mark == mark and not out[-1].pii:
            out[-1] = Segment(out[-1].text + text[a:b], mark)
        else:
            out.append(Segment(text[a:b], mark))
    return tuple(out)


def search_q(query: str, can_see_pii: bool) -> Q:
    if can_see_pii:
        return Q(answer__value_text__icontains=query)
    return Q(redacted_text__icontains=query)


def verbatim_page(
    scope: Scope,
    piece: door.Slice = door.EVERYTHING,
    *,
    labels: dict[str, str],
    topic: str | None = None,
    sentiment: str | None = None,
    flag: str | None = None,
    query: str | None = None,
    response_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> VerbatimPage:
    """Newest first. ``topic`` filters on a topic id (sub-topics included, because a sub-topic's
    comments also carry the parent), ``sentiment`` on the comment's sentiment — or on the
    topic's aspect sentiment when a topic is chosen — and ``flag`` on a flag kind. Texts are
    whole with the scope's ``pii``, redacted otherwise."""
    organization = scope.organization
    can_see_pii = scope.pii
    qs = analyses(scope, piece)
    if response_id is not None:
        qs = qs.filter(response_id=response_id)
    if topic:
        topic_q = Q(kind__in=[CommentTopic.Kind.TOPIC, CommentTopic.Kind.INTENT], topic=topic)
        if sentiment:
            topic_q &= Q(sentiment=sentiment)
        ids = CommentTopic.objects.for_org(organization).filter(topic_q).values("analysis_id")
        qs = qs.filter(pk__in=ids)
    elif sentiment:
        qs = qs.filter(sentiment=sentiment)
    if flag:
        flagged = CommentTopic.objects.for_org(organization).filter(kind=CommentTopic.Kind.FLAG, topic=flag)
        qs = qs.filter(pk__in=flagged.values("analysis_id"))
    if query:
        qs = qs.filter(search_q(query, can_see_pii))
    total = qs.count()
    limit = max(1, min(int(limit), 100))
    offset = max(0, min(int(offset), total))  # past the end is empty; keeps SQL's OFFSET in range
    page = list(qs.select_related("answer").order_by("-answered_at", "-pk")[offset : offset + limit])
    tags: dict[int, list[CommentTopic]] = {}
    for t in (
        CommentTopic.objects.for_org(organization).filter(analysis_id__in=[a.pk for a in page]).order_by("pk")
    ):
        tags.setdefault(t.analysis_id, []).append(t)
    rows = []
    for a in page:
        mine = tags.get(a.pk, [])
        original = a.answer.value_text[: a.text_length] if a.answer.value_text else ""
        intact = len(a.answer.value_text) >= a.text_length and len(original) == a.text_length
        if intact:
            marks = [span for t in mine if topic and t.topic == topic for span in t.spans]
            text_segments = segments(original, marks, a.pii, redact=not can_see_pii)
        else:
            text_segments = (Segment(a.redacted_text),)
        rows.append(
            VerbatimRow(
                id=a.pk,
                response_id=a.response_id,
                survey_id=a.survey_id,
                question_id=a.question_id,
                answered_at=a.answered_at,
                touchpoint=a.touchpoint,
                language=a.language,
                sentiment=a.sentiment,
                score=a.score,
                mixed=a.mixed,
                nps=a.nps,
                csat=a.csat,
                segments=text_segments,
                topics=tuple(
                    TopicTag(t.topic, labels.get(t.topic, t.topic), t.sentiment, t.kind)
                    for t in mine
                    if t.kind != CommentTopic.Kind.FLAG and not any(x.parent == t.topic for x in mine)
                ),
                flags=tuple(a.flags),
                redacted=not can_see_pii and bool(a.pii),
            )
        )
    return VerbatimPage(rows, total, offset, limit)
