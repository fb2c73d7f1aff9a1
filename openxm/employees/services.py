"""Employee results for a reader: breakdowns, trends, comments and the CSV export.

Every function takes an :class:`~openxm.accounts.actors.Actor`, checks its permission, and
returns only cells of the survey wave's release plan (``results``) inside the actor's unit
scope. Pages, the API and the CLI call these and nothing else.

Included: :func:`breakdown` (a unit — the organization by default, or the reader's own unit —
with its child units, or with the bands of one grouping attribute), :func:`trend` (one unit over
every wave), :func:`comments` (a unit's comments under the comment threshold),
:func:`comment_themes` (their sentiment and topics, under the same rule) and
:func:`export_rows` (every figure the reader may see, for CSV; ``data.export``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.services import list_units
from openxm.analytics.employee import GROUPING, confidential
from openxm.comments import confidential as comment_analysis
from openxm.comments.confidential import Themes
from openxm.surveys import services as surveys

from .results import ORG, Figure, SurveyResults, Wave


@dataclass(frozen=True)
class Breakdown:
    survey: str
    wave: str
    waves: list[str]
    min_group: int
    min_comments: int
    by: str
    total: Figure | None
    rows: list[Figure]


def grouping_labels() -> dict[str, str]:
    """The grouping attributes (``analytics.employee.GROUPING``) in the reader's language."""
    return {"tenure": _("Tenure"), "age": _("Age"), "level": _("Level"), "department": _("Department")}


def employee_survey(actor: Actor, ref):
    """An employee survey of the actor's organization (by key or id); NotFound for others."""
    survey = surveys.get_survey(actor, ref)
    if not confidential(survey.audience):
        raise NotFound("survey", ref)
    return survey


def employee_surveys(actor: Actor) -> list:
    actor.require(Perm.DASHBOARDS_VIEW)
    return [s for s in surveys.list_surveys(actor) if confidential(s.audience)]


def unit_names(actor: Actor) -> dict[str, str]:
    """Unit code -> name, for the units the actor may see."""
    return {u.code: u.name for u in list_units(actor)}


def _unit_label(names: dict, code: str) -> str:
    return names.get(code, code) if code else _("Whole organization")


def breakdown(actor: Actor, survey_ref, wave: str = "", unit: str = "", by: str = "") -> Breakdown:
    """The unit's figure and its children's (or its bands of ``by``), suppressed by the plan."""
    actor.require(Perm.DASHBOARDS_VIEW)
    if by and by not in GROUPING:
        raise InvalidInput("by", _("must be one of %(choices)s") % {"choices": ", ".join(GROUPING)})
    survey = employee_survey(actor, survey_ref)
    results = SurveyResults(actor.scope, survey)
    node, code = results.node(unit)
    w = results.wave(wave)
    t = results.thresholds
    if w is None:
        return Breakdown(survey.key, "", [], t.min_group, t.min_comments, by, None, [])
    names = unit_names(actor)
    total = w.figure(node, _unit_label(names, code), code)
    return Breakdown(
        survey.key, _wave_name(w, results), results.waves, t.min_group, t.min_comments, by, total,
        _rows(w, node, by, names),
    )


def _wave_name(w: Wave, results: SurveyResults) -> str:
    return next(name for name in results.waves if results._waves.get(name) is w)


def _rows(w: Wave, node: tuple, by: str, names: dict) -> list[Figure]:
    if by:
        bands = sorted({k[3] for k in w.members if k[0] == "band" and k[1] == node and k[2] == by})
        code = w.codes.get(node[1], "") if node != ORG else ""
        label = grouping_labels().get(by, by)
        return [w.figure(("band", node, by, b), f"{label} = {b}", code, f"{by}={b}") for b in bands]
    parent = None if node == ORG else node[1]
    children = w.children.get(parent, [])
    return [w.figure(("unit", pk), _unit_label(names, w.codes[pk]), w.codes[pk]) for pk in children]


def trend(actor: Actor, survey_ref, unit: str = "") -> list[tuple[str, Figure]]:
    """(wave, figure) of the unit over every wave; each wave's own plan decides."""
    actor.require(Perm.DASHBOARDS_VIEW)
    survey = employee_survey(actor, survey_ref)
    results = SurveyResults(actor.scope, survey)
    node, code = results.node(unit)
    label = _unit_label(unit_names(actor), code)
    return [(name, results.wave(name).figure(node, label, code)) for name in results.waves]


def comments(actor: Actor, survey_ref, wave: str = "", unit: str = "") -> tuple[int, list[str] | None]:
    """(threshold, the unit's comments redacted for the reader's role — None when hidden)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    survey = employee_survey(actor, survey_ref)
    results = SurveyResults(actor.scope, survey)
    node, _code = results.node(unit)
    w = results.wave(wave)
    if w is None:
        return results.thresholds.min_comments, []
    found = w.comments(node)
    if found is None:
        return results.thresholds.min_comments, None
    from openxm.surveys.door import text_view

    return results.thresholds.min_comments, [text_view(actor.scope, c) for c in found]


def comment_themes(actor: Actor, survey_ref, wave: str = "", unit: str = "") -> Themes | None:
    """The sentiment and topics of the unit's comments in the wave, from their stored text
    analyses; None when the comment plan hides the unit's comments (or the survey has no
    response yet). Counts only: no comment text, so no redaction is needed."""
    actor.require(Perm.DASHBOARDS_VIEW)
    survey = employee_survey(actor, survey_ref)
    results = SurveyResults(actor.scope, survey)
    node, _code = results.node(unit)
    w = results.wave(wave)
    ids = w.comment_ids(node) if w is not None else None
    if ids is None:
        return None
    return comment_analysis.themes(actor.organization, ids, get_language())


EXPORT_COLUMNS = [
    "wave", "unit", "band", "n", "enps", "ci_low", "ci_high", "promoters", "passives", "detractors",
    "engagement", "suppressed",
]


def export_rows(actor: Actor, survey_ref) -> list[dict]:
    """Every figure the reader may see: each wave, each unit in scope, each band of each unit.
    Needs ``data.export``."""
    actor.require(Perm.DATA_EXPORT)
    survey = employee_survey(actor, survey_ref)
    results = SurveyResults(actor.scope, survey)
    root, _code = results.node("")
    rows = []
    for name in results.waves:
        w = results.wave(name)
        nodes = [root] if root == ORG else []
        nodes += [("unit", pk) for pk in w.parent if actor.scope.allows_unit(pk)]
        for node in nodes:
            code = "" if node == ORG else w.codes[node[1]]
            for f in [w.figure(node, code, code)] + [f for by in GROUPING for f in _rows(w, node, by, {})]:
                rows.append({"wave": name, **{c: getattr(f, c) for c in EXPORT_COLUMNS[1:] if c != "unit"},
                             "unit": code})
    return rows


def export_csv(actor: Actor, survey_ref) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in export_rows(actor, survey_ref):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


@dataclass(frozen=True)
class UnitWave:
    wave: str
    enps: Figure
    nps: float | None
    nps_n: int
    nps_suppressed: bool


def unit_comparison(actor: Actor, survey_ref, unit: str = "") -> list[UnitWave]:
    """The unit's eNPS (suppressed as everywhere) next to its customer NPS of the same months
    (the metrics' own minimum sample applies), wave by wave."""
    from datetime import date, timedelta

    from openxm.insights.figures import headline
    from openxm.insights.query import Filters

    rows = []
    results_unit = unit
    for wave, figure in trend(actor, survey_ref, unit=results_unit):
        year, month = (int(x) for x in wave.split("-"))
        first = date(year, month, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        code = figure.unit
        nps = headline(actor, Filters(first, last, unit=code), "nps").result
        rows.append(UnitWave(wave, figure, None if nps.suppressed else nps.score, nps.n, nps.suppressed))
    return rows
