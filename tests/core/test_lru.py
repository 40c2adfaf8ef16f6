"""The in-memory store behind the page cache and the recent rows."""

from __future__ import annotations

from coprog.core import lru
from coprog.core.lru import TimedLRU


def test_the_least_recently_used_goes_first(monkeypatch):
    kept = TimedLRU(seconds=60, max_entries=2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "b" is now the least recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)


def test_a_value_is_kept_for_its_seconds_only(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(lru, "clock", lambda: now[0])
    kept = TimedLRU(seconds=1.0, max_entries=8)
    kept.put("a", 1)
    now[0] += 1.0
    assert kept.get("a") == 1
    now[0] += 0.01
    assert kept.get("a") is None
    kept.put("a", 2)  # put again: a new lifetime
    assert kept.get("a") == 2
    kept.clear()
    assert kept.get("a") is None
