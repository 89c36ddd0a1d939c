"""The default backend: one process, so publishing just loops back to this process's listeners.

It keeps the same contract as the networked backends (asynchronous delivery, a
:class:`~api.live.pubsub.base.Resync` first) so that code tested on it behaves the same behind
Redis or PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from api.live.pubsub.base import Event, Inbox, Resync, check


class MemoryBackend:
    """In-process loop-back; every ``listen()`` gets every message published after it started."""

    def __init__(self) -> None:
        self._inboxes: set[Inbox] = set()

    @property
    def listening(self) -> bool:
        """A listener is running (the fan-out hub started): what is published is heard."""
        return bool(self._inboxes)

    async def publish(self, topic: str, version: int) -> None:
        check(topic, version)
        for inbox in self._inboxes:
            inbox.put(topic, version)

    async def listen(self) -> AsyncGenerator[Event, None]:
        inbox = Inbox()
        self._inboxes.add(inbox)
        try:
            yield Resync(1)
            while True:
                for message in await inbox.get():
                    yield message
        finally:
            self._inboxes.discard(inbox)

    async def check(self) -> None:
        return None  # nothing outside the process to lose

    async def close(self) -> None:
        return None
