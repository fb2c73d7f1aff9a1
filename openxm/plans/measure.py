"""Measuring plans: a plan's impact (before/after its go-live, and the difference in differences
against its control) and the improvement backlog. Both need ``dashboards.view`` and read only
inside the actor's scope: answers through the one door (:mod:`openxm.surveys.door`), comment
figures through the comments app's services.

Impact: the plan's group is its touchpoint and unit (the actor's whole scope when it names
neither); the control group is the same with the control touchpoint or unit in their place.
The periods are ``window_days`` whole days before the go-live day and the days from the go-live
day up to ``window_days`` or yesterday, whichever comes first (days in the organization's time
zone). NPS, CSAT and CES read the answers of that type; a topic's negative share reads the
comments analysed (1 = the comment mentions the topic with negative sentiment); a root cause's
share reads the responses of the group (1 = the response has a case with the plan's root cause,
through the cases app's services, so a member limited to a unit counts only its cases). The math and
the "not enough data yet" rule are :mod:`openxm.analytics.impact`.

Backlog: NPS answers of the last ``days`` days, grouped by touchpoint, unit and the topics of
their responses' comments, ranked by :func:`openxm.analytics.backlog.prioritise`. Customer
value is 1 unless a contact attribute and weights per value are given (e.g. tier with
gold=3, silver=1.5); then a group's value is its customers' mean weight divided by the mean
over all answers (1 = an average customer). Personal attributes need ``pii.view``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.accounts.services import list_units
from openxm.analytics import backlog as backlog_math
from openxm.analytics import impact as impact_math
from openxm.cases import services as cases
from openxm.comments import services as comments
from openxm.customers.personal import personal_attributes
from openxm.journeys.services import touchpoint_directory
from openxm.surveys import door
from openxm.surveys.door import Slice

from .models import ActionPlan
from .services import get_plan, list_plans

RULES = impact_math.Rules()
_ATTRIBUTE = re.compile(r"[A-Za-z_][\w-]{0,63}")


@dataclass(frozen=True)
class Periods:
    before: tuple[date, date]
    after: tuple[date, date] | None  # None before the go-live day has passed


@dataclass(frozen=True)
class Measured:
    """A plan's impact: ``before_after`` always, ``did`` with a control; ``missing`` says why
    nothing could be measured at all (no go-live date yet, go-live in the future)."""

    plan: ActionPlan
    periods: Periods | None
    before_after: impact_math.Impact | None
    did: impact_math.Impact | None
    missing: str = ""
    groups: dict = field(default_factory=dict)


def _periods(plan: ActionPlan, today: date) -> Periods:
    window = timedelta(days=plan.window_days)
    before = (plan.go_live - window, plan.go_live - timedelta(days=1))
    last = min(plan.go_live + window - timedelta(days=1), today - timedelta(days=1))
    return Periods(before, (plan.go_live, last) if last >= plan.go_live else None)


def _group(plan: ActionPlan, control: bool) -> dict:
    """The Slice fields of the plan's group or of its control group."""
    touchpoint, unit = plan.touchpoint, plan.unit.code if plan.unit else ""
    if control and plan.control_kind == ActionPlan.Control.TOUCHPOINT:
        touchpoint = plan.control
    elif control and plan.control_kind == ActionPlan.Control.UNIT:
        unit = plan.control
    return {"touchpoints": (touchpoint,) if touchpoint else None, "unit": unit}


def _counts(actor: Actor, plan: ActionPlan, piece: Slice) -> dict[int, int]:
    """{answer: count} of the plan's metric in ``piece``."""
    if plan.metric == ActionPlan.Metric.NEGATIVE_SHARE:
        total = comments.summary(actor, piece).comments
        figure = next((f for f in comments.figures(actor, piece) if f.topic == plan.topic), None)
        negative = figure.negative if figure else 0
        return {1: negative, 0: total - negative}
    if plan.metric == ActionPlan.Metric.ROOT_CAUSE_SHARE:
        responses = door.responses(actor.scope, piece)
        total = responses.count()
        caused = cases.responses_with_root_cause(actor.scope, responses, plan.root_cause)
        return {1: caused, 0: total - caused}
    rows = (
        door.answers(actor.scope, piece)
        .filter(qtype=plan.metric, value_number__isnull=False)
        .values("value_number")
        .annotate(n=Count("id"))
    )
    return {int(r["value_number"]): r["n"] for r in rows}


def impact(actor: Actor, plan_id: int, today: date | None = None) -> Measured:
    """The plan's measured impact as of ``today`` (default: today in the organization's zone)."""
    plan = get_plan(actor, plan_id)
    zone = door.organization_zone(actor.organization)
    today = today or timezone.now().astimezone(zone).date()
    groups = {"treated": _group(plan, False)}
    if plan.control_kind:
        groups["control"] = _group(plan, True)
    if plan.go_live is None:
        return Measured(plan, None, None, None, "no_go_live", groups)
    periods = _periods(plan, today)
    if periods.after is None:
        return Measured(plan, periods, None, None, "not_live_yet", groups)

    def counts(group: str, span: tuple[date, date]) -> dict[int, int]:
        piece = Slice.days(actor.organization, span[0], span[1], **groups[group])
        return _counts(actor, plan, piece)

    days_before = (periods.before[1] - periods.before[0]).days + 1
    days_after = (periods.after[1] - periods.after[0]).days + 1
    treated = (counts("treated", periods.before), counts("treated", periods.after))
    before_after = impact_math.before_after(
        plan.metric, *treated, days_before=days_before, days_after=days_after, rules=RULES
    )
    did = None
    if plan.control_kind:
        control = (counts("control", periods.before), counts("control", periods.after))
        did = impact_math.diff_in_diff(
            plan.metric, *treated, *control, days_before=days_before, days_after=days_after, rules=RULES
        )
    return Measured(plan, periods, before_after, did, "", groups)


REASONS = {
    "min_n": lambda: _("fewer than %(n)s answers in a group or period") % {"n": RULES.min_n},
    "window_before": lambda: _("fewer than %(n)s days before the go-live date") % {"n": RULES.min_days},
    "window_after": lambda: _("fewer than %(n)s days since the go-live date") % {"n": RULES.min_days},
    "no_variation": lambda: _("every answer is the same, so no change can be tested"),
    "no_go_live": lambda: _("the plan has no go-live date yet"),
    "not_live_yet": lambda: _("the go-live date has not passed yet"),
}


def reason_text(code: str) -> str:
    return REASONS[code]()


VERDICTS = {
    "improved": lambda: _("Improved"),
    "worsened": lambda: _("Worsened"),
    "no_clear_change": lambda: _("No clear change"),
    "not_enough_data": lambda: _("Not enough data yet"),
}


def verdict_text(code: str) -> str:
    return VERDICTS[code]()


# --- Backlog ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogRequest:
    days: int = 90
    target: float = 30.0
    min_volume: int = 10
    attribute: str = ""
    weights: tuple[tuple[str, float], ...] = ()


def parse_weights(text: str) -> tuple[tuple[str, float], ...]:
    """``gold=3, silver=1.5`` → (("gold", 3.0), ("silver", 1.5)); InvalidInput names ``weights``."""
    out = []
    for part in [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]:
        name, sep, number = part.partition("=")
        try:
            weight = float(number)
        except ValueError:
            weight = -1.0
        if not sep or not name.strip() or weight < 0:
            raise InvalidInput("weights", _("must look like gold=3, silver=1.5 (weights ≥ 0)"))
        out.append((name.strip(), weight))
    return tuple(out)


def check_backlog_request(actor: Actor, request: BacklogRequest) -> None:
    if not 7 <= request.days <= 730:
        raise InvalidInput("days", _("must be between %(a)s and %(b)s") % {"a": 7, "b": 730})
    if not -100 <= request.target <= 100:
        raise InvalidInput("target", _("must be an NPS between -100 and 100"))
    if not 1 <= request.min_volume <= 100_000:
        raise InvalidInput("min_volume", _("must be at least 1"))
    if request.attribute:
        if not _ATTRIBUTE.fullmatch(request.attribute):
            raise InvalidInput("attribute", _("is not a contact attribute name"))
        if not actor.scope.pii and personal_attributes(actor.organization, [request.attribute]):
            raise InvalidInput("attribute", _("is personal data: your role cannot group by it"))
        if not request.weights:
            raise InvalidInput("weights", _("are required with a customer value attribute"))


def backlog(actor: Actor, request: BacklogRequest = BacklogRequest()) -> backlog_math.Backlog:
    """Pain points of the actor's scope ranked by impact, with the plans addressing them.
    ``plans`` of each item are (id, title, status) of plans not cancelled."""
    actor.require(Perm.DASHBOARDS_VIEW)
    check_backlog_request(actor, request)
    zone = door.organization_zone(actor.organization)
    today = timezone.now().astimezone(zone).date()
    piece = Slice.days(actor.organization, today - timedelta(days=request.days), today)
    columns = ["response_id", "touchpoint", "response__unit__code", "value_number"]
    if request.attribute:
        columns.append(f"response__contact__attributes__{request.attribute}")
    rows = list(
        door.answers(actor.scope, piece).filter(qtype="nps", value_number__isnull=False).values_list(*columns)
    )
    weights = dict(request.weights)

    def weight(row) -> float:
        return weights.get(str(row[4]), 1.0) if request.attribute and row[4] is not None else 1.0

    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        if row[1]:
            groups[("touchpoint", row[1])].append(row)
        if row[2]:
            groups[("unit", row[2])].append(row)
    findings = comments.text_findings(actor.scope, {row[0] for row in rows})
    for row in rows:
        for topic in findings.get(row[0], ((), (), ()))[1]:
            groups[("topic", topic)].append(row)
    mean_weight = sum(weight(r) for r in rows) / len(rows) if rows else 1.0
    labels = _labels(actor, piece)
    points = []
    for (kind, code), members in groups.items():
        tally = Counter(int(r[3]) for r in members)
        cell = impact_math.summarise("nps", tally)
        value = (sum(weight(r) for r in members) / len(members)) / mean_weight if mean_weight else 1.0
        label = labels.get((kind, code), code)
        points.append(backlog_math.PainPoint(kind, code, label, cell.n, cell.estimate, round(value, 3)))
    addressing: dict[tuple[str, str], list] = defaultdict(list)
    for plan in list_plans(actor):
        if plan.status == ActionPlan.Status.CANCELLED:
            continue
        ref = (plan.pk, plan.title, plan.status)
        for kind, code in (
            ("touchpoint", plan.touchpoint),
            ("topic", plan.topic),
            ("unit", plan.unit.code if plan.unit else ""),
            ("root_cause", plan.root_cause),
        ):
            if code:
                addressing[(kind, code)].append(ref)
    return backlog_math.prioritise(
        points, target=request.target, min_volume=request.min_volume, plans=addressing
    )


def _labels(actor: Actor, piece: Slice) -> dict[tuple[str, str], str]:
    labels = {("touchpoint", k): info.name for k, info in touchpoint_directory(actor.organization).items()}
    labels.update({("unit", u.code): u.name for u in list_units(actor)})
    labels.update({("topic", f.topic): f.label for f in comments.figures(actor, piece)})
    return labels
