"""The one door for reading responses: every app outside ``surveys`` reads Response and Answer
rows here, through a :class:`~openxm.accounts.scope.Scope` (``actor.scope``).

Included:

* :func:`responses` / :func:`answers` — the rows inside the scope: the scope's organization
  and, for a member or key limited to a unit, responses of that unit and the units below it
  (responses without a unit belong to the whole organization and are outside every unit scope).
* :func:`get_response` — one response inside the scope, else NotFound (never "forbidden": a
  store manager cannot learn that response 42 exists in another store).
* :func:`contact_view`, :func:`answers_view`, :func:`text_view` — personal data redacted once,
  here, for scopes without ``pii``: the contact's name, e-mail and phone, contact attributes
  marked personal, hidden fields, and personal data inside free text. Typed answers keep their
  type (a score stays a number) for every role.
* :func:`require_bulk` — reading rows in bulk (exports, API pages of rows) needs ``data.export``.

Excluded: writing (``collect.record_response`` and the delete/anonymise actions), and tables
derived from responses that other apps own (rollups, comment analyses): those apps narrow their
own rows with ``scope.unit_ids`` in their readers, which take a Scope too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.customers.personal import personal_attributes
from openxm.text.pii import redact

from .models import Answer, Response

# Answer types whose values are free text or contact details: redacted without pii.
_TEXT_TYPES = frozenset({"text", "email", "phone"})
# The placeholder for a personal value that cannot be redacted in part.
HIDDEN = "[REDACTED]"


def responses(scope: Scope) -> QuerySet:
    """Every response (any status) inside the scope."""
    qs = Response.objects.for_org(scope.organization)
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    return qs


def answers(scope: Scope) -> QuerySet:
    """Every answer row inside the scope (of responses of any status)."""
    qs = Answer.objects.for_org(scope.organization)
    if scope.unit_ids is not None:
        qs = qs.filter(response__unit_id__in=scope.unit_ids)
    return qs


def get_response(
    scope: Scope, response_id: int, related=("survey", "version", "contact", "unit")
) -> Response:
    """The response with this id inside the scope; NotFound otherwise."""
    response = responses(scope).select_related(*related).filter(pk=response_id).first()
    if response is None:
        raise NotFound("response", response_id)
    return response


def require_bulk(scope: Scope) -> None:
    """Reading many rows at once (exports, API pages of responses) needs ``data.export``."""
    if not scope.bulk:
        raise PermissionDenied(Perm.DATA_EXPORT)


def text_view(scope: Scope, text: str) -> str:
    """Free text as the scope may see it: whole with pii, with personal data replaced without."""
    if scope.pii or not text:
        return text or ""
    return redact(text).text


def contact_label(scope: Scope, contact) -> str:
    """How a list shows a contact: name or e-mail with pii, the external id without."""
    if contact is None:
        return ""
    if scope.pii:
        return contact.name or contact.email or contact.external_id
    return contact.external_id


def contact_view(scope: Scope, contact) -> dict[str, Any] | None:
    """A contact as the scope may see it: id, kind, language and attributes; name, e-mail,
    phone and personal attributes only with pii."""
    if contact is None:
        return None
    attributes = dict(contact.attributes or {})
    if not scope.pii:
        for name in personal_attributes(scope.organization, attributes):
            attributes.pop(name)
    view: dict[str, Any] = {
        "id": contact.external_id,
        "kind": contact.kind,
        "language": contact.language,
        "attributes": attributes,
    }
    if scope.pii:
        view.update(name=contact.name, email=contact.email, phone=contact.phone)
    return view


def hidden_view(scope: Scope, hidden: Mapping[str, Any] | None) -> dict[str, Any]:
    """Hidden fields (order numbers, store codes from links): text redacted without pii."""
    return {k: v if scope.pii else text_view(scope, str(v)) for k, v in (hidden or {}).items()}


def _redacted_value(scope: Scope, qtype: str | None, value: Any) -> Any:
    if qtype in _TEXT_TYPES:
        return text_view(scope, str(value)) if value is not None else value
    if isinstance(value, Mapping) and "other" in value:
        return {**value, "other": text_view(scope, str(value.get("other") or ""))}
    return value


def answers_view(scope: Scope, values: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """A response's answers (question id → value) as the scope may see them. ``types`` maps
    question ids to their type. Values keep their type; free text, e-mail and phone answers and
    "other" texts are redacted without pii."""
    if scope.pii:
        return dict(values)
    return {qid: _redacted_value(scope, types.get(qid), v) for qid, v in values.items()}
