"""Sliding-window counters for login attempts, per phone and per client address.

Kept in process memory: each uvicorn worker limits on its own, so with W workers an attacker gets
at most W times the configured attempts; that is still a few dozen guesses per window against an
argon2id hash. A shared limit across hosts would go to Redis with the pubsub (issue #5).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from cachetools import TTLCache

# keys tracked at once; past it the least recently hit key is forgotten (bounded memory under a
# spray of phone numbers or addresses), never every key at once
MAX_KEYS = 100_000


class SlidingWindow:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        # a key expires a window after its last hit, when all its hits have aged out anyway
        self._hits: TTLCache[str, deque[float]] = TTLCache(MAX_KEYS, ttl=window, timer=clock)

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (0 = now). Does not count an attempt."""
        hits = self._prune(key)
        if len(hits) < self.limit:
            return 0
        return max(1, int(hits[0] + self.window - self._clock()) + 1)

    def hit(self, key: str) -> None:
        hits = self._prune(key)
        hits.append(self._clock())
        self._hits[key] = hits  # (re)set: the key's expiry runs from its latest hit

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        cutoff = self._clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        return hits
