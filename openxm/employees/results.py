"""Employee results of one survey, released only as suppressed group figures.

Every figure any reader can get (pages, CSV export, API, CLI) is a cell of ONE release plan per
survey and wave, built over the whole organization whatever the reader's unit scope (two plans
for two readers could be subtracted from each other):

* a **wave** is a calendar month of the organization's time zone (responses are stored with the
  day only). Waves are never added up: there is no "all time" or "year to date" figure, so a
  wave cannot be obtained as a difference of two longer periods;
* cells: the organization, every unit (its subtree), every unit's own respondents (never shown,
  counted as hidden), and per unit and organization every band of every grouping attribute
  (``analytics.employee.GROUPING``: tenure, age, level, department), plus the respondents
  without that attribute (never shown);
* the plan (``analytics.suppression.plan``) at the survey's ``min_group`` decides which cells
  show; comments have their own plan at ``min_comments`` over the units.

A respondent is a complete response with an answer to the survey's first NPS question (the eNPS
item); the engagement index is computed over the same respondents' answers to the survey's
first matrix or likert question(s) on a 1–5 scale.

Excluded: individual responses (they are never read out; the door keeps them from every other
reader), and periods other than whole waves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.accounts.scope import Scope, unit_tree
from openxm.analytics.employee import GROUPING, engagement
from openxm.analytics.metrics import score_from_counts
from openxm.analytics.suppression import Cell, Plan, plan
from openxm.surveys import door

from .thresholds import effective

ORG = ("org",)


@dataclass
class Respondent:
    unit: int | None
    wave: str
    groups: dict
    enps: int | None = None
    items: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    comment_ids: list = field(default_factory=list)  # the comments' answer ids (their themes)


def load(organization, survey_id: int) -> dict[int, Respondent]:
    """The survey's respondents by response id (see the module docstring)."""
    zone = door.organization_zone(organization)
    rows = (
        door.confidential_answers(organization, survey_id)
        .order_by("response_id", "id")
        .values_list(
            "response_id", "response__unit_id", "response__meta", "response__completed_at",
            "qtype", "question_id", "value_number", "value_text", "id",
        )
    )
    out: dict[int, Respondent] = {}
    nps_question = engagement_question = None
    for rid, unit, meta, completed, qtype, qid, number, text, answer_id in rows:
        r = out.get(rid)
        if r is None:
            wave = timezone.localtime(completed, zone).strftime("%Y-%m")
            r = out[rid] = Respondent(unit, wave, dict((meta or {}).get("groups") or {}))
        if qtype == "nps" and number is not None:
            nps_question = nps_question or qid
            if qid == nps_question:
                r.enps = int(number)
        elif qtype in ("matrix", "likert") and number is not None and 1 <= number <= 5:
            engagement_question = engagement_question or qid
            if qid == engagement_question or qtype == "likert":
                r.items.append(float(number))
        elif qtype == "text" and (text or "").strip():
            r.comments.append(text.strip())
            r.comment_ids.append(answer_id)
    return {rid: r for rid, r in out.items() if r.enps is not None}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    band: str
    n: int | None
    enps: float | None
    ci_low: float | None
    ci_high: float | None
    promoters: float | None
    passives: float | None
    detractors: float | None
    engagement: float | None
    suppressed: str  # "" when shown, else the reason (small, complementary, linked, empty)


class Wave:
    """The cells and the two plans of one survey wave."""

    def __init__(self, organization, respondents: dict[int, Respondent], min_group: int, min_comments: int):
        self.organization = organization
        self.respondents = respondents
        self.min_group, self.min_comments = min_group, min_comments
        self.tree = unit_tree(organization)
        self.codes = {pk: code for pk, code, _p in self.tree}
        self.parent = {pk: parent for pk, _c, parent in self.tree}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for pk, _code, parent in sorted(self.tree, key=lambda row: row[1]):
            self.children[parent].append(pk)

    def _ancestors(self, unit: int | None) -> list[int]:
        out = []
        while unit is not None and unit in self.parent:
            out.append(unit)
            unit = self.parent[unit]
        return out

    @cached_property
    def members(self) -> dict[tuple, set]:
        """Members of every cell key (shown or not)."""
        cells: dict[tuple, set] = defaultdict(set)
        for rid, r in self.respondents.items():
            nodes = [ORG] + [("unit", u) for u in self._ancestors(r.unit)]
            cells[ORG].add(rid)
            for node in nodes[1:]:
                cells[node].add(rid)
            own = ("own", r.unit if r.unit in self.parent else None)
            cells[own].add(rid)
            for node in nodes:
                for attribute in GROUPING:
                    value = r.groups.get(attribute)
                    key = ("band", node, attribute, value) if value else ("noband", node, attribute)
                    cells[key].add(rid)
        return cells

    def _cells(self, with_bands: bool) -> list[Cell]:
        m = self.members
        cells = [Cell(ORG, frozenset(m[ORG]))]
        for pk, _code, parent in self.tree:
            family = ORG if parent is None else ("unit", parent)
            cells.append(Cell(("unit", pk), frozenset(m.get(("unit", pk), ())), family))
            if self.children.get(pk):
                cells.append(Cell(("own", pk), frozenset(m.get(("own", pk), ())), ("unit", pk), False))
        cells.append(Cell(("own", None), frozenset(m.get(("own", None), ())), ORG, False))
        if with_bands:
            for key, members in m.items():
                if key[0] == "band":
                    cells.append(Cell(key, frozenset(members), ("split", key[1], key[2])))
                elif key[0] == "noband":
                    cells.append(Cell(key, frozenset(members), ("split", key[1], key[2]), False))
        return cells

    @cached_property
    def plan(self) -> Plan:
        return plan(self._cells(with_bands=True), self.min_group)

    @cached_property
    def comment_plan(self) -> Plan:
        commenters = {rid for rid, r in self.respondents.items() if r.comments}
        cells = [
            Cell(c.key, c.members & commenters, c.family, c.releasable) for c in self._cells(with_bands=False)
        ]
        return plan(cells, self.min_comments)

    def figure(self, key: tuple, label: str, unit: str = "", band: str = "") -> Figure:
        members = self.members.get(key, set())
        shown = self.plan.shows(key)
        if not shown:
            reason = self.plan.reasons.get(key) or ("empty" if not members else "small")
            return Figure(str(key), label, unit, band, None, None, None, None, None, None, None, None, reason)
        counts: dict[int, int] = defaultdict(int)
        for rid in members:
            counts[self.respondents[rid].enps] += 1
        score = score_from_counts("enps", counts, min_n=1)
        eng = engagement([self.respondents[rid].items for rid in members])
        shares = dict(score.shares)
        return Figure(
            str(key), label, unit, band, score.n,
            _round(score.score), _round(score.ci_low), _round(score.ci_high),
            _round(shares.get("promoters")), _round(shares.get("passives")), _round(shares.get("detractors")),
            _round(eng.index), "",
        )

    def comments(self, key: tuple) -> list[str] | None:
        """The comments of a unit cell (sorted, so their order tells nothing), or None when the
        comment plan hides it."""
        if not self.comment_plan.shows(key):
            return None
        return sorted(c for rid in self.members.get(key, ()) for c in self.respondents[rid].comments)

    def comment_ids(self, key: tuple) -> list[int] | None:
        """The answer ids of a unit cell's comments (for their themes and sentiment), or None
        when the comment plan hides it: the same rule as :meth:`comments`."""
        if not self.comment_plan.shows(key):
            return None
        return sorted(i for rid in self.members.get(key, ()) for i in self.respondents[rid].comment_ids)


def _round(value):
    return None if value is None else round(value, 1)


class SurveyResults:
    """The waves of one employee survey for one reader's scope."""

    def __init__(self, scope: Scope, survey):
        self.scope = scope
        self.survey = survey
        self.thresholds = effective(scope.organization, survey.pk)
        respondents = load(scope.organization, survey.pk)
        by_wave: dict[str, dict[int, Respondent]] = defaultdict(dict)
        for rid, r in respondents.items():
            by_wave[r.wave][rid] = r
        self._by_wave = dict(sorted(by_wave.items()))
        self._waves: dict[str, Wave] = {}

    @property
    def waves(self) -> list[str]:
        return list(self._by_wave)

    def wave(self, name: str = "") -> Wave | None:
        """A wave by name ("YYYY-MM"); the latest when empty; None when the survey has none."""
        if not self._by_wave:
            if name:
                raise InvalidInput("wave", _("the survey has no responses in %(wave)s") % {"wave": name})
            return None
        name = name or self.waves[-1]
        if name not in self._by_wave:
            raise InvalidInput("wave", _("the survey has no responses in %(wave)s") % {"wave": name})
        if name not in self._waves:
            t = self.thresholds
            org = self.scope.organization
            self._waves[name] = Wave(org, self._by_wave[name], t.min_group, t.min_comments)
        return self._waves[name]

    def node(self, unit: str) -> tuple[tuple, str]:
        """The cell key and code of the unit a reader asks for; the reader's own unit by default.
        A unit outside the scope is NotFound (scope.units)."""
        if not unit and self.scope.limited:
            unit = self.scope.unit_code
        if not unit:
            return ORG, ""
        self.scope.units(unit)  # NotFound outside the scope
        pk = next((pk for pk, code, _p in unit_tree(self.scope.organization) if code == unit), None)
        if pk is None:
            pk = int(unit)
            unit = next(code for p, code, _parent in unit_tree(self.scope.organization) if p == pk)
        return ("unit", pk), unit
