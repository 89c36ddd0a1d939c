"""Open WebSockets follow their session: when it ends, the socket is closed within seconds.

A WebSocket is authenticated once, at ``connection_init``; its subscriptions then stream for as
long as the socket lives. Without a re-check a logged-out, expired or disabled session — or an
account that lost the supervisor grant — kept receiving live counts and could open new
subscriptions (issue #12 item 9). So each worker re-reads, every
``GONGZHI_WS_SESSION_CHECK_SECONDS``, the sessions of all its open sockets in one query per few
hundred sockets (against the runtime's clock, so expiry is judged as HTTP judges it), and closes
with 4403 every socket whose session is gone or whose account lost a grant it held when the
socket connected. The database is the one truth every worker shares, so a logout on one worker
closes the sockets on all of them, whatever the pubsub; nothing needs announcing. A new
``subscribe`` re-checks its own session at once (api/http/app.py), so the gap is only for
streams already running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.runtime import Runtime
from api.services.accounts import digest, live_grants
from schema.contract.community import Grant, Viewer

log = logging.getLogger(__name__)

Close = Callable[[], Awaitable[None]]


@dataclass(eq=False)
class Watched:
    """One open, authenticated WebSocket."""

    token_hash: str
    grants: frozenset[Grant]
    close: Close
    closing: bool = field(default=False)


class SessionWatch:
    """The worker's open WebSockets and the ticker that re-checks their sessions."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.interval = runtime.settings.ws_session_check_seconds
        self._sockets: set[Watched] = set()
        self._ticker: asyncio.Task[None] | None = None

    def watch(self, token: str, viewer: Viewer, close: Close) -> Watched:
        """Follow a socket that has just been acknowledged; ``close`` ends it."""
        watched = Watched(digest(token), frozenset(viewer.grants), close)
        self._sockets.add(watched)
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(
                self._tick(), name="ws-session-watch"
            )
        return watched

    def forget(self, watched: Watched) -> None:
        self._sockets.discard(watched)

    async def still_valid(self, watched: Watched) -> bool:
        """Is this socket's session still what it was (for a new subscribe)?"""
        return not await self._revoked([watched])

    async def check(self) -> int:
        """Close every socket whose session ended or lost a grant; return how many."""
        revoked = await self._revoked([w for w in self._sockets if not w.closing])
        for watched in revoked:
            watched.closing = True
            self._sockets.discard(watched)
            try:
                await watched.close()
            except Exception:  # a socket already gone needs no closing
                log.debug("closing a revoked WebSocket failed", exc_info=True)
        return len(revoked)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    async def _revoked(self, sockets: list[Watched]) -> list[Watched]:
        if not sockets:
            return []
        async with self.rt.reader() as session:
            current = await live_grants(
                session, [w.token_hash for w in sockets], now=self.rt.clock()
            )
        return [
            w for w in sockets if w.token_hash not in current or w.grants - current[w.token_hash]
        ]

    async def _tick(self) -> None:
        while self._sockets:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # the database away for a moment: try again next tick
                log.warning("re-checking WebSocket sessions failed", exc_info=True)
