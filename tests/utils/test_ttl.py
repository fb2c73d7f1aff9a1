import pytest

from openxm.utils.ttl import TTLCache


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize(
    ("advance", "expected"),
    [(0.0, "v"), (4.999, "v"), (5.0, None), (60.0, None)],
)
def test_entries_expire_after_their_lifetime(advance, expected):
    clock = Clock()
    cache = TTLCache(5, clock=clock)
    cache.set("k", "v")
    clock.now += advance
    assert cache.get("k") == expected


def test_expired_entry_is_dropped_and_can_be_stored_again():
    clock = Clock()
    cache = TTLCache(1, clock=clock)
    cache.set("k", 1)
    clock.now += 2
    assert cache.get("k") is None and len(cache) == 0
    cache.set("k", 2)
    assert cache.get("k") == 2


def test_oldest_entries_go_first_beyond_maxsize():
    cache = TTLCache(60, maxsize=2)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("a", 3)  # storing again makes it the newest
    cache.set("c", 4)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (3, None, 4)


def test_discard_and_clear():
    cache = TTLCache(60)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.discard("a")
    cache.discard("missing")
    assert cache.get("a") is None and cache.get("b") == 2
    cache.clear()
    assert len(cache) == 0
