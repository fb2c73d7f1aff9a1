"""The public collection API for mobile apps and custom front ends: read a survey by its public
token and submit complete responses, anonymously, under the respondent rate limits.

Responses go through ``collect.record_response`` like every other path. The client's
idempotency key is namespaced by the distribution, so two apps cannot collide on a key.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.surveys import collect

from . import entry, ratelimit
from .models import Channel
from .respond import hidden_values

PUBLIC_CHANNELS = (Channel.APP, Channel.LINK, Channel.QR, Channel.INTERCEPT)


class RateLimited(Exception):
    pass


def _session(token: str):
    session = entry.public_session(token, {})
    if session.distribution.channel not in PUBLIC_CHANNELS:
        raise entry.Unavailable(_("This link is not valid. Please check that you copied all of it."), 404)
    return session


def public_survey(token: str) -> dict:
    """The current version's definition, for an app to render."""
    session = _session(token)
    return {
        "survey": session.survey.key,
        "version": session.version_number,
        "channel": session.distribution.channel,
        "definition": session.definition.to_dict(),
    }


@dataclass(frozen=True)
class PublicReceipt:
    id: int
    created: bool


def submit_public(
    token: str,
    *,
    answers: dict,
    idempotency_key: str = "",
    language: str | None = None,
    hidden: dict | None = None,
    meta: dict | None = None,
    ip: str | None = None,
) -> PublicReceipt:
    session = _session(token)
    if not ratelimit.allow_submission(ip, session.survey.pk):
        raise RateLimited()
    if len(idempotency_key) > 100:
        raise InvalidInput("idempotency_key", _("must be at most 100 characters"))
    dist = session.distribution
    key = f"pub{dist.pk}-{idempotency_key}" if idempotency_key else ""
    device = {k: str(v)[:200] for k, v in (meta or {}).items() if k in ("app_version", "platform", "device")}
    sub = collect.Submission(
        answers=answers,
        idempotency_key=key,
        channel=dist.channel,
        touchpoint=session.touchpoint,
        language=language,
        hidden=hidden_values(session.definition, dist.hidden, hidden or {}),
        unit=session.unit,
        meta={"distribution": dist.pk, "source": "public-api", **device},
    )
    recorded = collect.record_response(session.org, session.survey, sub)
    return PublicReceipt(recorded.response.pk, recorded.created)
