"""The registry of personal data: which app finds, exports and erases whose rows.

It also holds the kinds of data retention policies can limit (:class:`RetentionType`), each
contributed by the app owning the rows.

A platform piece every app may import (it imports no app). Each app that keeps rows about a
person registers a :class:`Hook` for those tables from its ``AppConfig.ready`` (its
``personal_data`` module); every other model of openxm is declared :func:`exempt` with the
reason it holds nobody's personal data (or holds only staff members' data, which is not the
subject of a data-subject request). The privacy room (``openxm.privacy``) runs the hooks:

1. ``find``: every hook is asked for its rows about a :class:`Subject` (ids per model);
2. ``export``: the rows as plain JSON-ready dicts per model;
3. ``erase``: the hooks run right to left (the reverse of registration, which follows the
   house's order), so derived data goes before what it derives from and the contact last; each
   hook deletes or anonymises through its own app's actions, which send the domain signals.

``tests/privacy/test_completeness.py`` walks every model Django knows under ``openxm`` and fails
when one is neither covered by a hook nor exempt, or when an exempt one has a field that refers
to a person (:func:`personal_markers`). So a new model cannot escape silently.

Adding a hook for a model with a contact column is a few lines::

    register(rows_by_contact("cases", "cases.Case", lambda org: Case.objects.for_org(org)))
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Erasure: delete the rows, or keep what serves statistics with nothing identifying in it.
ERASE = "erase"
ANONYMISE = "anonymise"
MODES = (ERASE, ANONYMISE)


@dataclass(frozen=True)
class Subject:
    """One person in one organization: their contacts and every identifier they are known by.

    ``emails``, ``phones`` and ``wechat_ids`` are normalised (``customers.identifiers``); the
    contacts' own identifiers are added when the subject is resolved, so a request by contact
    id also finds an opt-out kept under the contact's phone number.
    """

    organization: Any
    contact_ids: tuple[int, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    wechat_ids: tuple[str, ...] = ()

    @property
    def needles(self) -> tuple[str, ...]:
        """The identifiers to look for inside free text and JSON values."""
        return tuple(n for n in (*self.emails, *self.phones, *self.wechat_ids) if n)

    @property
    def empty(self) -> bool:
        return not (self.contact_ids or self.needles)


# model label ("app_label.ModelName") -> primary keys of the subject's rows.
Found = dict[str, list]


@dataclass(frozen=True)
class Hook:
    """What one app contributes: the models it answers for and three functions.

    ``find(subject, found) -> {label: [pk, …]}`` lists the rows about the subject (every covered
    model appears, an empty list when there are none); ``found`` holds what the hooks to its left
    found already, so a hook for rows derived from responses reads ``found["surveys.Response"]``.
    ``export(subject, found) -> {label: [row, …]}``
    gives them as JSON-ready dicts. ``erase(actor, subject, found, mode) -> {label: n}`` removes
    them (``mode``: :data:`ERASE` or :data:`ANONYMISE`) inside the caller's transaction, through
    the app's own actions so that domain signals keep derived data consistent. ``derived``
    names models whose rows go with other rows (a signal's receiver or a cascade): their hook
    need not delete them itself, the check after the erasure proves they went.
    """

    app: str
    models: tuple[str, ...]
    find: Callable[[Subject, Found], Found]
    export: Callable[[Subject, Found], dict[str, list[dict]]]
    erase: Callable[[Any, Subject, Found, str], dict[str, int]]
    derived: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exemption:
    reason: str
    # Columns that look personal but hold no data subject's data (a staff member's e-mail).
    staff_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class RetentionType:
    """A kind of data a retention policy can limit, contributed by the app that owns the rows.

    ``due(organization, before, survey_key) -> [id, …]`` lists the rows older than ``before``
    (of the survey with that key when ``by_survey`` and a key is given); ``apply(actor, ids) ->
    n`` removes them through the app's own actions. ``keeps`` says what remains (shown on the
    privacy page): anonymised scores, or nothing.
    """

    key: str
    label: Any  # a lazy translation
    keeps: Any  # a lazy translation
    by_survey: bool
    due: Callable[[Any, Any, str], list]
    apply: Callable[[Any, list], int]


@dataclass
class _Registry:
    hooks: list[Hook] = field(default_factory=list)
    exempt: dict[str, Exemption] = field(default_factory=dict)
    retention: dict[str, RetentionType] = field(default_factory=dict)


_REGISTRY = _Registry()


def register(hook: Hook) -> Hook:
    """Add (or replace, by app) an app's hook. Called from the app's ``AppConfig.ready``."""
    _REGISTRY.hooks[:] = [h for h in _REGISTRY.hooks if h.app != hook.app] + [hook]
    return hook


def exempt(label: str, reason: str, staff_fields: tuple[str, ...] = ()) -> None:
    """Declare that model ``label`` holds no data about a data subject, and why. ``staff_fields``
    names columns that look personal (:func:`personal_markers`) but hold staff members' data."""
    if not reason.strip():
        raise ValueError(f"{label}: an exemption needs its reason")
    _REGISTRY.exempt[label] = Exemption(reason, tuple(staff_fields))


def register_retention(kind: RetentionType) -> RetentionType:
    """Add a kind of data retention policies can limit (from the owning app's ``ready``)."""
    _REGISTRY.retention[kind.key] = kind
    return kind


def retention_types() -> dict[str, RetentionType]:
    return dict(_REGISTRY.retention)


def hooks() -> list[Hook]:
    """The hooks in registration order (left to right in the house)."""
    return list(_REGISTRY.hooks)


def exemptions() -> dict[str, Exemption]:
    return dict(_REGISTRY.exempt)


def covered() -> dict[str, str]:
    """model label -> the app whose hook covers it."""
    return {label: hook.app for hook in _REGISTRY.hooks for label in hook.models}


# --- telling a model that refers to a person -------------------------------------------------

# Words of column names that hold an identifier; a model with one of them (or a reference to a
# contact, a response or an answer) cannot be exempt unless the column is named a staff field.
PERSONAL_NAMES = frozenset({"email", "phone", "mobile", "wechat", "openid", "unionid", "sender", "address"})
PERSON_MODELS = ("customers.Contact", "surveys.Response", "surveys.Answer")


def personal_markers(model) -> list[str]:
    """The fields of ``model`` that point at a data subject: references to a contact, a response
    or an answer, and columns named like an identifier (:data:`PERSONAL_NAMES`). Staff users
    (``accounts.User``) are not data subjects here."""
    markers = []
    for f in model._meta.concrete_fields:
        related = getattr(f, "related_model", None)
        refers = related is not None and related._meta.label in PERSON_MODELS
        if refers or PERSONAL_NAMES & set(f.name.lower().split("_")):
            markers.append(f.name)
    return markers


# --- helpers for hooks -------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO 8601, decimals and UUIDs as strings)."""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def row(obj, exclude: Iterable[str] = ("organization",)) -> dict:
    """A model instance as a dict of its columns (foreign keys as ids)."""
    skip = set(exclude)
    return {
        f.attname: plain(f.value_from_object(obj)) for f in obj._meta.concrete_fields if f.name not in skip
    }


def mentions(value: Any, needles: Iterable[str]) -> bool:
    """Whether any identifier occurs in ``value`` (text, or JSON compared as its text), ignoring
    case: e-mail addresses are stored lower-cased but typed any way."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text.lower()
    return any(n.lower() in text for n in needles if n)


def cascade_hook(
    app: str, models: dict[str, Any], root: str, find: Callable[[Subject, Found], Found]
) -> Hook:
    """The hook of an app whose rows about the subject are rows of one ``root`` table and rows
    that go with them (a cascade): ``find`` lists them all; export gives every column of each;
    erase deletes the root rows in both modes (the others go with them, checked afterwards)."""

    def export(subject: Subject, found: Found) -> dict[str, list[dict]]:
        org = subject.organization
        return {
            label: [row(o) for o in model.objects.for_org(org).filter(pk__in=found[label]).order_by("pk")]
            for label, model in models.items()
        }

    def erase(actor, subject: Subject, found: Found, mode: str) -> dict[str, int]:
        models[root].objects.for_org(subject.organization).filter(pk__in=found[root]).delete()
        return {label: len(found[label]) for label in models}

    derived = tuple(label for label in models if label != root)
    return Hook(app=app, models=tuple(models), find=find, export=export, erase=erase, derived=derived)


def rows_by_contact(
    app: str,
    label: str,
    queryset: Callable[[Any], Any],
    contact_field: str = "contact",
) -> Hook:
    """The hook of an app whose only personal table has a column pointing at the contact: its
    rows are the subject's when that column is one of the subject's contacts; export gives every
    column; erase deletes them (anonymising such a row would leave nothing worth keeping)."""

    def find(subject: Subject, found: Found) -> Found:
        qs = queryset(subject.organization).filter(**{f"{contact_field}_id__in": subject.contact_ids})
        return {label: list(qs.values_list("pk", flat=True))}

    def export(subject: Subject, found: Found) -> dict[str, list[dict]]:
        return {label: [row(o) for o in queryset(subject.organization).filter(pk__in=found[label])]}

    def erase(actor, subject: Subject, found: Found, mode: str) -> dict[str, int]:
        queryset(subject.organization).filter(pk__in=found[label]).delete()
        return {label: len(found[label])}

    return Hook(app=app, models=(label,), find=find, export=export, erase=erase)
