"""The in-process fan-out hub: one listener per worker, one load per topic per tick, one render
per (topic, version, variant), and a latest-value slot per subscriber (docs/design.md §4).

Why this shape:

* A subscriber never has a queue. Its slot is "the topic's current state, and whether I have
  seen its version yet": a client that stops reading skips to the newest version when it
  reads again, and holds no memory meanwhile. Versions only move forward.
* Loads are per topic, not per subscriber, and throttled to ``max_rate`` a second — and paced
  by the cost of the last fan-out round (:meth:`FanOut._pace`) — so that a burst of
  200 ballots costs a handful of database reads however many supervisors watch. The first
  announcement after a quiet spell loads at once (low latency); the rest of a burst is
  coalesced into one load per tick.
* Rendering (visibility filtering, k-step rounding, building GraphQL objects) is done once per
  (topic, version, variant), lazily, by the first subscriber of that variant to read it. A
  render equal to the variant's previous one is not sent again: an owner watching turnout
  released in steps of k is not woken with the same numbers after every ballot.
* The subscriber's slot (:class:`~api.live.watchers.Watcher`) and the topic state it reads
  live in :mod:`api.live.watchers`; this module schedules the loads and renders.
* Messages are hints: after a listener reconnect (:class:`~api.live.pubsub.base.Resync`) every
  watched topic is reloaded, so anything missed while the broker was away is caught up.

Use::

    async with hub.watch(f"election:{eid}", variant=role) as watcher:
        async for payload in watcher:  # the current state first, then newer ones
            yield payload
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, Self, cast, overload

from api.live.pubsub.base import Backend, Resync
from api.live.watchers import P, S, Topic, Versioned, Watcher

log = logging.getLogger(__name__)

# An announced version that the loader still cannot see after this many loads is given up on
# (replica lag should resolve sooner; a publisher/loader version mismatch never does).
STALE_LOADS_LIMIT = 3
# After a fan-out round that took R seconds, the topic is not loaded again for FANOUT_BACKOFF * R
# (beyond the max_rate interval): fan-out then takes at most about half of the event loop; 1.0
# halved the staleness of 2.0 with no slower ballots (figures: docs/performance.md).
FANOUT_BACKOFF = 1.0
RETRY_CAP_SECONDS = 30.0


class LoadError(Exception):
    """The first load of a topic failed, so there is no current state to give the watcher."""


@dataclass
class FanOutStats:
    """Counters for tests, benchmarks and metrics."""

    loads: int = 0
    load_failures: int = 0
    renders: int = 0
    announcements: int = 0
    resyncs: int = 0


class FanOut(Generic[S, P]):
    """Fan-out for one worker. ``loader(topic)`` reads a topic's state (with a monotonic
    ``version``) from the database; ``renderer(state, variant)`` turns it into what a
    subscriber of that variant receives (default: the state itself)."""

    @overload
    def __init__(
        self: FanOut[S, S],
        backend: Backend,
        loader: Callable[[str], Awaitable[S]],
        *,
        max_rate: float = ...,
    ) -> None: ...

    @overload
    def __init__(
        self,
        backend: Backend,
        loader: Callable[[str], Awaitable[S]],
        *,
        renderer: Callable[[S, Hashable], P],
        max_rate: float = ...,
    ) -> None: ...

    def __init__(
        self,
        backend: Backend,
        loader: Callable[[str], Awaitable[S]],
        *,
        renderer: Callable[[S, Hashable], P] | None = None,
        max_rate: float = 4.0,
    ) -> None:
        if not max_rate > 0:
            raise ValueError("max_rate must be > 0 (math.inf for no throttle)")
        self.backend = backend
        self._loader = loader
        self._renderer = renderer
        self._interval = 0.0 if math.isinf(max_rate) else 1.0 / max_rate
        self._topics: dict[str, Topic[S, P]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()  # set once the listener's subscription is live
        self.stats = FanOutStats()

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the worker's one listener (idempotent)."""
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(
                self._listen(), name="fanout-listener"
            )

    async def close(self) -> None:
        """Stop the listener and every load; end every watcher's iteration."""
        tasks = [*self._tasks, *([self._listener] if self._listener else [])]
        self._listener = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for topic in self._topics.values():
            topic.detached = True
            for watcher in topic.watchers:
                watcher._close()
        self._topics.clear()
        self.ready.clear()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- the public surface ---------------------------------------------------------------

    def watch(self, topic: str, *, variant: Hashable = None) -> Watcher[S, P]:
        """A watcher of ``topic`` for ``variant`` (e.g. a visibility role); use ``async with``."""
        return Watcher(self, topic, variant)

    async def publish(self, topic: str, version: int) -> None:
        """Announce a committed change to every worker (this one included); see Backend."""
        await self.backend.publish(topic, version)

    def announce(self, topic: str, version: int) -> None:
        """A message arrived: schedule a load if ``topic`` is watched and ``version`` is new."""
        self.stats.announcements += 1
        t = self._topics.get(topic)
        if t is None or version <= t.wanted:
            return
        t.wanted = version
        self._kick(t)

    def resync(self) -> None:
        """Reload every watched topic: messages may have been lost."""
        self.stats.resyncs += 1
        for t in self._topics.values():
            t.forced = True
            self._kick(t)

    def watched(self) -> dict[str, int]:
        """Topic → number of watchers (for tests and metrics)."""
        return {name: len(t.watchers) for name, t in self._topics.items()}

    @property
    def load_tasks(self) -> int:
        return len(self._tasks)

    # -- internals ------------------------------------------------------------------------

    def _join(self, watcher: Watcher[S, P]) -> Topic[S, P]:
        t = self._topics.get(watcher.topic)
        if t is None:
            t = self._topics[watcher.topic] = Topic(watcher.topic)
        t.watchers.add(watcher)
        if t.state is not None:
            watcher._notify()
        elif t.task is None:  # new, or its first load failed: (re)load for this watcher
            t.forced = True
            self._kick(t)
        return t

    def _leave(self, watcher: Watcher[S, P]) -> None:
        t = watcher._topic
        if t is None:
            return
        t.watchers.discard(watcher)
        watcher._closed = True
        if t.watchers or self._topics.get(t.name) is not t:
            return
        del self._topics[t.name]
        t.detached = True
        # A load in flight finishes (cancelling a query mid-way costs the connection); a pump
        # waiting for its next tick is simply stopped.
        if t.task is not None and not t.loading:
            t.task.cancel()

    def _kick(self, t: Topic[S, P]) -> None:
        if t.task is None and t.has_work():
            task = asyncio.get_running_loop().create_task(self._pump(t), name=f"fanout:{t.name}")
            t.task = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, t: Topic[S, P]) -> None:
        """Load ``t`` while it has work, at most once per interval."""
        loop = asyncio.get_running_loop()
        try:
            while t.has_work():
                delay = t.next_load_at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                    if not t.has_work():
                        break
                forced, wanted = t.forced, t.wanted
                t.forced = False
                t.next_load_at = loop.time() + self._interval
                self.stats.loads += 1
                t.loading = True
                try:
                    state = await self._loader(t.name)
                except Exception as exc:
                    if not self._failed(t, exc, forced, loop.time()):
                        break
                    continue
                finally:
                    t.loading = False
                t.failures = 0
                if self._apply(t, state, wanted):
                    await self._pace(t, loop)
        finally:
            t.task = None

    async def _pace(self, t: Topic[S, P], loop: asyncio.AbstractEventLoop) -> None:
        """Let the woken watchers send, and hold the next load back by FANOUT_BACKOFF times
        what that took. Each watcher's turn (render once, encode once, one socket write) runs
        without suspending, so this pump, queued behind them, resumes when the round is done.
        With thousands of watchers a round takes a good part of a second: at a fixed rate the
        fan-out would take the whole event loop and ballots, the one thing that must not wait,
        would queue behind it. Paced, updates come as often as the loop can afford."""
        began = loop.time()
        await asyncio.sleep(0)
        spent = loop.time() - began
        t.next_load_at = max(t.next_load_at, loop.time() + FANOUT_BACKOFF * spent)

    def _apply(self, t: Topic[S, P], state: S, wanted: int) -> bool:
        """Take a loaded state; whether watchers were woken for it."""
        woken = False
        if state.version > t.version:
            t.state = state
            for watcher in t.watchers:
                watcher._notify()
            woken = bool(t.watchers)
        if wanted <= t.version:
            t.stale = 0
            return woken
        t.stale += 1  # announced but not visible yet: the loop loads again next tick
        if t.stale >= STALE_LOADS_LIMIT:
            log.warning(
                "fan-out: %s announced at version %d but loads %d; publish the version the "
                "loader reads, after commit",
                t.name,
                wanted,
                t.version,
            )
            t.stale = 0
            if t.wanted <= wanted:
                t.wanted = t.version
        return woken

    def _failed(self, t: Topic[S, P], exc: Exception, forced: bool, now: float) -> bool:
        """Handle a failed load; return whether to keep trying."""
        self.stats.load_failures += 1
        t.failures += 1
        if t.state is None:
            # Nothing to show: tell the watchers waiting for their first state.
            log.warning("fan-out: first load of %s failed: %r", t.name, exc)
            for watcher in t.watchers:
                error = LoadError(f"could not load {t.name}")
                error.__cause__ = exc
                watcher._fail(error)
            t.forced = False
            t.wanted = -1
            return False
        # Keep the state the watchers have; retry, slower each time, while they watch.
        t.forced = t.forced or forced
        delay = min(RETRY_CAP_SECONDS, max(self._interval, 0.1) * 2.0**t.failures)
        t.next_load_at = now + delay
        log.warning("fan-out: reload of %s failed (%r); retrying in %.1f s", t.name, exc, delay)
        return True

    def _render(self, t: Topic[S, P], state: S, variant: Hashable) -> P:
        if self._renderer is None:
            return cast(P, state)
        if state is not t.state:  # not the cached version: render without caching
            self.stats.renders += 1
            return self._renderer(state, variant)
        cached = t.renders.get(variant)
        if cached is not None and cached[0] == state.version:
            return cached[1]
        self.stats.renders += 1
        payload = self._renderer(state, variant)
        if cached is not None and cached[1] == payload:
            payload = cached[1]  # the same object: watchers that have it skip this version
        t.renders[variant] = (state.version, payload)
        return payload

    async def _listen(self) -> None:
        """The worker's one listener: feed announcements and resyncs into the hub."""
        while True:
            try:
                async with contextlib.aclosing(self.backend.listen()) as events:
                    async for event in events:
                        if isinstance(event, Resync):
                            self.resync()
                            self.ready.set()
                        else:
                            self.announce(event.topic, event.version)
                return
            except Exception:  # a bug in a backend must not silence live updates for good
                log.exception("fan-out: listener failed; restarting in 1 s")
                self.ready.clear()
                await asyncio.sleep(1.0)


__all__ = ["FanOut", "FanOutStats", "LoadError", "Versioned", "Watcher"]
