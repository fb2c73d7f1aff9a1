"""Text analytics actions and reads: the one path behind the pages, the API and the CLI.

Reads check ``dashboards.view`` (aggregates) or ``responses.view`` (verbatims; unredacted only
with ``pii.view``). Changes need ``text.configure``; each owns its transaction and writes the
audit entry: ``taxonomy.saved`` (also for a reset or an accepted theme), ``text.reanalysis_started``,
``classifier.training_started``, ``classifier.activated``/``deactivated``/``deleted``.

For other apps (the journey map's pain points, dashboards): :func:`topic_summary` gives topic
figures of an organization without an actor (see :mod:`openxm.comments.queries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm
from openxm.accounts.scope import organization_scope
from openxm.jobs import dispatch
from openxm.surveys import door
from openxm.surveys import services as surveys
from openxm.surveys.door import Slice
from openxm.text.clauses import split_clauses
from openxm.text.rules import RuleSyntaxError
from openxm.text.topics import Taxonomy as CompiledTaxonomy
from openxm.text.topics import TopicDefinition

from . import classifiers as clf
from . import jobs, tasks
from .discovery import ThemeSuggestion, suggest_themes
from .engine import comment_answers
from .models import Classifier, CommentAnalysis, CommentTopic, ReanalysisJob, Taxonomy
from .queries import (
    Overview,
    TopicFigure,
    Trend,
    analyses,
    make_slice,
    overview,
    topic_nps_weeks,
    topic_trends,
)
from .queries import topic_summary as _topic_summary
from .taxonomies import (
    ActiveTaxonomy,
    InvalidTaxonomy,
    active_taxonomy,
    check_document,
    default_document,
    normalise,
    rule_problem,
    topic_labels,
)
from .verbatims import VerbatimPage, segments, verbatim_page

__all__ = [
    "TopicFigure",
    "topic_summary",
    "slice_for",
    "touchpoint_choices",
    "figures",
    "summary",
    "trends",
    "verbatims",
    "taxonomy",
    "save_taxonomy",
    "reset_taxonomy",
    "add_topic",
    "preview_rule",
    "start_reanalysis",
    "get_job",
    "list_jobs",
    "upload_classifier",
    "train_classifier",
    "train_from_examples",
    "list_classifiers",
    "get_classifier",
    "set_classifier_active",
    "delete_classifier",
    "discover_themes",
    "response_comments",
]

PERIODS = {"30d": 30, "90d": 90, "180d": 180, "365d": 365}
SENTIMENTS = ("positive", "neutral", "negative")


def topic_summary(organization, **filters) -> list[TopicFigure]:
    """Topic figures of the whole organization (system work: the demo, reports to the operator);
    ``filters`` as :func:`~openxm.comments.queries.make_slice` takes them, plus ``kind``,
    ``language`` and ``min_n``. See :func:`openxm.comments.queries.topic_summary`."""
    options = {k: filters.pop(k) for k in ("kind", "language", "min_n") if k in filters}
    piece = make_slice(organization, **filters)
    return _topic_summary(organization_scope(organization), piece, **options)


# --- Reads ------------------------------------------------------------------------------------


def slice_for(
    actor: Actor,
    *,
    survey=None,
    touchpoint=None,
    period=None,
    since=None,
    until=None,
    unit=None,
    language=None,
) -> Slice:
    """Which comments, checked against the actor: a survey of another organization or a unit
    outside their scope is NotFound, a bad period or language an InvalidInput. ``period`` is
    30d/90d/180d/365d/all. The access scope itself is applied by every reader below."""
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    survey_obj = surveys.get_survey(actor, survey) if survey not in (None, "") else None
    if period and period != "all":
        if period not in PERIODS:
            raise InvalidInput(
                "period", _("must be one of %(choices)s") % {"choices": ", ".join([*PERIODS, "all"])}
            )
        since = timezone.now() - timedelta(days=PERIODS[period])
    if language not in (None, "", "zh", "en", "other"):
        raise InvalidInput("language", _("must be zh, en or other"))
    actor.scope.units(unit)  # NotFound for a unit outside the actor's scope
    piece = make_slice(
        org, survey=survey_obj, touchpoint=touchpoint, since=since, until=until, unit=unit, language=language
    )
    if piece.since and piece.until and piece.until <= piece.since:
        raise InvalidInput("until", _("is before since"))
    return piece


def touchpoint_choices(actor: Actor) -> list[tuple[str, str]]:
    """(key, name) of the journey touchpoints and of any other touchpoint comments were tagged with."""
    from openxm.journeys.services import touchpoint_directory

    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    directory = touchpoint_directory(org)
    seen = set(analyses(actor.scope).exclude(touchpoint="").values_list("touchpoint", flat=True).distinct())
    choices = [(key, info.name) for key, info in directory.items()]
    choices += [(key, key) for key in sorted(seen - set(directory))]
    return choices


def figures(
    actor: Actor, piece: Slice, *, kind: str = "topic", language: str | None = None
) -> list[TopicFigure]:
    actor.require(Perm.DASHBOARDS_VIEW)
    if kind not in ("topic", "intent", "flag"):
        raise InvalidInput("kind", _("must be topic, intent or flag"))
    return _topic_summary(actor.scope, piece, kind=kind, language=language)


def summary(actor: Actor, piece: Slice) -> Overview:
    actor.require(Perm.DASHBOARDS_VIEW)
    return overview(actor.scope, piece)


def trends(
    actor: Actor, piece: Slice, topics: list[str], *, bucket: str = "week", language: str | None = None
) -> Trend:
    actor.require(Perm.DASHBOARDS_VIEW)
    if bucket not in ("day", "week", "month"):
        raise InvalidInput("bucket", _("must be day, week or month"))
    return topic_trends(actor.scope, piece, topics[:20], bucket=bucket, language=language)


def topic_scores(actor: Actor, piece: Slice, topics: list[str]) -> dict:
    """Weekly NPS counts (promoters, passives, detractors) of the responses naming each topic."""
    actor.require(Perm.DASHBOARDS_VIEW)
    return topic_nps_weeks(actor.scope, piece, topics[:20])


def verbatims(
    actor: Actor,
    piece: Slice,
    *,
    topic=None,
    sentiment=None,
    flag=None,
    query=None,
    limit: int = 20,
    offset: int = 0,
    language: str | None = None,
) -> VerbatimPage:
    """Comments with their analysis; redacted unless the actor has ``pii.view``."""
    actor.require(Perm.RESPONSES_VIEW)
    if sentiment and sentiment not in SENTIMENTS:
        raise InvalidInput("sentiment", _("must be positive, neutral or negative"))
    labels = topic_labels(active_taxonomy(actor.organization).document, language)
    return verbatim_page(
        actor.scope,
        piece,
        labels=labels,
        topic=topic or None,
        sentiment=sentiment or None,
        flag=flag or None,
        query=(query or "").strip()[:200] or None,
        limit=limit,
        offset=offset,
    )


def response_comments(actor: Actor, response_id: int, language: str | None = None) -> VerbatimPage:
    """The analysed comments of one response (redacted unless the actor has ``pii.view``)."""
    actor.require(Perm.RESPONSES_VIEW)
    door.get_response(actor.scope, response_id, related=())  # NotFound outside the scope
    labels = topic_labels(active_taxonomy(actor.organization).document, language)
    return verbatim_page(
        actor.scope,
        labels=labels,
        response_id=response_id,
        limit=100,
    )


def text_findings(scope, response_ids) -> dict[int, tuple[set[str], set[str], set[str]]]:
    """For each analysed response among ``response_ids`` inside ``scope`` (a Scope): the
    sentiments of its comments, their topics and their flags (for alert rules)."""
    found: dict[int, tuple[set[str], set[str], set[str]]] = {}
    rows = CommentAnalysis.objects.for_org(scope.organization).filter(response_id__in=list(response_ids))
    if scope.unit_ids is not None:
        rows = rows.filter(unit_id__in=scope.unit_ids)
    for rid, sentiment in rows.values_list("response_id", "sentiment"):
        found.setdefault(rid, (set(), set(), set()))[0].add(sentiment)
    topics = CommentTopic.objects.for_org(scope.organization).filter(analysis__in=rows)
    for rid, kind, topic in topics.values_list("analysis__response_id", "kind", "topic"):
        found[rid][2 if kind == CommentTopic.Kind.FLAG else 1].add(topic)
    return found


# --- Taxonomy ---------------------------------------------------------------------------------


def taxonomy(actor: Actor) -> ActiveTaxonomy:
    """The taxonomy in force (labels and rules are configuration, visible to every member)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    return active_taxonomy(actor.organization)


def taxonomy_versions(actor: Actor, limit: int = 20) -> list[Taxonomy]:
    actor.require(Perm.TEXT_CONFIGURE)
    return list(Taxonomy.objects.for_org(actor.organization).select_related("created_by")[:limit])


def _save(actor: Actor, document: dict, note: str, data: dict | None = None) -> ActiveTaxonomy:
    actor.require(Perm.TEXT_CONFIGURE)
    doc = normalise(document)
    issues = check_document(doc)
    if issues:
        raise InvalidTaxonomy(issues)
    org = actor.organization
    with transaction.atomic():
        last = Taxonomy.objects.for_org(org).select_for_update().order_by("-version").first()
        version = (last.version if last else 0) + 1
        row = Taxonomy.objects.for_org(org).create(
            organization=org,
            version=version,
            name=doc["name"],
            document=doc,
            note=note[:300],
            created_by=actor.user,
        )
        audit.record(
            actor,
            "taxonomy.saved",
            target_type="taxonomy",
            target_id=row.version,
            data={"topics": len(doc["topics"]), "note": note[:300], **(data or {})},
        )
    return active_taxonomy(org)


def save_taxonomy(actor: Actor, document: dict, note: str = "") -> ActiveTaxonomy:
    """Save ``document`` as the next version (raises InvalidTaxonomy listing every problem).

    Stored comments keep their topics until a re-analysis (:func:`start_reanalysis`)."""
    return _save(actor, document, note or _("Edited"))


def reset_taxonomy(actor: Actor) -> ActiveTaxonomy:
    """Save the shipped default as the next version (history is kept)."""
    return _save(actor, default_document(), _("Reset to the default taxonomy"), {"reset": True})


def add_topic(actor: Actor, topic: dict, note: str = "") -> ActiveTaxonomy:
    """Add one topic (id, label {en, zh}, rule, description) to the taxonomy in force."""
    actor.require(Perm.TEXT_CONFIGURE)
    current = active_taxonomy(actor.organization).document
    if any(t["id"] == topic.get("id") for t in current["topics"]):
        raise InvalidInput("id", _("a topic with this id exists already"))
    document = {**current, "topics": [*current["topics"], topic]}
    return _save(
        actor, document, note or _("Added topic %(id)s") % {"id": topic.get("id")}, {"added": topic.get("id")}
    )


@dataclass(frozen=True)
class RulePreview:
    checked: int
    matched: int
    examples: list  # [(segments, sentiment)]


def preview_rule(
    actor: Actor, rule: str, *, topic_id: str = "preview", sample: int = 500, examples: int = 8
) -> RulePreview:
    """How many of the newest ``sample`` comments the rule matches, with examples (matched clauses
    marked; redacted unless the actor has ``pii.view``)."""
    actor.require(Perm.TEXT_CONFIGURE)
    try:
        compiled = CompiledTaxonomy("preview", [TopicDefinition(topic_id or "preview", (), rule, None)])
    except ValueError as exc:
        cause = exc.__cause__
        message = rule_problem(cause, rule) if isinstance(cause, RuleSyntaxError) else str(exc)
        raise InvalidInput("rule", message) from None
    newest = analyses(actor.scope).order_by("-answered_at", "-pk")
    rows = list(newest.select_related("answer")[:sample])
    matched, shown = 0, []
    redact = not actor.scope.pii
    for a in rows:
        text = a.answer.value_text[: a.text_length]
        spans = [[c.start, c.end] for c in split_clauses(text) if compiled.match_clause(c.text)]
        if spans:
            matched += 1
            if len(shown) < examples:
                shown.append((segments(text, spans, a.pii, redact), a.sentiment))
    return RulePreview(len(rows), matched, shown)


# --- Re-analysis ------------------------------------------------------------------------------


def start_reanalysis(
    actor: Actor, *, survey=None, reason: str = "", inline: bool = False, progress=None
) -> ReanalysisJob:
    """Queue a re-analysis of the stored comments (all, or one survey's) with the taxonomy and
    classifiers in force; refused while another one runs. ``inline`` runs it before returning
    (the CLI)."""
    actor.require(Perm.TEXT_CONFIGURE)
    org = actor.organization
    survey_obj = surveys.get_survey(actor, survey) if survey not in (None, "") else None
    with transaction.atomic():
        # One start at a time per organization: the row lock serialises two clicks (PostgreSQL;
        # SQLite's IMMEDIATE transactions already do).
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        running = jobs.running_job(org)
        if running is not None:
            raise InvalidInput("job", _("a re-analysis is already running (job %(id)s)") % {"id": running.pk})
        job = ReanalysisJob.objects.for_org(org).create(
            organization=org,
            survey=survey_obj,
            taxonomy_version=active_taxonomy(org).version,
            total=jobs.scope_answers(org, survey_obj.pk if survey_obj else None).count(),
            reason=reason[:200],
            created_by=actor.user,
            actor_label=actor.label,
        )
        audit.record(
            actor,
            "text.reanalysis_started",
            target_type="reanalysis",
            target_id=job.pk,
            data={
                "survey": survey_obj.key if survey_obj else None,
                "comments": job.total,
                "taxonomy_version": job.taxonomy_version,
            },
        )
        if not inline:
            dispatch(tasks.reanalyse_task, org.pk, job.pk)
    if inline:
        jobs.run_reanalysis(org.pk, job.pk, progress=progress)
        job.refresh_from_db()
    return job


def get_job(actor: Actor, job_id: int) -> ReanalysisJob:
    actor.require(Perm.DASHBOARDS_VIEW)
    job = ReanalysisJob.objects.for_org(actor.organization).filter(pk=job_id).first()
    if job is None:
        raise NotFound("re-analysis", job_id)
    return job


def list_jobs(actor: Actor, limit: int = 10) -> list[ReanalysisJob]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return list(ReanalysisJob.objects.for_org(actor.organization).select_related("survey")[:limit])


def pending_count(actor: Actor) -> int:
    """Comments not analysed yet (recorded before text analytics was set up, or failed)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    done = CommentAnalysis.objects.for_org(org).values("answer_id")
    return comment_answers(org).exclude(pk__in=done).count()


# --- Classifiers ------------------------------------------------------------------------------


def _classifier_name(actor: Actor, name: str, kind: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name", _("must not be empty"))
    if len(name) > 100:
        raise InvalidInput("name", _("must be at most 100 characters"))
    if kind not in Classifier.Kind.values:
        raise InvalidInput("kind", _("must be topic or intent"))
    if Classifier.objects.for_org(actor.organization).filter(name=name).exists():
        raise InvalidInput("name", _("a classifier with this name exists already"))
    return name, kind


def upload_classifier(actor: Actor, name: str, kind: str, stream, file_name: str) -> Classifier:
    """Store an uploaded file of labelled comments as a new classifier waiting for its columns."""
    actor.require(Perm.TEXT_CONFIGURE)
    name, kind = _classifier_name(actor, name, kind)
    org = actor.organization
    with transaction.atomic():
        row = Classifier.objects.for_org(org).create(
            organization=org, name=name, kind=kind, created_by=actor.user
        )
        try:
            clf.store_upload(row, stream, file_name)
        except InvalidInput:
            transaction.set_rollback(True)
            raise
        row.save()
    return row


def get_classifier(actor: Actor, classifier_id: int) -> Classifier:
    actor.require(Perm.TEXT_CONFIGURE)
    row = Classifier.objects.for_org(actor.organization).filter(pk=classifier_id).first()
    if row is None:
        raise NotFound("classifier", classifier_id)
    return row


def list_classifiers(actor: Actor) -> list[Classifier]:
    actor.require(Perm.TEXT_CONFIGURE)
    return list(Classifier.objects.for_org(actor.organization).select_related("created_by"))


def train_classifier(
    actor: Actor, classifier_id: int, text_column: str, label_column: str, *, inline: bool = False
) -> Classifier:
    """Check the chosen columns and start training (in the background, see ``openxm.jobs.dispatch``;
    ``inline`` trains before returning: the CLI)."""
    row = get_classifier(actor, classifier_id)
    if row.status not in (Classifier.Status.UPLOADED, Classifier.Status.FAILED):
        raise InvalidInput(
            "status", _("this classifier is trained already; upload the file again to retrain")
        )
    for field_name, column in (("text_column", text_column), ("label_column", label_column)):
        if column not in row.columns:
            raise InvalidInput(field_name, _("the file has no column %(c)s") % {"c": column})
    if text_column == label_column:
        raise InvalidInput("label_column", _("must differ from the text column"))
    row.text_column, row.label_column = text_column, label_column
    clf.read_examples(row)  # the labels check, before anything runs in the background
    with transaction.atomic():
        row.status = Classifier.Status.TRAINING
        row.error = ""
        row.save(update_fields=["text_column", "label_column", "status", "error"])
        audit.record(
            actor,
            "classifier.training_started",
            target_type="classifier",
            target_id=row.pk,
            data={"name": row.name, "kind": row.kind, "file": row.file_name},
        )
        if not inline:
            dispatch(tasks.train_classifier_task, actor.organization.pk, row.pk)
    if inline:
        return clf.run_training(actor.organization.pk, row.pk)
    row.refresh_from_db()
    return row


def train_from_examples(actor: Actor, name: str, kind: str, examples: list[tuple[str, str]]) -> Classifier:
    """The API's way: labelled examples as (text, label) pairs, written to a CSV and trained."""
    import io

    from openxm.utils.csvsafe import write_csv

    actor.require(Perm.TEXT_CONFIGURE)
    rows = [
        (str(t).strip(), str(label).strip()) for t, label in examples if str(t).strip() and str(label).strip()
    ]
    clf.check_examples([label for _t, label in rows])
    data = io.BytesIO(write_csv(["text", "label"], rows).encode("utf-8"))
    row = upload_classifier(actor, name, kind, data, "examples.csv")
    return train_classifier(actor, row.pk, "text", "label")


def set_classifier_active(actor: Actor, classifier_id: int, active: bool) -> Classifier:
    """Switch a trained classifier on (it labels new comments) or off."""
    row = get_classifier(actor, classifier_id)
    allowed = (Classifier.Status.TRAINED, Classifier.Status.INACTIVE, Classifier.Status.ACTIVE)
    if row.status not in allowed:
        raise InvalidInput("status", _("only a trained classifier can be switched on or off"))
    with transaction.atomic():
        row.status = Classifier.Status.ACTIVE if active else Classifier.Status.INACTIVE
        row.activated_at = timezone.now() if active else row.activated_at
        row.save(update_fields=["status", "activated_at"])
        audit.record(
            actor,
            "classifier.activated" if active else "classifier.deactivated",
            target_type="classifier",
            target_id=row.pk,
            data={"name": row.name, "macro_f1": (row.report or {}).get("macro_f1")},
        )
    return row


def delete_classifier(actor: Actor, classifier_id: int) -> None:
    """Delete a classifier, its files and the labels it gave (comments keep everything else)."""
    row = get_classifier(actor, classifier_id)
    with transaction.atomic():
        audit.record(
            actor, "classifier.deleted", target_type="classifier", target_id=row.pk, data={"name": row.name}
        )
        row.delete()
        transaction.on_commit(lambda: clf.remove_files(row))


# --- Theme discovery --------------------------------------------------------------------------


def discover_themes(
    actor: Actor, piece: Slice, *, k: int = 8, sample: int = 3000
) -> tuple[int, list[ThemeSuggestion]]:
    """Group the newest comments without a topic into suggested topics: (comments used, themes).
    Example comments are redacted unless the actor has ``pii.view``."""
    actor.require(Perm.TEXT_CONFIGURE)
    if not 2 <= int(k) <= 20:
        raise InvalidInput("k", _("must be between 2 and 20"))
    return suggest_themes(actor.scope, piece, k=int(k), sample=sample)
