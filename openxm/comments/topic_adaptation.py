"""An organisation's topics, adapted from its topic corrections, switched on topic by topic when better.

A comment whose topics an analyst corrected (added or removed one, on the verbatims, the response
page or through the API) counts as *reviewed*: its topics after the correction are the truth for
every topic of the taxonomy, and what the taxonomy's rules find in its text is the prior.
:func:`start_topic_adaptation` (``text.configure``, audited as ``topics.adaptation_started``)
trains in the background; :func:`run_topic_adaptation` runs
:func:`openxm.text.adapt_topics.adapt_topics`, which cross-validates, per topic, the rules against
an adapted model. The run is switched on (``ACTIVE``; the previous topics run of that language is
``REPLACED``) when at least one topic's adapted model beat its rules, and then decides only those
topics; otherwise it is ``REFUSED``. The engine (:mod:`openxm.comments.engine`) asks
:func:`active_topic_models`; corrections still win over it. Stored comments change at the next
re-analysis.

Excluded: topics of custom classifiers (they are trained from their own labelled files), flags,
and members limited to a unit (the model serves the whole organisation).
"""

from __future__ import annotations

from dataclasses import asdict

from django.db.models import Q
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.text.adapt_topics import MIN_EACH, AdaptedTopics, adapt_topics
from openxm.text.pipeline import analyze

from .adaptation import (
    LANGUAGES,
    MAX_TEXT,
    MIN_LABELS,
    _require_whole,
    create_run,
    finish_run,
    load_active,
    train_run,
)
from .models import CommentAnalysis, CommentCorrection, CommentTopic, SentimentAdaptation
from .taxonomies import active_taxonomy

__all__ = [
    "reviewed_examples", "start_topic_adaptation", "run_topic_adaptation", "active_topic_models",
    "topic_overview",
]

_TOPICS = SentimentAdaptation.Target.TOPICS


def reviewed_examples(organization, language: str) -> tuple[list[str], list[set[str]], list[set[str]]]:
    """Texts, the rules' topics and the corrected topics of the reviewed comments in ``language``."""
    touched = CommentCorrection.objects.for_org(organization).filter(
        ~Q(topics_added=[]) | ~Q(topics_removed=[])
    )
    rows = list(
        CommentAnalysis.objects.for_org(organization)
        .filter(answer_id__in=touched.values("answer_id"), language=language)
        .select_related("answer")
        .order_by("answer_id")
    )
    gold: dict[int, set[str]] = {row.pk: set() for row in rows}
    topics = CommentTopic.objects.for_org(organization).filter(
        analysis__in=rows, kind=CommentTopic.Kind.TOPIC, classifier__isnull=True
    )
    for analysis_id, topic in topics.values_list("analysis_id", "topic"):
        gold[analysis_id].add(topic)
    taxonomy = active_taxonomy(organization).compiled
    texts = [row.answer.value_text[:MAX_TEXT] for row in rows]
    rules = [{t.id for t in analyze(text, language, taxonomy).topics} for text in texts]
    return texts, rules, [gold[row.pk] for row in rows]


def _check(texts: list[str]) -> str | None:
    if len(texts) < MIN_LABELS:
        return _(
            "needs at least %(min)s comments whose topics were corrected in this language (there are %(n)s)"
        ) % {"min": MIN_LABELS, "n": len(texts)}
    return None


def start_topic_adaptation(actor: Actor, language: str, *, inline: bool = False) -> SentimentAdaptation:
    """Start training the adapted topics of ``language`` (in the background unless ``inline``)."""
    _require_whole(actor)
    if language not in LANGUAGES:
        raise InvalidInput("language", _("must be one of %(choices)s") % {"choices": ", ".join(LANGUAGES)})
    texts, _rules, _gold = reviewed_examples(actor.organization, language)
    problem = _check(texts)
    if problem:
        raise InvalidInput("language", problem)
    from . import tasks

    row = create_run(
        actor, _TOPICS, language, len(texts), "topics.adaptation_started",
        {"language": language, "reviewed": len(texts)}, None if inline else tasks.adapt_topics_task,
    )
    return run_topic_adaptation(actor.organization, row.pk) if inline else row


def run_topic_adaptation(organization, row_id: int) -> SentimentAdaptation:
    """Train a topics run whose status is ``training``; switch it on if any topic beat its rules."""
    row = SentimentAdaptation.objects.for_org(organization).get(pk=row_id, target=_TOPICS)
    if row.status != SentimentAdaptation.Status.TRAINING:
        return row
    texts, rules, gold = reviewed_examples(organization, row.language)
    trained = train_run(organization, row, lambda: (adapt_topics(texts, rules, gold, row.language),))
    if trained is None:
        return row
    (model,), relative = trained
    report = {"topics": [asdict(r) for r in model.results], "min_each": MIN_EACH}
    return finish_run(row, model.active, n_labels=len(texts), report=report, model_path=relative)


def active_topic_models(organization) -> dict[str, AdaptedTopics]:
    """The organisation's adapted topics in use, by language (loaded once per process)."""
    return load_active(organization, _TOPICS, AdaptedTopics.load)


def topic_overview(actor: Actor) -> list[dict]:
    """Per language: reviewed comments, the topics run in use and the newest run (figures only, no
    comment, so a member limited to a unit may read them)."""
    actor.require(Perm.TEXT_CONFIGURE)
    org = actor.organization
    runs = list(SentimentAdaptation.objects.for_org(org).filter(target=_TOPICS)[:50])
    out = []
    for language in LANGUAGES:
        mine = [r for r in runs if r.language == language]
        texts, _rules, _gold = reviewed_examples(org, language)
        out.append(
            {
                "language": language,
                "reviewed": len(texts),
                "ready": _check(texts) is None,
                "min_labels": MIN_LABELS,
                "min_each": MIN_EACH,
                "active": next((r for r in mine if r.status == SentimentAdaptation.Status.ACTIVE), None),
                "latest": mine[0] if mine else None,
            }
        )
    return out
