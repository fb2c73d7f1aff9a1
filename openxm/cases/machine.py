"""The case state machine: one table of allowed transitions, nothing else.

new → in_progress → waiting (on the customer) → resolved → closed, and reopened from resolved
or closed. Pure: no Django; :mod:`openxm.cases.services` applies it and writes the event.
"""

from __future__ import annotations

STATES = ("new", "in_progress", "waiting", "resolved", "closed", "reopened")
OPEN_STATES = ("new", "in_progress", "waiting", "reopened")
DONE_STATES = ("resolved", "closed")

# from → the states it may go to. Resolving straight from new is allowed (a customer whose
# problem is solved on the first call); closing needs a resolution first.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_progress", "waiting", "resolved"}),
    "in_progress": frozenset({"waiting", "resolved"}),
    "waiting": frozenset({"in_progress", "resolved"}),
    "resolved": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
    "reopened": frozenset({"in_progress", "waiting", "resolved"}),
}


class Refused(ValueError):
    """The transition is not in the table."""

    def __init__(self, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(f"{current} → {target}")


def allowed(current: str) -> frozenset[str]:
    return TRANSITIONS.get(current, frozenset())


def check(current: str, target: str) -> None:
    """Raise :class:`Refused` unless ``current → target`` is in the table."""
    if target not in allowed(current):
        raise Refused(current, target)
