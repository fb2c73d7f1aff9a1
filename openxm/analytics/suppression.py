"""Which group figures may be released so that no respondent's answer can be worked out.

Pure: plain data in and out, no Django. The employee results (openxm/employees) build one
:class:`Cell` per group the pages, exports and API can ever show for one wave of one survey
(every unit of the hierarchy, every unit × attribute band, every band over the organization,
the residue of a unit's own respondents) and release only what :func:`plan` allows.

Included, applied in this order until nothing changes:

1. **Minimum group** — a cell with fewer than ``min_n`` (but more than zero) members is hidden
   (reason ``small``). Empty cells release nothing (reason ``empty``): they have no figure.
2. **Complementary suppression** — in a family (the cells that, with the parent, make up one
   split of a parent group: the children of a unit, the bands of a unit), when hidden cells hold
   members but fewer than ``min_n`` together, the next-smallest shown sibling is hidden too
   (reason ``complementary``) until the hidden members reach ``min_n``. With no sibling left to
   hide, the parent cell (the cell whose key is the family's key) is hidden, so a parent total
   never gives a hidden child by subtraction. A cell with ``releasable=False`` (a unit's own
   respondents, which no page shows on their own) always counts as hidden in its family.
   A shown cell with exactly the members of a hidden one is hidden too (the same figure under
   another name: a unit whose respondents all fall in one band).
3. **Linear audit** — the released cells are a linear system over the respondents (each
   released count, sum or share is a sum over the cell's members). Respondents that belong to
   exactly the same released cells are one *atom* (nobody can tell them apart). An atom of fewer
   than ``min_n`` respondents is *exposed* when its indicator vector lies in the row space of the
   released cells (then its sum, and for one person their answer, follows from released
   figures by adding and subtracting). While atoms are exposed, the smallest released cell
   holding each is hidden too (reason ``linked``) and the rules run again.

Excluded: inference from the values themselves (a released group where everyone gave the same
answer tells each member's answer: the minimum protects against singling out, not against a
unanimous group), and cells the caller does not pass in — every figure a reader can release
must be a cell of the same plan, or differencing across two plans becomes possible.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

# Nobody may lower a threshold below this: with 2, each of two respondents knows the other's answer.
MIN_FLOOR = 3
DEFAULT_MIN_GROUP = 5
DEFAULT_MIN_COMMENTS = 8

SMALL, EMPTY, COMPLEMENTARY, LINKED = "small", "empty", "complementary", "linked"


@dataclass(frozen=True)
class Cell:
    """One group figure that could be released. ``members`` are respondent (response) ids;
    ``family`` names the split the cell belongs to — by convention the parent cell's key (None:
    no siblings); ``releasable`` is False for a residue that is never shown on its own."""

    key: Hashable
    members: frozenset
    family: Hashable | None = None
    releasable: bool = True

    @property
    def n(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Plan:
    """The outcome: ``released`` keys may be shown; ``reasons`` says why each other releasable
    cell is not (``small``, ``empty``, ``complementary``, ``linked``)."""

    min_n: int
    released: frozenset
    reasons: Mapping[Hashable, str] = field(default_factory=dict)

    def shows(self, key: Hashable) -> bool:
        return key in self.released


def check_threshold(value: int) -> int:
    """``value`` as a threshold; ValueError below :data:`MIN_FLOOR`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_FLOOR:
        raise ValueError(f"a threshold must be a whole number of at least {MIN_FLOOR}")
    return value


def _order(cell: Cell) -> tuple:
    return (cell.n, str(cell.key))


def _complement(cells: Mapping[Hashable, Cell], hidden: dict, min_n: int) -> bool:
    """Rule 2 over every family; True when it hid something."""
    changed = False
    families: dict[Hashable, list[Cell]] = {}
    for cell in cells.values():
        if cell.family is not None:
            families.setdefault(cell.family, []).append(cell)
    for family, siblings in families.items():
        while True:
            covered = set().union(*(c.members for c in siblings if c.key in hidden))
            if not covered or len(covered) >= min_n:
                break
            shown = sorted((c for c in siblings if c.key not in hidden and c.n), key=_order)
            if shown:
                hidden[shown[0].key] = COMPLEMENTARY
            elif family in cells and family not in hidden:
                hidden[family] = COMPLEMENTARY
                changed = True
                break
            else:
                break
            changed = True
    return changed


def _same_fate(cells: Mapping[Hashable, Cell], hidden: dict) -> bool:
    """A shown cell with exactly the members of a hidden one would show the hidden figure under
    another name (a unit whose every respondent is in one band): it is hidden too."""
    secret = {cells[k].members for k, reason in hidden.items() if reason and cells[k].n}
    changed = False
    for cell in cells.values():
        if cell.key not in hidden and cell.members in secret:
            hidden[cell.key] = COMPLEMENTARY
            changed = True
    return changed


def exposed_atoms(released: Iterable[frozenset], min_n: int) -> list[frozenset]:
    """Groups of fewer than ``min_n`` respondents whose total follows from the released member
    sets by linear algebra (see rule 3). Each is a set of member ids."""
    sets = [s for s in released if s]
    if not sets:
        return []
    signature: dict[Hashable, list[int]] = {}
    for i, members in enumerate(sets):
        for m in members:
            signature.setdefault(m, []).append(i)
    atoms: dict[tuple, set] = {}
    for m, rows in signature.items():
        atoms.setdefault(tuple(rows), set()).add(m)
    keys = list(atoms)
    matrix = np.zeros((len(sets), len(keys)))
    for j, rows in enumerate(keys):
        matrix[list(rows), j] = 1.0
    # The diagonal of the projection onto the row space, A^T (A A^T)^+ A: 1 exactly when e_j
    # lies in it. Through the small Gram matrix (cells x cells) rather than an SVD of A.
    values, vectors = np.linalg.eigh(matrix @ matrix.T)
    keep = values > values.max() * len(values) * 1e-12
    basis = (vectors[:, keep] / np.sqrt(values[keep])).T @ matrix  # orthonormal rows
    leverage = (basis**2).sum(axis=0)
    return [
        frozenset(atoms[k])
        for j, k in enumerate(keys)
        if len(atoms[k]) < min_n and leverage[j] > 1 - 1e-9
    ]


def plan(cells: Iterable[Cell], min_n: int) -> Plan:
    """The cells that may be released at threshold ``min_n`` (at least 1; callers enforce
    :data:`MIN_FLOOR` on what users configure)."""
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    by_key: dict[Hashable, Cell] = {}
    for cell in cells:
        if cell.key in by_key:
            raise ValueError(f"duplicate cell {cell.key!r}")
        by_key[cell.key] = cell
    hidden: dict[Hashable, str] = {}
    for cell in by_key.values():
        if not cell.releasable:
            hidden[cell.key] = ""
        elif cell.n == 0:
            hidden[cell.key] = EMPTY
        elif cell.n < min_n:
            hidden[cell.key] = SMALL
    while True:
        while _complement(by_key, hidden, min_n) | _same_fate(by_key, hidden):
            pass
        shown = sorted((c for c in by_key.values() if c.key not in hidden), key=_order)
        atoms = exposed_atoms([c.members for c in shown], min_n)
        if not atoms:
            break
        # One victim per exposed atom in a round (an SVD per hidden cell would be slow).
        for atom in atoms:
            victim = next(c for c in shown if atom <= c.members)
            hidden[victim.key] = LINKED
    released = frozenset(k for k in by_key if k not in hidden)
    reasons = {k: r for k, r in hidden.items() if by_key[k].releasable}
    return Plan(min_n, released, reasons)
