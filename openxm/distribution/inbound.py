"""Inbound messages from messenger providers: SMS replies such as "TD" (回复TD退订) or "STOP".

A provider (or a small adapter in front of a vendor's API) posts ``{"from", "text"}`` (optional
``"id"``, the provider's message id) to ``POST /api/v1/distribution/inbound/{org}/{messenger_id}``
(the organization's slug and the messenger's id),
signed like the messages openxm sends it: ``X-OpenXM-Signature: sha256=<hex HMAC-SHA256 of the
raw body with the messenger's secret>``. A messenger without a secret accepts no inbound
messages.

- An opt-out keyword (:data:`OPT_OUT_KEYWORDS`, compared without case, spaces or punctuation,
  full-width letters folded: "ｔｄ", "T D", "Stop." all count; more per messenger in
  ``config["opt_out_keywords"]``) unsubscribes every contact of the organization the sender
  matches, exactly as the e-mail unsubscribe link does (audited ``contact.unsubscribed``,
  addresses suppressed, the latest invitation's log marked).
- Anything else is kept as a reply (``InboundMessage``) and changes nothing.

Senders are matched by phone number, normalised (:func:`normalise_phone`: full-width digits,
spaces, dashes and brackets; ``+86``/``0086``/``86`` before a Chinese mobile number; ``00`` or
``+`` before a country code). A ``webhook`` messenger also matches the contact's external id,
WeChat / WeCom / DingTalk their ``wechat_openid`` / ``wecom_userid`` / ``dingtalk_userid``.
A repeated ``id`` from the same messenger is answered with the first outcome and not applied again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Organization
from openxm.customers import services as customers
from openxm.customers.models import Contact

from . import invitations
from .models import InboundMessage, Invitation, Messenger

SIGNATURE_HEADER = "X-OpenXM-Signature"

#: Replies that opt out: China's SMS rules ("回复TD退订", also T, N, R for 拒收) and the usual
#: Western keywords (CTIA: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, plus OPTOUT, REVOKE).
OPT_OUT_KEYWORDS = frozenset(
    {
        "TD",
        "T",
        "N",
        "R",
        "退订",
        "退定",
        "取消订阅",
        "拒收",
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPTOUT",
        "REVOKE",
    }
)

ATTRIBUTE_FOR_KIND = {"wechat": "wechat_openid", "wecom": "wecom_userid", "dingtalk": "dingtalk_userid"}
MAX_TEXT = 2000


class BadSignature(Exception):
    """The request is not signed with the messenger's secret (or the messenger has none)."""


@dataclass(frozen=True)
class InboundResult:
    id: int
    outcome: str
    contacts: int
    repeat: bool


def keyword(text: str) -> str:
    """The text as compared with the keywords: NFKC (full-width → ASCII), no spaces or
    punctuation, upper case."""
    folded = unicodedata.normalize("NFKC", text or "")
    kept = "".join(ch for ch in folded if not (ch.isspace() or unicodedata.category(ch)[0] in "PSC"))
    return kept.upper()


def is_opt_out(text: str, extra: list | tuple = ()) -> bool:
    word = keyword(text)
    return bool(word) and (word in OPT_OUT_KEYWORDS or word in {keyword(str(k)) for k in extra})


def normalise_phone(raw: str) -> str:
    """Digits only, the way numbers are compared: "+86 138-0013-8000", "0086 13800138000",
    "8613800138000" and "１３８００１３８０００" are all "13800138000"; "+1 (415) 555-0100" and
    "001 415 555 0100" are "14155550100"."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        pass  # digits already start with the country code
    elif digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]  # a Chinese mobile number: 1xx xxxx xxxx
    return digits


def verify(secret: str, body: bytes, signature: str) -> bool:
    if not secret or not signature:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip())


def _messenger(org_slug: str, messenger_id: int) -> Messenger:
    org = Organization.objects.filter(slug=org_slug).first()
    found = (
        Messenger.objects.for_org(org)
        .filter(pk=messenger_id, active=True)
        .select_related("organization")
        .first()
        if org
        else None
    )
    if found is None:
        raise NotFound("messenger", messenger_id)
    return found


def _payload(body: bytes) -> tuple[str, str, str]:
    try:
        data = json.loads(body.decode() or "null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("body", _("must be an object")) from None
    if not isinstance(data, dict):
        raise InvalidInput("body", _("must be an object"))
    sender, text, ident = data.get("from"), data.get("text"), data.get("id", "")
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidInput("from", _("is required"))
    if not isinstance(text, str):
        raise InvalidInput("text", _("is required"))
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        ident = ""
    return sender.strip()[:128], text[:MAX_TEXT], str(ident).strip()[:128]


def matching_contacts(messenger: Messenger, sender: str) -> list[Contact]:
    """The organization's contacts the sender is: by phone number (normalised), and for the
    messengers that address contacts otherwise, by that address."""
    org = messenger.organization
    scoped = Contact.objects.for_org(org)
    found: dict[int, Contact] = {}
    if messenger.kind == "webhook":
        found.update({c.pk: c for c in scoped.filter(external_id=sender)})
    if attribute := ATTRIBUTE_FOR_KIND.get(messenger.kind):
        found.update({c.pk: c for c in scoped.filter(**{f"attributes__{attribute}": sender})})
    phone = normalise_phone(sender)
    if len(phone) >= 5:
        # Stored numbers are encrypted: look up the blind index of the number normalised as
        # contacts' numbers are (openxm.customers.identifiers: "+86 138-0013-8000" is
        # "13800138000"), after full-width digits are made ASCII.
        keys = customers.lookup_keys("phone", unicodedata.normalize("NFKC", sender))
        found.update({c.pk: c for c in scoped.filter(phone_key__in=keys).exclude(pk__in=found)})
    return sorted(found.values(), key=lambda c: c.pk)


def receive(
    org_slug: str, messenger_id: int, body: bytes, signature: str, ip_address: str | None = None
) -> InboundResult:
    """Check the signature, then apply one inbound message (see the module's description)."""
    messenger = _messenger(org_slug, messenger_id)
    if not verify(str(messenger.config.get("secret") or ""), body, signature):
        raise BadSignature(messenger_id)
    sender, text, ident = _payload(body)
    org = messenger.organization
    if ident:
        first = InboundMessage.objects.for_org(org).filter(messenger=messenger, provider_id=ident).first()
        if first is not None:
            return InboundResult(first.pk, first.outcome, first.contacts, repeat=True)
    try:
        with transaction.atomic():
            return _apply(messenger, sender, text, ident, ip_address)
    except IntegrityError:  # the same id arrived twice at once: the other request applied it
        first = InboundMessage.objects.for_org(org).get(messenger=messenger, provider_id=ident)
        return InboundResult(first.pk, first.outcome, first.contacts, repeat=True)


def _apply(messenger: Messenger, sender: str, text: str, ident: str, ip_address: str | None) -> InboundResult:
    org = messenger.organization
    opt_out = is_opt_out(text, messenger.config.get("opt_out_keywords") or ())
    contacts = matching_contacts(messenger, sender)
    if not opt_out:
        outcome = InboundMessage.Outcome.REPLY
    elif contacts:
        outcome = InboundMessage.Outcome.UNSUBSCRIBED
    else:
        outcome = InboundMessage.Outcome.UNKNOWN_SENDER
    message = InboundMessage.objects.for_org(org).create(
        organization=org,
        messenger=messenger,
        sender=sender,
        phone=normalise_phone(sender)[:32],
        text=text,
        outcome=outcome,
        contacts=len(contacts),
        provider_id=ident,
    )
    if opt_out:
        detail = f"{messenger.kind} reply: {text.strip()[:100]}"
        for contact in contacts:
            latest = (
                Invitation.objects.for_org(org)
                .filter(contact=contact, distribution__messenger=messenger)
                .order_by("-created_at", "-id")
                .first()
            )
            addresses = {invitations.address_for(messenger.kind, contact), contact.phone.strip()}
            if latest is not None:
                addresses.add(latest.address)
            invitations.unsubscribe_contact(
                org,
                contact,
                invitation=latest,
                channel=messenger.kind,
                addresses=sorted(a for a in addresses if a),
                via="api",
                detail=detail,
                ip_address=ip_address,
            )
        if not contacts and messenger.kind == "sms":
            # Nobody known has this number: still never text it again.
            for address in {sender, normalise_phone(sender)}:
                invitations.suppress_address(org, address, detail)
    return InboundResult(message.pk, outcome, len(contacts), repeat=False)
