"""The comments app's part of data-subject requests (``openxm.personal_data``).

Included: the text analyses of the subject's responses (language, sentiment, the redacted text,
topics and flags) and analysts' corrections of their comments. All of it is derived: the
``response_deleted`` receiver drops the analyses and the answer's deletion takes its correction,
and ``response_anonymised`` analyses the redacted words again; so erasure writes nothing here and
the privacy room's check afterwards proves the rows went. Excluded (exempt): taxonomies,
classifiers and their training files, re-analysis jobs and sentiment adaptations, which are the
organization's models and settings.
"""

from __future__ import annotations

from openxm.personal_data import Hook, Subject, exempt, register, row

from .models import CommentAnalysis, CommentCorrection, CommentTopic

ANALYSIS = "comments.CommentAnalysis"
TOPIC = "comments.CommentTopic"
CORRECTION = "comments.CommentCorrection"
MODELS = {ANALYSIS: CommentAnalysis, TOPIC: CommentTopic, CORRECTION: CommentCorrection}


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    org = subject.organization
    analyses = list(
        CommentAnalysis.objects.for_org(org)
        .filter(response_id__in=found["surveys.Response"])
        .values_list("pk", flat=True)
    )
    return {
        ANALYSIS: analyses,
        TOPIC: list(
            CommentTopic.objects.for_org(org).filter(analysis_id__in=analyses).values_list("pk", flat=True)
        ),
        CORRECTION: list(
            CommentCorrection.objects.for_org(org)
            .filter(answer_id__in=found["surveys.Answer"])
            .values_list("pk", flat=True)
        ),
    }


def export(subject: Subject, found: dict[str, list]) -> dict[str, list[dict]]:
    org = subject.organization
    return {
        label: [row(o) for o in model.objects.for_org(org).filter(pk__in=found[label]).order_by("pk")]
        for label, model in MODELS.items()
    }


def erase(actor, subject: Subject, found: dict[str, list], mode: str) -> dict[str, int]:
    return {label: len(found[label]) for label in MODELS}


def register_hook() -> None:
    register(
        Hook(
            app="comments",
            models=tuple(MODELS),
            find=find,
            export=export,
            erase=erase,
            derived=tuple(MODELS),
        )
    )
    exempt("comments.Taxonomy", "the organization's topic taxonomy")
    exempt("comments.Classifier", "a classifier trained from a file of labelled example comments")
    exempt("comments.ReanalysisJob", "a re-analysis run: survey, counts, status")
    exempt("comments.SentimentAdaptation", "a sentiment model fitted to the organization's corrections")
