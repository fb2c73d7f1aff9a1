"""A small in-process cache whose entries expire a few seconds after they were stored.

For look-ups on every API request that change rarely (an API key and its organization, the
survey a response is posted to): a hit costs a dict read instead of a database query. Each
process has its own cache, so a change made in one process reaches the others only when their
entry expires — callers pick a lifetime they can accept for that lag and drop the entry in
their own process when they make the change. Thread-safe; the oldest entries go first once
``maxsize`` is reached.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TTLCache:
    def __init__(self, seconds: float, maxsize: int = 1024, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.maxsize = maxsize
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The stored value, or None when there is none or it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            return None
        return entry[1]

    def set(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
