"""Study actions: list, create, delete and run KANO, SERVQUAL, IPA and key-driver studies.

The web pages, the API and the demo call these functions. Each checks the actor's permission;
changes own their transaction and write the audit log. Seeing and running studies needs
``dashboards.view`` (they show aggregated figures only); creating and deleting them needs
``surveys.design``.

:func:`run_study` reads the survey's Answer rows (one values-list query), builds plain data and
calls the pure functions of :mod:`openxm.analytics`; it returns their frozen results inside a
:class:`StudyRun`, which also carries the organization's minimum sample size. Suppressing
figures below it is the job of the one mapper, :mod:`openxm.analysis.present`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.analytics.drivers import key_drivers
from openxm.analytics.ipa import ipa
from openxm.analytics.kano import analyze_feature
from openxm.analytics.servqual import ServqualItem, servqual
from openxm.surveys import services as surveys
from openxm.surveys.definition.vocab import SERVQUAL_DIMENSIONS
from openxm.surveys.models import Survey

from . import config as cfg
from . import data
from .data import Filters
from .models import Study

VIEW = Perm.DASHBOARDS_VIEW
DESIGN = Perm.SURVEYS_DESIGN


@dataclass(frozen=True)
class StudyRow:
    id: int
    title: str
    kind: str
    kind_label: str
    survey_id: int
    survey_title: str
    created_by: str
    created_at: datetime


def _row(study: Study) -> StudyRow:
    return StudyRow(
        study.pk,
        study.title,
        study.kind,
        str(Study.Kind(study.kind).label),
        study.survey_id,
        study.survey.title,
        study.created_by.email if study.created_by_id else "",
        study.created_at,
    )


def study_row(study: Study) -> StudyRow:
    return _row(study)


def definition_of(survey: Survey) -> dict:
    """The definition a study reads: the current published version, else the draft."""
    return survey.current_version.definition if survey.current_version_id else survey.draft


def list_studies(actor: Actor, survey: int | None = None) -> list[StudyRow]:
    actor.require(VIEW)
    studies = Study.objects.for_org(actor.organization).select_related("survey", "created_by")
    if survey is not None:
        studies = studies.filter(survey_id=survey)
    return [_row(s) for s in studies]


def get_study(actor: Actor, study_id: int) -> Study:
    actor.require(VIEW)
    study = (
        Study.objects.for_org(actor.organization)
        .select_related("survey", "survey__current_version", "created_by")
        .filter(pk=study_id)
        .first()
    )
    if study is None:
        raise NotFound("study", study_id)
    return study


def study_candidates(actor: Actor, survey_ref: int | str, kind: str) -> list[cfg.Candidate]:
    """The questions of a survey a study of ``kind`` can use (for the form and the API)."""
    actor.require(VIEW)
    if kind not in cfg.KINDS:
        raise InvalidInput("kind", _("must be one of %(choices)s") % {"choices": ", ".join(cfg.KINDS)})
    survey = surveys.get_survey(actor, survey_ref)
    return cfg.candidates(definition_of(survey), kind, surveys.ui_language())


@transaction.atomic
def create_study(
    actor: Actor, *, survey: int | str, kind: str, title: str, config: dict | None = None
) -> Study:
    """A new study of ``survey``; ``config`` is checked against the survey's definition."""
    actor.require(DESIGN)
    try:
        target = surveys.get_survey(actor, survey)
    except NotFound:
        raise InvalidInput("survey", _("no survey %(ref)s in this organization") % {"ref": survey}) from None
    title = (title or "").strip()
    if not title:
        raise InvalidInput("title", _("must not be empty"))
    if len(title) > 200:
        raise InvalidInput("title", _("must be at most 200 characters"))
    checked = cfg.normalise_config(definition_of(target), kind, config)
    study = Study.objects.for_org(actor.organization).create(
        organization=actor.organization,
        title=title,
        kind=kind,
        survey=target,
        config=checked,
        created_by=actor.user,
    )
    audit.record(
        actor, "study.created", target_type="study", target_id=study.pk,
        data={"kind": kind, "survey": target.pk, "title": title},
    )
    return study


@transaction.atomic
def delete_study(actor: Actor, study_id: int) -> None:
    actor.require(DESIGN)
    study = get_study(actor, study_id)
    audit.record(
        actor, "study.deleted", target_type="study", target_id=study.pk,
        data={"kind": study.kind, "title": study.title},
    )
    study.delete()


# --- Running a study ------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyRun:
    """One computation of a study. ``result`` is the pure function's frozen result (a tuple of
    ``KanoResult`` for KANO), or None with ``problem`` saying why it could not be computed.
    ``labels`` maps question refs and dimensions to their text in the UI language."""

    study: StudyRow
    config: dict
    filters: Filters
    min_n: int
    respondents: int
    labels: dict[str, str]
    result: Any
    problem: str | None = None


def run_study(actor: Actor, study_id: int, filters: Filters | None = None) -> StudyRun:
    """Compute a study on the Answer rows that pass ``filters``."""
    study = get_study(actor, study_id)
    filters = filters or Filters()
    org = actor.organization
    document = definition_of(study.survey)
    conf = study.config
    compute = {"kano": _kano, "servqual": _servqual, "ipa": _ipa, "drivers": _drivers}[study.kind]
    respondents, result, problem = compute(actor.scope, study.survey, conf, filters)
    return StudyRun(
        study=_row(study),
        config=conf,
        filters=filters,
        min_n=org.min_sample_size,
        respondents=respondents,
        labels=cfg.labels(document, surveys.ui_language()),
        result=result,
        problem=problem,
    )


def _not_computable(error: ValueError) -> str:
    return _("Not enough usable answers for this analysis (%(reason)s).") % {"reason": error}


def _kano(scope, survey, conf, filters):
    rows = data.answers(scope, survey, filters, conf["features"])
    plain = data.kano_data(rows, conf["features"])
    results = tuple(
        analyze_feature(
            feature,
            plain.functional[feature],
            plain.dysfunctional[feature],
            table=conf.get("table", "berger"),
            importance=plain.importance[feature],
            tolerance=conf.get("tolerance", 0.05),
        )
        for feature in conf["features"]
    )
    return plain.respondents, results, None


def _servqual(scope, survey, conf, filters):
    items = conf["items"]
    importance = conf.get("importance")
    dimensions = {c.ref: c.dimension for c in cfg.candidates(definition_of(survey), "servqual")}
    rows = data.answers(scope, survey, filters, [*items, *([importance] if importance else [])])
    plain = data.servqual_data(rows, items, importance)
    inputs = [
        ServqualItem(item, dimensions.get(item, ""), plain.expectations[item], plain.perceptions[item])
        for item in items
    ]
    used = [d for d in SERVQUAL_DIMENSIONS if d in {dimensions.get(i) for i in items}]
    allocations = _renormalised(plain.allocations, used, plain.respondents)
    answered = any(v is not None for values in allocations.values() for v in values)
    try:
        result = servqual(inputs, importance=allocations if answered else None)
    except ValueError as error:
        return plain.respondents, None, _not_computable(error)
    return plain.respondents, result, None


def _renormalised(allocations: dict, used: list[str], respondents: int) -> dict[str, list]:
    """Each respondent's 100 points over the analysed dimensions only: when a study leaves a
    dimension out, the points of the others are scaled back up to 100 (all five analysed:
    unchanged). A respondent without points there is blank."""
    out: dict[str, list] = {d: [] for d in used}
    for row in range(respondents):
        points = {d: (allocations.get(d) or [None] * respondents)[row] for d in used}
        total = sum(v for v in points.values() if v is not None)
        complete = all(v is not None for v in points.values()) and total > 0
        for d in used:
            if not complete:
                out[d].append(None)
            elif len(used) == len(SERVQUAL_DIMENSIONS):
                out[d].append(points[d])
            else:
                out[d].append(points[d] * 100 / total)
    return out


def _ipa(scope, survey, conf, filters):
    refs = cfg.refs_of("ipa", conf)
    plain = data.numeric_data(data.answers(scope, survey, filters, data.question_ids(refs)), refs)
    performance = {a: plain.values[a] for a in conf["attributes"]}
    try:
        if conf.get("outcome"):
            result = ipa(performance, outcome=plain.values[conf["outcome"]],
                         crosshair=tuple(conf["crosshair"]) if conf.get("crosshair") else None)
        else:
            stated = {a: plain.values[imp] for a, imp in conf["importance"].items()}
            result = ipa(performance, importance=stated,
                         crosshair=tuple(conf["crosshair"]) if conf.get("crosshair") else None)
    except ValueError as error:
        return plain.respondents, None, _not_computable(error)
    return plain.respondents, result, None


def _drivers(scope, survey, conf, filters):
    refs = cfg.refs_of("drivers", conf)
    plain = data.numeric_data(data.answers(scope, survey, filters, data.question_ids(refs)), refs)
    try:
        result = key_drivers(
            plain.values[conf["outcome"]],
            {d: plain.values[d] for d in conf["drivers"]},
            outcome_name=conf["outcome"],
            method=conf.get("method", "relative-weights"),
            bootstrap=conf.get("bootstrap", 0),
            seed=conf.get("seed", 0),
            confidence=conf.get("confidence", 0.95),
        )
    except ValueError as error:
        return plain.respondents, None, _not_computable(error)
    return plain.respondents, result, None


def filter_choices(actor: Actor, study: Study) -> dict:
    """Channels seen in the survey's responses and the organization's units, for the filter bar."""
    return {
        "channels": data.channels(actor.scope, study.survey),
        "units": accounts.list_units(actor),
    }
