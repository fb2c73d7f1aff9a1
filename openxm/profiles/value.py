"""Value tiers and risk per contact: RFM, CLV (BG/NBD + Gamma-Gamma) and churn risk, stored.

Included: :func:`refresh_values` — reads every purchase (``order``/``purchase`` events) of the
organization's contacts up to ``as_of``, scores RFM quintiles over the contacts who bought,
fits the CLV models (:mod:`openxm.analytics.clv`; the simple formula, labelled, when the data is
thin), derives the churn risk with its reasons, and replaces the stored :class:`ContactValue`
rows, logging a :class:`ValueRun` with the fit diagnostics; each contact's tier is also set on
the contact (``openxm.customers.tiers``: the service per tier that cases and distribution
read). :func:`latest_run`, :func:`value_of`, :func:`at_risk` read them back inside a scope;
:func:`tier_overview` shows each tier's service with its customers' experience.

Churn risk (this version): ``1 − P(alive)`` of the BG/NBD model, raised by experience signals
(last NPS a detractor in the last 90 days), with its reasons spelled out. Without the model (the
simple formula) it grows with how far the customer is past their usual purchase gap (0 within
it, 1 from four gaps), and for a one-time buyer with the days since that purchase over 180.
While a churn model trained on the organisation's history is switched on
(:mod:`openxm.profiles.churn`), its risk and per-feature reasons replace the rule for every
customer it scores (those with a purchase in the last year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope, organization_scope
from openxm.analytics import clv as clv_model
from openxm.analytics.rfm import RfmInput, rfm
from openxm.analytics.rollup_math import score_from_tally
from openxm.customers import events as contact_events
from openxm.customers import tiers
from openxm.customers.directory import contacts as scoped_contacts
from openxm.insights import figures, params, query
from openxm.surveys import door

from . import churn as churn_model
from .models import ContactValue, ValueRun

DEFAULT_HORIZON_WEEKS = 52
DEFAULT_DISCOUNT_RATE = 0.10
DETRACTOR_DAYS = 90
ONE_TIME_DAYS = 180


def last_nps(scope: Scope, contact_ids=None) -> dict[int, tuple[float, datetime]]:
    """The latest NPS answer (score, time) of each contact, read through the door."""
    qs = door.answers(scope).filter(qtype="nps", response__contact__isnull=False)
    if contact_ids is not None:
        qs = qs.filter(response__contact_id__in=list(contact_ids))
    out: dict[int, tuple[float, datetime]] = {}
    for contact_id, value, when in qs.order_by("answered_at").values_list(
        "response__contact_id", "value_number", "answered_at"
    ):
        if value is not None:
            out[contact_id] = (value, when)
    return out


def _risk(row, fit_alive: float | None, nps, as_of: datetime) -> tuple[float, list[dict]]:
    """The churn risk in [0, 1] and its reasons (code, parameters) for one customer."""
    reasons = []
    if fit_alive is not None:
        risk = 1.0 - fit_alive
        if fit_alive < 0.5:
            reasons.append({"code": "p_alive", "p_alive": round(fit_alive, 2)})
    else:
        # Without the model: 0 up to the usual gap, 0.5 at 2.5 gaps, 1 from 4 gaps; a one-time
        # buyer's risk grows over half a year.
        gap = row["usual_gap_days"]
        if gap:
            risk = min(1.0, max(0.0, (row["recency_days"] / gap - 1) / 3))
        else:
            risk = min(1.0, row["recency_days"] / ONE_TIME_DAYS)
    if row["usual_gap_days"] and row["recency_days"] > 2 * row["usual_gap_days"]:
        reasons.append(
            {"code": "overdue", "days": row["recency_days"], "usual": round(row["usual_gap_days"])}
        )
    if nps is not None:
        score, when = nps
        if score <= 6 and as_of - when <= timedelta(days=DETRACTOR_DAYS):
            risk = min(1.0, risk + 0.2)
            reasons.append({"code": "detractor", "score": int(score)})
    return round(risk, 4), reasons


def _behaviour(transactions, as_of: datetime) -> dict[int, dict]:
    per: dict[int, dict] = {}
    for contact_id, when, amount in transactions:
        row = per.setdefault(contact_id, {"days": set(), "total": 0.0, "first": when, "last": when})
        row["days"].add(when.date())
        row["total"] += amount
        row["first"], row["last"] = min(row["first"], when), max(row["last"], when)
    for row in per.values():
        days = sorted(row["days"])
        row["frequency"] = len(days)
        row["recency_days"] = (as_of.date() - days[-1]).days
        row["usual_gap_days"] = (days[-1] - days[0]).days / (len(days) - 1) if len(days) > 1 else 0.0
    return per


@dataclass(frozen=True)
class Refreshed:
    run: ValueRun
    contacts: int


@transaction.atomic
def refresh_values(
    organization,
    as_of: datetime | None = None,
    horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
    annual_discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> Refreshed:
    """Recompute and store every contact's value and risk (system work: the whole organization)."""
    as_of = as_of or timezone.now()
    scope = organization_scope(organization)
    transactions = contact_events.transactions_in(scope, until=as_of)
    behaviour = _behaviour(transactions, as_of)
    ids = sorted(behaviour)
    scores = {
        int(s.customer): s
        for s in rfm(
            [
                RfmInput(
                    str(i), behaviour[i]["recency_days"], behaviour[i]["frequency"], behaviour[i]["total"]
                )
                for i in ids
            ]
        )
    }
    summaries = clv_model.summarise(((str(c), t, a) for c, t, a in transactions), as_of.date())
    result = clv_model.clv(summaries, horizon_weeks, annual_discount_rate)
    values = {int(v.customer): v for v in result.customers}
    nps = last_nps(scope, ids)
    model = churn_model.active_model(organization)
    learned = churn_model.score_now(organization, model, as_of) if model else {}
    rows = []
    for contact_id in ids:
        b, s, v = behaviour[contact_id], scores[contact_id], values.get(contact_id)
        if contact_id in learned:
            risk, reasons = learned[contact_id]
        else:
            risk, reasons = _risk(b, v.p_alive if v else None, nps.get(contact_id), as_of)
        rows.append(
            ContactValue(
                organization=organization,
                contact_id=contact_id,
                recency_days=b["recency_days"],
                frequency=b["frequency"],
                monetary=round(b["total"], 2),
                first_purchase_at=b["first"],
                last_purchase_at=b["last"],
                r=s.r,
                f=s.f,
                m=s.m,
                tier=s.tier,
                expected_purchases=v.expected_purchases if v else None,
                p_alive=v.p_alive if v else None,
                expected_spend=v.expected_spend if v else None,
                clv=round(v.clv, 2) if v else None,
                clv_method=result.method,
                churn_risk=risk,
                churn_reasons=reasons,
                computed_at=as_of,
            )
        )
    stored = ContactValue.objects.for_org(organization)
    stored.delete()
    stored.bulk_create(rows, batch_size=1000)
    # The tier on the contact itself: cases and distribution read it with the tier's service.
    tiers.store_tiers(organization, {row.contact_id: row.tier for row in rows})
    run = ValueRun.objects.for_org(organization).create(
        organization=organization,
        method=result.method,
        reason=result.reason,
        horizon_weeks=horizon_weeks,
        annual_discount_rate=annual_discount_rate,
        customers=result.n,
        repeaters=result.repeaters,
        parameters=_parameters(result),
        as_of=as_of,
    )
    return Refreshed(run=run, contacts=len(rows))


def _parameters(result: clv_model.ClvResult) -> dict:
    out = {}
    if result.bgnbd:
        bg = result.bgnbd
        out.update(
            r=bg.r,
            alpha=bg.alpha,
            a=bg.a,
            b=bg.b,
            bgnbd_log_likelihood=bg.log_likelihood,
            bgnbd_converged=bg.converged,
        )
    if result.gamma_gamma:
        gg = result.gamma_gamma
        out.update(
            p=gg.p,
            q=gg.q,
            gamma=gg.gamma,
            gamma_gamma_log_likelihood=gg.log_likelihood,
            gamma_gamma_n=gg.n,
            gamma_gamma_converged=gg.converged,
        )
    return out


def refresh_for(actor: Actor, **options) -> Refreshed:
    """Recompute now, for a member (``responses.write``); audited as ``profiles.values_refreshed``."""
    actor.require(Perm.RESPONSES_WRITE)
    done = refresh_values(actor.organization, **options)
    audit.record(
        actor,
        "profiles.values_refreshed",
        target_type="value_run",
        target_id=done.run.pk,
        data={"method": done.run.method, "contacts": done.contacts},
    )
    return done


def latest_run(scope: Scope) -> ValueRun | None:
    return ValueRun.objects.for_org(scope.organization).first()


def latest_run_for(actor: Actor) -> ValueRun | None:
    """The latest model run with its fit diagnostics (``responses.view``)."""
    actor.require(Perm.RESPONSES_VIEW)
    return latest_run(actor.scope)


def value_of(scope: Scope, contact_id: int) -> ContactValue | None:
    """The stored value of a contact (the caller has checked the contact is inside the scope)."""
    return ContactValue.objects.for_org(scope.organization).filter(contact_id=contact_id).first()


def values_of(scope: Scope, contact_ids) -> dict[int, ContactValue]:
    return {
        v.contact_id: v
        for v in ContactValue.objects.for_org(scope.organization).filter(contact_id__in=list(contact_ids))
    }


def at_risk(scope: Scope, min_risk: float = 0.5, limit: int = 50) -> list[ContactValue]:
    """High-value customers at risk: churn risk at least ``min_risk``, highest CLV first (then
    monetary value), inside the scope."""
    visible = scoped_contacts(scope).values("pk")
    return list(
        ContactValue.objects.for_org(scope.organization)
        .filter(contact_id__in=visible, churn_risk__gte=min_risk)
        .select_related("contact")
        .order_by("-clv", "-monetary", "pk")[:limit]
    )


EXPERIENCE_DAYS = 90


@dataclass(frozen=True)
class TierRow:
    service: tiers.TierService
    label: str
    customers: int
    nps: object | None  # ScoreResult of the last EXPERIENCE_DAYS, None without dashboards.view
    csat: object | None


def tier_overview(actor: Actor) -> dict:
    """Per RFM tier: its service (``openxm.customers.tiers``), the customers in it inside the
    actor's scope, and their NPS and CSAT over the last 90 days (responses of the contacts
    currently in the tier, through the dashboards' raw path; for members who may view
    dashboards). The context of the tier page."""
    actor.require(Perm.RESPONSES_VIEW)
    counts = tiers.tier_counts(actor.scope)
    scores: dict[str, dict] = {"nps": {}, "csat": {}}
    if actor.can(Perm.DASHBOARDS_VIEW):
        f = params.parse(actor.organization, {"period": f"{EXPERIENCE_DAYS}d"}).filters
        floor = figures.min_n(actor.organization)
        for metric in scores:
            for (tier,), tally in query.tallies(actor.scope, f, metric, ("tier",)).table.items():
                scores[metric][tier] = score_from_tally(metric, tally, min_n=floor)
    rows = [
        TierRow(
            s,
            tiers.tier_label(s.tier),
            counts.get(s.tier, 0),
            scores["nps"].get(s.tier),
            scores["csat"].get(s.tier),
        )
        for s in tiers.list_settings(actor)
    ]
    return {
        "rows": rows,
        "days": EXPERIENCE_DAYS,
        "can_manage": actor.can(Perm.ORG_MANAGE),
        "can_view_metrics": actor.can(Perm.DASHBOARDS_VIEW),
        "priorities": tiers.PRIORITY_CHOICES,
    }


def reason_text(reason: dict) -> str:
    """A stored churn reason in the reader's language."""
    code = reason.get("code")
    if code == "p_alive":
        return _("the purchase model gives a %(p)s%% chance the customer is still active") % {
            "p": round(100 * reason["p_alive"])
        }
    if code == "overdue":
        return _("no purchase for %(days)s days (usually every %(usual)s days)") % reason
    if code == "detractor":
        return _("last NPS answer %(score)s (a detractor) in the last 90 days") % reason
    if code == "model":
        label = FEATURE_LABELS.get(reason.get("feature"), reason.get("feature"))
        return _("churn model: %(feature)s (weight %(weight)s)") % {
            "feature": label,
            "weight": reason["weight"],
        }
    return str(code)


FEATURE_LABELS = {
    "recency_days": gettext_lazy("days since the last purchase"),
    "frequency_365": gettext_lazy("few purchases in the last year"),
    "monetary_365": gettext_lazy("spend in the last year"),
    "tenure_days": gettext_lazy("time as a customer"),
    "last_nps": gettext_lazy("last NPS answer"),
    "nps_trend": gettext_lazy("NPS trend"),
    "detractor_90d": gettext_lazy("a detractor answer in the last 90 days"),
    "negative_comments_90d": gettext_lazy("negative comments in the last 90 days"),
    "unanswered_invitations_365": gettext_lazy("survey invitations left unanswered"),
    "open_cases": gettext_lazy("open cases"),
    "cases_90d": gettext_lazy("cases in the last 90 days"),
}
