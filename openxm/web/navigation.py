"""The navigation menu as a registry, so each app adds its own entries in AppConfig.ready.

An entry is shown when the current member's role has its permission. An entry may carry a
``badge``: a function of the actor giving a count shown next to it (unread alerts), so the shell
shows an app's count without importing the app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from openxm.accounts.roles import Perm


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    perm: Perm
    section: str = "main"  # main or settings
    order: int = 100
    badge: Callable[[object], int] | None = field(default=None, compare=False)


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(actor, section: str) -> list[NavItem]:
    if actor is None:
        return []
    return sorted(
        (i for i in _ITEMS.values() if i.section == section and actor.can(i.perm)),
        key=lambda i: (i.order, i.key),
    )


def entries_for(actor, section: str) -> list[tuple[NavItem, int]]:
    """The entries of :func:`items_for` with their badge counts (0 without a badge)."""
    return [(i, i.badge(actor) if i.badge else 0) for i in items_for(actor, section)]
