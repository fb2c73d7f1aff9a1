"""The navigation menu as a registry, so each app adds its own entries in AppConfig.ready.

An entry is shown when the current member's role has its permission.
"""

from dataclasses import dataclass

from openxm.accounts.roles import Perm


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    perm: Perm
    section: str = "main"  # main or settings
    order: int = 100


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
