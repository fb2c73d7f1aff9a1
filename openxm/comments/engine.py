"""Analysing stored answers: the one function that writes ``CommentAnalysis`` rows.

Which answers are comments: every ``text`` answer and the "other" text of a choice question,
when not blank. Excluded: e-mail, phone, date and hidden fields (they hold text but are not
feedback). Each analysis copies the response's first NPS and CSAT answer (by question id), its
unit and the answer's touchpoint and time, so aggregates need no join to the survey tables.

:func:`analyse_answers` is idempotent: it deletes the rows of the answers it is given and writes
new ones in one transaction, so running it twice, or re-analysing after a taxonomy change,
leaves exactly one analysis per answer. Corrections in force
(:mod:`openxm.comments.corrections`) are applied to what the model found, so a corrected label
survives re-analysis. Active custom classifiers add their predicted label: a topic classifier as
a topic (merged with a taxonomy topic of the same id), an intent classifier as an intent. An
organisation's adapted sentiment model in use (:mod:`openxm.comments.adaptation`) gives the
comments of its language their sentiment (clause and aspect sentiment stay the shipped model's).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from openxm.bulk import insert_instances
from openxm.surveys.models import Answer, Response
from openxm.text.classifier import TextClassifier
from openxm.text.pipeline import analyze

from .adaptation import active_models
from .corrections import apply_correction, corrections_for
from .models import Classifier, CommentAnalysis, CommentTopic
from .signals import analyses_written
from .taxonomies import active_taxonomy
from .topic_adaptation import active_topic_models

log = logging.getLogger(__name__)

OTHER_TYPES = ("single_choice", "dropdown", "multiple_choice")
SCORE_TYPES = ("nps", "csat")
MAX_TEXT = 20_000  # longer answers are analysed on their first 20,000 characters

_MODELS: OrderedDict = OrderedDict()
_MODELS_LOCK = threading.Lock()


@cache
def model_version() -> str:
    """A short fingerprint of the shipped sentiment models (changes when they are retrained)."""
    digest = hashlib.sha256()
    for lang in ("zh", "en"):
        digest.update(
            resources.files("openxm.text").joinpath(f"models/sentiment_{lang}.json.gz").read_bytes()
        )
    return f"text-{digest.hexdigest()[:12]}"


def comment_answers(organization) -> QuerySet:
    """The organization's answers that are comments (see the module docstring)."""
    return (
        Answer.objects.for_org(organization)
        .filter(Q(qtype="text") | Q(qtype__in=OTHER_TYPES))
        .exclude(value_text="")
    )


def is_comment(answer: Answer) -> bool:
    return bool(answer.value_text) and (answer.qtype == "text" or answer.qtype in OTHER_TYPES)


@dataclass(frozen=True)
class LoadedClassifier:
    id: int
    kind: str
    model: TextClassifier


@dataclass(frozen=True)
class Context:
    """What an analysis runs with: the taxonomy in force and the active classifiers."""

    taxonomy_version: int
    taxonomy: object
    classifiers: tuple[LoadedClassifier, ...]


def _load_model(row: Classifier) -> TextClassifier | None:
    key = (row.organization_id, row.pk, row.trained_at)
    model = _MODELS.get(key)
    if model is None:
        try:
            model = TextClassifier.load(Path(settings.MEDIA_ROOT) / row.model_path)
        except (OSError, ValueError):
            log.exception("classifier %s of organization %s cannot be loaded", row.pk, row.organization_id)
            return None
        with _MODELS_LOCK:
            _MODELS[key] = model
            while len(_MODELS) > 32:
                _MODELS.popitem(last=False)
    return model


def context_for(organization) -> Context:
    taxonomy = active_taxonomy(organization)
    loaded = []
    rows = Classifier.objects.for_org(organization).filter(status=Classifier.Status.ACTIVE).order_by("pk")
    for row in rows:
        model = _load_model(row)
        if model is not None:
            loaded.append(LoadedClassifier(row.pk, row.kind, model))
    return Context(taxonomy.version, taxonomy.compiled, tuple(loaded))


def _scores(organization, response_ids: set[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    rows = (
        Answer.objects.for_org(organization)
        .filter(response_id__in=response_ids, qtype__in=SCORE_TYPES, value_number__isnull=False)
        .order_by("response_id", "question_id", "sub_key")
        .values_list("response_id", "qtype", "value_number")
    )
    for response_id, qtype, value in rows:
        found.setdefault(response_id, {}).setdefault(qtype, int(round(value)))
    return found


def _adapted_topics(organization, results, texts) -> dict[int, tuple[frozenset, set[str]]]:
    """For each comment whose language has adapted topics in use: (the topics the adapted model
    decides, those it finds present)."""
    decided = {}
    for language, model in active_topic_models(organization).items():
        mine = [i for i, r in enumerate(results) if r.language == language]
        rules = [{t.id for t in results[i].topics} for i in mine]
        present = model.predict([texts[i] for i in mine], rules)
        for i, found in zip(mine, present, strict=True):
            decided[i] = (frozenset(model.topics), found)
    return decided


def _adapted_rows(organization, decision, result, sentiment: str, score: float) -> list[CommentTopic]:
    """The topic rows an adapted model adds: its present topics (with their parents), keeping the
    rules' spans and sentiment where the rules found the topic too; else the comment's."""
    if decision is None:
        return []
    _decides, present = decision
    by_rule = {t.id: t for t in result.topics}
    wanted = set(present) | {t.rsplit(".", 1)[0] for t in present if "." in t}
    wanted -= {t.id for t in result.topics if t.id not in _decides}  # already kept from the rules
    rows = []
    for topic in sorted(wanted):
        rule = by_rule.get(topic)
        rows.append(
            CommentTopic(
                organization=organization,
                topic=topic,
                parent=topic.rsplit(".", 1)[0] if "." in topic else "",
                kind=CommentTopic.Kind.TOPIC,
                sentiment=rule.sentiment if rule else sentiment,
                score=rule.score if rule else score,
                spans=[list(s) for s in rule.spans] if rule else [],
            )
        )
    return rows


def analyse_answers(organization, answers: list[Answer], context: Context | None = None) -> int:
    """Analyse ``answers`` (comment answers of ``organization``) and replace their rows; returns
    how many analyses were written."""
    answers = [a for a in answers if is_comment(a)]
    if not answers:
        return 0
    context = context or context_for(organization)
    response_ids = {a.response_id for a in answers}
    responses = dict(
        Response.objects.for_org(organization).filter(pk__in=response_ids).values_list("pk", "unit_id")
    )
    scores = _scores(organization, response_ids)
    texts = [a.value_text[:MAX_TEXT] for a in answers]
    results = [analyze(text, "auto", context.taxonomy) for text in texts]
    predictions = {c.id: c.model.predict(texts) for c in context.classifiers}
    verdicts = {i: (r.sentiment, r.score) for i, r in enumerate(results)}
    for language, adapted in active_models(organization).items():  # the organisation's own model
        mine = [i for i, r in enumerate(results) if r.language == language]
        verdicts.update(zip(mine, adapted.predict([texts[i] for i in mine]), strict=True))
    decided = _adapted_topics(organization, results, texts)
    now = timezone.now()
    version = model_version()
    rows: list[CommentAnalysis] = []
    topic_rows: list[list[CommentTopic]] = []
    for i, (answer, result) in enumerate(zip(answers, results, strict=True)):
        labels = {str(c.id): predictions[c.id][i].label for c in context.classifiers}
        sentiment, sentiment_score = verdicts[i]
        score = scores.get(answer.response_id, {})
        rows.append(
            CommentAnalysis(
                organization=organization,
                answer_id=answer.pk,
                response_id=answer.response_id,
                survey_id=answer.survey_id,
                question_id=answer.question_id,
                source=CommentAnalysis.Source.TEXT
                if answer.qtype == "text"
                else CommentAnalysis.Source.OTHER,
                touchpoint=answer.touchpoint,
                unit_id=responses.get(answer.response_id),
                answered_at=answer.answered_at,
                language=result.language,
                sentiment=sentiment,
                score=sentiment_score,
                mixed=result.mixed,
                text_length=len(texts[i]),
                redacted_text=result.redacted_text,
                pii=[[s.kind, s.start, s.end] for s in result.pii],
                pii_kinds=list(result.pii_kinds),
                flags=[
                    {"kind": f.kind, "phrase": f.phrase, "start": f.start, "end": f.end} for f in result.flags
                ],
                labels=labels,
                nps=score.get("nps"),
                csat=score.get("csat"),
                taxonomy_version=context.taxonomy_version,
                model_version=version,
                analysed_at=now,
            )
        )
        topics = [
            CommentTopic(
                organization=organization,
                topic=t.id,
                parent=t.id.rsplit(".", 1)[0] if "." in t.id else "",
                kind=CommentTopic.Kind.TOPIC,
                sentiment=t.sentiment,
                score=t.score,
                spans=[list(s) for s in t.spans],
            )
            for t in result.topics
            if t.id not in decided.get(i, ((), ()))[0]
        ]
        topics += _adapted_rows(organization, decided.get(i), result, sentiment, sentiment_score)
        topics += [
            CommentTopic(
                organization=organization,
                topic=f.kind,
                kind=CommentTopic.Kind.FLAG,
                sentiment=sentiment,
                score=sentiment_score,
                spans=[[f.start, f.end]],
            )
            for f in result.flags
        ]
        seen = {(CommentTopic.Kind.TOPIC, t.topic) for t in topics}
        for c in context.classifiers:
            label = predictions[c.id][i].label
            kind = CommentTopic.Kind.TOPIC if c.kind == Classifier.Kind.TOPIC else CommentTopic.Kind.INTENT
            if not label or (kind, label[:100]) in seen:
                continue
            seen.add((kind, label[:100]))
            topics.append(
                CommentTopic(
                    organization=organization,
                    topic=label[:100],
                    kind=kind,
                    classifier_id=c.id,
                    sentiment=sentiment,
                    score=sentiment_score,
                    spans=[],
                )
            )
        topic_rows.append(topics)
    corrected = corrections_for(organization, [a.pk for a in answers])
    for i, answer in enumerate(answers):  # an analyst's correction wins over the model
        if answer.pk in corrected:
            topic_rows[i] = apply_correction(corrected[answer.pk], rows[i], topic_rows[i])
    with transaction.atomic():
        CommentTopic.objects.for_org(organization).filter(
            analysis__answer_id__in=[a.pk for a in answers]
        ).delete()
        CommentAnalysis.objects.for_org(organization).filter(answer_id__in=[a.pk for a in answers]).delete()
        # Multi-row inserts: the ORM's bulk_create spent half the analysis time preparing cells.
        insert_instances(rows)
        flat = []
        for analysis, topics in zip(rows, topic_rows, strict=True):
            for t in topics:
                t.analysis_id = analysis.pk
                flat.append(t)
        insert_instances(flat)
        analyses_written.send(
            sender=CommentAnalysis, organization=organization, response_ids=sorted(response_ids)
        )
    return len(rows)


def analyse_responses(organization, response_ids: list[int]) -> int:
    """Analyse every comment of these responses (of ``organization``); returns the count."""
    answers = list(comment_answers(organization).filter(response_id__in=response_ids).order_by("pk"))
    return analyse_answers(organization, answers)
