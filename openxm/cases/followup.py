"""The follow-up survey after resolution, and reading its answer back.

After a case is resolved its customer is invited, through the first follow-up distribution of
its alert rule's own list (case settings, ``followup_by_rule``), else of the organisation's
case settings, whose channel has an address for them, with the distribution
app's contact rules applied (opt-outs, suppression, caps); a customer who withdrew the
``follow_up`` purpose (docs/customers.md, consent records) is not invited either, logged as
``unsubscribed``. The invitation carries the case id
as a hidden field; when the answer is stored (``responses_recorded``), the case keeps its
response and score: the recovery rate reads them. Held-out (control) cases are never invited.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from openxm.accounts.errors import NotFound
from openxm.accounts.services import operator_actor
from openxm.customers.consent import FOLLOW_UP, may_contact
from openxm.distribution import invitations
from openxm.distribution.services import get_distribution

from .clocks import settings_of
from .models import Case, CaseEvent

log = logging.getLogger(__name__)
SCORE_TYPES = ("nps", "csat")


def distributions_for(settings, case: Case) -> list[int]:
    """The follow-up distributions of ``case``: its alert rule's own (``followup_by_rule``),
    else the organisation's."""
    if case.rule_id is not None:
        rule_key = case.rule.key
        if rule_key in (settings.followup_by_rule or {}):
            return list(settings.followup_by_rule[rule_key])
    return list(settings.followup_distributions)


def after_resolution(organization, case_id: int) -> str:
    """Invite the case's customer to the follow-up; the outcome (``invited``, ``no_followup``,
    or the contact rule that stopped it) is logged on the case and returned."""
    settings = settings_of(organization)
    with transaction.atomic():
        case = Case.objects.for_org(organization).select_for_update().get(pk=case_id)
        chosen = distributions_for(settings, case)
        if case.contact_id is None or case.held_out or case.followup_sent_at or not chosen:
            return "no_followup"
        outcome = "no_address"
        system = operator_actor(organization)
        # The invitation rules check the surveys purpose; a follow-up also needs this one.
        dists = chosen if may_contact(case.contact, FOLLOW_UP) else []
        if not dists:
            outcome = "unsubscribed"
        for dist_id in dists:
            try:
                dist = get_distribution(system, int(dist_id))
            except NotFound:  # deleted since it was chosen
                continue
            if not dist.active or not invitations.address_for(dist.channel, case.contact):
                continue
            try:
                invitations.create_invitation(organization, dist, case.contact, hidden={"case": str(case.pk)})
            except invitations.NotInvited as exc:
                outcome = str(exc.outcome)
                break
            case.followup_sent_at = timezone.now()
            case.save(update_fields=["followup_sent_at"])
            outcome = "invited"
            break
        CaseEvent.objects.for_org(organization).create(
            organization=organization,
            case=case,
            kind=CaseEvent.Kind.FOLLOWUP,
            actor_label="followup",
            data={"outcome": outcome},
        )
    if outcome == "invited":
        from openxm.distribution.tasks import dispatch_invitations

        transaction.on_commit(lambda: dispatch_invitations.delay(organization.pk))
    return outcome


def on_responses_recorded(sender, recorded, **kwargs) -> None:
    """``responses_recorded``: a follow-up answer (hidden ``case``) is stored on its case, in
    the same transaction, when it comes from the case's own customer."""
    for response, answers in recorded:
        case_id = str((response.hidden or {}).get("case") or "")
        if not case_id.isdigit():
            continue
        case = (
            Case.objects.for_org(response.organization)
            .filter(pk=int(case_id), contact_id=response.contact_id)
            .first()
        )
        if case is None or case.contact_id is None or case.followup_response_id is not None:
            continue
        score = next(
            (a.value_number for a in answers if a.qtype in SCORE_TYPES and a.value_number is not None), None
        )
        case.followup_response_id, case.followup_score = response.pk, score
        case.save(update_fields=["followup_response", "followup_score"])
        CaseEvent.objects.for_org(case.organization).create(
            organization=case.organization,
            case=case,
            kind=CaseEvent.Kind.FOLLOWUP,
            actor_label="followup",
            data={"outcome": "answered", "response": response.pk, "score": score},
        )
