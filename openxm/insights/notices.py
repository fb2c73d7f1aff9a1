"""Notices that apps above insights put on its pages (the dashboard, the journey map, the
touchpoint page): the alerts app's open early-warning episodes. Insights sits below alerts in
the house, so it cannot ask alerts; alerts registers a provider here in ``AlertsConfig.ready``.

A provider is ``provider(actor, touchpoints)`` → list of :class:`Notice`; ``touchpoints`` is
None for a page about everything the actor sees (a dashboard) or the keys a page is about. It
must apply the actor's scope itself. Excluded: rendering (``insights/_notices.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Notice:
    subject: str  # a touchpoint key, "journey/stage" or a unit code
    dimension: str  # touchpoint | stage | unit
    title: str
    detail: str
    since: date
    url: str


_providers: dict[str, Callable] = {}


def register(name: str, provider: Callable) -> None:
    _providers[name] = provider


def for_page(actor, touchpoints=None) -> list[Notice]:
    found: list[Notice] = []
    for name in sorted(_providers):
        found.extend(_providers[name](actor, touchpoints))
    return found
