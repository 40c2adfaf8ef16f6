"""Values kept in a worker's memory for a fixed time, the least recently used dropped first once
there are too many: the page cache (core/cache) and the recent rows (core/recent)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

clock = time.monotonic  # looked up at each call: tests move it by hand


class TimedLRU:
    def __init__(self, seconds: float, max_entries: int):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The value kept under `key`, or None if there is none or it is too old."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < clock():
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._entries[key] = (clock() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
