"""PostgreSQL LISTEN/NOTIFY through asyncpg: one channel ``gongzhi``, payload ``"topic version"``.

NOTIFY is transactional: sent inside a transaction it is delivered at COMMIT, and not at all
on ROLLBACK. :meth:`PostgresBackend.publish` uses its own connection (autocommit), so a caller
must publish after its transaction committed; publishing earlier lets other workers re-read
the database before the change is visible and keep the old state until the next message.

The listener holds one dedicated connection per worker (LISTEN does not survive a pooled
connection being handed to someone else). A terminated backend, a restart or a network
failure closes it; :func:`~api.live.pubsub.base.reconnecting` then reconnects and emits a resync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Any

import asyncpg

from api.live.pubsub.base import LIVE, Backoff, Event, Inbox, Live, Message, encode, reconnecting

log = logging.getLogger(__name__)

CHANNEL = "gongzhi"
APPLICATION_NAME = "gongzhi-pubsub"


class PostgresBackend:
    def __init__(
        self,
        dsn: str,
        *,
        channel: str = CHANNEL,
        backoff: Backoff | None = None,
        ping_interval: float = 15.0,
        timeout: float = 5.0,
        application_name: str = APPLICATION_NAME,
    ) -> None:
        self.dsn = dsn
        self.application_name = application_name  # pg_stat_activity shows "<name>-listen" etc.
        self.channel = channel
        self._backoff = backoff or Backoff()
        self._ping_interval = ping_interval
        self._timeout = timeout
        self._pool: Any = None  # asyncpg.Pool, created on the first publish
        self._pool_lock = asyncio.Lock()
        self.publish_failures = 0
        self.listener_pid: int | None = None  # the server pid of the LISTEN connection
        self._listener_started = False

    async def check(self) -> None:
        if self._listener_started and self.listener_pid is None:
            raise ConnectionError("the PostgreSQL LISTEN connection is down (reconnecting)")
        pool = await asyncio.wait_for(self._get_pool(), self._timeout)
        await pool.fetchval("SELECT 1", timeout=self._timeout)

    async def publish(self, topic: str, version: int) -> None:
        payload = encode(topic, version)
        # Two attempts: a pooled connection may have died while idle (a proxy's timeout, a
        # restart); the pool replaces it, and the retry keeps the message.
        for attempt in (1, 2):
            try:
                pool = await self._get_pool()
                await pool.execute("SELECT pg_notify($1, $2)", self.channel, payload)
                return
            except Exception as exc:  # asyncpg raises several unrelated kinds on a dead link
                if attempt == 2:
                    self.publish_failures += 1
                    log.warning("pubsub: PostgreSQL NOTIFY of %r failed: %s", payload, exc)

    async def _get_pool(self) -> Any:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=0,
                    max_size=2,
                    timeout=self._timeout,
                    server_settings={"application_name": self.application_name + "-publish"},
                )
            return self._pool

    def listen(self) -> AsyncGenerator[Event, None]:
        return reconnecting(self._session, backoff=self._backoff, what="PostgreSQL")

    async def _session(self) -> AsyncGenerator[Message | Live, None]:
        self._listener_started = True
        inbox = Inbox()
        conn = await asyncpg.connect(
            self.dsn,
            timeout=self._timeout,
            server_settings={"application_name": self.application_name + "-listen"},
        )
        try:
            conn.add_termination_listener(
                lambda _conn: inbox.fail(ConnectionError("PostgreSQL closed the connection"))
            )
            await conn.add_listener(
                self.channel, lambda _conn, _pid, _channel, payload: inbox.put_payload(payload)
            )
            self.listener_pid = conn.get_server_pid()
            yield LIVE
            while True:
                try:
                    async with asyncio.timeout(self._ping_interval):
                        batch = await inbox.get()
                except TimeoutError:
                    # Idle: make sure the link still answers (a dead peer sends no FIN).
                    await conn.fetchval("SELECT 1", timeout=self._timeout)
                    continue
                for message in batch:
                    yield message
        finally:
            self.listener_pid = None
            if not conn.is_closed():
                try:
                    await asyncio.wait_for(conn.close(), self._timeout)
                except Exception:  # already broken: drop it without ceremony
                    conn.terminate()

    async def close(self) -> None:
        if self._pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pool.close(), self._timeout)
            self._pool = None
