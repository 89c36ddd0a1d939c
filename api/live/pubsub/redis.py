"""Redis pub/sub through ``redis.asyncio``: one channel, the topic in the payload.

Why one channel (``gongzhi``, payload ``"topic version"``) rather than a channel per topic or
``PSUBSCRIBE gongzhi:*``:

* the listener subscribes once per connection; nothing to (un)subscribe as watchers come and
  go, so no race between a first watcher's load and its SUBSCRIBE reaching the server;
* Redis matches every PUBLISH against every pattern of every client, so patterns cost the
  whole server; a plain channel is a hash lookup;
* the traffic is tiny (a few bytes per committed change): every worker receiving every
  message and dropping the topics it does not watch costs a dict lookup each;
* it is the same format as PostgreSQL's NOTIFY, so both backends share one codec.

Pub/sub channels are global to a Redis server (not per database number): two deployments
sharing one Redis need different ``channel`` names, or they will trigger each other's
reloads (harmless but wasteful; only ids and versions travel).

redis-py reconnects and resubscribes a PubSub silently, which would hide exactly the gap we
must resync after; the listener's client therefore has retries off, and
:func:`~api.live.pubsub.base.reconnecting` opens a fresh connection and emits a resync instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError

from api.live.pubsub.base import LIVE, Backoff, Event, Live, Message, decode, encode, reconnecting

log = logging.getLogger(__name__)

CHANNEL = "gongzhi"


class RedisBackend:
    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        backoff: Backoff | None = None,
        ping_interval: float = 15.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self._backoff = backoff or Backoff()
        self._ping_interval = ping_interval
        self._timeout = timeout
        # The publisher keeps redis-py's own reconnect: a pooled connection that went stale
        # while the listener stayed up must not lose a message (no resync would repair it).
        self._publisher = Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        )
        self.publish_failures = 0
        self.listening: bool | None = None  # None: no listener started; else subscribed now

    async def check(self) -> None:
        async with asyncio.timeout(self._timeout):
            await self._publisher.ping()
        if self.listening is False:
            raise ConnectionError("the Redis listener is disconnected (reconnecting)")

    async def publish(self, topic: str, version: int) -> None:
        payload = encode(topic, version)
        try:
            await self._publisher.publish(self.channel, payload)
        except (RedisError, OSError) as exc:
            self.publish_failures += 1
            log.warning("pubsub: Redis publish of %r failed: %s", payload, exc)

    def listen(self) -> AsyncGenerator[Event, None]:
        return reconnecting(self._session, backoff=self._backoff, what="Redis")

    async def _session(self) -> AsyncGenerator[Message | Live, None]:
        client = Redis.from_url(
            self.url,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            socket_keepalive=True,
            retry=Retry(NoBackoff(), 0),
        )
        pubsub = client.pubsub()
        self.listening = False
        try:
            await pubsub.subscribe(self.channel)
            async with asyncio.timeout(self._timeout):  # live once the server confirmed
                while (await pubsub.get_message(timeout=self._timeout) or {}).get(
                    "type"
                ) != "subscribe":
                    pass
            self.listening = True
            yield LIVE
            loop = asyncio.get_running_loop()
            answer_by: float | None = None  # while a PING is unanswered: its deadline
            while True:
                wait = self._ping_interval if answer_by is None else answer_by - loop.time()
                msg = await pubsub.get_message(timeout=max(wait, 0.001))
                if msg is None:
                    # Idle: a peer that vanished without a FIN would leave us waiting forever,
                    # so ask the server; no answer within ``timeout`` means the link is gone.
                    if answer_by is None:
                        await pubsub.ping()
                        answer_by = loop.time() + self._timeout
                    elif loop.time() >= answer_by:
                        raise ConnectionError(f"Redis did not answer PING in {self._timeout} s")
                    continue
                answer_by = None  # anything received proves the link alive
                if msg["type"] == "message":
                    message = decode(msg["data"])
                    if message is not None:
                        yield message
        finally:
            self.listening = False
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    async def close(self) -> None:
        await self._publisher.aclose()
