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
    "create_run", "train_run", "finish_run", "load_active",
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
    _texts, labels = corrected_examples(actor.organization, language)
    problem = _check_labels(labels)
    if problem:
        raise InvalidInput("language", problem)
    from . import tasks

    row = create_run(
        actor, SentimentAdaptation.Target.SENTIMENT, language, len(labels), "sentiment.adaptation_started",
        {"language": language, "corrections": len(labels)}, None if inline else tasks.adapt_sentiment_task,
    )
    return run_adaptation(actor.organization, row.pk) if inline else row


def create_run(actor: Actor, target: str, language: str, n_labels: int, action: str, data: dict,
               task) -> SentimentAdaptation:
    """A new training run, audited as ``action``; ``task`` (if any) trains it once committed."""
    org = actor.organization
    with transaction.atomic():
        row = SentimentAdaptation.objects.for_org(org).create(
            organization=org, target=target, language=language, n_labels=n_labels, created_by=actor.user
        )
        audit.record(actor, action, target_type=f"{target}_adaptation", target_id=row.pk, data=data)
        if task is not None:
            dispatch(task, org.pk, row.pk)
    return row


def train_run(organization, row: SentimentAdaptation, fit) -> tuple[object, str] | None:
    """Run ``fit()`` → (model with ``save(dir)``, anything) and save the model under the run's
    directory; on failure mark the run failed (reported on the page, not lost in a worker log)
    and return None; else (fit's result, the model's path relative to MEDIA_ROOT)."""
    try:
        result = fit()
        relative = f"adaptations/{organization.pk}/{row.pk}"
        target = Path(settings.MEDIA_ROOT) / relative
        if target.exists():
            shutil.rmtree(target)
        result[0].save(target)
    except Exception as exc:
        log.exception("%s adaptation %s failed", row.target, row.pk)
        row.status, row.error = SentimentAdaptation.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        row.save(update_fields=["status", "error"])
        return None
    return result, relative


def finish_run(row: SentimentAdaptation, better: bool, **fields) -> SentimentAdaptation:
    """Switch the run on (replacing the one in use for its target and language) when ``better``,
    else mark it refused; store ``fields`` (n_labels, report, curve, model_path)."""
    with transaction.atomic():
        if better:
            SentimentAdaptation.objects.for_org(row.organization).filter(
                language=row.language, status=SentimentAdaptation.Status.ACTIVE, target=row.target
            ).update(status=SentimentAdaptation.Status.REPLACED)
        row.status = SentimentAdaptation.Status.ACTIVE if better else SentimentAdaptation.Status.REFUSED
        for name, value in fields.items():
            setattr(row, name, value)
        row.trained_at = timezone.now()
        row.save()
    return row


def load_active(organization, target: str, load) -> dict:
    """The organisation's runs in use for ``target``, loaded by ``load(directory)`` once per
    process, by language; a run whose files cannot be read is logged and left out."""
    out = {}
    rows = SentimentAdaptation.objects.for_org(organization).filter(
        status=SentimentAdaptation.Status.ACTIVE, target=target
    )
    for row in rows:
        key = (organization.pk, row.pk, target, row.trained_at)  # a retrained or reused id reloads
        model = _LOADED.get(key)
        if model is None:
            try:
                model = load(Path(settings.MEDIA_ROOT) / row.model_path)
            except (OSError, ValueError, KeyError):
                log.exception("adapted %s %s cannot be loaded", target, row.pk)
                continue
            with _LOCK:
                _LOADED[key] = model
                while len(_LOADED) > 16:
                    _LOADED.popitem(last=False)
        out[row.language] = model
    return out


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
    texts, labels = corrected_examples(row.organization, row.language)

    def fit():
        return (adapt_sentiment(texts, labels, row.language), learning_curve(texts, labels, row.language))

    trained = train_run(organization, row, fit)
    if trained is None:
        return row
    (model, curve), relative = trained
    return finish_run(
        row, model.chosen != "shipped",
        n_labels=len(labels), report=model.report.to_dict(), curve=curve, model_path=relative,
    )


def active_models(organization) -> dict[str, AdaptedSentiment]:
    """The organisation's adapted sentiment models in use, by language (loaded once per process)."""
    return load_active(organization, SentimentAdaptation.Target.SENTIMENT, AdaptedSentiment.load)


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
