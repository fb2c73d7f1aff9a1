"""Changing a case: state transitions, assignment, notes, the contact log and the recovery.

Each action checks ``cases.work`` and the state machine, writes the change and its log event
in one transaction and records the audit entry; web, API and CLI call these and nothing else.
Included: :func:`transition` (resolve with root cause and recovery), :func:`assign`,
:func:`add_note`, :func:`log_contact`, :func:`bulk`. Excluded: opening (``services.py``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.customers import tiers

from . import machine
from .assignment import team as get_team
from .models import Case, CaseEvent, ContactEntry, Note, RecoveryAction, RootCause
from .services import get_case

STATE_LABELS = dict(Case.STATE_CHOICES)


def _locked(actor: Actor, case_id: int) -> Case:
    get_case(actor, case_id)  # scope and permission
    return Case.objects.for_org(actor.organization).select_for_update().get(pk=case_id)


def _event(actor: Actor, case: Case, kind: str, **fields) -> CaseEvent:
    return CaseEvent.objects.for_org(case.organization).create(
        organization=case.organization,
        case=case,
        kind=kind,
        actor_user=actor.user,
        actor_label=actor.label,
        **fields,
    )


def _recovery(actor: Actor, case: Case, root_cause: str, action: str, cost) -> list[str]:
    """Set the root cause and recovery on ``case`` (not saved); the fields changed."""
    changed = []
    if root_cause:
        found = RootCause.objects.for_org(actor.organization).filter(key=root_cause, active=True).first()
        if found is None:
            raise NotFound("root cause", root_cause)
        case.root_cause = found
        changed.append("root_cause")
    if action:
        found = RecoveryAction.objects.for_org(actor.organization).filter(key=action, active=True).first()
        if found is None:
            raise NotFound("recovery action", action)
        case.recovery_action = found
        changed.append("recovery_action")
        if cost in (None, ""):
            cost = found.default_cost
    if cost not in (None, ""):
        try:
            amount = Decimal(str(cost))
        except InvalidOperation:
            raise InvalidInput("cost", _("must be a number")) from None
        if amount < 0 or not amount.is_finite():
            raise InvalidInput("cost", _("must be zero or more"))
        # Differentiated service: a tier may cap what one case's recovery may cost.
        budget = tiers.tier_settings(case.organization, case.tier).recovery_budget if case.tier else None
        if budget is not None and amount > budget:
            message = _("is above the recovery budget of this customer's tier (%(budget)s)")
            raise InvalidInput("cost", message % {"budget": budget})
        case.recovery_cost = amount.quantize(Decimal("0.01"))
        changed.append("recovery_cost")
    return changed


def transition(
    actor: Actor,
    case_id: int,
    to: str,
    reason: str = "",
    *,
    root_cause: str = "",
    recovery: str = "",
    cost=None,
    link: str = "",
) -> Case:
    """Move the case to ``to`` if the state machine allows it. Resolving may record the root
    cause, the recovery action and its cost (default: the action's default cost). ``link``:
    the nonce of the messenger link that asked for it (``links.py``), kept in the event."""
    actor.require(Perm.CASES_WORK)
    if to not in machine.STATES:
        raise InvalidInput("state", _("must be one of: %(allowed)s") % {"allowed": ", ".join(machine.STATES)})
    with transaction.atomic():
        case = _locked(actor, case_id)
        try:
            machine.check(case.state, to)
        except machine.Refused:
            raise InvalidInput(
                "state",
                _("a case cannot go from %(from)s to %(to)s")
                % {"from": STATE_LABELS[case.state], "to": STATE_LABELS[to]},
            ) from None
        now = timezone.now()
        changed = ["state"]
        if root_cause or recovery or cost not in (None, ""):
            changed += _recovery(actor, case, root_cause, recovery, cost)
        before, case.state = case.state, to
        if to == "resolved":
            case.resolved_at, changed = now, changed + ["resolved_at"]
        elif to == "closed":
            case.closed_at, changed = now, changed + ["closed_at"]
        elif to == "reopened":
            case.resolved_at = case.closed_at = None
            changed += ["resolved_at", "closed_at"]
        if to == "in_progress" and case.assignee_id is None and actor.user is not None:
            case.assignee, changed = actor.user, changed + ["assignee"]  # taking it from a queue
        case.save(update_fields=changed)
        _event(
            actor,
            case,
            CaseEvent.Kind.STATE,
            at=now,
            from_state=before,
            to_state=to,
            reason=reason[:2000],
            data={
                **({"root_cause": root_cause, "recovery": recovery} if root_cause or recovery else {}),
                **({"link": link} if link else {}),
            },
        )
        audit.record(
            actor, "case.transition", target_type="case", target_id=case.pk, data={"from": before, "to": to}
        )
    if to == "resolved":
        from .followup import after_resolution

        transaction.on_commit(lambda: after_resolution(case.organization, case.pk), robust=True)
    return case


def assign(
    actor: Actor, case_id: int, email: str = "", team: str = "", reason: str = "", link: str = ""
) -> Case:
    """Give the case to a member (by e-mail; they need ``cases.work`` and the case's unit in
    their scope) and/or a team's queue. Both empty: unassigned. ``link``: as in
    :func:`transition`. The messenger webhook (``messenger.py``) is told after the commit."""
    actor.require(Perm.CASES_WORK)
    with transaction.atomic():
        case = _locked(actor, case_id)
        user = None
        if email:
            member = next(
                iter(accounts.member_actors(actor.organization, [email], via=actor.via).values()), None
            )
            if member is None:
                raise NotFound("member", email)
            if not member.can(Perm.CASES_WORK) or not member.scope.allows_unit(case.unit_id):
                raise InvalidInput("assignee", _("%(email)s may not work this case") % {"email": email})
            user = member.user
        case.assignee = user
        case.team = get_team(actor.organization, team) if team else (case.team if user else None)
        case.save(update_fields=["assignee", "team"])
        _event(
            actor,
            case,
            CaseEvent.Kind.ASSIGNED,
            reason=reason[:2000],
            data={
                "assignee": user.email if user else "",
                "team": case.team.key if case.team else "",
                **({"link": link} if link else {}),
            },
        )
        audit.record(
            actor,
            "case.assigned",
            target_type="case",
            target_id=case.pk,
            data={"assignee": email, "team": team},
        )
        if user or case.team_id:
            from .messenger import announce

            transaction.on_commit(lambda: announce(case.organization, case.pk, "assigned"), robust=True)
    return case


def set_priority(actor: Actor, case_id: int, priority: str, reason: str = "") -> Case:
    actor.require(Perm.CASES_WORK)
    if priority not in dict(Case.PRIORITY_CHOICES):
        raise InvalidInput(
            "priority", _("must be one of: %(allowed)s") % {"allowed": "low, normal, high, urgent"}
        )
    with transaction.atomic():
        case = _locked(actor, case_id)
        before, case.priority = case.priority, priority
        case.save(update_fields=["priority"])
        _event(
            actor, case, CaseEvent.Kind.PRIORITY, reason=reason[:2000], data={"from": before, "to": priority}
        )
    return case


def add_note(actor: Actor, case_id: int, text: str) -> Note:
    actor.require(Perm.CASES_WORK)
    if not (text or "").strip():
        raise InvalidInput("text", _("is required"))
    case = get_case(actor, case_id)
    with transaction.atomic():
        note = Note.objects.for_org(actor.organization).create(
            organization=actor.organization,
            case=case,
            author=actor.user,
            author_label=actor.label,
            text=text.strip(),
        )
        audit.record(actor, "case.note", target_type="case", target_id=case.pk)
    return note


def log_contact(
    actor: Actor, case_id: int, channel: str, summary: str, direction: str = "out"
) -> ContactEntry:
    """One contact with the customer. The first one is the case's first response (the clock)."""
    actor.require(Perm.CASES_WORK)
    if channel not in ContactEntry.CHANNELS:
        raise InvalidInput(
            "channel", _("must be one of: %(allowed)s") % {"allowed": ", ".join(ContactEntry.CHANNELS)}
        )
    if direction not in ("out", "in"):
        raise InvalidInput("direction", _("must be out or in"))
    if not (summary or "").strip():
        raise InvalidInput("summary", _("is required"))
    with transaction.atomic():
        case = _locked(actor, case_id)
        entry = ContactEntry.objects.for_org(actor.organization).create(
            organization=actor.organization,
            case=case,
            channel=channel,
            direction=direction,
            summary=summary.strip(),
            by=actor.user,
            by_label=actor.label,
        )
        if case.first_response_at is None and direction == "out":
            case.first_response_at = entry.at
            case.save(update_fields=["first_response_at"])
        _event(
            actor,
            case,
            CaseEvent.Kind.CONTACT,
            at=entry.at,
            data={"channel": channel, "direction": direction},
        )
        audit.record(actor, "case.contact", target_type="case", target_id=case.pk, data={"channel": channel})
    return entry


def bulk(actor: Actor, case_ids: list[int], *, to: str = "", email: str = "", team: str = "") -> dict:
    """The same transition or assignment on many cases; each case on its own, so one refused
    transition does not undo the others. Returns {"done": [ids], "refused": {id: message}}."""
    actor.require(Perm.CASES_WORK)
    if not case_ids:
        raise InvalidInput("ids", _("choose at least one case"))
    if not to and not email and not team:
        raise InvalidInput("action", _("choose a state or an assignee"))
    done, refused = [], {}
    for case_id in case_ids:
        try:
            if to:
                transition(actor, case_id, to, _("bulk action"))
            else:
                assign(actor, case_id, email=email, team=team, reason=_("bulk action"))
            done.append(case_id)
        except (InvalidInput, NotFound) as exc:
            refused[case_id] = str(exc)
    return {"done": done, "refused": refused}
