"""Corrections of analysed comments: ``POST /comments/{id}/corrections`` and the export.

A correction needs ``text.configure`` and wins over the model at every re-analysis; the export
needs ``data.export`` (see :mod:`openxm.comments.corrections`).
"""

from datetime import datetime

from ninja import Body, Router, Schema

from openxm.comments import corrections

router = Router(tags=["text analytics"])


class CorrectionIn(Schema):
    sentiment: str | None = None
    add_topics: list[str] | None = None
    remove_topics: list[str] | None = None
    add_flags: list[str] | None = None
    remove_flags: list[str] | None = None


class CorrectionState(Schema):
    sentiment: str
    topics_added: list[str]
    topics_removed: list[str]
    flags_added: list[str]
    flags_removed: list[str]


class CorrectedCommentOut(Schema):
    comment_id: int
    answer_id: int
    sentiment: str
    score: float
    topics: list[str]
    flags: list[str]
    correction: CorrectionState
    model_sentiment: str
    corrected_by: str
    corrected_at: datetime


class CorrectionExportOut(CorrectionState):
    comment_id: int | None
    answer_id: int
    response_id: int | None
    language: str
    text: str
    model_sentiment: str
    corrected_by: str
    corrected_at: datetime


@router.post(
    "/comments/{comment_id}/corrections",
    response=CorrectedCommentOut,
    summary="Correct a comment's sentiment, topics or flags (kept across re-analysis, audited)",
)
def correct(request, comment_id: int, payload: CorrectionIn = Body(...)):
    result = corrections.correct_comment(request.auth, comment_id, **payload.model_dump())
    c = result.correction
    return CorrectedCommentOut(
        comment_id=result.analysis.pk,
        answer_id=result.analysis.answer_id,
        sentiment=result.analysis.sentiment,
        score=result.analysis.score,
        topics=list(result.topics),
        flags=list(result.flags),
        correction=CorrectionState(
            sentiment=c.sentiment,
            topics_added=c.topics_added,
            topics_removed=c.topics_removed,
            flags_added=c.flags_added,
            flags_removed=c.flags_removed,
        ),
        model_sentiment=c.model_sentiment,
        corrected_by=c.actor_label,
        corrected_at=c.corrected_at,
    )


@router.get(
    "/comments/corrections",
    response=list[CorrectionExportOut],
    summary="Every correction in force, newest first (audited as an export)",
)
def export(request):
    return corrections.export_corrections(request.auth)
