"""The state machine: every allowed transition and every refused one, from the one table."""

import pytest

from openxm.cases import machine

ALLOWED = {
    ("new", "in_progress"),
    ("new", "waiting"),
    ("new", "resolved"),
    ("in_progress", "waiting"),
    ("in_progress", "resolved"),
    ("waiting", "in_progress"),
    ("waiting", "resolved"),
    ("resolved", "closed"),
    ("resolved", "reopened"),
    ("closed", "reopened"),
    ("reopened", "in_progress"),
    ("reopened", "waiting"),
    ("reopened", "resolved"),
}
PAIRS = [(a, b) for a in machine.STATES for b in machine.STATES]


@pytest.mark.parametrize("current, target", PAIRS)
def test_every_pair_is_allowed_or_refused(current, target):
    if (current, target) in ALLOWED:
        machine.check(current, target)
    else:
        with pytest.raises(machine.Refused):
            machine.check(current, target)


def test_the_table_is_exactly_the_documented_one():
    assert {(a, b) for a, targets in machine.TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(machine.OPEN_STATES) | set(machine.DONE_STATES) == set(machine.STATES)
    assert machine.allowed("unknown") == frozenset()
