"""What a live subscriber holds: a latest-value slot on a watched topic, never a queue.

A :class:`Watcher` is "the topic's current state, and whether I have seen its version yet": a
client that stops reading skips to the newest version when it reads again and holds no memory
meanwhile (docs/design.md §4).  The :class:`Topic` is the shared state the fan-out hub
(:mod:`api.live.fanout`) loads and the watchers read; the hub is seen here only through
:class:`TopicRegistry`, so this module does not import it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar


class Versioned(Protocol):
    """A loaded topic state: its version only moves forward (what watchers compare)."""

    @property
    def version(self) -> int: ...


S = TypeVar("S", bound=Versioned)
P = TypeVar("P")


class TopicRegistry(Protocol[S, P]):
    """What a watcher needs of the hub: join and leave a topic, and render a state for it."""

    def _join(self, watcher: Watcher[S, P]) -> Topic[S, P]: ...

    def _leave(self, watcher: Watcher[S, P]) -> None: ...

    def _render(self, t: Topic[S, P], state: S, variant: Hashable) -> P: ...


class Topic(Generic[S, P]):
    """One watched topic: its current state, its watchers and its load schedule (kept by the
    fan-out hub, read by its watchers)."""

    __slots__ = (
        "detached",
        "failures",
        "forced",
        "loading",
        "name",
        "next_load_at",
        "renders",
        "stale",
        "state",
        "task",
        "wanted",
        "watchers",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.state: S | None = None
        self.watchers: set[Watcher[S, P]] = set()
        # variant -> (version, payload) of its latest render; variants are a small set (roles)
        self.renders: dict[Hashable, tuple[int, P]] = {}
        self.wanted = -1  # the highest announced version
        self.forced = True  # load even without a newer announcement (first load, resync)
        self.task: asyncio.Task[None] | None = None
        self.loading = False
        self.detached = False  # the last watcher left
        self.next_load_at = 0.0
        self.stale = 0
        self.failures = 0

    @property
    def version(self) -> int:
        return -1 if self.state is None else self.state.version

    def has_work(self) -> bool:
        return not self.detached and (self.forced or self.wanted > self.version)


class Watcher(Generic[S, P]):
    """One subscriber's latest-value slot. Enter it, then iterate it; leave it to unsubscribe."""

    __slots__ = (
        "_closed",
        "_error",
        "_hub",
        "_last",
        "_topic",
        "_wake",
        "topic",
        "variant",
        "version",
    )

    def __init__(self, hub: TopicRegistry[S, P], topic: str, variant: Hashable) -> None:
        self._hub = hub
        self.topic = topic
        self.variant = variant
        self.version = -1  # the last version this watcher was given
        self._topic: Topic[S, P] | None = None
        self._wake = asyncio.Event()
        self._error: BaseException | None = None
        self._closed = False
        self._last: object = None  # the payload given last (to skip an identical one)

    async def __aenter__(self) -> Self:
        self._topic = self._hub._join(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._hub._leave(self)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> P:
        topic = self._topic
        if topic is None:
            raise RuntimeError("enter the watcher first: `async with hub.watch(...) as w`")
        while True:
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            if self._closed:
                raise StopAsyncIteration
            state = topic.state
            if state is not None and state.version > self.version:
                self.version = state.version
                payload = self._hub._render(topic, state, self.variant)
                if payload is not self._last:
                    self._last = payload
                    return payload
                continue  # this version looks the same to this variant: nothing to send
            self._wake.clear()
            await self._wake.wait()

    def _notify(self) -> None:
        self._wake.set()

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self._wake.set()

    def _close(self) -> None:
        self._closed = True
        self._wake.set()


__all__ = ["P", "S", "Topic", "TopicRegistry", "Versioned", "Watcher"]
