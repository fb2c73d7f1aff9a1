"""An organisation's sentiment model, adapted from its corrections, switched on only when it is better.

:func:`start_adaptation` (``text.configure``, audited as ``sentiment.adaptation_started``) trains
in the background (:func:`openxm.jobs.dispatch`) from the comments of one language whose
sentiment an analyst corrected (:mod:`openxm.comments.corrections`): :func:`run_adaptation` runs
:func:`openxm.text.adapt.adapt_sentiment`, which cross-validates the shipped model against the
adapted candidates on those labels. The new model is switched on (``ACTIVE``; the previous one of
that language is ``REPLACED``) only when cross-validation chose an adapted candidate, i.e. it
beat the shipped model; otherwise the run is ``REFUSED`` and the shipped model stays. Every run
records the candidates' macro-F1 with 95 % intervals, the number of corrections, and a
learning curve: the same cross-validation on nested quarters of the corrections, which shows
whether more corrections still help.

The analysis engine asks :func:`active_models` for the organisation's active models and gives
the comments of their language the adapted sentiment; corrections still win over it. Existing
comments change at the next re-analysis (the "Re-analyse" button of the topics page). Adapted
topics are :mod:`openxm.comments.topic_adaptation`.
"""

from __future__ import annotations

import logging
import random
import shutil
import threading
from collections import Counter, OrderedDict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor, PermissionDenied
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.jobs import dispatch
from openxm.text.adapt import AdaptedSentiment, adapt_sentiment

from .models import CommentAnalysis, CommentCorrection, SentimentAdaptation

__all__ = [
    "MIN_LABELS", "corrected_examples", "start_adaptation", "run_adaptation", "active_models", "overview",
]

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
MIN_LABELS = 20
MAX_TEXT = 20_000
_LOADED: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def _require_whole(actor: Actor) -> None:
    """The model serves the whole organization: a member limited to a unit may not train it."""
    actor.require(Perm.TEXT_CONFIGURE)
    if actor.scope.limited:
        raise PermissionDenied(Perm.TEXT_CONFIGURE)


def corrected_examples(organization, language: str) -> tuple[list[str], list[str]]:
    """Texts and corrected sentiments of the organisation's comments in ``language`` (a sentiment
    corrected on a single comment is left out)."""
    corrections = CommentCorrection.objects.for_org(organization).exclude(sentiment="")
    corrected = dict(corrections.values_list("answer_id", "sentiment"))
    rows = (
        CommentAnalysis.objects.for_org(organization)
        .filter(answer_id__in=list(corrected), language=language)
        .select_related("answer")
        .order_by("answer_id")
    )
    return _usable([row.answer.value_text[:MAX_TEXT] for row in rows], [corrected[r.answer_id] for r in rows])


def _usable(texts: list[str], labels: list[str]) -> tuple[list[str], list[str]]:
    """Leave out a sentiment corrected on a single comment: cross-validation needs two of each."""
    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= 2]
    return [texts[i] for i in keep], [labels[i] for i in keep]


def _check_labels(labels: list[str]) -> str | None:
    counts = Counter(labels)
    if len(labels) < MIN_LABELS:
        return _(
            "needs at least %(min)s comments with a corrected sentiment in this language (there are %(n)s)"
        ) % {"min": MIN_LABELS, "n": len(labels)}
    if sum(1 for n in counts.values() if n >= 2) < 2:
        return _("needs two sentiments with at least two corrected comments each")
    return None


def start_adaptation(actor: Actor, language: str, *, inline: bool = False) -> SentimentAdaptation:
    """Start training the adapted model of ``language`` from the corrections (in the background
    unless ``inline``)."""
    _require_whole(actor)
    if language not in LANGUAGES:
        raise InvalidInput("language", _("must be one of %(choices)s") % {"choices": ", ".join(LANGUAGES)})
    org = actor.organization
    _texts, labels = corrected_examples(org, language)
    problem = _check_labels(labels)
    if problem:
        raise InvalidInput("language", problem)
    with transaction.atomic():
        row = SentimentAdaptation.objects.for_org(org).create(
            organization=org, language=language, n_labels=len(labels), created_by=actor.user
        )
        audit.record(
            actor, "sentiment.adaptation_started", target_type="sentiment_adaptation", target_id=row.pk,
            data={"language": language, "corrections": len(labels)},
        )
        if not inline:
            from . import tasks

            dispatch(tasks.adapt_sentiment_task, org.pk, row.pk)
    if inline:
        row = run_adaptation(org, row.pk)
    return row


def learning_curve(texts: list[str], labels: list[str], language: str, seed: int = 0) -> list[dict]:
    """Cross-validated macro-F1 of the best adapted candidate and of the shipped model on nested
    quarters of the labels (a fixed shuffle), so the page can show whether more would help."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible order, not a secret
    points = []
    for size in sorted({max(MIN_LABELS, len(order) * k // 4) for k in (1, 2, 3, 4)}):
        sub_texts, sub_labels = _usable([texts[i] for i in order[:size]], [labels[i] for i in order[:size]])
        if _check_labels(sub_labels):
            continue
        report = adapt_sentiment(sub_texts, sub_labels, language, seed=seed).report
        adapted = max((c for c in report.candidates if c.name != "shipped"), key=lambda c: c.macro_f1)
        points.append(
            {"n": size, "adapted": adapted.macro_f1, "low": adapted.low, "high": adapted.high,
             "shipped": report.candidate("shipped").macro_f1}
        )
    return points


def run_adaptation(organization, row_id: int) -> SentimentAdaptation:
    """Train a run whose status is ``training``; switch it on only if it beat the shipped model."""
    row = SentimentAdaptation.objects.for_org(organization).get(pk=row_id)
    if row.status != SentimentAdaptation.Status.TRAINING:
        return row
    try:
        texts, labels = corrected_examples(row.organization, row.language)
        model = adapt_sentiment(texts, labels, row.language)
        curve = learning_curve(texts, labels, row.language)
        relative = f"adaptations/{organization.pk}/{row.pk}"
        target = Path(settings.MEDIA_ROOT) / relative
        if target.exists():
            shutil.rmtree(target)
        model.save(target)
    except Exception as exc:  # reported on the page, not lost in a worker log
        log.exception("sentiment adaptation %s failed", row.pk)
        row.status, row.error = SentimentAdaptation.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        row.save(update_fields=["status", "error"])
        return row
    better = model.chosen != "shipped"
    with transaction.atomic():
        if better:
            SentimentAdaptation.objects.for_org(row.organization).filter(
                language=row.language, status=SentimentAdaptation.Status.ACTIVE, target=row.target
            ).update(status=SentimentAdaptation.Status.REPLACED)
        row.status = SentimentAdaptation.Status.ACTIVE if better else SentimentAdaptation.Status.REFUSED
        row.n_labels = len(labels)
        row.report = model.report.to_dict()
        row.curve = curve
        row.model_path = relative
        row.trained_at = timezone.now()
        row.save()
    return row


def active_models(organization) -> dict[str, AdaptedSentiment]:
    """The organisation's adapted sentiment models in use, by language (loaded once per run)."""
    out = {}
    rows = SentimentAdaptation.objects.for_org(organization).filter(
        status=SentimentAdaptation.Status.ACTIVE, target=SentimentAdaptation.Target.SENTIMENT
    )
    for row in rows:
        key = (organization.pk, row.pk)
        model = _LOADED.get(key)
        if model is None:
            try:
                model = AdaptedSentiment.load(Path(settings.MEDIA_ROOT) / row.model_path)
            except (OSError, ValueError):
                log.exception("adapted sentiment model %s cannot be loaded", row.pk)
                continue
            with _LOCK:
                _LOADED[key] = model
                while len(_LOADED) > 16:
                    _LOADED.popitem(last=False)
        out[row.language] = model
    return out


def overview(actor: Actor) -> list[dict]:
    """Per language: corrected comments, the run in use, the newest run (for the page; figures
    only, no comment, so a member limited to a unit may read them)."""
    actor.require(Perm.TEXT_CONFIGURE)
    org = actor.organization
    runs = list(
        SentimentAdaptation.objects.for_org(org)
        .filter(target=SentimentAdaptation.Target.SENTIMENT)
        .select_related("created_by")[:50]
    )
    out = []
    for language in LANGUAGES:
        mine = [r for r in runs if r.language == language]
        _texts, labels = corrected_examples(org, language)
        out.append(
            {
                "language": language,
                "corrections": len(labels),
                "counts": dict(sorted(Counter(labels).items())),
                "ready": _check_labels(labels) is None,
                "min_labels": MIN_LABELS,
                "active": next((r for r in mine if r.status == SentimentAdaptation.Status.ACTIVE), None),
                "latest": mine[0] if mine else None,
                "runs": mine[:10],
            }
        )
    return out
