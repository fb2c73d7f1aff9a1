"""Signed tokens in respondent URLs. Each carries the organization id, so a public request finds
its rows through ``Model.objects.for_org(org)`` after the signature is checked.

- link: a distribution's public link (no expiry; deactivating the distribution closes it);
- invitation: a personal link, ``TimestampSigner``-signed, checked against the invitation's
  validity and nonce (a re-issued link invalidates the old one);
- resume: an anonymous in-progress response;
- done: the thank-you page of a completed response;
- unsubscribe: the opt-out link of an invitation (no expiry: opting out must always work);
- state: small signed form state (first-page key and seed, preview answers).

Tokens use the ``OPENXM_SECRET_KEY``; rotating it invalidates every link.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

_LINK = signing.Signer(salt="openxm.distribution.link")
_INVITATION = signing.TimestampSigner(salt="openxm.distribution.invitation")
_RESUME = signing.Signer(salt="openxm.distribution.resume")
_DONE = signing.Signer(salt="openxm.distribution.done")
_UNSUBSCRIBE = signing.Signer(salt="openxm.distribution.unsubscribe")


class BadToken(Exception):
    """The token was tampered with, is malformed or has expired."""

    def __init__(self, reason: str = "invalid"):
        self.reason = reason  # invalid or expired
        super().__init__(reason)


def _ints(value: str, n: int) -> tuple[int, ...]:
    parts = value.split(".")
    if len(parts) != n or not all(p.isdigit() for p in parts):
        raise BadToken()
    return tuple(int(p) for p in parts)


def _unsign(signer: signing.Signer, token: str) -> str:
    try:
        return signer.unsign(token)
    except signing.BadSignature:
        raise BadToken() from None


# --- public links --------------------------------------------------------------------------


def link_token(org_id: int, distribution_id: int) -> str:
    return _LINK.sign(f"{org_id}.{distribution_id}")


def parse_link(token: str) -> tuple[int, int]:
    org_id, distribution_id = _ints(_unsign(_LINK, token), 2)
    return org_id, distribution_id


# --- personal links ------------------------------------------------------------------------


def invitation_token(org_id: int, invitation_id: int, nonce: str) -> str:
    return _INVITATION.sign(f"{org_id}.{invitation_id}.{nonce}")


@dataclass(frozen=True)
class InvitationRef:
    org_id: int
    invitation_id: int
    nonce: str
    token: str

    def check_age(self, days: int) -> None:
        """Raises ``BadToken("expired")`` when the token is older than ``days``."""
        try:
            _INVITATION.unsign(self.token, max_age=timedelta(days=days))
        except signing.SignatureExpired:
            raise BadToken("expired") from None
        except signing.BadSignature:
            raise BadToken() from None


def parse_invitation(token: str) -> InvitationRef:
    """The ids in a personal-link token whose signature holds (its age is checked separately,
    against the invitation's own validity, by ``InvitationRef.check_age``)."""
    value = _unsign(_INVITATION, token)
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
        raise BadToken()
    return InvitationRef(int(parts[0]), int(parts[1]), parts[2], token)


# --- anonymous resume, thank-you page, unsubscribe -----------------------------------------


def resume_token(org_id: int, response_id: int) -> str:
    return _RESUME.sign(f"{org_id}.{response_id}")


def parse_resume(token: str) -> tuple[int, int]:
    org_id, response_id = _ints(_unsign(_RESUME, token), 2)
    return org_id, response_id


def done_token(org_id: int, response_id: int) -> str:
    return _DONE.sign(f"{org_id}.{response_id}")


def parse_done(token: str) -> tuple[int, int]:
    org_id, response_id = _ints(_unsign(_DONE, token), 2)
    return org_id, response_id


def unsubscribe_token(org_id: int, invitation_id: int) -> str:
    return _UNSUBSCRIBE.sign(f"{org_id}.{invitation_id}")


def parse_unsubscribe(token: str) -> tuple[int, int]:
    org_id, invitation_id = _ints(_unsign(_UNSUBSCRIBE, token), 2)
    return org_id, invitation_id


# --- form state ----------------------------------------------------------------------------


def dump_state(data: dict, purpose: str) -> str:
    return signing.dumps(data, salt=f"openxm.distribution.state.{purpose}", compress=True)


def load_state(token: str, purpose: str, max_age: int | None = None) -> dict:
    try:
        data = signing.loads(token, salt=f"openxm.distribution.state.{purpose}", max_age=max_age)
    except signing.BadSignature:
        raise BadToken() from None
    if not isinstance(data, dict):
        raise BadToken()
    return data
