"""Contact routes: the directory, profiles and timelines, events, imports, merges, segments, value.

Thin: parse, call one service of ``openxm.customers`` / ``openxm.profiles``, map the result.
Personal fields are null for roles without ``pii.view`` (the one door decides).
"""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.customers import consent, events, importing, tiers
from openxm.customers import directory as contacts
from openxm.profiles import churn, directory, merging, segments, timeline, value
from openxm.surveys import door

router = Router(tags=["contacts"])


class ContactOut(Schema):
    id: int
    external_id: str
    kind: str
    label: str
    name: str | None
    email: str | None
    phone: str | None
    wechat_openid: str | None
    wechat_unionid: str | None
    language: str
    unit: str
    consent: str
    preferences: dict[str, bool]
    unsubscribed: bool
    attributes: dict[str, Any]
    created_at: datetime
    tier: str
    clv: float | None
    churn_risk: float | None
    # False when the contact must not be asked for feedback (unsubscribed, or consent to
    # feedback requests withdrawn): consent.may_contact, the check every channel makes.
    contactable: bool


class ContactPageOut(Schema):
    contacts: list[ContactOut]
    next_after: int | None


class ContactIn(Schema):
    external_id: str | None = None
    kind: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    wechat_openid: str | None = None
    wechat_unionid: str | None = None
    language: str | None = None
    unit: str | None = None
    consent: str | None = None
    preferences: dict[str, bool] | None = None
    attributes: dict[str, Any] | None = None


class ValueOut(Schema):
    recency_days: int | None
    frequency: int
    monetary: float
    r: int | None
    f: int | None
    m: int | None
    tier: str
    expected_purchases: float | None
    p_alive: float | None
    expected_spend: float | None
    clv: float | None
    clv_method: str
    churn_risk: float | None
    churn_reasons: list[str]
    computed_at: datetime


class DuplicateOut(Schema):
    kind: str
    contact_ids: list[int]


class ProfileOut(Schema):
    contact: ContactOut
    value: ValueOut | None
    duplicates: list[DuplicateOut]


class TimelineItemOut(Schema):
    kind: str
    at: datetime
    title: str
    detail: dict[str, Any]


class EventIn(Schema):
    type: str
    occurred_at: str
    external_id: str = ""
    amount: float | str | None = None
    currency: str = ""
    channel: str = ""
    unit: str = ""
    attributes: dict[str, Any] = {}


class BatchEventIn(EventIn):
    contact: str  # the contact's external id


class BatchIn(Schema):
    events: list[BatchEventIn]


class RecordedOut(Schema):
    created: int
    duplicates: int


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    duplicates: int
    dry_run: bool
    ok: bool
    errors: list[dict[str, Any]]


class CandidateOut(Schema):
    kind: str
    value: str | None
    contact_ids: list[int]


class MergeIn(Schema):
    other: int


class PreviewOut(Schema):
    survivor: ContactOut
    other: ContactOut
    changes: dict[str, Any]
    events: int
    responses: int


class MergeOut(Schema):
    id: int
    survivor: int
    merged: int
    moved: dict[str, list[int]]
    undone: bool


class SegmentIn(Schema):
    name: str
    condition: dict[str, Any]


class SegmentOut(Schema):
    key: str
    name: str
    condition: dict[str, Any]
    size: int | None = None


class RunOut(Schema):
    method: str
    reason: str
    horizon_weeks: int
    annual_discount_rate: float
    customers: int
    repeaters: int
    parameters: dict[str, Any]
    as_of: datetime
    computed_at: datetime


class RefreshIn(Schema):
    horizon_weeks: int = value.DEFAULT_HORIZON_WEEKS
    annual_discount_rate: float = value.DEFAULT_DISCOUNT_RATE


class AtRiskOut(Schema):
    contact: ContactOut
    churn_risk: float
    clv: float | None
    reasons: list[str]


def _contact(c: directory.ContactCard) -> ContactOut:
    return ContactOut(id=c.pk, **{k: getattr(c, k) for k in ContactOut.model_fields if k != "id"})


def _value(v) -> ValueOut | None:
    if v is None:
        return None
    fields = {k: getattr(v, k) for k in ValueOut.model_fields if k != "churn_reasons"}
    return ValueOut(churn_reasons=[value.reason_text(r) for r in v.churn_reasons], **fields)


def _merge(m) -> MergeOut:
    return MergeOut(
        id=m.pk, survivor=m.survivor_id, merged=m.merged_id, moved=m.moved, undone=m.undone_at is not None
    )


# --- Fixed paths first: /contacts/<word> must not be read as a contact id ------------------------


@router.get(
    "/contacts", response=ContactPageOut, summary="The directory, in id order (a bulk read: data.export)"
)
def list_contacts(
    request,
    q: str = "",
    kind: str = "",
    unit: str = "",
    consent: str = "",
    attribute: str = "",
    value: str = "",
    contactable: bool | None = None,
    after: int = 0,
    limit: int = 50,
):
    filters = contacts.Filters(
        q=q, kind=kind, unit=unit, consent=consent, attribute=attribute, value=value, contactable=contactable
    )
    page = directory.page(request.auth, filters, after, limit, bulk=True)
    return ContactPageOut(contacts=[_contact(c) for c in page.rows], next_after=page.next_after)


@router.post("/contacts", response={201: ContactOut}, summary="Create a contact")
def create_contact(request, payload: ContactIn):
    created = contacts.create_contact(request.auth, payload.model_dump(exclude_unset=True))
    return Status(201, _contact(directory.profile(request.auth, created.pk).card))


@router.post(
    "/contacts/import", response=ImportReportOut, summary="Import contacts from CSV/XLSX (all or nothing)"
)
def import_contacts(request, file: UploadedFile = File(...), dry_run: bool = Form(False)):
    report = importing.import_contacts(request.auth, file, file.name or "upload", dry_run=dry_run)
    return ImportReportOut(**vars(report), ok=report.ok)


@router.post(
    "/contacts/events",
    response=RecordedOut,
    summary="Record events of many contacts (idempotent per external_id)",
)
def batch_events(request, payload: BatchIn):
    refs = {e.contact for e in payload.events}
    ids = contacts.ids_by_external_id(request.auth.scope, refs)
    rows = []
    for e in payload.events:
        if e.contact not in ids:
            raise NotFound("contact", e.contact)
        rows.append((ids[e.contact], e.model_dump(exclude={"contact"})))
    done = events.record_events(request.auth, rows)
    return RecordedOut(created=done.created, duplicates=done.duplicates)


@router.post("/contacts/events/import", response=ImportReportOut, summary="Import events from CSV/XLSX")
def import_events(request, file: UploadedFile = File(...), dry_run: bool = Form(False)):
    report = importing.import_events(request.auth, file, file.name or "upload", dry_run=dry_run)
    return ImportReportOut(**vars(report), ok=report.ok)


@router.get("/contacts/duplicates", response=list[CandidateOut], summary="Contacts sharing an identifier")
def duplicates(request):
    return [
        CandidateOut(kind=c.kind, value=c.value, contact_ids=c.contact_ids)
        for c in merging.candidates(request.auth)
    ]


@router.get(
    "/contacts/at-risk", response=list[AtRiskOut], summary="High-value customers at risk, highest CLV first"
)
def at_risk(request, min_risk: float = 0.5, limit: int = 50):
    rows = directory.at_risk(request.auth, min_risk, min(max(limit, 1), 500))
    return [
        AtRiskOut(
            contact=_contact(c),
            churn_risk=v.churn_risk,
            clv=v.clv,
            reasons=[value.reason_text(r) for r in v.churn_reasons],
        )
        for c, v in rows
    ]


@router.put("/contact-attributes/{name}", summary="Define a contact attribute: type, choices, personal")
def define_attribute(request, name: str, payload: dict[str, Any] = Body(...)):
    d = contacts.define_attribute(
        request.auth,
        name,
        payload.get("type", "text"),
        payload.get("choices"),
        payload.get("personal"),
        payload.get("label", ""),
    )
    return {"name": d.name, "type": d.type, "choices": d.choices, "personal": d.personal, "label": d.label}


@router.post("/contact-merges/{int:merge_id}/undo", response=MergeOut, summary="Undo a merge")
def undo_merge(request, merge_id: int):
    return _merge(merging.unmerge(request.auth, merge_id))


# --- One contact -------------------------------------------------------------------------------


@router.get("/contacts/{int:contact_id}", response=ProfileOut, summary="A contact's profile, value and risk")
def get_contact(request, contact_id: int):
    p = directory.profile(request.auth, contact_id)
    return ProfileOut(
        contact=_contact(p.card),
        value=_value(p.value),
        duplicates=[DuplicateOut(kind=d.kind, contact_ids=d.contact_ids) for d in p.duplicates],
    )


@router.patch("/contacts/{int:contact_id}", response=ContactOut, summary="Change a contact's fields")
def patch_contact(request, contact_id: int, payload: ContactIn):
    data = payload.model_dump(exclude_unset=True)
    if "external_id" in data:
        raise InvalidInput("external_id", _("cannot be changed"))
    contacts.update_contact(request.auth, contact_id, data)
    return _contact(directory.profile(request.auth, contact_id).card)


class ConsentIn(Schema):
    # Checked by the service after the contact is found in the caller's scope (a contact
    # outside it is 404 whatever the body).
    purpose: str = ""
    granted: bool | None = None
    channel: str = ""
    text_version: str = ""


class ConsentOut(Schema):
    purpose: str
    granted: bool
    channel: str
    text_version: str
    recorded_at: datetime


class ConsentsOut(Schema):
    current: list[ConsentOut]
    history: list[ConsentOut]


def _consent(r) -> ConsentOut:
    return ConsentOut(
        purpose=r.purpose,
        granted=r.granted,
        channel=r.channel,
        text_version=r.text_version,
        recorded_at=r.recorded_at,
    )


@router.post(
    "/contacts/{int:contact_id}/consents",
    response={201: ConsentOut},
    summary="Record what a contact agreed to or withdrew (purpose, channel, text version)",
)
def record_consent(request, contact_id: int, payload: ConsentIn):
    record = consent.record_consent(
        request.auth, contact_id, payload.purpose, payload.granted, payload.channel, payload.text_version
    )
    return Status(201, _consent(record))


@router.get(
    "/contacts/{int:contact_id}/consents", response=ConsentsOut, summary="A contact's consent per purpose"
)
def list_consents(request, contact_id: int):
    current, history = consent.consents(request.auth, contact_id)
    return ConsentsOut(current=[_consent(c) for c in current], history=[_consent(r) for r in history])


@router.get(
    "/contacts/{int:contact_id}/timeline", response=list[TimelineItemOut], summary="The 360° timeline"
)
def get_timeline(request, contact_id: int, limit: int = 200):
    items = timeline.timeline(request.auth, contact_id, min(max(limit, 1), 500))
    return [TimelineItemOut(kind=i.kind, at=i.at, title=i.title, detail=i.detail) for i in items]


@router.post(
    "/contacts/{int:contact_id}/events",
    response=RecordedOut,
    summary="Record an event (idempotent per external_id)",
)
def post_event(request, contact_id: int, payload: EventIn):
    done = events.record_events(request.auth, [(contact_id, payload.model_dump())])
    return RecordedOut(created=done.created, duplicates=done.duplicates)


@router.post(
    "/contacts/{int:contact_id}/merge/preview", response=PreviewOut, summary="What merging would change"
)
def merge_preview(request, contact_id: int, payload: MergeIn):
    p = merging.preview(request.auth, contact_id, payload.other)
    return PreviewOut(
        survivor=_contact(p.survivor),
        other=_contact(p.other),
        changes=p.changes,
        events=p.events,
        responses=p.responses,
    )


@router.post(
    "/contacts/{int:contact_id}/merge",
    response={201: MergeOut},
    summary="Merge another contact into this one",
)
def merge(request, contact_id: int, payload: MergeIn):
    return Status(201, _merge(merging.merge(request.auth, contact_id, payload.other)))


# --- Segments and value ---------------------------------------------------------------------------


@router.get("/segments", response=list[SegmentOut])
def list_segments(request):
    return [
        SegmentOut(key=s.key, name=s.name, condition=s.condition)
        for s in segments.list_segments(request.auth)
    ]


@router.put("/segments/{key}", response=SegmentOut, summary="Create or replace a segment")
def put_segment(request, key: str, payload: SegmentIn):
    s = segments.save_segment(request.auth, key, payload.name, payload.condition)
    return SegmentOut(
        key=s.key, name=s.name, condition=s.condition, size=segments.size(request.auth, s.condition)
    )


@router.get("/segments/{key}", response=SegmentOut, summary="A segment with its live size")
def get_segment(request, key: str):
    s = segments.get_segment(request.auth, key)
    return SegmentOut(
        key=s.key, name=s.name, condition=s.condition, size=segments.size(request.auth, s.condition)
    )


@router.delete("/segments/{key}", response={204: None})
def delete_segment(request, key: str):
    segments.delete_segment(request.auth, key)
    return Status(204, None)


@router.get("/segments/{key}/contacts", response=ContactPageOut, summary="A segment's contacts (a bulk read)")
def segment_contacts(request, key: str, after: int = 0, limit: int = 50):
    actor = request.auth
    door.require_bulk(actor.scope)
    s = segments.get_segment(actor, key)
    page = segments.members(actor, s.condition, after, min(max(limit, 1), 500))
    stored = value.values_of(actor.scope, [c.pk for c in page.contacts])
    return ContactPageOut(
        contacts=[_contact(c) for c in directory.cards(actor.scope, page.contacts, stored)],
        next_after=page.next_after,
    )


@router.get("/value/model", response={200: RunOut, 204: None}, summary="The latest CLV model run and its fit")
def value_model(request):
    run = value.latest_run_for(request.auth)
    if run is None:
        return Status(204, None)
    return RunOut(**{k: getattr(run, k) for k in RunOut.model_fields})


@router.post("/value/refresh", response=RunOut, summary="Recompute RFM, CLV and churn risk now")
def refresh(request, payload: RefreshIn):
    if payload.horizon_weeks < 1 or payload.horizon_weeks > 520:
        raise InvalidInput("horizon_weeks", _("must be 1-520"))
    if not 0 <= payload.annual_discount_rate < 1:
        raise InvalidInput("annual_discount_rate", _("must be at least 0 and below 1"))
    run = value.refresh_for(
        request.auth, horizon_weeks=payload.horizon_weeks, annual_discount_rate=payload.annual_discount_rate
    ).run
    return RunOut(**{k: getattr(run, k) for k in RunOut.model_fields})


class ChurnModelOut(Schema):
    id: int
    horizon_days: int
    trained_at_cutoff: datetime
    evaluated_at_cutoff: datetime
    metrics: dict[str, Any]
    active: bool
    created_at: datetime


class SwitchIn(Schema):
    on: bool


def _churn_model(m) -> ChurnModelOut:
    return ChurnModelOut(id=m.pk, **{k: getattr(m, k) for k in ChurnModelOut.model_fields if k != "id"})


@router.get(
    "/value/churn-models", response=list[ChurnModelOut], summary="Churn models evaluated on this history"
)
def churn_models(request):
    return [_churn_model(m) for m in churn.models(request.auth)]


@router.post("/value/churn-models", response={201: ChurnModelOut}, summary="Train and evaluate a churn model")
def evaluate_churn_model(request, horizon_days: int = 90):
    return Status(201, _churn_model(churn.evaluate_model(request.auth, horizon_days)))


@router.post(
    "/value/churn-models/{int:model_id}/switch", response=ChurnModelOut, summary="Switch a model on or off"
)
def switch_churn_model(request, model_id: int, payload: SwitchIn):
    return _churn_model(churn.switch_on(request.auth, model_id, payload.on))


class TierServiceOut(Schema):
    tier: str
    case_priority: str
    first_response_hours: int | None
    resolution_hours: int | None
    recovery_budget: float | None
    contact_cap_days: int | None
    configured: bool


class TierServiceIn(Schema):
    case_priority: str = "normal"
    first_response_hours: int | None = None
    resolution_hours: int | None = None
    recovery_budget: float | None = None
    contact_cap_days: int | None = None


@router.get("/value/tiers", response=list[TierServiceOut], summary="The service of each value tier")
def tier_services(request):
    return [TierServiceOut(**s.as_dict()) for s in tiers.list_settings(request.auth)]


@router.put(
    "/value/tiers/{tier}",
    response=TierServiceOut,
    summary="Set a tier's case priority, SLA targets, recovery budget and contact cap",
)
def set_tier_service(request, tier: str, payload: TierServiceIn):
    return TierServiceOut(**tiers.save_settings(request.auth, tier, payload.dict()).as_dict())


@router.delete("/value/tiers/{tier}", response=TierServiceOut, summary="Back to the default service")
def reset_tier_service(request, tier: str):
    return TierServiceOut(**tiers.reset_settings(request.auth, tier).as_dict())
