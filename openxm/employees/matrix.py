"""The internal-customer matrix: how each department rates the service it got from the others.

A response of an internal survey (template ``internal-service-matrix``) comes from a requester
department (the response's unit) and rates, with a 1–5 CSAT question ``service_<code>``, each
provider department it dealt with in the last period (it names them first: ``dealt_with``).
Results are a provider × requester matrix per wave (calendar month): each cell holds n, the
CSAT top-2-box % and its interval, and the mean; each provider row also has its total over all
requesters.

Every rating is one unknown; cells of one provider and its row total form one family (the
requesters' split of the row), so the same release plan as the other employee results
(``analytics.suppression.plan`` at the survey's ``min_group``) hides small cells, their
complements, and a row total that would give a hidden cell by subtraction. Ratings from
respondents without a unit count in the row total and are never shown on their own.

Excluded: column totals (a requester's ratings of every provider): they are not released.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.accounts.scope import unit_tree
from openxm.analytics.metrics import score_from_counts
from openxm.analytics.suppression import Cell, plan
from openxm.surveys import door

from .services import employee_survey
from .thresholds import effective

PREFIX = "service_"


@dataclass(frozen=True)
class MatrixCell:
    provider: str
    requester: str  # "" for the provider's total
    n: int | None
    top2: float | None
    ci_low: float | None
    ci_high: float | None
    mean: float | None
    suppressed: str


@dataclass(frozen=True)
class Matrix:
    survey: str
    wave: str
    waves: list[str]
    min_group: int
    providers: list[str]
    requesters: list[str]
    cells: dict  # (provider, requester) -> MatrixCell; requester "" is the row total


def _ratings(organization, survey_id: int) -> dict[str, dict[tuple, tuple[str | None, int]]]:
    """wave -> {(response id, provider): (requester unit code or None, rating)}."""
    zone = door.organization_zone(organization)
    codes = {pk: code for pk, code, _p in unit_tree(organization)}
    rows = (
        door.confidential_answers(organization, survey_id)
        .filter(question_id__startswith=PREFIX, value_number__gte=1, value_number__lte=5)
        .values_list(
            "response_id", "response__unit_id", "response__completed_at", "question_id", "value_number"
        )
    )
    out: dict[str, dict] = defaultdict(dict)
    for rid, unit, completed, qid, value in rows:
        wave = timezone.localtime(completed, zone).strftime("%Y-%m")
        out[wave][(rid, qid[len(PREFIX):])] = (codes.get(unit), int(value))
    return dict(sorted(out.items()))


def matrix(actor: Actor, survey_ref, wave: str = "") -> Matrix:
    """The matrix of one wave (the latest by default). A reader limited to a unit sees the cells
    whose requester or provider is inside their scope, from the organization-wide plan."""
    actor.require(Perm.DASHBOARDS_VIEW)
    survey = employee_survey(actor, survey_ref)
    org = actor.organization
    t = effective(org, survey.pk)
    by_wave = _ratings(org, survey.pk)
    waves = list(by_wave)
    if wave and wave not in by_wave:
        raise InvalidInput("wave", _("the survey has no responses in %(wave)s") % {"wave": wave})
    if not waves:
        return Matrix(survey.key, "", [], t.min_group, [], [], {})
    wave = wave or waves[-1]
    ratings = by_wave[wave]
    members: dict[tuple, set] = defaultdict(set)
    for (rid, provider), (requester, _value) in ratings.items():
        members[(provider, "")].add((rid, provider))
        members[(provider, requester)].add((rid, provider))
    cells = []
    for key, ms in members.items():
        provider, requester = key
        if requester == "":
            cells.append(Cell(key, frozenset(ms)))
        else:
            cells.append(Cell(key, frozenset(ms), family=(provider, ""), releasable=requester is not None))
    released = plan(cells, t.min_group)
    scope = actor.scope
    codes = {code: pk for pk, code, _p in unit_tree(org)}

    def visible(provider: str, requester: str) -> bool:
        """A limited reader sees their departments' rows and the ratings their departments gave."""
        return any(scope.allows_unit(codes.get(code)) for code in (provider, requester) if code)

    out = {}
    for key, ms in members.items():
        provider, requester = key
        if requester is None or not visible(provider, requester):
            continue
        if not released.shows(key):
            reason = released.reasons.get(key, "")
            out[key] = MatrixCell(provider, requester, None, None, None, None, None, reason)
            continue
        counts: dict[int, int] = defaultdict(int)
        for member in ms:
            counts[ratings[member][1]] += 1
        score = score_from_counts("csat", counts, min_n=1)
        interval = _r(score.ci_low), _r(score.ci_high)
        out[key] = MatrixCell(provider, requester, score.n, _r(score.score), *interval, _r(score.mean, 2), "")
    providers = sorted({p for p, _r2 in out})
    requesters = sorted({r for _p, r in out if r})
    return Matrix(survey.key, wave, waves, t.min_group, providers, requesters, out)


def _r(value, digits: int = 1):
    return None if value is None else round(value, digits)
