"""Deleting and anonymising stored responses: the row writes behind ``responses.actions``.

This app owns ``Response`` and ``Answer``, so their rows change here. The actions in
``responses.actions`` check the permission and the state, call these inside their transaction,
write the audit entry and send the domain signal; they are the only callers.

Included: finding a response inside a scope with its row locked, deleting it with its answer
rows, and removing what identifies its respondent. Excluded: tables other apps derive from
responses (they follow the domain signals), the responses app's tags.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from openxm.accounts.errors import NotFound
from openxm.accounts.scope import Scope
from openxm.text.pii import redact

from . import door
from .collect import version_definition
from .models import Answer, Response

KEEP_META = ("path", "seed", "source", "ordering", "quotas")  # quotas: un-counted on delete
PII_TYPES = frozenset({"email", "phone"})
TEXT_TYPES = ("text",)


def locked(scope: Scope, response_id: int) -> Response:
    """The response inside ``scope``, its row locked until the transaction ends (a second delete
    or anonymise of the same response waits, then sees what the first one left); NotFound
    otherwise."""
    response = (
        door.responses(scope)
        .select_for_update(of=("self",))
        .select_related("survey", "version")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        raise NotFound("response", response_id)
    return response


def is_anonymised(response: Response) -> bool:
    return bool((response.meta or {}).get("anonymised_at"))


def delete_rows(response: Response) -> None:
    """Delete the response and its answer rows."""
    Answer.objects.for_org(response.organization).filter(response=response).delete()
    response.delete()


def anonymise_rows(response: Response) -> None:
    """Keep the answers for statistics, drop what identifies the respondent.

    Removed: the contact link, hidden fields (order numbers, store codes from links), e-mail and
    phone answers, device and invitation details, the idempotency key (it may be an order
    number). Text answers keep their words with e-mail addresses, phone numbers, ID and card
    numbers replaced (``openxm.text.pii``). Kept: scores, choices, dates, channel, touchpoint,
    language, unit, the path through the survey.
    """
    answers = Answer.objects.for_org(response.organization).filter(response=response)
    identifying = answers.filter(qtype__in=["hidden", *PII_TYPES])
    removed = set(identifying.values_list("question_id", flat=True))
    identifying.delete()
    for row in answers.exclude(value_text=""):
        cleaned = _redact_text(row.value_text)
        if cleaned != row.value_text:
            row.value_text = cleaned
            row.save(update_fields=["value_text"])
    definition = version_definition(response.version)
    clean_answers = {}
    for qid, value in (response.answers or {}).items():
        question = definition.questions.get(qid)
        if qid in removed or (question is not None and question.type in ("hidden", *PII_TYPES)):
            continue
        clean_answers[qid] = _redact_value(value)
    response.answers = clean_answers
    response.hidden = {}
    response.contact = None
    response.meta = {
        **{k: v for k, v in (response.meta or {}).items() if k in KEEP_META},
        "anonymised_at": timezone.now().isoformat(),
    }
    response.idempotency_key = f"anonymised-{secrets.token_hex(12)}"
    response.save(update_fields=["answers", "hidden", "contact", "meta", "idempotency_key"])


def drop_texts(response: Response) -> int:
    """Delete the response's free-text answers (rows and raw values); the number of answers.
    A retention policy's "raw comments": scores, choices and dates stay."""
    rows = Answer.objects.for_org(response.organization).filter(response=response, qtype__in=TEXT_TYPES)
    gone = set(rows.values_list("question_id", flat=True))
    rows.delete()
    if gone:
        response.answers = {k: v for k, v in (response.answers or {}).items() if k not in gone}
        response.save(update_fields=["answers"])
    return len(gone)


def _redact_text(text: str) -> str:
    return redact(text or "").text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return _redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    return value
