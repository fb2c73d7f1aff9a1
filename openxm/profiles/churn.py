"""The organisation's own churn model: evaluated on its history, shown, then switched on.

:func:`evaluate_model` builds the features of :mod:`openxm.analytics.churn` from the
organisation's purchases (``order``/``purchase`` events) and NPS answers (through the one door),
trains at ``now − 2·horizon`` (labels: the following horizon) and evaluates at ``now − horizon``
(labels: the last horizon) — a time-based split — and stores the result as a
:class:`ChurnModel` that is **off** until a member switches it on (:func:`switch_on`). While a
model is on, :func:`openxm.profiles.value.refresh_values` scores every customer with it and
stores the top reasons (per-feature contributions). Too few churners: ``NotEnoughData`` as
InvalidInput, saying how many are needed.

Experience features: NPS answers (the last one, its trend, a recent detractor answer), negative
comments (``openxm.comments`` text analytics), survey invitations left unanswered
(``openxm.distribution``) and cases (open at the cut-off, opened in the last 90 days: the cases
app's opening and state-change log through :mod:`.cases`), each at the time it became known
(:func:`history`). Needs ``org.manage`` to evaluate and
switch (it changes what every member sees).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope, organization_scope
from openxm.analytics import churn
from openxm.comments import services as comments
from openxm.customers import events as contact_events
from openxm.distribution import contacts as invitations
from openxm.surveys import door

from . import cases
from .models import ChurnModel

COMMENT_BATCH = 500


def history(scope: Scope, now: datetime | None = None):
    """(purchases, experiences) of the scope's contacts, keyed by contact id as text.

    Experiences: NPS answers (the door), negative comments (text analytics of the contacts'
    complete responses, at the response's time), invitations left unanswered (at their
    expiry, when "unanswered" became known) and cases (each opening, resolution, closing and
    reopening at the time of its log entry). Each carries the time it happened, so a snapshot
    at a cut-off reads only what was known before it."""
    now = now or timezone.now()
    purchases = [(str(c), t, a) for c, t, a in contact_events.transactions_in(scope)]
    rows = door.answers(scope).filter(
        qtype="nps", response__contact__isnull=False, value_number__isnull=False
    )
    experiences = [
        churn.Experience(str(c), at, nps=v)
        for c, at, v in rows.values_list("response__contact_id", "answered_at", "value_number")
    ]
    answered = list(
        door.responses(scope)
        .filter(contact__isnull=False, status="complete", completed_at__lt=now)
        .values_list("pk", "contact_id", "completed_at")
    )
    for start in range(0, len(answered), COMMENT_BATCH):
        batch = answered[start : start + COMMENT_BATCH]
        found = comments.text_findings(scope, [pk for pk, _c, _at in batch])
        experiences += [
            churn.Experience(str(c), at, negative_comment=True)
            for pk, c, at in batch
            if pk in found and "negative" in found[pk][0]
        ]
    experiences += [
        churn.Experience(str(c), at, unanswered_invitation=True)
        for c, at in invitations.unanswered_invitations(scope, now)
    ]
    experiences += [
        churn.Experience(str(k.contact_id), k.at, case_opened=k.opened, open_cases_change=k.open_change)
        for k in cases.history(scope)
    ]
    return purchases, experiences


@transaction.atomic
def evaluate_model(actor: Actor, horizon_days: int = churn.DEFAULT_HORIZON_DAYS, now: datetime | None = None):
    """Train and evaluate on the organisation's history; the stored, switched-off result."""
    actor.require(Perm.ORG_MANAGE)
    if not 30 <= horizon_days <= 365:
        raise InvalidInput("horizon_days", _("must be 30-365"))
    now = now or timezone.now()
    purchases, experiences = history(organization_scope(actor.organization), now)
    horizon = timedelta(days=horizon_days)
    try:
        result = churn.evaluate(
            churn.snapshot(purchases, experiences, now - 2 * horizon, horizon_days),
            churn.snapshot(purchases, experiences, now - horizon, horizon_days),
        )
    except churn.NotEnoughData as exc:
        raise InvalidInput("history", str(exc)) from None
    m = result.model
    record = ChurnModel.objects.for_org(actor.organization).create(
        organization=actor.organization,
        horizon_days=horizon_days,
        trained_at_cutoff=now - 2 * horizon,
        evaluated_at_cutoff=now - horizon,
        metrics={
            "n_train": result.n_train,
            "n_test": result.n_test,
            "churners_test": result.churners_test,
            "auc": result.auc,
            "auc_low": result.auc_low,
            "auc_high": result.auc_high,
            "lift_top_decile": result.lift_top_decile,
            "recency_only_auc": result.baseline_auc,
            "recency_only_lift_top_decile": result.baseline_lift_top_decile,
            "better_than_chance": result.better_than_chance,
            "calibration": [list(row) for row in result.calibration],
        },
        parameters={
            "coefficients": m.coefficients,
            "intercept": m.intercept,
            "means": m.means.tolist(),
            "scales": m.scales.tolist(),
            "fill": m.fill.tolist(),
        },
        created_by=actor.label,
    )
    audit.record(
        actor,
        "profiles.churn_model_evaluated",
        target_type="churn_model",
        target_id=record.pk,
        data={"auc": round(result.auc, 3)},
    )
    return record


def models(actor: Actor) -> list[ChurnModel]:
    actor.require(Perm.RESPONSES_VIEW)
    return list(ChurnModel.objects.for_org(actor.organization)[:10])


@transaction.atomic
def switch_on(actor: Actor, model_id: int, on: bool = True) -> ChurnModel:
    """Switch a model on (the others off) or off. A model whose AUC is not above chance cannot
    be switched on."""
    actor.require(Perm.ORG_MANAGE)
    record = ChurnModel.objects.for_org(actor.organization).filter(pk=model_id).first()
    if record is None:
        raise NotFound("churn model", model_id)
    if on and not record.metrics.get("better_than_chance"):
        raise InvalidInput("model", _("this model is no better than chance on the evaluation period"))
    ChurnModel.objects.for_org(actor.organization).update(active=False)
    record.active = on
    record.save(update_fields=["active"])
    audit.record(
        actor,
        "profiles.churn_model_switched",
        target_type="churn_model",
        target_id=record.pk,
        data={"active": on},
    )
    return record


def active_model(organization) -> churn.Model | None:
    record = ChurnModel.objects.for_org(organization).filter(active=True).first()
    if record is None:
        return None
    p = record.parameters
    return churn.Model.stored(p["coefficients"], p["intercept"], p["means"], p["scales"], p["fill"])


def score_now(organization, model: churn.Model, now: datetime) -> dict[int, tuple[float, list[dict]]]:
    """Risk and top reasons of every customer active in the last year, from the active model."""
    purchases, experiences = history(organization_scope(organization), now)
    snap = churn.snapshot(purchases, experiences, now)
    risks = model.risk(snap.X) if len(snap.customers) else []
    out = {}
    for i, customer in enumerate(snap.customers):
        top = churn.reasons(model, snap.X[i])
        out[int(customer)] = (
            round(float(risks[i]), 4),
            [{"code": "model", "feature": name, "weight": round(weight, 2)} for name, weight in top],
        )
    return out
