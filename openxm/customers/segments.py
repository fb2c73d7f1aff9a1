"""Saved segments as the apps left of profiles use them: dashboards filter by one, distribution
invites one, alert rules test whether a response's contact is in one.

Segments are defined and evaluated in ``openxm.profiles`` (their rules read values and
experience computed there), which sits to the right of insights, alerts and distribution in the
house. Those apps ask here; profiles answers through the :class:`Provider` it registers in its
``AppConfig.ready`` (the per-app hook pattern of DESIGN.md). Without a provider every segment is
unknown (NotFound) and no contact is in any segment.

Every answer is inside the given scope: a segment's members are the contacts the scope may read
that match its rule now (live, like its size).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from openxm.accounts.errors import NotFound
from openxm.accounts.scope import Scope


class Provider(Protocol):
    def choices(self, scope: Scope) -> list[tuple[str, str]]:
        """(key, name) of the organization's saved segments."""

    def contact_ids(self, scope: Scope, key: str) -> frozenset[int]:
        """Ids of the contacts inside the scope in the segment; NotFound for an unknown key."""

    def memberships(self, scope: Scope, contact_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        """For each of these contacts inside the scope, the keys of the segments it is in."""


_provider: list[Provider] = []


def register(provider: Provider) -> None:
    """Install the segment provider (profiles does, once, in ``ready``)."""
    _provider[:] = [provider]


def choices(scope: Scope) -> list[tuple[str, str]]:
    return _provider[0].choices(scope) if _provider else []


def contact_ids(scope: Scope, key: str) -> frozenset[int]:
    if not _provider:
        raise NotFound("segment", key)
    return _provider[0].contact_ids(scope, key)


def memberships(scope: Scope, contact_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    ids = [i for i in contact_ids if i]
    if not _provider or not ids:
        return {}
    return _provider[0].memberships(scope, ids)
