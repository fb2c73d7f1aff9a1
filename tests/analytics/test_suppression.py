import itertools

import numpy as np
import pytest

from openxm.analytics.suppression import (
    COMPLEMENTARY,
    EMPTY,
    LINKED,
    SMALL,
    Cell,
    check_threshold,
    exposed_atoms,
    plan,
)

_ids = itertools.count(1)


def people(n: int) -> frozenset:
    return frozenset(next(_ids) for _ in range(n))


def tree(sizes: dict[str, int], own: int = 0) -> list[Cell]:
    """A parent "all" with one child per entry and ``own`` respondents of the parent itself."""
    children = {k: people(n) for k, n in sizes.items()}
    residue = people(own)
    everyone = frozenset().union(residue, *children.values())
    cells = [Cell("all", everyone)]
    cells += [Cell(k, m, family="all") for k, m in children.items()]
    if own:
        cells.append(Cell("all/own", residue, family="all", releasable=False))
    return cells


# (case, child sizes, own respondents of the parent, min_n, expected reasons of hidden cells)
CASES = [
    ("everyone large enough", {"a": 5, "b": 7}, 0, 5, {}),
    ("one small child hides the next-smallest sibling", {"a": 10, "b": 4, "c": 6}, 0, 5,
     {"b": SMALL, "c": COMPLEMENTARY}),
    ("the issue's 10 and 4: both children hidden, the total stays", {"d1": 10, "d2": 4}, 0, 5,
     {"d2": SMALL, "d1": COMPLEMENTARY}),
    ("two small children already reach the minimum together", {"a": 3, "b": 2, "c": 9}, 0, 5,
     {"a": SMALL, "b": SMALL}),
    ("two small children below the minimum together hide a third", {"a": 1, "b": 2, "c": 9, "d": 6}, 0, 5,
     {"a": SMALL, "b": SMALL, "d": COMPLEMENTARY}),
    ("every child small and together small: the parent goes too", {"a": 1, "b": 2}, 0, 5,
     {"a": SMALL, "b": SMALL, "all": SMALL}),
    ("every child small but together large: parent shown", {"a": 3, "b": 3}, 0, 5,
     {"a": SMALL, "b": SMALL}),
    ("a parent's own three respondents hide the smallest child", {"a": 6, "b": 8}, 3, 5,
     {"a": COMPLEMENTARY}),
    ("empty groups have no figure and do not count", {"a": 0, "b": 6, "c": 7}, 0, 5, {"a": EMPTY}),
    ("a higher threshold", {"a": 7, "b": 9, "c": 12}, 0, 8, {"a": SMALL, "b": COMPLEMENTARY}),
    ("ties go by key", {"b": 6, "a": 6, "c": 2}, 0, 5, {"c": SMALL, "a": COMPLEMENTARY}),
]


@pytest.mark.parametrize(("case", "sizes", "own", "min_n", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan_table(case, sizes, own, min_n, expected):
    cells = tree(sizes, own)
    result = plan(cells, min_n)
    assert dict(result.reasons) == expected, case
    assert result.released == {c.key for c in cells if c.releasable} - set(expected)
    assert not exposed_atoms([c.members for c in cells if c.key in result.released], min_n)


def test_hierarchy_two_levels_complements_through_the_parent_family():
    # region r1 = store s1 (2) + store s2 (2) -> both small, r1 has 4 < 5 -> r1 hidden as small;
    # then r1 is the only hidden cell of the company's family, with 4 members: r2 hides too. But
    # r2 = s3 + s4, both shown, so co - s3 - s4 would still give r1: the audit hides co.
    s1, s2, s3, s4 = people(2), people(2), people(6), people(6)
    cells = [
        Cell("co", s1 | s2 | s3 | s4),
        Cell("r1", s1 | s2, family="co"),
        Cell("r2", s3 | s4, family="co"),
        Cell("s1", s1, family="r1"),
        Cell("s2", s2, family="r1"),
        Cell("s3", s3, family="r2"),
        Cell("s4", s4, family="r2"),
    ]
    result = plan(cells, 5)
    assert result.reasons == {"s1": SMALL, "s2": SMALL, "r1": SMALL, "r2": COMPLEMENTARY, "co": LINKED}
    assert result.released == {"s3", "s4"}


def test_cross_cutting_bands_are_caught_by_the_linear_audit():
    # Two units, each split into two bands, and the bands over the organization: a.y holds one
    # person; without the audit, y - b.y or a - a.x would give that person's answer.
    a_x, a_y, b_x, b_y = people(5), people(1), people(5), people(6)
    cells = [
        Cell("all", a_x | a_y | b_x | b_y),
        Cell("a", a_x | a_y, family="all"),
        Cell("b", b_x | b_y, family="all"),
        Cell("x", a_x | b_x, family="bands"),
        Cell("y", a_y | b_y, family="bands"),
        Cell("a.x", a_x, family="a"),
        Cell("a.y", a_y, family="a"),
        Cell("b.x", b_x, family="b"),
        Cell("b.y", b_y, family="b"),
    ]
    result = plan(cells, 5)
    shown = [c.members for c in cells if c.key in result.released]
    assert not exposed_atoms(shown, 5)
    # a minus a.x would be the single person in a.y: a.y is small, a.x complementary
    assert result.reasons["a.y"] == SMALL
    assert result.reasons["a.x"] == COMPLEMENTARY
    # y - b.y is the same person: band y or b.y must go as well
    assert not {"y", "b.y"} <= result.released


def test_a_cell_with_the_members_of_a_hidden_one_is_hidden_too():
    big, small = people(10), people(4)
    cells = [
        Cell("all", big | small),
        Cell("big", big, family="all"),
        Cell("small", small, family="all"),
        Cell("big.band", big, family="big-bands"),
    ]
    result = plan(cells, 5)
    assert result.reasons == {"small": SMALL, "big": COMPLEMENTARY, "big.band": COMPLEMENTARY}
    assert result.released == {"all"}


def test_exposed_atoms_finds_a_subtraction():
    big, one = people(6), people(1)
    assert exposed_atoms([big | one, big], 5) == [one]
    assert exposed_atoms([big | one], 5) == []
    assert exposed_atoms([], 5) == []


def test_exposed_atoms_of_a_larger_difference_is_fine():
    big, five = people(6), people(5)
    assert exposed_atoms([big | five, big], 5) == []


@pytest.mark.parametrize("seed", range(8))
def test_random_hierarchies_never_expose_anyone(seed):
    """Random three-level trees with groups of 1–10 and two bands: after the plan, the released
    sums determine no group smaller than the minimum (checked with an independent rank test)."""
    rng = np.random.default_rng(seed)
    cells, everyone = [], set()
    regions = []
    for r in range(3):
        region_members = set()
        for s in range(int(rng.integers(1, 4))):
            key = f"r{r}s{s}"
            members = people(int(rng.integers(1, 11)))
            bands = {"x": set(), "y": set()}
            for m in members:
                bands["x" if rng.random() < 0.5 else "y"].add(m)
            for band, ms in bands.items():
                cells.append(Cell(f"{key}.{band}", frozenset(ms), family=key))
            cells.append(Cell(key, members, family=f"r{r}"))
            region_members |= members
        cells.append(Cell(f"r{r}", frozenset(region_members), family="all"))
        regions.append(region_members)
        everyone |= region_members
    cells.append(Cell("all", frozenset(everyone)))
    result = plan(cells, 5)
    released = [c.members for c in cells if c.key in result.released]
    ids = sorted(everyone)
    matrix = np.array([[1.0 if i in s else 0.0 for i in ids] for s in released])
    matrix = matrix.reshape(len(released), len(ids))
    rank = np.linalg.matrix_rank(matrix) if released else 0
    for j in range(len(ids)):
        unit = np.zeros(len(ids))
        unit[j] = 1
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank + 1, f"person {ids[j]} exposed"
    for cell in cells:
        if cell.key in result.released:
            assert cell.n >= 5


THRESHOLDS = [(3, True), (5, True), (50, True), (2, False), (0, False), (True, False)]


@pytest.mark.parametrize(("value", "ok"), THRESHOLDS)
def test_threshold_floor(value, ok):
    if ok:
        assert check_threshold(value) == value
    else:
        with pytest.raises(ValueError, match="at least 3"):
            check_threshold(value)


def test_duplicate_keys_and_bad_minimum_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        plan([Cell("a", people(5)), Cell("a", people(5))], 5)
    with pytest.raises(ValueError, match="min_n"):
        plan([], 0)
