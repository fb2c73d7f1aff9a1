"""Corrections of analysed comments: an analyst's sentiment, topics and flags win over the model.

:func:`correct_comment` is the one path behind the API (``POST /api/v1/comments/{id}/corrections``)
and the verbatims page. It needs ``text.configure``; it stores the correction in force for the
comment's answer (:class:`~openxm.comments.models.CommentCorrection`: who, when, what), applies it
to the stored analysis at once, and writes ``comment.corrected`` to the audit log with the
before and after. :func:`apply_correction` is what the analysis engine calls for every comment
it (re-)analyses, so a corrected label is never lost by re-analysis.

What a correction does to a comment: a corrected sentiment replaces the model's label; its score
keeps the model's when the signs agree, else becomes +0.5 / −0.5 (0 for neutral), so averages
follow the correction. Removing a topic removes its sub-topics too; adding a sub-topic adds its
parent (a child implies its parent, as in taxonomy matching). Corrected topics and flags carry
no text span. Excluded: corrections of clause sentiment and of PII spans.

:func:`export_corrections` (``data.export``, audited as ``comments.corrections_exported``)
gives every correction in force with the comment's text (redacted without ``pii.view``). A
member limited to a unit corrects and exports only the comments of their units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.bulk import insert_instances
from openxm.text.flags import FLAG_KINDS

from .models import CommentAnalysis, CommentCorrection, CommentTopic
from .queries import analyses
from .taxonomies import active_taxonomy

__all__ = [
    "correct_comment", "apply_correction", "corrections_for", "export_corrections", "CorrectionResult",
    "has_corrections", "comments_to_review",
]

SENTIMENTS = ("positive", "neutral", "negative")
_CORRECTED_SCORE = {"positive": 0.5, "neutral": 0.0, "negative": -0.5}


@dataclass(frozen=True)
class CorrectionResult:
    """The correction in force and the comment as it now reads."""

    correction: CommentCorrection
    analysis: CommentAnalysis
    topics: tuple[str, ...]
    flags: tuple[str, ...]


def corrections_for(organization, answer_ids: Iterable[int]) -> dict[int, CommentCorrection]:
    """The corrections in force for these answers, by answer id."""
    rows = CommentCorrection.objects.for_org(organization).filter(answer_id__in=list(answer_ids))
    return {c.answer_id: c for c in rows}


def has_corrections(organization) -> bool:
    return CommentCorrection.objects.for_org(organization).exists()


def comments_to_review(organization) -> list[tuple[int, str, str]]:
    """(comment id, text, model sentiment) of every analysed comment, oldest first: what a
    reviewer goes through (the demo's analyst does)."""
    rows = CommentAnalysis.objects.for_org(organization).select_related("answer").order_by("pk")
    return [(row.pk, row.answer.value_text, row.sentiment) for row in rows]


def _score(sentiment: str, score: float) -> float:
    if sentiment == "neutral":
        return 0.0
    agrees = score > 0 if sentiment == "positive" else score < 0
    return score if agrees else _CORRECTED_SCORE[sentiment]


def _covered(topic: str, removed: Sequence[str]) -> bool:
    return any(topic == r or topic.startswith(r + ".") for r in removed)


def apply_correction(
    correction: CommentCorrection, row: CommentAnalysis, topics: list[CommentTopic]
) -> list[CommentTopic]:
    """Apply ``correction`` to an analysis ``row`` (changed in place) and its topic rows.

    Returns the topic rows the comment should have: the kept ones and new, unsaved ones.
    """
    if correction.sentiment:
        row.sentiment = correction.sentiment
        row.score = _score(correction.sentiment, row.score)
    flag_kind, topic_kinds = CommentTopic.Kind.FLAG, (CommentTopic.Kind.TOPIC, CommentTopic.Kind.INTENT)
    kept = [
        t
        for t in topics
        if not (t.kind in topic_kinds and _covered(t.topic, correction.topics_removed))
        and not (t.kind == flag_kind and t.topic in correction.flags_removed)
    ]
    have = {(t.kind, t.topic) for t in kept}
    wanted = []
    for topic in correction.topics_added:
        parts = topic.split(".")
        wanted += [".".join(parts[: i + 1]) for i in range(len(parts))]  # the parents first
    new = [(CommentTopic.Kind.TOPIC, t) for t in dict.fromkeys(wanted)]
    new += [(flag_kind, f) for f in correction.flags_added]
    for kind, topic in new:
        if (kind, topic) in have:
            continue
        have.add((kind, topic))
        kept.append(
            CommentTopic(
                organization_id=row.organization_id,
                analysis_id=row.pk,
                topic=topic,
                parent=topic.rsplit(".", 1)[0] if kind != flag_kind and "." in topic else "",
                kind=kind,
                sentiment=row.sentiment,
                score=row.score,
                spans=[],
            )
        )
    flags = [f for f in row.flags if f.get("kind") not in correction.flags_removed]
    present = {f.get("kind") for f in flags}
    flags += [
        {"kind": k, "phrase": "", "start": None, "end": None, "corrected": True}
        for k in correction.flags_added
        if k not in present
    ]
    row.flags = flags
    for t in kept:  # flag, classifier and corrected rows carry the comment's sentiment; aspects keep theirs
        if correction.sentiment and (t.kind == flag_kind or not t.spans):
            t.sentiment, t.score = row.sentiment, row.score
    return kept


def _ids(field: str, values, allowed: set[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(field, _("must be a list of ids"))
    values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    unknown = [v for v in values if allowed is not None and v not in allowed]
    if unknown:
        raise InvalidInput(
            field, _("unknown id(s): %(ids)s (known: %(known)s)")
            % {"ids": ", ".join(unknown), "known": ", ".join(sorted(allowed))}
        )
    return values


def _merge(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    return [x for x in dict.fromkeys([*current, *add]) if x not in remove]


def correct_comment(
    actor: Actor,
    comment_id: int,
    *,
    sentiment: str | None = None,
    add_topics: Sequence[str] | None = None,
    remove_topics: Sequence[str] | None = None,
    add_flags: Sequence[str] | None = None,
    remove_flags: Sequence[str] | None = None,
) -> CorrectionResult:
    """Correct the analysed comment ``comment_id`` (a ``CommentAnalysis`` id); see the module docstring.

    ``sentiment`` None keeps the correction's sentiment, "" clears it (the model's label comes
    back at the next re-analysis). Topic ids are the taxonomy's (or a topic the comment already
    has, for removal); flags are churn, urgency, escalation, refund.
    """
    actor.require(Perm.TEXT_CONFIGURE)
    org = actor.organization
    if sentiment is not None and sentiment not in ("", *SENTIMENTS):
        raise InvalidInput(
            "sentiment", _("must be one of %(choices)s") % {"choices": ", ".join(SENTIMENTS)}
        )
    taxonomy_ids = {t["id"] for t in active_taxonomy(org).document["topics"]}
    with transaction.atomic():
        row = analyses(actor.scope).select_for_update().filter(pk=comment_id).first()  # unit scope
        if row is None:
            raise NotFound("comment", comment_id)
        topics = list(CommentTopic.objects.for_org(org).filter(analysis=row))
        own = {t.topic for t in topics if t.kind != CommentTopic.Kind.FLAG}
        add_t = _ids("add_topics", add_topics, taxonomy_ids)
        remove_t = _ids("remove_topics", remove_topics, taxonomy_ids | own)
        add_f = _ids("add_flags", add_flags, set(FLAG_KINDS))
        remove_f = _ids("remove_flags", remove_flags, set(FLAG_KINDS))
        if sentiment is None and not (add_t or remove_t or add_f or remove_f):
            raise InvalidInput("sentiment", _("say what to correct: a sentiment, topics or flags"))
        correction = CommentCorrection.objects.for_org(org).filter(answer_id=row.answer_id).first()
        if correction is None:
            correction = CommentCorrection(organization=org, answer_id=row.answer_id)
        before = _state(correction)
        if sentiment is not None:
            if sentiment and not correction.sentiment:
                correction.model_sentiment = row.sentiment
            correction.sentiment = sentiment
        correction.topics_added = _merge(correction.topics_added, add_t, remove_t)
        correction.topics_removed = _merge(correction.topics_removed, remove_t, add_t)
        correction.flags_added = _merge(correction.flags_added, add_f, remove_f)
        correction.flags_removed = _merge(correction.flags_removed, remove_f, add_f)
        correction.corrected_by = actor.user
        correction.actor_label = actor.label[:200]
        correction.corrected_at = timezone.now()
        correction.save()
        kept = apply_correction(correction, row, topics)
        row.save(update_fields=["sentiment", "score", "flags"])
        CommentTopic.objects.for_org(org).filter(analysis=row).exclude(
            pk__in=[t.pk for t in kept if t.pk]
        ).delete()
        for t in kept:
            if t.pk:
                t.save(update_fields=["sentiment", "score"])
        insert_instances([t for t in kept if not t.pk])
        audit.record(
            actor,
            "comment.corrected",
            target_type="comment",
            target_id=row.pk,
            data={"answer": row.answer_id, "before": before, "after": _state(correction)},
        )
    return CorrectionResult(
        correction,
        row,
        tuple(sorted(t.topic for t in kept if t.kind != CommentTopic.Kind.FLAG)),
        tuple(sorted(t.topic for t in kept if t.kind == CommentTopic.Kind.FLAG)),
    )


def _state(c: CommentCorrection) -> dict:
    return {
        "sentiment": c.sentiment,
        "topics_added": list(c.topics_added),
        "topics_removed": list(c.topics_removed),
        "flags_added": list(c.flags_added),
        "flags_removed": list(c.flags_removed),
    }


def export_corrections(actor: Actor) -> list[dict]:
    """Every correction in force, newest first, with the comment (redacted without ``pii.view``)."""
    actor.require(Perm.DATA_EXPORT)
    org = actor.organization
    corrections = list(CommentCorrection.objects.for_org(org).select_related("corrected_by"))
    answers = {c.answer_id for c in corrections}
    visible = {
        a.answer_id: a
        for a in analyses(actor.scope).filter(answer_id__in=answers).select_related("answer")
    }
    pii = actor.scope.pii
    out = []
    for c in corrections:
        a = visible.get(c.answer_id)
        if a is None and actor.scope.limited:  # outside the member's units
            continue
        out.append(
            {
                "comment_id": a.pk if a else None,
                "answer_id": c.answer_id,
                "response_id": a.response_id if a else None,
                "language": a.language if a else "",
                "text": (a.answer.value_text if pii else a.redacted_text) if a else "",
                "model_sentiment": c.model_sentiment,
                **_state(c),
                "corrected_by": c.corrected_by.email if c.corrected_by else c.actor_label,
                "corrected_at": c.corrected_at.isoformat(),
            }
        )
    audit.record(actor, "comments.corrections_exported", target_type="comment", data={"rows": len(out)})
    return out
