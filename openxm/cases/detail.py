"""One case as its page and the API show it: the case, its clocks and risk, the transitions
it allows, its log, notes and contacts, and (for the page) the customer's whole history from
the profiles timeline, so nobody asks the customer to tell the story again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.analytics import sla
from openxm.profiles import timeline as profiles_timeline

from . import machine
from .clocks import case_clocks
from .models import Case, CaseEvent, ContactEntry, Note
from .services import get_case, visible


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    clocks: list[sla.Clock]
    risk: sla.Risk
    allowed: frozenset[str]
    events: list[CaseEvent]
    notes: list[Note]
    contacts: list[ContactEntry]
    history: list = field(default_factory=list)  # profiles timeline items, newest first
    other_cases: list[Case] = field(default_factory=list)


def case_detail(actor: Actor, case_id: int, with_history: bool = False) -> CaseDetail:
    case = get_case(actor, case_id)
    found, risk = case_clocks(case)
    org = actor.organization
    history, others = [], []
    if with_history and case.contact_id is not None:
        if actor.can(Perm.RESPONSES_VIEW):
            history = profiles_timeline.timeline(actor, case.contact_id, limit=50)
        others = list(visible(actor.scope).filter(contact_id=case.contact_id).exclude(pk=case.pk)[:20])
    return CaseDetail(
        case=case,
        clocks=list(found.values()),
        risk=risk,
        allowed=machine.allowed(case.state),
        events=list(CaseEvent.objects.for_org(org).filter(case=case)),
        notes=list(Note.objects.for_org(org).filter(case=case)),
        contacts=list(ContactEntry.objects.for_org(org).filter(case=case)),
        history=history,
        other_cases=others,
    )
