"""What every pubsub backend shares: the event types, the wire format, the backoff, the inbox
and the reconnect loop.

Messages carry a topic and a version only (docs/design.md §4): each worker re-reads the state from
the database, so a message can be lost, repeated or reordered without harm as long as the hub
eventually reloads. That is what :class:`Resync` is for: a listener emits it every time its
subscription becomes live (the first time and after every reconnect), because anything
published while it was down is gone and the hub must reload every topic it watches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol

log = logging.getLogger(__name__)

MAX_TOPIC_LENGTH: Final = 200
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below on every backend.
MAX_PAYLOAD_BYTES: Final = 1000


class Message(NamedTuple):
    """``topic`` (e.g. ``"election:42"``) reached ``version``; reload it if you watch it."""

    topic: str
    version: int


@dataclass(frozen=True, slots=True)
class Resync:
    """The subscription is live (again): messages may have been lost before this point.

    ``connection`` counts the listener's connections: 1 the first time, 2 and up after a
    reconnect.
    """

    connection: int


Event = Message | Resync


class Backend(Protocol):
    """One per worker. ``listen`` is called once per worker (one listener connection)."""

    async def publish(self, topic: str, version: int) -> None:
        """Announce ``topic`` at ``version`` to every worker, this one included.

        Call it after the transaction that made the change has committed (the listeners
        re-read the database at once). Best effort: a broker outage is logged, not raised,
        because the state is already committed and every listener resyncs when it reconnects.
        """
        ...

    def listen(self) -> AsyncGenerator[Event, None]:
        """Yield :class:`Resync` whenever the subscription becomes live, then messages.

        Never ends by itself and never raises on a lost connection: it reconnects with
        backoff. Close it (``aclose``) or cancel its consumer to stop.
        """
        ...

    async def check(self) -> None:
        """Raise if this worker cannot reach the broker now (``/healthz``): the publishing
        side answers, and a listener that was started is connected (not waiting to retry)."""
        ...

    async def close(self) -> None:
        """Release the publishing connection(s)."""
        ...


def check(topic: str, version: int) -> None:
    """Refuse what a caller cannot mean: these are programming errors, so they raise."""
    if not topic or len(topic) > MAX_TOPIC_LENGTH or any(c.isspace() for c in topic):
        raise ValueError(f"pubsub topic must be 1-{MAX_TOPIC_LENGTH} non-space chars: {topic!r}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"pubsub version must be an int >= 0: {version!r}")


def encode(topic: str, version: int) -> str:
    """The wire format of Redis and PostgreSQL alike: ``"topic version"``."""
    check(topic, version)
    return f"{topic} {version}"


def decode(payload: str | bytes) -> Message | None:
    """Parse ``"topic version"``; anything else is logged and dropped (never raises)."""
    try:
        text = payload.decode() if isinstance(payload, bytes) else payload
        topic, _, raw = text.rpartition(" ")
        version = int(raw)
        check(topic, version)
    except (ValueError, UnicodeDecodeError):
        log.warning("pubsub: ignoring malformed message %r", payload[:MAX_PAYLOAD_BYTES])
        return None
    return Message(topic, version)


class Backoff:
    """Exponential backoff, capped, with "equal jitter" (half fixed, half random).

    The fixed half keeps a flapping broker from being hammered; the random half spreads the
    reconnects of many workers that all lost the same broker at the same instant.
    """

    def __init__(
        self,
        base: float = 0.2,
        cap: float = 10.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self.base = base
        self.cap = cap
        self._rng = rng
        self.attempt = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * 2.0**self.attempt)
        self.attempt += 1
        return ceiling / 2 + self._rng() * ceiling / 2

    def reset(self) -> None:
        self.attempt = 0


class Inbox:
    """Where a callback-driven connection drops messages until the listener takes them.

    Coalescing by topic (only the highest version is kept) bounds it by the number of topics,
    not by the message rate, so a slow consumer cannot grow it; the hub only needs the latest
    version of each topic anyway. ``fail`` wakes the reader with the connection's loss.
    """

    def __init__(self) -> None:
        self._pending: dict[str, int] = {}
        self._ready = asyncio.Event()
        self._error: BaseException | None = None

    def put(self, topic: str, version: int) -> None:
        if version > self._pending.get(topic, -1):
            self._pending[topic] = version
        self._ready.set()

    def put_payload(self, payload: str | bytes) -> None:
        message = decode(payload)
        if message is not None:
            self.put(*message)

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._ready.set()

    async def get(self) -> list[Message]:
        """Wait for at least one message (or the failure), then take everything pending."""
        await self._ready.wait()
        self._ready.clear()
        if self._error is not None:
            raise self._error
        pending, self._pending = self._pending, {}
        return [Message(t, v) for t, v in pending.items()]


class Live:
    """Marker a backend's session yields once its subscription is confirmed by the server."""


LIVE: Final = Live()

Session = Callable[[], AsyncGenerator[Message | Live, None]]


async def reconnecting(
    session: Session, *, backoff: Backoff, what: str
) -> AsyncGenerator[Event, None]:
    """Run ``session`` forever: on any failure wait (backoff) and open a new one.

    ``session`` connects, subscribes, yields :data:`LIVE` once the server confirmed the
    subscription, then yields messages until the connection fails (it raises) or ends.
    Each ``LIVE`` becomes a :class:`Resync`. The backoff restarts only after a connection
    outlived the cap, so a broker that accepts and then drops at once is not hammered.
    """
    loop = asyncio.get_running_loop()
    connection = 0
    while True:
        started: float | None = None
        try:
            async with contextlib.aclosing(session()) as events:
                async for event in events:
                    if isinstance(event, Live):
                        started = loop.time()
                        connection += 1
                        if connection > 1:
                            log.warning("pubsub: %s listener reconnected; resyncing", what)
                        yield Resync(connection)
                    else:
                        yield event
            error = "connection closed"
        except Exception as exc:  # a listener must survive whatever its connection does
            error = f"{type(exc).__name__}: {exc}"
        if started is not None and loop.time() - started >= backoff.cap:
            backoff.reset()
        delay = backoff.next()
        log.warning("pubsub: %s listener lost (%s); retrying in %.2f s", what, error, delay)
        await asyncio.sleep(delay)
