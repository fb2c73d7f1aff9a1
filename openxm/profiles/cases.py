"""A contact's cases as profiles use them: in the timeline, on the profile and the at-risk list
("Case #N open"), in the churn model's history, in merges, and opening one for a customer at risk.

Cases (``openxm.cases``) sit to the right of profiles in the house: a case reads the customer's
value tier through profiles. So profiles asks here and the cases app answers through the
:class:`Provider` it registers in its ``AppConfig.ready`` (the per-app hook pattern of
DESIGN.md, as ``openxm.customers.segments``). Without a provider a contact has no cases, and
opening one is refused.

Every read is inside the given scope (a unit-limited member sees the cases of their units).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.scope import Scope


@dataclass(frozen=True)
class StateChange:
    at: datetime
    to_state: str
    label: str  # the state's name in the reader's language


@dataclass(frozen=True)
class CaseLine:
    """One case of a contact as the timeline shows it. ``title`` is None without ``pii.view``
    (agents type it, and it may name the customer)."""

    pk: int
    title: str | None
    opened_at: datetime
    state: str
    state_label: str
    priority_label: str
    source_label: str
    is_open: bool
    root_cause: str  # the root cause's name, "" while none is recorded
    changes: list[StateChange] = field(default_factory=list)  # resolutions, closings, reopenings


@dataclass(frozen=True)
class Known:
    """A change in a contact's cases at the moment it happened: a case opened (``opened``,
    ``open_change`` +1), resolved or closed while open (−1), or reopened (+1)."""

    contact_id: int
    at: datetime
    opened: bool
    open_change: int


@dataclass(frozen=True)
class Opened:
    case_id: int
    created: bool  # False: the contact had an open case already, and this is it


class Provider(Protocol):
    def cases_of(self, scope: Scope, contact_id: int, limit: int) -> list[CaseLine]:
        """The contact's cases inside the scope, newest first."""

    def open_cases(self, scope: Scope, contact_ids: Iterable[int]) -> dict[int, int]:
        """For each of these contacts with an open case inside the scope, its newest open case."""

    def history(self, scope: Scope) -> list[Known]:
        """Every opening and open/closed change of the scope's cases with a contact."""

    def move(self, organization, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
        """Give ``from_id``'s cases (or only ``ids`` of them) to ``to_id``; the ids moved."""

    def open_for_risk(self, actor: Actor, contact_id: int) -> Opened:
        """Open a case for a customer at churn risk, or answer the open one."""


_provider: list[Provider] = []


def register(provider: Provider) -> None:
    """Install the cases provider (the cases app does, once, in ``ready``)."""
    _provider[:] = [provider]


def cases_of(scope: Scope, contact_id: int, limit: int = 200) -> list[CaseLine]:
    return _provider[0].cases_of(scope, contact_id, limit) if _provider else []


def open_cases(scope: Scope, contact_ids: Iterable[int]) -> dict[int, int]:
    ids = [i for i in contact_ids if i]
    return _provider[0].open_cases(scope, ids) if _provider and ids else {}


def history(scope: Scope) -> list[Known]:
    return _provider[0].history(scope) if _provider else []


def move(organization, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    return _provider[0].move(organization, from_id, to_id, ids) if _provider else []


def open_for_risk(actor: Actor, contact_id: int) -> Opened:
    """One click on the at-risk list or a profile: a case for the customer, carrying the churn
    risk's top reasons and the priority of the customer's value tier; the open one when there
    is one already (``cases.work``)."""
    if not _provider:
        raise InvalidInput("case", _("cases are not available"))
    return _provider[0].open_for_risk(actor, contact_id)
