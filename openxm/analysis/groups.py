"""NPS, CSAT and CES of one survey question by group, with the differences between the groups.

:func:`metric_by_group` counts the question's answers per group and answer value in the
database (one grouped query), computes each group's score with its interval through
:func:`openxm.analytics.metrics.score_from_counts`, and compares the groups:

==========  ====================================  =========================================
metric      every pair of groups                  all groups at once (``omnibus``)
==========  ====================================  =========================================
nps, enps   NPS difference z                      chi-squared on promoters/passives/detractors
csat        two-proportion z on top-2-box         chi-squared on satisfied/neutral/dissatisfied
ces         Welch t on the means                  one-way ANOVA
==========  ====================================  =========================================

Pairwise p-values are corrected together (Holm by default, or Benjamini–Hochberg). Groups
below the organization's minimum sample size are reported with their n only and left out of
every comparison. Groupings: ``channel``, ``touchpoint``, ``unit``, ``language`` and
``contact.<attribute>``; without one, only the overall score.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from django.db.models import Count, F
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Unit
from openxm.accounts.roles import Perm
from openxm.analytics import compare
from openxm.analytics.metrics import SPECS, ScoreResult, score_from_counts
from openxm.surveys import services as surveys

from . import config as cfg
from . import data
from .data import Filters

GROUPINGS = ("channel", "touchpoint", "unit", "language")
CORRECTIONS = ("holm", "bh")
MAX_GROUPS = 50
MAX_PAIRWISE_GROUPS = 20
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FIELDS = {
    "channel": "response__channel",
    "touchpoint": "touchpoint",
    "unit": "response__unit__code",
    "language": "response__language",
}


@dataclass(frozen=True)
class GroupScore:
    key: str
    label: str
    result: ScoreResult


@dataclass(frozen=True)
class GroupMetrics:
    survey_id: int
    question: str
    metric: str
    by: str | None
    filters: Filters
    min_n: int
    confidence: float
    correction: str
    overall: ScoreResult
    groups: tuple[GroupScore, ...]
    omnibus: compare.Comparison | None
    pairwise: tuple[compare.Comparison, ...]
    notes: tuple[str, ...]


def _group_expression(by: str):
    if by in _FIELDS:
        return F(_FIELDS[by])
    name = by.removeprefix("contact.")
    if by.startswith("contact.") and _ATTRIBUTE.match(name):
        return KeyTextTransform(name, "response__contact__attributes")
    choices = ", ".join([*GROUPINGS, "contact.<attribute>"])
    raise InvalidInput("by", _("must be one of %(choices)s") % {"choices": choices})


def _metric_for(question: str, candidate: cfg.Candidate | None, metric: str | None) -> str:
    if candidate is None:
        raise InvalidInput(
            "question", _("%(ref)s is not a rating question of this survey") % {"ref": question}
        )
    chosen = metric or (candidate.qtype if candidate.qtype in SPECS else None)
    if chosen is None:
        raise InvalidInput(
            "metric", _("say which metric to compute: %(choices)s") % {"choices": ", ".join(SPECS)}
        )
    if chosen not in SPECS:
        raise InvalidInput("metric", _("must be one of %(choices)s") % {"choices": ", ".join(SPECS)})
    scale = SPECS[chosen].scale
    if candidate.scale != (scale.low, scale.high):
        raise InvalidInput("metric", _("%(metric)s needs answers on a %(low)s–%(high)s scale") % {
            "metric": SPECS[chosen].label, "low": scale.low, "high": scale.high})
    return chosen


def metric_by_group(
    actor: Actor,
    survey_ref: int | str,
    question: str,
    *,
    metric: str | None = None,
    by: str | None = None,
    filters: Filters | None = None,
    correction: str = "holm",
    confidence: float = 0.95,
) -> GroupMetrics:
    """``metric`` of ``question`` (a question id or ``matrix.row``) overall and per group of ``by``."""
    actor.require(Perm.DASHBOARDS_VIEW)
    if correction not in CORRECTIONS:
        raise InvalidInput(
            "correction", _("must be one of %(choices)s") % {"choices": ", ".join(CORRECTIONS)}
        )
    if not 0.5 <= confidence < 1:
        raise InvalidInput("confidence", _("must be between 0.5 and 1"))
    filters = filters or Filters()
    survey = surveys.get_survey(actor, survey_ref)
    document = survey.current_version.definition if survey.current_version_id else survey.draft
    found = {c.ref: c for c in cfg.candidates(document, "drivers")}
    metric = _metric_for(question, found.get(question), metric)
    org = actor.organization
    min_n = org.min_sample_size
    qid, sub = cfg.split_ref(question)
    rows = data.answers(actor.scope, survey, filters, [qid]).filter(sub_key=sub, value_number__isnull=False)

    expression = _group_expression(by) if by else None
    tallies: dict[str, dict[float, int]] = {}
    grouped = rows.annotate(g=expression) if expression is not None else rows.annotate(g=F("sub_key"))
    for group, value, count in grouped.values_list("g", "value_number").annotate(c=Count("id")).order_by():
        key = "" if group is None else str(group)
        tally = tallies.setdefault(key, {})
        tally[value] = tally.get(value, 0) + count

    overall_counts: dict[float, int] = {}
    for tally in tallies.values():
        for value, count in tally.items():
            overall_counts[value] = overall_counts.get(value, 0) + count

    def scored(counts: dict[float, int]) -> ScoreResult:
        try:
            return score_from_counts(metric, counts, min_n=min_n, confidence=confidence)
        except ValueError as error:
            raise InvalidInput("metric", str(error)) from None

    overall = scored(overall_counts)
    notes: list[str] = []
    groups: list[GroupScore] = []
    if by:
        labels = _labels(org, by)
        ordered = sorted(tallies.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        if len(ordered) > MAX_GROUPS:
            notes.append(_("Only the %(n)s largest groups are shown.") % {"n": MAX_GROUPS})
            ordered = ordered[:MAX_GROUPS]
        groups = [
            GroupScore(key, labels.get(key, key) or _("(none)"), scored(counts)) for key, counts in ordered
        ]
    usable = [g for g in groups if not g.result.suppressed]
    suppressed = len(groups) - len(usable)
    if suppressed:
        notes.append(
            _("%(n)s groups have fewer than %(min)s answers: their figures are suppressed and they are "
              "left out of the comparisons.") % {"n": suppressed, "min": min_n}
        )
    omnibus, pairwise = None, ()
    if len(usable) >= 2:
        counts = {g.key: tallies[g.key] for g in usable}
        omnibus = _omnibus(metric, usable, counts, notes)
        if len(usable) > MAX_PAIRWISE_GROUPS:
            notes.append(
                _("More than %(n)s groups: pairwise tests are left out; see the overall test.")
                % {"n": MAX_PAIRWISE_GROUPS}
            )
        else:
            pairwise = _pairwise(metric, usable, counts, correction, confidence, notes)
    return GroupMetrics(
        survey_id=survey.pk,
        question=question,
        metric=metric,
        by=by or None,
        filters=filters,
        min_n=min_n,
        confidence=confidence,
        correction=correction,
        overall=overall,
        groups=tuple(groups),
        omnibus=omnibus,
        pairwise=pairwise,
        notes=tuple(notes),
    )


def _labels(org, by: str) -> dict[str, str]:
    if by == "unit":
        return dict(Unit.objects.for_org(org).values_list("code", "name"))
    return {}


def _values(tally: dict[float, int]) -> list[float]:
    return [value for value, count in sorted(tally.items()) for _ in range(count)]


def _band_table(metric: str, usable: list[GroupScore], counts: dict) -> list[list[int]]:
    bands = SPECS[metric].bands
    table = [
        [sum(c for v, c in counts[g.key].items() if low <= v <= high) for _name, low, high in bands]
        for g in usable
    ]
    keep = [j for j in range(len(bands)) if any(row[j] for row in table)]
    return [[row[j] for j in keep] for row in table]


def _omnibus(metric, usable, counts, notes) -> compare.Comparison | None:
    labels = [g.key or "(none)" for g in usable]
    try:
        if SPECS[metric].headline == "mean":
            return compare.one_way_anova({label: _values(counts[g.key]) for label, g in zip(labels, usable,
                                                                                          strict=True)})
        return compare.chi_squared(_band_table(metric, usable, counts), groups=labels)
    except ValueError as error:
        notes.append(_("The overall test could not be run: %(reason)s") % {"reason": error})
        return None


def _pairwise(metric, usable, counts, correction, confidence, notes) -> tuple[compare.Comparison, ...]:
    results: list[compare.Comparison] = []
    skipped = 0
    spec = SPECS[metric]
    for a, b in itertools.combinations(usable, 2):
        names = (a.key or "(none)", b.key or "(none)")
        try:
            if spec.headline == "net":
                results.append(
                    compare.nps_difference(a.result, b.result, groups=names, confidence=confidence)
                )
            elif spec.headline == "top":
                _band, low, high = spec.bands[0]

                def top(g: GroupScore, low=low, high=high) -> int:
                    return sum(c for v, c in counts[g.key].items() if low <= v <= high)

                results.append(compare.two_proportions(
                    top(a), a.result.n, top(b), b.result.n, groups=names, confidence=confidence
                ))
            else:
                results.append(compare.welch_t(
                    _values(counts[a.key]), _values(counts[b.key]), groups=names, confidence=confidence
                ))
        except ValueError:
            skipped += 1
    if skipped:
        notes.append(_("%(n)s pairs could not be tested (too few or identical answers).") % {"n": skipped})
    adjusted = compare.adjust_p_values([c.p_value for c in results], correction)
    return tuple(replace(c, adjusted_p=q) for c, q in zip(results, adjusted, strict=True))
