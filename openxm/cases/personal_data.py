"""The cases app's part of data-subject requests (``openxm.personal_data``).

Included: the cases about the subject — opened for one of their contacts, on one of their
responses or answered by their follow-up response — with their event log, internal notes,
contact log (calls, e-mails, WeChat…) and escalation messages. Erasure deletes the cases in both
modes: notes and the contact log are free text about the person, and a case without its
customer cannot be worked (the recovery figures lose those cases). The log, notes, contact log
and escalations go with the case (cascade). Excluded (exempt): calendars, teams, unit setups,
settings, root-cause codes and recovery-action types, which name no data subject.
"""

from __future__ import annotations

from django.db.models import Q

from openxm.personal_data import Subject, cascade_hook, exempt, register

from .models import Case, CaseEvent, ContactEntry, Escalation, Note

CASE = "cases.Case"
EVENT = "cases.CaseEvent"
NOTE = "cases.Note"
CONTACT = "cases.ContactEntry"
ESCALATION = "cases.Escalation"
MODELS = {CASE: Case, EVENT: CaseEvent, NOTE: Note, CONTACT: ContactEntry, ESCALATION: Escalation}


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    org = subject.organization
    responses = found.get("surveys.Response", [])
    cases = list(
        Case.objects.for_org(org)
        .filter(
            Q(contact_id__in=subject.contact_ids)
            | Q(response_id__in=responses)
            | Q(followup_response_id__in=responses)
        )
        .values_list("pk", flat=True)
    )
    out = {CASE: cases}
    for label, model in MODELS.items():
        if label != CASE:
            rows = model.objects.for_org(org).filter(case_id__in=cases)
            out[label] = list(rows.values_list("pk", flat=True))
    return out


def register_hook() -> None:
    register(cascade_hook("cases", MODELS, CASE, find))
    exempt("cases.WorkCalendar", "a unit's working hours, holidays and make-up working days")
    exempt("cases.Team", "a team queue of staff members")
    exempt("cases.UnitSetup", "a unit's calendar and case owner (a staff member)")
    exempt("cases.Settings", "the organization's case settings (targets, follow-up, control share)")
    exempt("cases.RootCause", "a root-cause code of the organization's list")
    exempt("cases.RecoveryAction", "a kind of recovery action (apology, voucher…) and its usual cost")
