"""Sliding-window counters for login attempts, per phone and per client address.

Kept in process memory: each uvicorn worker limits on its own, so with W workers an attacker gets
at most W times the configured attempts; that is still a few dozen guesses per window against an
argon2id hash. A shared limit across hosts would go to Redis with the pubsub (issue #5).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (0 = now). Does not count an attempt."""
        hits = self._prune(key)
        if len(hits) < self.limit:
            return 0
        return max(1, int(hits[0] + self.window - self._clock()) + 1)

    def hit(self, key: str) -> None:
        self._prune(key).append(self._clock())

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        cutoff = self._clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits and len(self._hits) > 100_000:  # bound memory under a spray of keys
            self._hits.clear()
            hits = self._hits.setdefault(key, deque())
        return hits
