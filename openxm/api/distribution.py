"""Distribution routes: transactional events, channels, invitations and their delivery log,
bounce/complaint hooks, and the public (unauthenticated) collection API for apps."""

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from openxm.accounts.errors import InvalidInput
from openxm.distribution import (
    audiences,
    collection,
    entry,
    events,
    inbound,
    invitations,
    ratelimit,
    services,
)
from openxm.surveys import collect

from .errors import ErrorOut

router = Router(tags=["distribution"])


class EventContactIn(Schema):
    id: str = Field(..., description="the contact's id in your systems")
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    attributes: dict[str, Any] = {}


class EventIn(Schema):
    event: str = Field(..., description='the event name bound by a trigger, e.g. "order_delivered"')
    contact: EventContactIn
    attributes: dict[str, Any] = Field(
        {}, description="passed to the survey's hidden fields (order id, store…)"
    )
    idempotency_key: str = Field(
        "", description="a repeat returns the first outcome and invites nobody again"
    )
    occurred_at: datetime | None = None


class TriggerOutcomeOut(Schema):
    trigger: int
    survey: int
    outcome: str
    invitation: int | None


class EventOut(Schema):
    event_id: int
    outcome: str = Field(
        ...,
        description="invited, sampled_out, capped_survey, capped_global, unsubscribed, "
        "no_address, answered or no_trigger",
    )
    repeat: bool
    invitation: int | None
    triggers: list[TriggerOutcomeOut]


@router.post(
    "/events",
    response={202: EventOut, 200: EventOut},
    summary="Report an event; the contact is invited to the survey its trigger names",
)
def post_event(request, payload: EventIn):
    contact = payload.contact.dict()
    contact = {k: v for k, v in contact.items() if v is not None}
    result = events.receive_event(
        request.auth,
        payload.event,
        contact,
        payload.attributes,
        idempotency_key=payload.idempotency_key,
        occurred_at=payload.occurred_at,
    )
    out = EventOut(
        event_id=result.event_id,
        outcome=result.outcome,
        repeat=result.repeat,
        invitation=result.invitation_id,
        triggers=[
            TriggerOutcomeOut(
                trigger=t.trigger_id, survey=t.survey_id, outcome=t.outcome, invitation=t.invitation_id
            )
            for t in result.triggers
        ],
    )
    return Status(200 if result.repeat else 202, out)


class BounceIn(Schema):
    kind: str = Field("bounce", description="bounce or complaint")
    address: str = ""
    message_id: str = Field("", description="the Message-ID of the invitation e-mail")
    invitation: int | None = None
    detail: str = ""


class BounceOut(Schema):
    marked: int


@router.post(
    "/distribution/bounces",
    response=BounceOut,
    summary="Hook for the mail or message provider: a bounce or a complaint",
)
def post_bounce(request, payload: BounceIn):
    marked = invitations.record_bounce(
        request.auth,
        kind=payload.kind,
        address=payload.address,
        message_id=payload.message_id,
        invitation_id=payload.invitation,
        detail=payload.detail,
    )
    return BounceOut(marked=marked)


class InboundOut(Schema):
    id: int
    outcome: str = Field(
        ...,
        description="unsubscribed (an opt-out keyword from a known contact), reply (kept, no action) "
        "or unknown_sender (an opt-out from a number no contact has; the number is suppressed)",
    )
    contacts: int = Field(..., description="contacts the sender matched")
    repeat: bool = Field(..., description="the same id was received before; nothing was applied again")


_INBOUND_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["from", "text"],
                "properties": {
                    "from": {"type": "string", "description": "the sender's number or messenger id"},
                    "text": {"type": "string", "description": 'the message, e.g. "TD", "退订", "STOP"'},
                    "id": {
                        "type": "string",
                        "description": "the provider's message id (a repeat is ignored)",
                    },
                },
            }
        }
    },
}


@router.post(
    "/distribution/inbound/{org}/{messenger_id}",
    auth=None,
    response={200: InboundOut, 403: ErrorOut, 404: ErrorOut},
    summary="Hook for a messenger provider: an inbound message (an SMS reply such as TD or STOP)",
    description="Signed with the messenger's secret like the messages openxm sends: header "
    "`X-OpenXM-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. An opt-out keyword (TD, T, 退订, "
    "STOP, UNSUBSCRIBE…) unsubscribes the contacts with the sender's number; other texts are kept "
    "as replies.",
    openapi_extra={"requestBody": _INBOUND_BODY},
)
def post_inbound(request, org: str, messenger_id: int):
    try:
        result = inbound.receive(
            org,
            messenger_id,
            request.body,
            request.headers.get(inbound.SIGNATURE_HEADER, ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except inbound.BadSignature:
        return Status(403, ErrorOut(detail="invalid or missing X-OpenXM-Signature"))
    return InboundOut(id=result.id, outcome=result.outcome, contacts=result.contacts, repeat=result.repeat)


class DistributionIn(Schema):
    survey: str = Field(..., description="survey id or key")
    channel: str
    name: str = ""
    touchpoint: str = ""
    unit: str = ""
    messenger: int | None = None
    hidden: dict[str, str] = {}
    link_days: int = 30
    reminder_after_days: int = 3
    max_reminders: int = 1
    one_response_per_contact: bool = False
    options: dict[str, Any] = {}


class DistributionOut(Schema):
    id: int
    name: str
    channel: str
    survey: int
    active: bool
    link: str | None


def _dist_out(dist) -> DistributionOut:
    link = services.public_link(dist) if dist.channel in ("link", "qr", "intercept", "app") else None
    return DistributionOut(
        id=dist.pk, name=dist.name, channel=dist.channel, survey=dist.survey_id, active=dist.active, link=link
    )


@router.get("/distributions", response=list[DistributionOut])
def list_distributions(request, survey: int | None = None):
    return [
        _dist_out(services.get_distribution(request.auth, row.id))
        for row in services.list_distributions(request.auth, survey)
    ]


@router.post("/distributions", response={201: DistributionOut})
def create_distribution(request, payload: DistributionIn):
    data = payload.dict()
    survey, channel = data.pop("survey"), data.pop("channel")
    dist = services.create_distribution(request.auth, survey, channel, **data)
    return Status(201, _dist_out(dist))


class InviteContactIn(Schema):
    id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    attributes: dict[str, Any] = {}
    hidden: dict[str, Any] = {}


class InviteIn(Schema):
    contacts: list[InviteContactIn]
    hidden: dict[str, Any] = {}
    send_at: datetime | None = Field(
        None, description="Schedule the send (ISO 8601 with a time zone, up to 90 days ahead); now if absent"
    )


class InviteOut(Schema):
    invited: list[int]
    skipped: dict[str, int]


@router.post(
    "/distributions/{dist_id}/invitations",
    response={202: InviteOut},
    summary="Invite contacts through an e-mail or messenger distribution",
)
def invite(request, dist_id: int, payload: InviteIn):
    contacts = [{k: v for k, v in c.dict().items() if v is not None} for c in payload.contacts]
    result = services.invite_contacts(
        request.auth, dist_id, contacts, hidden=payload.hidden, send_at=payload.send_at
    )
    return Status(202, InviteOut(invited=result.invited, skipped=result.skipped))


class SegmentInviteIn(Schema):
    segment: str = Field(description="The key of a saved segment (GET /api/v1/segments)")
    hidden: dict[str, Any] = {}
    send_at: datetime | None = Field(
        None, description="Schedule the send (ISO 8601 with a time zone, up to 90 days ahead); now if absent"
    )


@router.post(
    "/distributions/{dist_id}/invitations/segment",
    response={202: InviteOut},
    summary="Invite the members of a saved segment through an e-mail or messenger distribution",
)
def invite_segment(request, dist_id: int, payload: SegmentInviteIn):
    result = audiences.invite_segment(
        request.auth, dist_id, payload.segment, hidden=payload.hidden, send_at=payload.send_at
    )
    return Status(202, InviteOut(invited=result.invited, skipped=result.skipped))


class LogOut(Schema):
    kind: str
    detail: str
    at: datetime


class InvitationOut(Schema):
    id: int
    distribution: int
    survey: int
    contact: str
    channel: str
    status: str
    reminders_sent: int
    send_after: datetime | None
    expires_at: datetime
    response: int | None
    log: list[LogOut]


@router.get(
    "/invitations/{invitation_id}", response=InvitationOut, summary="An invitation and its delivery log"
)
def get_invitation(request, invitation_id: int):
    inv, log = services.get_invitation(request.auth, invitation_id)
    return InvitationOut(
        id=inv.pk,
        distribution=inv.distribution_id,
        survey=inv.survey_id,
        contact=inv.contact.external_id,
        channel=inv.channel,
        status=inv.status,
        reminders_sent=inv.reminders_sent,
        send_after=inv.send_after,
        expires_at=inv.expires_at,
        response=inv.response_id,
        log=[LogOut(kind=e.kind, detail=e.detail, at=e.created_at) for e in log],
    )


# --- public collection (no authentication: the token is the key) -----------------------------


class PublicResponseIn(Schema):
    answers: dict[str, Any]
    idempotency_key: str = Field("", description="client-chosen; a repeat returns the stored response")
    language: str | None = None
    hidden: dict[str, Any] = {}
    meta: dict[str, Any] = Field({}, description="app_version, platform, device")


class PublicReceiptOut(Schema):
    id: int
    created: bool


@router.get(
    "/public/surveys/{token}",
    auth=None,
    response={200: dict, 404: ErrorOut},
    summary="Public: a survey's definition by its link token (for apps)",
)
def public_survey(request, token: str):
    try:
        return collection.public_survey(token)
    except entry.Unavailable as exc:
        return Status(exc.status if exc.status in (404, 410) else 404, ErrorOut(detail=str(exc.reason)))


@router.post(
    "/public/surveys/{token}/responses",
    auth=None,
    response={
        200: PublicReceiptOut,
        201: PublicReceiptOut,
        404: ErrorOut,
        410: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Public: submit one complete response (rate-limited per address and survey)",
)
def public_response(request, token: str, payload: PublicResponseIn, response: HttpResponse):
    try:
        receipt = collection.submit_public(
            token,
            answers=payload.answers,
            idempotency_key=payload.idempotency_key,
            language=payload.language,
            hidden=payload.hidden,
            meta=payload.meta,
            ip=request.META.get("REMOTE_ADDR"),
        )
    except entry.Unavailable as exc:
        return Status(410 if exc.status == 410 else 404, ErrorOut(detail=str(exc.reason)))
    except collection.RateLimited:
        response["Retry-After"] = str(ratelimit.retry_after())
        return Status(429, ErrorOut(detail="Too many responses from this address; wait a minute."))
    except collect.InvalidAnswers as exc:
        field = next(iter(exc.errors), None)
        return Status(422, ErrorOut(detail=exc.message, field=field, errors=exc.errors))
    except InvalidInput as exc:
        return Status(422, ErrorOut(detail=exc.message, field=exc.field, errors={exc.field: [exc.message]}))
    return Status(201 if receipt.created else 200, PublicReceiptOut(id=receipt.id, created=receipt.created))
