"""Pubsub backends (api/live/pubsub): the codec and backoff, the in-process loop-back, and the real
thing: Redis and PostgreSQL, each with two backend instances standing in for two workers, and
a dropped connection that must come back with a resync.

Redis runs at 127.0.0.1:6379 and PostgreSQL at GONGZHI_TEST_PG_URL (default
postgresql://root@127.0.0.1/test); each test uses its own channel, so parallel runs do not
collide. The kill-and-restart test starts its own throwaway redis-server on a free port and
never touches the shared one. Unreachable services skip the test with a message, except under
CI (CI=true), where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from redis.asyncio import Redis

from api.live.fanout import FanOut
from api.live.pubsub import (
    Backend,
    Backoff,
    Event,
    MemoryBackend,
    Message,
    Resync,
    asyncpg_dsn,
    create_backend,
)
from api.live.pubsub.base import Inbox, decode, encode
from api.live.pubsub.postgres import PostgresBackend
from api.live.pubsub.redis import RedisBackend
from api.settings import Settings, SettingsError

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PG_DSN = asyncpg_dsn(os.environ.get("GONGZHI_TEST_PG_URL") or "postgresql://root@127.0.0.1/test")
WAIT = 15.0  # a failure guard, never a timing assertion


def unavailable(what: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run this test: {what}")
    pytest.skip(what)


def fast_backoff() -> Backoff:
    return Backoff(base=0.05, cap=0.5)


def channel() -> str:
    return f"gongzhi-test-{uuid.uuid4().hex[:12]}"


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture
async def pg_dsn() -> str:
    try:
        conn = await asyncpg.connect(PG_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as e:
        unavailable(f"PostgreSQL is not reachable at {PG_DSN} ({e}); set GONGZHI_TEST_PG_URL")
    await conn.close()
    return PG_DSN


class Tap:
    """Runs one backend's ``listen()`` (a worker's listener) and queues what it yields."""

    def __init__(self, backend: Backend) -> None:
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(backend.listen()))

    async def _run(self, listener: AsyncGenerator[Event, None]) -> None:
        async with contextlib.aclosing(listener) as events:
            async for event in events:
                self.events.put_nowait(event)

    async def next(self) -> Event:
        return await asyncio.wait_for(self.events.get(), WAIT)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@contextlib.asynccontextmanager
async def tapped(backend: Backend) -> AsyncIterator[Tap]:
    tap = Tap(backend)
    try:
        yield tap
    finally:
        await tap.close()


@contextlib.asynccontextmanager
async def closing(*backends: Backend) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for b in backends:
            await b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ThrowawayRedis:
    """A private redis-server on a free port that a test may kill and restart at will."""

    def __init__(self, exe: str) -> None:
        self.exe = exe
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            self.exe,
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with asyncio.timeout(WAIT):
            while True:
                if await self._answers():
                    return
                await asyncio.sleep(0.02)

    async def _answers(self) -> bool:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        try:
            writer.write(b"PING\r\n")
            return (await reader.readline()).startswith(b"+PONG")
        except OSError:
            return False
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None


@pytest.fixture
async def throwaway_redis() -> AsyncIterator[ThrowawayRedis]:
    exe = shutil.which("redis-server")
    if exe is None:
        unavailable("redis-server is not installed (needed to kill and restart a private Redis)")
        raise AssertionError  # unreachable; for the type checker
    server = ThrowawayRedis(exe)
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


# -- codec, backoff, inbox, settings --------------------------------------------------------


def test_the_wire_format_round_trips() -> None:
    assert encode("comments:doc:3", 12) == "comments:doc:3 12"
    assert decode(b"comments:doc:3 12") == Message("comments:doc:3", 12)
    assert decode("election:42 0") == Message("election:42", 0)


@pytest.mark.parametrize(
    "payload", ["", "election:1", "election:1 x", "election:1 -3", " 5", b"\xff\xfe 1", "a b 1"]
)
def test_malformed_payloads_are_dropped_not_raised(payload: str | bytes) -> None:
    assert decode(payload) is None


@pytest.mark.parametrize(
    ("topic", "version"),
    [("", 1), ("has space", 1), ("x" * 201, 1), ("ok", -1), ("ok", True), ("ok", 1.5)],
)
async def test_publishing_nonsense_is_a_programming_error(topic: str, version: Any) -> None:
    with pytest.raises(ValueError):
        await MemoryBackend().publish(topic, version)


def test_backoff_grows_is_capped_and_jittered() -> None:
    low = Backoff(base=0.1, cap=1.0, rng=lambda: 0.0)
    assert [round(low.next(), 3) for _ in range(6)] == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5]
    high = Backoff(base=0.1, cap=1.0, rng=lambda: 0.999999)
    assert [round(high.next(), 3) for _ in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    high.reset()
    assert round(high.next(), 3) == 0.1
    with pytest.raises(ValueError):
        Backoff(base=2.0, cap=1.0)


async def test_the_inbox_keeps_only_the_latest_version_of_each_topic() -> None:
    """A listener's consumer that falls behind holds one entry per topic, not per message."""
    inbox = Inbox()
    for v in range(10_000):
        inbox.put(f"election:{v % 3}", v)
    inbox.put("election:0", 5)  # older: ignored
    assert sorted(await inbox.get()) == [
        Message("election:0", 9999),
        Message("election:1", 9997),
        Message("election:2", 9998),
    ]
    inbox.fail(ConnectionError("gone"))
    with pytest.raises(ConnectionError):
        await inbox.get()


def test_create_backend_follows_the_settings() -> None:
    assert isinstance(create_backend(Settings()), MemoryBackend)
    redis = create_backend(Settings(pubsub="redis", redis_url="redis://cache.internal:6380/2"))
    assert isinstance(redis, RedisBackend) and redis.url == "redis://cache.internal:6380/2"
    pg = create_backend(
        Settings(pubsub=" Postgres ", database_url="postgresql+asyncpg://gz:pw@db.internal/gz")
    )
    assert isinstance(pg, PostgresBackend) and pg.dsn == "postgresql://gz:pw@db.internal/gz"
    with pytest.raises(SettingsError, match="GONGZHI_PUBSUB='kafka'"):
        create_backend(Settings(pubsub="kafka"))
    with pytest.raises(SettingsError, match="PostgreSQL URL") as e:
        create_backend(Settings(pubsub="postgres", database_url="sqlite+aiosqlite:///x.db"))
    assert "x.db" not in str(e.value)


def test_the_pubsub_settings_are_read_from_the_environment() -> None:
    s = Settings.from_env(
        {
            "GONGZHI_SECRET_KEY": "k" * 40,
            "GONGZHI_PUBSUB": "redis",
            "GONGZHI_REDIS_URL": "redis://r:1/0",
            "GONGZHI_PUBSUB_MAX_RATE": "2.5",
        }
    )
    assert (s.pubsub, s.redis_url, s.pubsub_max_rate) == ("redis", "redis://r:1/0", 2.5)
    assert Settings().pubsub == "memory" and Settings().pubsub_max_rate == 4.0


# -- in-process ------------------------------------------------------------------------------


async def test_memory_backend_loops_back_to_every_listener() -> None:
    backend = MemoryBackend()
    async with tapped(backend) as one, tapped(backend) as two:
        assert await one.next() == Resync(1)
        assert await two.next() == Resync(1)
        await backend.publish("proposal:7", 3)
        assert await one.next() == Message("proposal:7", 3)
        assert await two.next() == Message("proposal:7", 3)


# -- Redis ----------------------------------------------------------------------------------


async def test_redis_carries_messages_between_two_workers(redis_url: str) -> None:
    ch = channel()
    a, b = RedisBackend(redis_url, channel=ch), RedisBackend(redis_url, channel=ch)
    async with closing(a, b), tapped(a) as on_a, tapped(b) as on_b:
        assert await on_a.next() == Resync(1)
        assert await on_b.next() == Resync(1)
        await b.publish("election:42", 7)
        await a.publish("comments:doc:3", 1)
        for tap in (on_a, on_b):
            assert await tap.next() == Message("election:42", 7)
            assert await tap.next() == Message("comments:doc:3", 1)


async def test_redis_listener_ignores_foreign_payloads(redis_url: str) -> None:
    ch = channel()
    a = RedisBackend(redis_url, channel=ch)
    raw = Redis.from_url(redis_url)
    async with closing(a), tapped(a) as tap:
        assert await tap.next() == Resync(1)
        await raw.publish(ch, b"\x00garbage")
        await raw.publish(ch + "-other", "election:1 1")  # another deployment's channel
        await raw.publish(ch, "election:1 2")
        assert await tap.next() == Message("election:1", 2)
    await raw.aclose()


async def test_redis_restart_mid_stream_reconnects_and_resyncs(
    throwaway_redis: ThrowawayRedis,
) -> None:
    ch = channel()
    listener = RedisBackend(throwaway_redis.url, channel=ch, backoff=fast_backoff())
    publisher = RedisBackend(throwaway_redis.url, channel=ch)
    async with closing(listener, publisher), tapped(listener) as tap:
        assert await tap.next() == Resync(1)
        for v in (1, 2):
            await publisher.publish("election:1", v)
            assert await tap.next() == Message("election:1", v)

        await throwaway_redis.kill()
        await publisher.publish("election:1", 3)  # lost, and said so; never raised
        assert publisher.publish_failures == 1
        await throwaway_redis.start()

        assert await tap.next() == Resync(2)  # the hub reloads everything it watches here
        await publisher.publish("election:1", 4)
        assert await tap.next() == Message("election:1", 4)


# -- PostgreSQL -----------------------------------------------------------------------------


async def test_postgres_carries_messages_between_two_workers(pg_dsn: str) -> None:
    ch = channel()
    a, b = PostgresBackend(pg_dsn, channel=ch), PostgresBackend(pg_dsn, channel=ch)
    async with closing(a, b), tapped(a) as on_a, tapped(b) as on_b:
        assert await on_a.next() == Resync(1)
        assert await on_b.next() == Resync(1)
        await b.publish("election:42", 7)
        assert await on_a.next() == Message("election:42", 7)
        assert await on_b.next() == Message("election:42", 7)
        await a.publish("proposal:7", 2)
        assert await on_b.next() == Message("proposal:7", 2)


async def test_postgres_terminated_listener_reconnects_and_resyncs(pg_dsn: str) -> None:
    ch = channel()
    listener = PostgresBackend(pg_dsn, channel=ch, backoff=fast_backoff())
    publisher = PostgresBackend(pg_dsn, channel=ch)
    admin = await asyncpg.connect(pg_dsn)
    async with closing(listener, publisher), tapped(listener) as tap:
        assert await tap.next() == Resync(1)
        await publisher.publish("election:1", 1)
        assert await tap.next() == Message("election:1", 1)

        pid = listener.listener_pid
        assert pid is not None
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid) is True

        assert await tap.next() == Resync(2)
        assert listener.listener_pid not in (None, pid)
        await publisher.publish("election:1", 2)
        assert await tap.next() == Message("election:1", 2)
    await admin.close()


async def test_postgres_publisher_survives_a_terminated_pool_connection(pg_dsn: str) -> None:
    """A publishing connection that died while idle must not cost a message: no listener
    reconnects in that case, so nothing else would repair it."""
    ch = channel()
    listener = PostgresBackend(pg_dsn, channel=ch)
    publisher = PostgresBackend(pg_dsn, channel=ch, application_name=ch)
    admin = await asyncpg.connect(pg_dsn)
    async with closing(listener, publisher), tapped(listener) as tap:
        assert await tap.next() == Resync(1)
        await publisher.publish("election:1", 1)
        assert await tap.next() == Message("election:1", 1)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1",
            ch + "-publish",
        )
        assert killed >= 1
        await publisher.publish("election:1", 2)
        assert await tap.next() == Message("election:1", 2)
        assert publisher.publish_failures == 0
    await admin.close()


# -- two workers, each with its hub ----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    version: int


class Database:
    """The shared database both workers re-read."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}

    async def load(self, topic: str) -> Row:
        return Row(self.versions.get(topic, 0))


async def latest(watcher: Any, version: int) -> None:
    async with asyncio.timeout(WAIT):
        async for row in watcher:
            if row.version >= version:
                return


MakeBackend = Callable[..., Backend]


@pytest.fixture(params=["redis", "postgres"])
def make_backend(request: pytest.FixtureRequest) -> MakeBackend:
    """``make_backend(**options)``: a backend of the parametrized kind on this test's channel
    (call it twice for two workers)."""
    ch = channel()
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_url")
        return lambda **kw: RedisBackend(url, channel=ch, **kw)
    dsn: str = request.getfixturevalue("pg_dsn")
    return lambda **kw: PostgresBackend(dsn, channel=ch, **kw)


async def test_a_change_on_one_worker_reaches_a_watcher_on_the_other(
    make_backend: MakeBackend,
) -> None:
    db = Database()
    backend_a, backend_b = make_backend(), make_backend()
    hub_a, hub_b = FanOut(backend_a, db.load), FanOut(backend_b, db.load)
    async with closing(backend_a, backend_b), hub_a, hub_b:
        await asyncio.wait_for(hub_b.ready.wait(), WAIT)
        async with hub_b.watch("election:9") as watcher:
            assert (await anext(watcher)).version == 0
            db.versions["election:9"] = 1  # a ballot committed on worker A...
            await hub_a.publish("election:9", 1)  # ...announced after the commit
            await latest(watcher, 1)


async def test_after_a_redis_restart_the_watcher_catches_up_without_another_publish(
    throwaway_redis: ThrowawayRedis,
) -> None:
    """Ballots keep arriving; Redis dies and comes back; the one announced while it was down
    is lost on the wire, yet the watcher gets there through the resync."""
    ch = channel()
    db = Database()
    writer = RedisBackend(throwaway_redis.url, channel=ch)
    reader = RedisBackend(throwaway_redis.url, channel=ch, backoff=fast_backoff())
    hub = FanOut(reader, db.load, max_rate=50)
    async with closing(writer, reader), hub:
        await asyncio.wait_for(hub.ready.wait(), WAIT)
        async with hub.watch("election:1") as watcher:
            for v in range(1, 21):  # the stream
                db.versions["election:1"] = v
                await writer.publish("election:1", v)
                if v == 10:
                    await latest(watcher, 10)
                    await throwaway_redis.kill()
                if v == 15:
                    await throwaway_redis.start()
                    await asyncio.wait_for(until(lambda: hub.stats.resyncs >= 2), WAIT)
                    break
            await latest(watcher, 15)  # 11-15 were published into the void
            assert writer.publish_failures >= 1


async def until(predicate: Callable[[], bool]) -> None:
    """Poll ``predicate``; callers bound the wait (a failure guard, nothing is timed)."""
    while True:
        if predicate():
            return
        await asyncio.sleep(0.01)


# -- idle listeners -------------------------------------------------------------------------


async def test_an_idle_listener_pings_and_stays_subscribed(make_backend: MakeBackend) -> None:
    listener, publisher = make_backend(ping_interval=0.05), make_backend()
    async with closing(listener, publisher), tapped(listener) as tap:
        assert await tap.next() == Resync(1)
        await asyncio.sleep(0.5)  # about ten idle pings
        await publisher.publish("election:1", 1)
        assert await tap.next() == Message("election:1", 1)
        assert tap.events.empty()  # no reconnect happened


async def test_a_redis_server_that_stops_answering_is_left_for_a_new_connection(
    throwaway_redis: ThrowawayRedis,
) -> None:
    """A peer that goes silent without closing (a frozen host, a dropped route) sends no FIN;
    only the unanswered PING reveals it."""
    ch = channel()
    listener = RedisBackend(
        throwaway_redis.url, channel=ch, ping_interval=0.1, timeout=0.3, backoff=fast_backoff()
    )
    admin = Redis.from_url(throwaway_redis.url)
    async with closing(listener), tapped(listener) as tap:
        assert await tap.next() == Resync(1)
        await admin.execute_command("CLIENT", "PAUSE", "1000", "ALL")  # type: ignore[no-untyped-call]
        assert await tap.next() == Resync(2)
    await admin.aclose()
